// SPDX-License-Identifier: MIT
/**
 * zmqkit against libzmq over ws:// (ZWS 2.0; zeromq.js's libzmq is built with it): every
 * classic pair, each way round and each side binding, as over tcp and ipc.
 */
import { pairCases } from "../_helpers/cases.ts";
import { libzmqSuite, runPairCase } from "./pair_flows.ts";

libzmqSuite(
  "interop with libzmq over ws://: every classic pair",
  pairCases(
    [
      "duplex",
      "pipeline",
      "pubsub",
      "reqrep",
      "req-router",
      "dealer-rep",
      "dealer-router",
      "router-router",
    ],
    ["ws"],
  ),
  runPairCase,
);
