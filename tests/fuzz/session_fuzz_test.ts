// SPDX-License-Identifier: MIT
/**
 * Whole-session fuzz: random and mutated ZMTP byte streams over real TCP connections to a
 * bound zmqkit socket. The process must survive, every hostile connection must end, and a
 * well-behaved client must still be served afterwards. Fixed seeds, a few dozen runs.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Dealer, Pull, Push, Router } from "../../mod.ts";
import { bytes, command, frame, greeting, MockPeer, ready } from "../_helpers/mock_peer.ts";
import { withTimeout } from "../_helpers/wait.ts";

const dec = new TextDecoder();

/** A valid session opening from a `peerType` peer, then some traffic. */
function validSession(
  peerType: string,
  frames: Array<{ flags: number; body: Uint8Array }>,
): Uint8Array {
  return bytes(
    greeting(),
    ready(peerType),
    command("PING", bytes([0, 10])),
    ...frames.map((f) => frame(f.flags, f.body)),
  );
}

const traffic = fc.array(
  fc.record({ flags: fc.constantFrom(0, 1, 4, 0xf8), body: fc.uint8Array({ maxLength: 120 }) }),
  { maxLength: 5 },
);

const mutation = fc.record({
  overwrite: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
  cut: fc.option(fc.nat()),
});

/** What a hostile connection sends: pure noise, or a valid session with a few bytes changed. */
const hostileBytes = (peerType: string) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 120 }).map((tail) => bytes(greeting(), tail)),
    fc.tuple(traffic, mutation, fc.boolean()).map(([t, m, trafficOnly]) => {
      const out = validSession(peerType, t).slice();
      // half of the time the handshake is left intact, so the traffic part gets fuzzed too
      const from = trafficOnly ? validSession(peerType, []).length : 0;
      if (out.length > from) {
        for (const [at, v] of m.overwrite) out[from + at % (out.length - from)] = v;
      }
      return m.cut === null ? out : out.subarray(0, m.cut % (out.length + 1));
    }),
    traffic.map((t) => validSession(peerType, t)),
  );

const chunkSizes = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 });

/** Writes `data` in chunks, yielding between them so they tend to arrive separately. */
async function writeChunked(peer: MockPeer, data: Uint8Array, sizes: number[]): Promise<void> {
  for (let o = 0, k = 0; o < data.length; k++) {
    const n = sizes[k % sizes.length]!;
    peer.write(data.subarray(o, o + n));
    o += n;
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** One hostile connection: write, half-close, and wait until the connection is gone. */
async function abuse(endpoint: string, data: Uint8Array, sizes: number[]): Promise<void> {
  const peer = await MockPeer.connect(endpoint);
  try {
    await writeChunked(peer, data, sizes);
    peer.end();
    await peer.waitClosed(5000);
  } finally {
    peer.destroy();
  }
}

describe("fuzz: whole sessions over TCP", () => {
  it("a bound Pull survives random and mutated streams and still serves a good Push", async () => {
    const pull = new Pull({ handshakeInterval: 1000, maxMessageSize: 100 });
    await pull.bind("tcp://127.0.0.1:*");
    const ep = pull.lastEndpoint!;
    const push = new Push({ linger: 0 });
    try {
      await fc.assert(
        fc.asyncProperty(hostileBytes("PUSH"), chunkSizes, (data, sizes) => abuse(ep, data, sizes)),
        { seed: 0xfa11, numRuns: 40, endOnFailure: true },
      );
      push.connect(ep);
      await withTimeout(push.send(["marker", "end"]), 5000, "good send");
      // whatever the fuzzed sessions validly sent comes first; the marker must follow
      const deadline = withTimeout(
        new Promise<never>(() => {}),
        5000,
        "marker from the good client",
      );
      deadline.catch(() => {});
      for (;;) {
        const msg = await Promise.race([pull.receive(), deadline]);
        if (msg.length === 2 && dec.decode(msg[0]) === "marker") break;
        for (const f of msg) assert.ok(f.length <= 100, "maxMessageSize was enforced");
      }
    } finally {
      push.close();
      pull.close();
    }
  });

  it("a bound Router survives random and mutated streams and still serves a good Dealer", async () => {
    const router = new Router({ handshakeInterval: 1000 });
    await router.bind("tcp://127.0.0.1:*");
    const ep = router.lastEndpoint!;
    const dealer = new Dealer({ linger: 0, routingId: "good" });
    try {
      await fc.assert(
        fc.asyncProperty(
          hostileBytes("DEALER"),
          chunkSizes,
          (data, sizes) => abuse(ep, data, sizes),
        ),
        { seed: 0xfa12, numRuns: 30, endOnFailure: true },
      );
      dealer.connect(ep);
      await withTimeout(dealer.send("marker"), 5000, "good send");
      let id: Uint8Array | undefined;
      while (id === undefined) {
        const msg = await withTimeout(router.receive(), 5000, "marker from the good client");
        if (dec.decode(msg[0]) === "good" && dec.decode(msg[msg.length - 1]) === "marker") {
          id = msg[0];
        }
      }
      await router.send([id, "reply"]);
      const reply = await withTimeout(dealer.receive(), 5000, "reply to the good client");
      assert.deepEqual(reply.map((f) => dec.decode(f)), ["reply"]);
    } finally {
      dealer.close();
      router.close();
    }
  });
});
