// SPDX-License-Identifier: MIT
/**
 * Hostile suite, case 1 of issue 11: one multipart message that never ends (empty frames with
 * MORE, `01 00` repeated) from a peer that completed its handshake, against a ROUTER with
 * maxMessageSize = 1 MiB, a ROUTER with default options, the frontend of `zmqkit proxy queue`,
 * and a ROUTER behind the `zmqkit dump` relay. The process must stay up with memory bounded by
 * what the peer sent, keep serving a good client during and after, and refuse the message.
 */
import { after, describe, it } from "node:test";
import { MockPeer } from "../_helpers/mock_peer.ts";
import {
  type Attack,
  type Child,
  dealerRoundTrip,
  killAll,
  MiB,
  refusal,
  reqRoundTrip,
  runCase,
  scaled,
  startProxy,
  startRelay,
  startTarget,
  startWorker,
  stream,
  wait,
} from "./_harness.ts";
import { emptyMoreFrames } from "./_wire.ts";

/** Bytes of `01 00` sent: 16 MB costs today's engine ~1.1 GiB (Deno), ~0.8 GiB (Bun). */
const TOTAL = scaled(16 * MiB, 128 * MiB);
const CHUNK = emptyMoreFrames(32 * 1024);
const READY = new TextEncoder().encode("READY");

/** After the handshake: `disconnect` with ERR_ZMTP_MESSAGE_TOO_LARGE naming the limit. */
const TOO_LARGE = {
  type: "disconnect",
  codes: ["ERR_ZMTP_MESSAGE_TOO_LARGE"],
  message: /maxMessageSize|maxMessageFrames/,
};

/**
 * The attack: a DEALER handshake, then `01 00` up to TOTAL bytes; good clients mid-stream and
 * with the message still open; the refusal event on `target` (if the rig prints events) and
 * the connection closed by zmqkit.
 */
function neverEndingMessage(endpoint: string, target: Child | undefined) {
  return async (a: Attack): Promise<void> => {
    const from = target?.lines.length ?? 0;
    const peer = await MockPeer.connect(endpoint);
    try {
      peer.handshake("DEALER");
      await peer.waitForSequence(READY, wait());
      const r = await stream(peer.socket, CHUNK, TOTAL, [{
        at: TOTAL / 2,
        fn: () => a.during("mid-stream"),
      }]);
      a.sent += r.sent;
      if (r.stalled) a.v.check(`target stopped reading after ${r.sent} bytes, without closing`);
      if (!peer.isClosed) a.during("with the message still open");
      a.sample();
      await Promise.all([
        target ? a.v.step("refusal event", () => refusal(target, from, TOO_LARGE)) : undefined,
        a.v.step("hostile connection closed by zmqkit", () => peer.waitClosed(wait())),
      ]);
    } finally {
      peer.destroy();
    }
  };
}

async function routerCase(name: string, options: Record<string, unknown>, held: number) {
  const t = await startTarget("ROUTER", options);
  await runCase({
    name,
    measured: [{ label: "", child: t.child, held: (sent) => Math.min(sent, held) }],
    children: [t.child],
    good: () => dealerRoundTrip(t.endpoint, [t.child]),
    attack: neverEndingMessage(t.endpoint, t.child),
    close: () => t.child.kill(),
  });
}

describe("hostile: a multipart message that never ends", () => {
  after(killAll);

  it("ROUTER with maxMessageSize 1 MiB refuses it, memory ≤ 2 × 1 MiB + C", async () => {
    await routerCase("1a-multipart-maxsize", { maxMessageSize: MiB }, MiB);
  });

  it("ROUTER with default options refuses it, memory ≤ 2 × sent + C", async () => {
    await routerCase("1b-multipart-defaults", {}, Infinity);
  });

  it("zmqkit proxy queue: the frontend refuses it, the proxy keeps forwarding", async () => {
    const proxy = await startProxy();
    const worker = startWorker(proxy.backend);
    await runCase({
      name: "1c-multipart-proxy",
      measured: [{ label: "", child: proxy.child, held: (sent) => sent }],
      children: [proxy.child],
      good: () => reqRoundTrip(proxy.frontend, [proxy.child]),
      // the CLI prints no socket events: the refusal shows as the connection it closes
      attack: neverEndingMessage(proxy.frontend, undefined),
      close: () => {
        worker.close();
        proxy.child.kill();
      },
    });
  });

  it("zmqkit dump relay in front of a ROUTER: both stay bounded and serving", async () => {
    const t = await startTarget("ROUTER");
    const relay = await startRelay(t.endpoint).catch((e) => {
      t.child.kill();
      throw e;
    });
    const both = [relay.child, t.child];
    await runCase({
      name: "1d-multipart-relay",
      measured: [
        { label: "relay", child: relay.child, held: (sent) => sent },
        { label: "target", child: t.child, held: (sent) => sent },
      ],
      children: both,
      good: () => dealerRoundTrip(relay.endpoint, both),
      attack: neverEndingMessage(relay.endpoint, t.child),
      close: () => both.forEach((c) => c.kill()),
    });
  });
});
