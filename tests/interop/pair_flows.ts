// SPDX-License-Identifier: MIT
/**
 * Plays a `PairCase` (tests/_helpers/cases.ts): sets up its two sockets, one zmqkit's and one
 * libzmq's, and runs its pattern's exchange on them, checking every frame byte for byte.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  assertFrames,
  bigMessage,
  bindEndpoint,
  type Flow,
  type PairCase,
  probeUntilReceived,
  receiveSkipping,
  retrying,
  text,
  utf8,
  withDeadline,
} from "../_helpers/cases.ts";
import { createSide, type Impl, LibzmqPeer, type Side } from "../_helpers/peers.ts";

const EMPTY = new Uint8Array(0);
const CASE_DEADLINE_MS = 30_000;

/**
 * A describe block with one libzmq peer process for all its cases, run one after another;
 * each case is bounded so that a hang fails it rather than the run.
 */
export function libzmqSuite<C extends { name: string }>(
  title: string,
  cases: readonly C[],
  run: (peer: LibzmqPeer, c: C) => Promise<void>,
): void {
  describe(title, () => {
    let peer: LibzmqPeer;
    before(async () => {
      peer = await LibzmqPeer.start();
    });
    after(async () => {
      await peer?.stop();
    });
    for (const c of cases) it(c.name, () => withDeadline(run(peer, c), CASE_DEADLINE_MS, c.name));
  });
}

/** Sets up the case's two sockets, plays its flow, and closes both whatever happens. */
export async function runPairCase(peer: LibzmqPeer, c: PairCase): Promise<void> {
  const implOf = (role: "first" | "second"): Impl => role === c.zmqkit ? "zmqkit" : "libzmq";
  const idOf = (role: "first" | "second"): Uint8Array | undefined => {
    if (c.flow === "router-router") return utf8(`${role}-router`);
    const type = role === "first" ? c.first : c.second;
    return c.routingId && (type === "REQ" || type === "DEALER")
      ? utf8(`${type.toLowerCase()}-${role}`)
      : undefined;
  };
  const make = (role: "first" | "second") =>
    createSide(implOf(role), peer, role === "first" ? c.first : c.second, {
      routingId: idOf(role),
      mandatory: c.flow === "router-router",
    });
  const a = await make("first");
  const sides: Side[] = [a];
  try {
    const b = await make("second");
    sides.push(b);
    const binder = implOf("first") === c.binder ? a : b;
    const connecter = binder === a ? b : a;
    const ep = await binder.bind(bindEndpoint(c.transport));
    if (c.transport === "ipc") assert.match(ep, /^ipc:\/\/\/tmp\/zmqkit-interop-/);
    else if (c.transport === "ws") assert.match(ep, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    else assert.match(ep, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    if (c.flow === "pubsub") await subscribeFirst(b); // before connecting, as a SUB usually does
    await connecter.connect(ep);
    await flows[c.flow](a, b, { binder, connecter, idA: idOf("first"), idB: idOf("second") });
  } finally {
    for (const s of sides) await s.close();
  }
}

interface FlowCtx {
  binder: Side;
  connecter: Side;
  idA: Uint8Array | undefined;
  idB: Uint8Array | undefined;
}

const TOPIC = utf8("T");

async function subscribeFirst(sub: Side): Promise<void> {
  if (sub.type === "SUB") await sub.subscribe(TOPIC);
  else await sub.send([new Uint8Array([1, ...TOPIC])]);
}

const flows: Record<Flow, (a: Side, b: Side, ctx: FlowCtx) => Promise<void>> = {
  async duplex(a, b) {
    const m1 = bigMessage("a-to-b", 1), m2 = bigMessage("b-to-a", 2);
    await a.send(m1);
    assertFrames(await b.receive(), m1, `${b.impl} ${b.type} receives`);
    await b.send(m2);
    assertFrames(await a.receive(), m2, `${a.impl} ${a.type} receives`);
  },

  async pipeline(a, b) {
    const m1 = bigMessage("push", 3), m2 = bigMessage("push-again", 4);
    await a.send(m1);
    await a.send(m2);
    assertFrames(await b.receive(), m1, `${b.impl} PULL receives`);
    assertFrames(await b.receive(), m2, `${b.impl} PULL receives, in order`);
  },

  async pubsub(a, b) {
    // b subscribed to "T" before connecting; an XPUB sees that, a PUB is probed
    const m = bigMessage("T-message", 5);
    if (a.type === "XPUB") {
      // a bound libzmq (X)SUB sends its subscriptions only while its application is in a
      // receive (libzmq attaches accepted pipes when the socket is used): receive first
      const got = b.receive();
      got.catch(() => {}); // awaited below; a failure before that is reported instead
      assertFrames(
        await a.receive(),
        [new Uint8Array([1, ...TOPIC])],
        `${a.impl} XPUB gets the subscription`,
      );
      await a.send([utf8("U-not-subscribed"), utf8("x")]);
      await a.send(m);
      assertFrames(await got, m, `${b.impl} ${b.type} receives only "T…"`);
      return;
    }
    const first = await probeUntilReceived(a, b, [utf8("T-probe")]);
    assert.equal(text(first[0]!), "T-probe");
    await a.send([utf8("U-not-subscribed"), utf8("x")]);
    await a.send(m);
    assertFrames(await receiveSkipping(b, "T-probe"), m, `${b.impl} ${b.type} receives only "T…"`);
  },

  async reqrep(a, b) {
    for (let round = 0; round < 2; round++) {
      const q = bigMessage(`request-${round}`, 6 + round),
        r = bigMessage(`reply-${round}`, 8 + round);
      await a.send(q);
      assertFrames(await b.receive(), q, `${b.impl} REP gets request ${round}`);
      await b.send(r);
      assertFrames(await a.receive(), r, `${a.impl} REQ gets reply ${round}`);
    }
  },

  async "req-router"(a, b, { idA }) {
    const q = bigMessage("request", 10), r = bigMessage("reply", 11);
    await a.send(q);
    const got = await b.receive();
    const id = got[0]!;
    if (idA) assertFrames([id], [idA], `${b.impl} ROUTER sees the REQ's routing id`);
    else assert.ok(id.length > 0, "generated routing id is not empty");
    assertFrames(got.slice(1), [EMPTY, ...q], `${b.impl} ROUTER gets delimiter + request`);
    await b.send([id, EMPTY, ...r]);
    assertFrames(await a.receive(), r, `${a.impl} REQ gets the reply`);
  },

  async "dealer-rep"(a, b) {
    const q = bigMessage("request", 12), r = bigMessage("reply", 13);
    await a.send([EMPTY, ...q]);
    assertFrames(await b.receive(), q, `${b.impl} REP strips the envelope`);
    await b.send(r);
    assertFrames(await a.receive(), [EMPTY, ...r], `${a.impl} DEALER gets delimiter + reply`);
  },

  async "dealer-router"(a, b, { idA }) {
    const q = bigMessage("to-router", 14), r = bigMessage("to-dealer", 15);
    await a.send(q);
    const got = await b.receive();
    const id = got[0]!;
    if (idA) assertFrames([id], [idA], `${b.impl} ROUTER sees the DEALER's routing id`);
    else assert.ok(id.length > 0, "generated routing id is not empty");
    assertFrames(got.slice(1), q, `${b.impl} ROUTER gets the message`);
    await b.send([id, ...r]);
    assertFrames(await a.receive(), r, `${a.impl} DEALER gets the reply`);
  },

  async "router-router"(a, _b, { binder, connecter, idA, idB }) {
    const binderId = binder === a ? idA! : idB!, connecterId = connecter === a ? idA! : idB!;
    const q = bigMessage("from-connecter", 16), r = bigMessage("from-binder", 17);
    // the connecter learns the binder's id in the handshake; mandatory makes an early send fail
    await connecter.handshake();
    await retrying(() => connecter.send([binderId, ...q]), ["EHOSTUNREACH"]);
    assertFrames(
      await binder.receive(),
      [connecterId, ...q],
      `${binder.impl} ROUTER (binder) receives`,
    );
    await binder.send([connecterId, ...r]);
    assertFrames(
      await connecter.receive(),
      [binderId, ...r],
      `${connecter.impl} ROUTER (connecter) receives`,
    );
  },
};
