// SPDX-License-Identifier: MIT
/** zmqkit against libzmq: PAIR–PAIR, PUSH–PULL, DEALER–DEALER, ROUTER–ROUTER, every way round. */
import { pairCases } from "../_helpers/cases.ts";
import { libzmqSuite, runPairCase } from "./pair_flows.ts";

libzmqSuite(
  "interop with libzmq: PAIR, PUSH–PULL, DEALER–DEALER, ROUTER–ROUTER",
  pairCases(["duplex", "pipeline", "router-router"]),
  runPairCase,
);
