// SPDX-License-Identifier: MIT
/**
 * The draft types against libzmq 4.3.5 (zeromq.js's draft build): CLIENT–SERVER,
 * SCATTER–GATHER, RADIO–DISH, PEER–PEER and CHANNEL–CHANNEL, each type on each side where
 * the pair has two types, each side binding, over tcp, ipc and ws.
 *
 * PEER one way only: zeromq.js (6.8) has no Peer class (libzmq_peer.mjs makes one from its
 * base Socket), no connectPeer, and gives or takes routing ids on SERVER messages only, so
 * its PEER can receive but never address a reply, and cannot speak first either.
 */
import assert from "node:assert/strict";
import { bindEndpoint, text, type Transport, utf8, withDeadline } from "../_helpers/cases.ts";
import { after, before, describe, it } from "node:test";
import {
  type DraftMessage,
  type DraftTypeName,
  type LibzmqDraftSide,
  LibzmqPeer,
  WAIT_MS,
} from "../_helpers/peers.ts";
import {
  Channel,
  Client,
  Dish,
  Gather,
  Peer,
  Radio,
  Scatter,
  Server,
  type Socket,
} from "../../mod.ts";

const CASE_DEADLINE_MS = 30_000;
const TRANSPORTS: Transport[] = ["tcp", "ipc", "ws"];
const LONG_GROUP = new Uint8Array(255).fill(0x67); // "ggg…", the longest group there is

interface Setup {
  libzmq: LibzmqDraftSide;
  /** The endpoint the binder bound. */
  endpoint: string;
}

/** Makes the libzmq socket, binds whichever side `zmqkitBinds` says, connects the other. */
async function pair(
  peer: LibzmqPeer,
  type: DraftTypeName,
  zmqkit: Socket,
  zmqkitBinds: boolean,
  transport: Transport,
  connect: (ep: string) => void = (ep) => zmqkit.connect(ep),
): Promise<Setup> {
  const libzmq = await peer.draftSocket(type);
  let endpoint: string;
  if (zmqkitBinds) {
    await zmqkit.bind(bindEndpoint(transport));
    endpoint = zmqkit.lastEndpoint!;
    await libzmq.connect(endpoint);
  } else {
    endpoint = await libzmq.bind(bindEndpoint(transport));
    connect(endpoint);
  }
  return { libzmq, endpoint };
}

/** Sends with `send` until `receive` gets something (a RADIO's messages before the JOIN are lost). */
async function probe<T>(send: () => Promise<void>, receive: () => Promise<T>): Promise<T> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    await send();
    try {
      return await receive();
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN" || Date.now() > until) throw e;
    }
  }
}

const sides = (what: string) =>
  [true, false].flatMap((zmqkitBinds) =>
    TRANSPORTS.map((transport) => ({
      zmqkitBinds,
      transport,
      name: `${what}, ${zmqkitBinds ? "zmqkit" : "libzmq"} binds, ${transport}`,
    }))
  );

describe("interop with libzmq: draft socket types", () => {
  let peer: LibzmqPeer;
  before(async () => {
    peer = await LibzmqPeer.start();
  });
  after(async () => {
    await peer?.stop();
  });
  const test = (name: string, fn: () => Promise<void>) =>
    it(name, () => withDeadline(fn(), CASE_DEADLINE_MS, name));

  for (const c of sides("zmqkit CLIENT, libzmq SERVER")) {
    test(c.name, async () => {
      await using client = new Client({ linger: 0, receiveTimeout: WAIT_MS });
      const { libzmq } = await pair(peer, "SERVER", client, c.zmqkitBinds, c.transport);
      try {
        for (let i = 0; i < 3; i++) {
          await client.send(`request ${i}`);
          const m = await libzmq.receive();
          assert.deepEqual(m.frames.map(text), [`request ${i}`]);
          assert.ok(m.routingId! > 0, "libzmq's SERVER gives the message a routing id");
          await libzmq.send([utf8(`reply ${i}`)], { routingId: m.routingId! });
          const [reply, ...rest] = await client.receive();
          assert.equal(text(reply!), `reply ${i}`);
          assert.equal(rest.length, 0);
        }
        // libzmq's SERVER refuses an unknown routing id, and more than one frame
        await assert.rejects(libzmq.send([utf8("x")], { routingId: 1 }), { code: "EHOSTUNREACH" });
      } finally {
        await libzmq.close();
      }
    });
  }

  for (const c of sides("zmqkit SERVER, libzmq CLIENT")) {
    test(c.name, async () => {
      await using server = new Server({ linger: 0, receiveTimeout: WAIT_MS });
      const { libzmq } = await pair(peer, "CLIENT", server, c.zmqkitBinds, c.transport);
      try {
        let id: number | undefined;
        for (let i = 0; i < 3; i++) {
          await libzmq.send([utf8(`request ${i}`)]);
          const [body, { routingId }] = await server.receive();
          assert.equal(text(body), `request ${i}`);
          if (id !== undefined) assert.equal(routingId, id, "one connection, one id");
          id = routingId;
          await server.send(`reply ${i}`, { routingId });
          const m: DraftMessage = await libzmq.receive();
          assert.deepEqual(m.frames.map(text), [`reply ${i}`]);
        }
        await assert.rejects(libzmq.send([utf8("a"), utf8("b")]), { code: "EINVAL" });
      } finally {
        await libzmq.close();
      }
    });
  }

  for (const c of sides("zmqkit SCATTER, libzmq GATHER")) {
    test(c.name, async () => {
      await using scatter = new Scatter({ linger: 0 });
      const { libzmq } = await pair(peer, "GATHER", scatter, c.zmqkitBinds, c.transport);
      try {
        for (let i = 0; i < 5; i++) await scatter.send(`task ${i}`);
        for (let i = 0; i < 5; i++) {
          assert.deepEqual((await libzmq.receive()).frames.map(text), [`task ${i}`]);
        }
      } finally {
        await libzmq.close();
      }
    });
  }

  for (const c of sides("zmqkit GATHER, libzmq SCATTER")) {
    test(c.name, async () => {
      await using gather = new Gather({ linger: 0, receiveTimeout: WAIT_MS });
      const { libzmq } = await pair(peer, "SCATTER", gather, c.zmqkitBinds, c.transport);
      try {
        for (let i = 0; i < 5; i++) await libzmq.send([utf8(`result ${i}`)]);
        for (let i = 0; i < 5; i++) {
          const m = await gather.receive();
          assert.deepEqual(m.map(text), [`result ${i}`]);
        }
      } finally {
        await libzmq.close();
      }
    });
  }

  for (const c of sides("zmqkit RADIO, libzmq DISH")) {
    test(c.name, async () => {
      await using radio = new Radio({ linger: 0 });
      const libzmqDish = await peer.draftSocket("DISH");
      try {
        await libzmqDish.join(utf8("weather"), LONG_GROUP);
        let endpoint: string;
        if (c.zmqkitBinds) {
          await radio.bind(bindEndpoint(c.transport));
          endpoint = radio.lastEndpoint!;
          await libzmqDish.connect(endpoint);
        } else {
          endpoint = await libzmqDish.bind(bindEndpoint(c.transport));
          radio.connect(endpoint);
        }
        // until the JOINs are in: a group nobody joined first, which must never arrive
        const m = await probe(
          async () => {
            await radio.send("1-0", { group: "sports" });
            await radio.send("sunny", { group: "weather" });
          },
          () => libzmqDish.receive(100),
        );
        assert.deepEqual(m.frames.map(text), ["sunny"]);
        assert.equal(text(m.group!), "weather");
        await radio.send("long", { group: LONG_GROUP });
        let got = await libzmqDish.receive();
        while (text(got.group!) === "weather") got = await libzmqDish.receive(); // probes
        assert.deepEqual(got.group, LONG_GROUP);
        assert.deepEqual(got.frames.map(text), ["long"]);
        // after LEAVE the RADIO stops sending the group: a later marker comes first
        await libzmqDish.leave(utf8("weather"));
        const marker = await probe(
          async () => {
            await radio.send("rain", { group: "weather" });
            await radio.send("marker", { group: LONG_GROUP });
          },
          async () => {
            const r = await libzmqDish.receive(100);
            if (text(r.group!) === "weather") {
              throw Object.assign(new Error("still weather"), { code: "EAGAIN" });
            }
            return r;
          },
        );
        assert.deepEqual(marker.frames.map(text), ["marker"]);
        // nothing of "weather" after the first marker
        for (;;) {
          let r: DraftMessage;
          try {
            r = await libzmqDish.receive(200);
          } catch (e) {
            assert.equal((e as { code?: string }).code, "EAGAIN");
            break;
          }
          assert.equal(text(r.group!), text(LONG_GROUP));
        }
      } finally {
        await libzmqDish.close();
      }
    });
  }

  for (const c of sides("zmqkit DISH, libzmq RADIO")) {
    test(c.name, async () => {
      await using dish = new Dish({ receiveTimeout: 100 });
      dish.join("weather", LONG_GROUP);
      const { libzmq } = await pair(peer, "RADIO", dish, c.zmqkitBinds, c.transport);
      try {
        const [body, { group }] = await probe(
          async () => {
            await libzmq.send([utf8("1-0")], { group: utf8("sports") });
            await libzmq.send([utf8("sunny")], { group: utf8("weather") });
          },
          () => dish.receive(),
        );
        assert.equal(text(body), "sunny");
        assert.equal(text(group), "weather");
        await libzmq.send([utf8("long")], { group: LONG_GROUP });
        dish.receiveTimeout = WAIT_MS;
        let got = await dish.receive();
        while (text(got[1].group) === "weather") got = await dish.receive();
        assert.deepEqual(got[1].group, LONG_GROUP);
        assert.equal(text(got[0]), "long");
        // a LEAVE travels to libzmq: "weather" stops before a later marker
        dish.leave("weather");
        dish.receiveTimeout = 100;
        const marker = await probe(
          async () => {
            await libzmq.send([utf8("rain")], { group: utf8("weather") });
            await libzmq.send([utf8("marker")], { group: LONG_GROUP });
          },
          () => dish.receive(),
        );
        assert.equal(text(marker[0]), "marker");
        // the DISH also filters: whatever arrives now is of the long group
        for (;;) {
          const r = dish.tryReceive() ??
            await dish.receive().catch((e) => {
              assert.equal(e.code, "EAGAIN");
              return undefined;
            });
          if (r === undefined) break;
          assert.deepEqual(r[1].group, LONG_GROUP);
        }
      } finally {
        await libzmq.close();
      }
    });
  }

  for (const transport of TRANSPORTS) {
    test(`zmqkit PEER connectPeer to a libzmq PEER, ${transport}`, async () => {
      await using p = new Peer({ linger: 0, receiveTimeout: WAIT_MS });
      let id = 0;
      const { libzmq } = await pair(peer, "PEER", p, false, transport, (ep) => {
        id = p.connectPeer(ep);
      });
      try {
        assert.ok(id > 0);
        // speaks first: the id is known at once, before the connection is even made
        for (let i = 0; i < 3; i++) await p.send(`hello ${i}`, { routingId: id });
        for (let i = 0; i < 3; i++) {
          assert.deepEqual((await libzmq.receive()).frames.map(text), [`hello ${i}`]);
        }
        await assert.rejects(p.send("x", { routingId: id + 1 }), { code: "EHOSTUNREACH" });
      } finally {
        await libzmq.close();
      }
    });
  }

  for (const c of sides("CHANNEL")) {
    test(c.name, async () => {
      await using ch = new Channel({ linger: 0, receiveTimeout: WAIT_MS });
      const { libzmq } = await pair(peer, "CHANNEL", ch, c.zmqkitBinds, c.transport);
      try {
        for (let i = 0; i < 3; i++) {
          await ch.send(`ping ${i}`);
          assert.deepEqual((await libzmq.receive()).frames.map(text), [`ping ${i}`]);
          await libzmq.send([utf8(`pong ${i}`)]);
          assert.deepEqual((await ch.receive()).map(text), [`pong ${i}`]);
        }
      } finally {
        await libzmq.close();
      }
    });
  }
});
