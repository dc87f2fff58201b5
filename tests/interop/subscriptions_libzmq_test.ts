// SPDX-License-Identifier: MIT
/**
 * Subscription filtering against libzmq, both ways: a subscriber takes "A"; the publisher
 * sends "A1", "B1", "A2", "A-end" and the subscriber must get exactly A1, A2, A-end. An XPUB
 * publisher must see the `01`+topic subscriptions (and the `00`+topic cancel, after which "A"
 * messages stop); behind a PUB, which shows nothing, a probe topic "P" tells when the
 * subscriptions have arrived. SUB subscribes with subscribe(), XSUB by sending `01`+topic.
 */
import assert from "node:assert/strict";
import {
  assertFrames,
  bindEndpoint,
  probeUntilReceived,
  type SubCase,
  subscriptionCases,
  text,
  utf8,
} from "../_helpers/cases.ts";
import {
  createSide,
  type Frames,
  type Impl,
  type LibzmqPeer,
  type Side,
} from "../_helpers/peers.ts";
import { libzmqSuite } from "./pair_flows.ts";

const subscriptionMessage = (on: boolean, topic: string) =>
  new Uint8Array([on ? 1 : 0, ...utf8(topic)]);

async function subscribe(sub: Side, topic: string): Promise<void> {
  if (sub.type === "SUB") await sub.subscribe(utf8(topic));
  else await sub.send([subscriptionMessage(true, topic)]);
}

async function unsubscribe(sub: Side, topic: string): Promise<void> {
  if (sub.type === "SUB") await sub.unsubscribe(utf8(topic));
  else await sub.send([subscriptionMessage(false, topic)]);
}

/** First frames of the messages received up to and including `end`, probes left out. */
async function collectUntil(sub: Side, end: string, probe: string): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    const t = text((await sub.receive())[0]!);
    if (t === probe) continue;
    got.push(t);
    if (t === end) return got;
  }
}

/** Starts a receive now, to await later (a failure meanwhile is reported, not unhandled). */
function early<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

async function publishFilterSequence(pub: Side): Promise<void> {
  for (const topic of ["A1", "B1", "A2", "A-end"]) {
    await pub.send([utf8(topic), utf8(`body of ${topic}`)]);
  }
}

async function runSubCase(peer: LibzmqPeer, c: SubCase): Promise<void> {
  const pubImpl: Impl = c.zmqkit === "publisher" ? "zmqkit" : "libzmq";
  const subImpl: Impl = c.zmqkit === "publisher" ? "libzmq" : "zmqkit";
  const pub = await createSide(pubImpl, peer, c.publisher);
  const sides: Side[] = [pub];
  try {
    const sub = await createSide(subImpl, peer, c.subscriber);
    sides.push(sub);
    const xpub = c.publisher === "XPUB"; // the publisher shows subscriptions: no probing
    const topics = xpub ? ["A", "Z"] : ["A", "P"];
    for (const t of topics) await subscribe(sub, t);
    const [binder, connecter] = c.binder === pubImpl ? [pub, sub] : [sub, pub];
    await connecter.connect(await binder.bind(bindEndpoint(c.transport)));

    if (!xpub) {
      const probe = await probeUntilReceived(pub, sub, [utf8("P")]);
      assert.equal(text(probe[0]!), "P");
      await publishFilterSequence(pub);
      assert.deepEqual(await collectUntil(sub, "A-end", "P"), ["A1", "A2", "A-end"]);
      return;
    }

    // a bound libzmq (X)SUB sends its subscriptions only while its application is in a receive
    const filtered = early(collectUntil(sub, "A-end", "P"));
    for (const t of topics) {
      assertFrames(
        await pub.receive(),
        [subscriptionMessage(true, t)],
        `${pub.impl} XPUB sees 01${t}`,
      );
    }
    await publishFilterSequence(pub);
    assert.deepEqual(await filtered, ["A1", "A2", "A-end"]);

    // cancel "A": the XPUB sees 00A, and from then on "A…" no longer reaches the subscriber
    const next = early(sub.receive());
    await unsubscribe(sub, "A");
    assertFrames(
      await pub.receive(),
      [subscriptionMessage(false, "A")],
      `${pub.impl} XPUB sees 00A`,
    );
    await pub.send([utf8("A-late"), utf8("x")]);
    await pub.send([utf8("Z-end"), utf8("x")]);
    const last: Frames = await next;
    assert.equal(text(last[0]!), "Z-end");
  } finally {
    for (const s of sides) await s.close();
  }
}

libzmqSuite("interop with libzmq: subscription filtering", subscriptionCases(), runSubCase);
