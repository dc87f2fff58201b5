// SPDX-License-Identifier: MIT
/**
 * The brokers' and the proxy's lifecycle: run() called twice shares one run (no second set
 * of loops or heartbeat timer), terminate() before run() makes run() resolve at once instead of
 * never, and a proxy with no receive→send direction is refused at construction.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LoadBalancingBroker, MajordomoBroker, Proxy, Pull, Router } from "../../mod.ts";
import { closeAll, withTimeout } from "./_util.ts";

describe("broker and proxy lifecycle", () => {
  it("LoadBalancingBroker: run() twice is one run; terminate() ends it", async () => {
    const front = new Router(), back = new Router();
    try {
      const broker = new LoadBalancingBroker(front, back);
      const a = broker.run();
      assert.equal(broker.run(), a, "the same promise");
      broker.terminate();
      await withTimeout(a, 2000, "run() to end");
    } finally {
      closeAll(front, back);
    }
  });

  it("LoadBalancingBroker: terminate() before run() lets run() resolve at once", async () => {
    const front = new Router(), back = new Router();
    try {
      const broker = new LoadBalancingBroker(front, back);
      broker.terminate();
      await withTimeout(broker.run(), 2000, "run() after terminate()");
    } finally {
      closeAll(front, back);
    }
  });

  it("MajordomoBroker: run() twice is one run; terminate() before run() resolves", async () => {
    const socket = new Router(), other = new Router();
    try {
      const broker = new MajordomoBroker(socket, { heartbeatInterval: 10 });
      const a = broker.run();
      assert.equal(broker.run(), a, "the same promise");
      broker.terminate();
      await withTimeout(a, 2000, "run() to end");
      const early = new MajordomoBroker(other);
      early.terminate();
      await withTimeout(early.run(), 2000, "run() after terminate()");
    } finally {
      closeAll(socket, other);
    }
  });

  it("Proxy: two sockets that only receive have nothing to forward", () => {
    const a = new Pull(), b = new Pull();
    try {
      assert.throws(() => new Proxy(a, b), /Nothing to forward between PULL and PULL/);
    } finally {
      closeAll(a, b);
    }
  });
});
