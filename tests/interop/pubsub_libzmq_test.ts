// SPDX-License-Identifier: MIT
/**
 * zmqkit against libzmq: PUB–SUB, PUB–XSUB, XPUB–SUB, XPUB–XSUB, every way round; the
 * subscriber takes "T" and gets the big message but not an unsubscribed one.
 */
import { pairCases } from "../_helpers/cases.ts";
import { libzmqSuite, runPairCase } from "./pair_flows.ts";

libzmqSuite("interop with libzmq: PUB, SUB, XPUB, XSUB", pairCases(["pubsub"]), runPairCase);
