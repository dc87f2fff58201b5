// SPDX-License-Identifier: MIT
/**
 * Hostile suite, cases 3, 4 and 5 of issue 11: subscriptions as an attack. A SUB-typed peer
 * sends a PUB very many distinct 16-byte SUBSCRIBE commands, or one SUBSCRIBE with a huge
 * topic: the PUB's memory must stay within a small multiple of the bytes sent while a good
 * subscriber keeps receiving. And an XPUB whose subscriber with a long topic leaves must
 * report the unsubscription (today the trie walk overflows the stack from ~20,000 bytes on).
 */
import { after, describe, it } from "node:test";
import { bytes, command, MockPeer } from "../_helpers/mock_peer.ts";
import {
  type Attack,
  KiB,
  killAll,
  MiB,
  runCase,
  scaled,
  startTarget,
  stream,
  subReceive,
  type Target,
  wait,
} from "./_harness.ts";
import { filled, randomSubscribes, subscribe } from "./_wire.ts";

const enc = new TextEncoder();
const READY = enc.encode("READY");
const PONG = enc.encode("PONG");

/**
 * Sends `payload` after a SUB handshake, then a PING: the PONG proves that the target has
 * processed every command before it. Good subscribers run mid-stream and once it is sent.
 */
function subscribeAttack(t: Target, payload: Uint8Array) {
  return async (a: Attack): Promise<void> => {
    const peer = await MockPeer.connect(t.endpoint);
    try {
      peer.handshake("SUB");
      await peer.waitForSequence(READY, wait());
      const r = await stream(peer.socket, payload, payload.length, [{
        at: payload.length / 2,
        fn: () => a.during("mid-stream"),
      }]);
      a.sent += r.sent;
      if (r.stalled) a.v.check(`target stopped reading after ${r.sent} bytes, without closing`);
      peer.write(command("PING", bytes([0, 0], "barrier")));
      // a target may also refuse the subscriptions: then it closes the connection
      await a.v.step("PONG after the subscriptions (or a close)", async () => {
        await peer.waitForSequence(PONG, wait()).catch((e) => {
          if (!peer.isClosed) throw e;
        });
      });
      a.during("with the subscriptions held");
      a.sample();
    } finally {
      peer.destroy();
    }
  };
}

async function pubCase(name: string, payload: Uint8Array): Promise<void> {
  const t = await startTarget("PUB");
  await runCase({
    name,
    measured: [{ label: "", child: t.child, held: (sent) => sent }],
    children: [t.child],
    good: () => subReceive(t.endpoint, [t.child]),
    attack: subscribeAttack(t, payload),
    close: () => t.child.kill(),
  });
}

describe("hostile: subscriptions", () => {
  after(killAll);

  it("a PUB given many random 16-byte SUBSCRIBEs stays within 2 × sent + C", async () => {
    // 28 bytes each: 100,000 is 2.8 MB (issue 11: 1,000,000, 28 MB, cost 3.1 GiB on Deno)
    await pubCase("3-many-subscribes", randomSubscribes(scaled(100_000, 1_000_000)));
  });

  it("a PUB given one SUBSCRIBE with a huge topic stays within 2 × sent + C", async () => {
    await pubCase("4-huge-topic", subscribe(filled(scaled(2 * MiB, 10 * 1000 * 1000), 0x74)));
  });

  it("an XPUB reports the unsubscription of a long topic when its subscriber leaves", async () => {
    const size = scaled(32 * KiB, 100 * 1000);
    const t = await startTarget("XPUB");
    const isSub = (sub: number) => (l: Record<string, unknown>) => l.sub === sub && l.len === size;
    await runCase({
      name: "5-xpub-long-topic",
      measured: [{ label: "", child: t.child, held: (sent) => sent }],
      children: [t.child],
      good: () => subReceive(t.endpoint, [t.child]),
      attack: async (a) => {
        const from = t.child.lines.length;
        const peer = await MockPeer.connect(t.endpoint);
        try {
          peer.handshake("SUB");
          await peer.waitForSequence(READY, wait());
          const topic = subscribe(filled(size, 0x74));
          a.sent += (await stream(peer.socket, topic, topic.length)).sent;
          await a.v.step(
            "subscription printed",
            () => t.child.waitLine(isSub(1), `{"sub": 1, "len": ${size}}`, from),
          );
          a.during("while subscribed");
        } finally {
          peer.destroy();
        }
        await a.v.step(
          "unsubscription printed once the subscriber left",
          () => t.child.waitLine(isSub(0), `{"sub": 0, "len": ${size}}`, from),
        );
      },
      close: () => t.child.kill(),
    });
  });
});
