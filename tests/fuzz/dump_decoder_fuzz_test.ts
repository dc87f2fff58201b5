// SPDX-License-Identifier: MIT
/**
 * The dump's connection decoder never throws, whatever either side sends: random bytes,
 * valid conversations with bytes changed, cut at random places, interleaved at random, with
 * every body decoder and CURVE keys given. Every event it emits is JSON-safe.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ConnectionDecoder } from "../../lib/internal.ts";
import { parseDecodeSpec } from "../../lib/internal.ts";
import type { DumpEvent, Side } from "../../lib/internal.ts";
import { encodeGreeting } from "../../lib/internal.ts";
import { encodeCommand, encodePing, encodeReady, encodeSubscribe } from "../../lib/internal.ts";
import { encodeFrame } from "../../lib/internal.ts";
import { concatBytes } from "../../lib/internal.ts";

const te = new TextEncoder();
const frame = (flags: number, body: Uint8Array) => encodeFrame(flags, body);
const meta = (type: string) =>
  encodeReady([["Socket-Type", te.encode(type)], ["Identity", new Uint8Array(0)]]);

const cat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts).slice();

/** A plausible conversation per mechanism, both directions. */
function conversation(mechanism: string): Record<Side, Uint8Array> {
  const client = [encodeGreeting(mechanism)];
  const server = [encodeGreeting(mechanism)];
  if (mechanism === "NULL") {
    client.push(
      frame(4, meta("DEALER")),
      frame(1, new Uint8Array(0)),
      frame(0, te.encode('{"a":[1,2]}')),
    );
    client.push(frame(4, encodePing(20)), frame(4, encodeSubscribe(te.encode("t"))));
    server.push(
      frame(4, meta("ROUTER")),
      frame(1, Uint8Array.of(0, 1)),
      frame(1, new Uint8Array(0)),
      frame(0, Uint8Array.of(0x81, 0xa1, 0x61, 1)),
    );
  } else if (mechanism === "PLAIN") {
    client.push(
      frame(
        4,
        encodeCommand("HELLO", Uint8Array.of(5, ...te.encode("admin"), 3, ...te.encode("pwd"))),
      ),
    );
    server.push(frame(4, encodeCommand("WELCOME")));
    client.push(frame(4, encodeCommand("INITIATE", meta("REQ").subarray(6))));
    server.push(
      frame(4, encodeCommand("READY", meta("REP").subarray(6))),
      frame(4, te.encode("\x05ERROR\x03400")),
    );
  } else {
    client.push(frame(4, cat(te.encode("\x05HELLO\x01\x00"), new Uint8Array(192))));
    server.push(frame(4, cat(te.encode("\x07WELCOME"), new Uint8Array(160))));
    client.push(frame(6, cat(te.encode("\x08INITIATE"), new Uint8Array(248))));
    server.push(frame(4, cat(te.encode("\x05READY"), new Uint8Array(24))));
    client.push(frame(0, cat(te.encode("\x07MESSAGE"), new Uint8Array(25))));
  }
  return { client: cat(...client), server: cat(...server) };
}

const specs = [
  "auto",
  "text",
  "hex",
  "json",
  "msgpack",
  "0=text,1=msgpack,*=hex",
  "layout:n: u8, rest: bytes(*)",
];

function runOnce(
  streams: Record<Side, Uint8Array>,
  cuts: number[],
  spec: string,
  keys: Uint8Array[],
): DumpEvent[] {
  const events: DumpEvent[] = [];
  const d = new ConnectionDecoder(1, (e) => events.push(e), {
    decode: parseDecodeSpec(spec),
    maxBytes: 16,
    curveSecrets: keys,
    holdLimit: 64,
  });
  d.open("a", "b", 0);
  const pos: Record<Side, number> = { client: 0, server: 0 };
  let turn = 0;
  for (const c of cuts) {
    const side: Side = turn++ % 2 === 0 ? "client" : "server";
    const s = streams[side];
    const end = Math.min(s.length, pos[side] + c);
    d.data(side, s.subarray(pos[side], end), turn);
    pos[side] = end;
  }
  d.data("client", streams.client.subarray(pos.client), 1e6);
  d.data("server", streams.server.subarray(pos.server), 1e6);
  d.close(1e6 + 1);
  for (const e of events) assert.deepEqual(JSON.parse(JSON.stringify(e)), e);
  return events;
}

const mutated = (mechanism: string) =>
  fc.array(fc.tuple(fc.boolean(), fc.nat(400), fc.integer({ min: 0, max: 255 })), { maxLength: 8 })
    .map(
      (muts) => {
        const conv = conversation(mechanism);
        for (const [client, at, v] of muts) {
          const s = client ? conv.client : conv.server;
          if (s.length > 0) s[at % s.length] = v;
        }
        return conv;
      },
    );

describe("ConnectionDecoder fuzz", () => {
  it("decodes the unmutated conversations without a problem", () => {
    for (const m of ["NULL", "PLAIN", "CURVE"]) {
      const events = runOnce(conversation(m), [3, 70, 5, 200], "auto", []);
      assert.deepEqual(events.filter((e) => e.type === "error"), [], m);
      assert.ok(events.some((e) => e.type === "message" || e.type === "command"), m);
    }
  });

  it("never throws on random streams", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat(80), { maxLength: 20 }),
        fc.constantFrom(...specs),
        (client, server, cuts, spec) => void runOnce({ client, server }, cuts, spec, []),
      ),
      { seed: 1905, numRuns: 300 },
    );
  });

  it("never throws on mutated conversations of every mechanism", () => {
    const key = new Uint8Array(32).fill(9);
    fc.assert(
      fc.property(
        fc.oneof(mutated("NULL"), mutated("PLAIN"), mutated("CURVE")),
        fc.array(fc.nat(120), { maxLength: 20 }),
        fc.constantFrom(...specs),
        fc.boolean(),
        (conv, cuts, spec, withKey) => void runOnce(conv, cuts, spec, withKey ? [key] : []),
      ),
      { seed: 2606, numRuns: 400 },
    );
  });

  it("never throws on signature-prefixed random tails (the greeting passes, then garbage)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat(60), { maxLength: 20 }),
        (a, b, cuts) =>
          void runOnce(
            { client: cat(encodeGreeting("NULL"), a), server: cat(encodeGreeting("CURVE"), b) },
            cuts,
            "auto",
            [],
          ),
      ),
      { seed: 77, numRuns: 300 },
    );
  });
});
