// SPDX-License-Identifier: MIT
/**
 * A closed socket with linger -1 whose messages have nowhere to go keeps the process alive for
 * ever, as in libzmq. That must not be silent (issue 13): a warning names the socket, what it
 * still holds, for where, and the `linger` option.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Pull, Push } from "../../mod.ts";
import { closeAll, freeTcpEndpoint, text, until, withTimeout } from "./_util.ts";

describe("linger warning", () => {
  it("a closed socket still holding messages with linger -1 warns once, naming linger", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => {
      if ((w as Error & { code?: string }).code === "ZMQKIT_LINGER") warnings.push(w);
    };
    process.on("warning", onWarning);
    const ep = await freeTcpEndpoint();
    const push = new Push({ linger: -1, reconnectInterval: 20 });
    const pull = new Pull();
    try {
      push.connect(ep);
      for (const m of ["1", "2", "3"]) await push.send(m);
      push.close();
      await until(() => warnings.length > 0, 10_000, "the linger warning");
      const message = warnings[0]!.message;
      assert.match(message, /PUSH/);
      assert.match(message, /3 unsent/);
      assert.ok(message.includes(ep), message);
      assert.match(message, /linger/);
      // the messages still go once a peer comes, and then the socket ends
      await pull.bind(ep);
      const got = await withTimeout(
        Promise.all([pull.receive(), pull.receive(), pull.receive()]),
        5000,
        "lingering messages",
      );
      assert.deepEqual(got.map((m) => text(m[0])), ["1", "2", "3"]);
      await withTimeout(push.closed, 5000, "the closed socket's end");
      assert.equal(warnings.length, 1);
    } finally {
      process.off("warning", onWarning);
      closeAll(push, pull);
    }
  });
});
