// SPDX-License-Identifier: MIT
/**
 * Random and mutated byte streams through the `zmqkit dump` relay (an echo server upstream):
 * every byte comes back unchanged, the relay never dies, other connections are unaffected,
 * and a well-formed connection afterwards is still decoded.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import fc from "fast-check";
import { ensureBinary, killAll } from "../cli/_cli.ts";
import { encodeGreeting } from "../../lib/internal.ts";
import { encodeReady } from "../../lib/internal.ts";
import { encodeFrame } from "../../lib/internal.ts";
import { startDump, targetOf } from "./_relay.ts";
import { concatBytes } from "../../lib/internal.ts";
import { mutationsOf } from "../_helpers/mutations.ts";

let echo: net.Server;
let port = 0;
before(async () => {
  ensureBinary();
  echo = net.createServer((s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  port = (echo.address() as net.AddressInfo).port;
});
after(() => {
  echo.close();
  killAll();
});

/** Sends `chunks` on one connection through the relay; resolves with what came back. */
function roundTrip(endpoint: string, chunks: Uint8Array[]): Promise<Buffer> {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  return new Promise((resolve, reject) => {
    const c = net.connect(targetOf(endpoint) as net.NetConnectOpts);
    const back: Buffer[] = [];
    let have = 0;
    c.on("error", reject);
    c.on("data", (d: Buffer) => {
      back.push(d);
      have += d.length;
      if (have >= total) {
        c.destroy();
        resolve(Buffer.concat(back));
      }
    });
    c.on("connect", () => {
      for (const ch of chunks) c.write(ch);
      if (total === 0) {
        c.destroy();
        resolve(Buffer.alloc(0));
      }
    });
  });
}

const valid = (() => {
  const ready = encodeReady([["Socket-Type", new TextEncoder().encode("DEALER")]]);
  return concatBytes([
    encodeGreeting("NULL"),
    encodeFrame(4, ready),
    encodeFrame(0, new TextEncoder().encode("hello")),
  ]);
})();

describe("zmqkit dump relay under hostile input", () => {
  it("relays random and mutated streams byte for byte and keeps decoding good ones", async () => {
    const dump = await startDump(`tcp://127.0.0.1:${port}`);
    const samples = fc.sample(
      fc.tuple(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          mutationsOf(valid),
        ),
        fc.array(fc.nat(200), { maxLength: 8 }),
      ),
      { seed: 31337, numRuns: 24 },
    );
    // all at once: connections must not disturb one another
    await Promise.all(samples.map(async ([bytes, cuts]) => {
      const chunks: Uint8Array[] = [];
      let at = 0;
      for (const c of cuts) {
        chunks.push(bytes.subarray(at, Math.min(bytes.length, at + c)));
        at = Math.min(bytes.length, at + c);
      }
      chunks.push(bytes.subarray(at));
      const back = await roundTrip(dump.endpoint, chunks);
      assert.ok(back.equals(Buffer.from(bytes)), "bytes came back unchanged");
    }));
    // a good connection afterwards is still decoded, from both directions (the echo)
    const back = await roundTrip(dump.endpoint, [valid]);
    assert.ok(back.equals(Buffer.from(valid)));
    const events = await dump.until(
      (e) => e.type === "message" && (e.frames as { body: unknown }[])[0]?.body === "hello",
      2,
    );
    const stopped = await dump.stop();
    assert.ok(stopped.length >= events.length);
    assert.ok(dump.proc.stderr.split("\n").filter((l) => l !== "").length === 1, dump.proc.stderr);
  });
});
