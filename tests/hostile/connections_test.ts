// SPDX-License-Identifier: MIT
/**
 * Hostile suite, cases 8, 9 and 10 of issue 11, against a ROUTER: many idle connections
 * (slowloris; memory per connection bounded, today Deno spends a 256 KiB read buffer on each),
 * many handshakes trickled a byte at a time (all closed by the handshake interval, the target
 * responsive meanwhile), and a frame header claiming 2^62 bytes after the handshake (closed
 * at once, nothing allocated).
 */
import { after, describe, it } from "node:test";
import { bytes, greeting, MockPeer, ready } from "../_helpers/mock_peer.ts";
import {
  dealerRoundTrip,
  KiB,
  killAll,
  openFilesLimit,
  refusal,
  runCase,
  scaled,
  startTarget,
  wait,
  waitUntil,
} from "./_harness.ts";
import { longHeader } from "./_wire.ts";

const READY = new TextEncoder().encode("READY");
/** What one idle or handshaking connection may cost the target, on top of C. */
const PER_CONNECTION = 64 * KiB;

/** `n` raw connections, opened 100 at a time (a listen backlog is not a test subject). */
async function connectMany(endpoint: string, n: number): Promise<MockPeer[]> {
  const peers: MockPeer[] = [];
  try {
    for (let i = 0; i < n; i += 100) {
      const batch = Math.min(100, n - i);
      peers.push(
        ...await Promise.all(Array.from({ length: batch }, () => MockPeer.connect(endpoint))),
      );
    }
    return peers;
  } catch (e) {
    for (const p of peers) p.destroy();
    throw e;
  }
}

/** Both processes hold `n` sockets: skip (with the reason) when `ulimit -n` is too low. */
function fdSkip(n: number): string | false {
  const limit = openFilesLimit();
  return limit < n + 512 ? `ulimit -n is ${limit}, ${n + 512} needed for ${n} connections` : false;
}

const IDLE = scaled(1000, 2000);
const TRICKLED = 500;

describe("hostile: connections", () => {
  after(killAll);

  it(`${IDLE} idle connections cost at most C + 64 KiB each`, { skip: fdSkip(IDLE) }, async () => {
    const t = await startTarget("ROUTER", { handshakeInterval: 120_000 });
    await runCase({
      name: "8-idle-connections",
      measured: [{ label: "", child: t.child, held: () => 0, extra: IDLE * PER_CONNECTION }],
      children: [t.child],
      good: () => dealerRoundTrip(t.endpoint, [t.child]),
      attack: async (a) => {
        const peers = await connectMany(t.endpoint, IDLE);
        try {
          // half only connect, half send a greeting (and get the target's READY back)
          peers.forEach((p, i) => {
            if (i % 2 === 0) p.write(greeting());
          });
          a.sent += Math.ceil(IDLE / 2) * 64;
          await a.v.step(
            "every connection served (greeting, or greeting and READY)",
            () =>
              waitUntil(
                () =>
                  peers.every((p, i) => p.received.length >= (i % 2 === 0 ? 64 + READY.length : 64))
                    ? true
                    : undefined,
                "greetings from the target on every connection",
                wait(),
                t.child,
              ),
          );
          a.sample();
          a.during(`with ${IDLE} idle connections open`);
          await a.v.step("idle connections still open", () => {
            const closed = peers.filter((p) => p.isClosed).length;
            if (closed > 0) throw new Error(`${closed} closed before the handshake interval`);
          });
        } finally {
          for (const p of peers) p.destroy();
        }
      },
      close: () => t.child.kill(),
    });
  });

  it(
    `${TRICKLED} handshakes trickled a byte at a time are all closed by the handshake interval`,
    { skip: fdSkip(TRICKLED) },
    async () => {
      const t = await startTarget("ROUTER", { handshakeInterval: 500 });
      const handshake = bytes(greeting(), ready("DEALER"));
      await runCase({
        name: "9-trickled-handshakes",
        measured: [{
          label: "",
          child: t.child,
          held: () => 0,
          extra: TRICKLED * PER_CONNECTION,
        }],
        children: [t.child],
        good: () => dealerRoundTrip(t.endpoint, [t.child]),
        attack: async (a) => {
          const from = t.child.lines.length;
          const peers = await connectMany(t.endpoint, TRICKLED);
          let offset = 0;
          const timer = setInterval(() => {
            if (offset >= handshake.length) return;
            for (const p of peers) {
              if (!p.isClosed) {
                p.write(handshake.subarray(offset, offset + 1));
                a.sent++;
              }
            }
            offset++;
          }, 100);
          try {
            a.during("while handshakes trickle in");
            await a.v.step("every trickled connection closed by zmqkit", () =>
              waitUntil(
                () => peers.every((p) => p.isClosed) ? true : undefined,
                () => `${peers.filter((p) => !p.isClosed).length} trickled connections still open`,
                wait(),
                t.child,
              ));
            a.sample();
            await a.v.step("a handshake error event for each", () =>
              t.child.waitCount(
                (l) => typeof l.event === "string" && l.event.startsWith("handshake:error"),
                TRICKLED,
                "handshake:error:*",
                from,
              ));
            await a.v.step("none completed its handshake", () => {
              if (peers.some((p) => p.received.length > 64 + 64)) {
                throw new Error("a trickled peer got more than a greeting and READY back");
              }
            });
          } finally {
            clearInterval(timer);
            for (const p of peers) p.destroy();
          }
        },
        close: () => t.child.kill(),
      });
    },
  );

  it("a frame header claiming 2^62 bytes closes the connection at once", async () => {
    const t = await startTarget("ROUTER");
    await runCase({
      name: "10-frame-2e62",
      measured: [{ label: "", child: t.child, held: () => 0 }],
      children: [t.child],
      good: () => dealerRoundTrip(t.endpoint, [t.child]),
      attack: async (a) => {
        const from = t.child.lines.length;
        const peer = await MockPeer.connect(t.endpoint);
        try {
          peer.handshake("DEALER");
          await peer.waitForSequence(READY, wait());
          peer.write(longHeader(0x00, 2n ** 62n));
          a.sent += 9;
          a.during("right after the header");
          await Promise.all([
            a.v.step("refusal event", () =>
              refusal(t.child, from, {
                type: "disconnect",
                codes: ["ERR_ZMTP_MESSAGE_TOO_LARGE"],
                message: /./,
              })),
            a.v.step("hostile connection closed by zmqkit", () => peer.waitClosed(wait())),
          ]);
          a.sample();
        } finally {
          peer.destroy();
        }
      },
      close: () => t.child.kill(),
    });
  });
});
