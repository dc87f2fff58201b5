// SPDX-License-Identifier: MIT
/**
 * zmqkit against libzmq: REQ–REP, REQ–ROUTER, DEALER–REP, DEALER–ROUTER, every way round,
 * with set and generated routing ids; requests and replies checked byte for byte.
 */
import { pairCases } from "../_helpers/cases.ts";
import { libzmqSuite, runPairCase } from "./pair_flows.ts";

libzmqSuite(
  "interop with libzmq: REQ, REP, DEALER, ROUTER",
  pairCases(["reqrep", "req-router", "dealer-rep", "dealer-router"]),
  runPairCase,
);
