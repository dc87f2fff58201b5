// Subscriptions take the form the peer speaks: 01/00 data frames to a ZMTP 3.0 peer, SUBSCRIBE
// and CANCEL commands to a 3.1 peer; a publisher accepts both forms from anyone.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { Publisher, Subscriber } from "../../mod.ts";

const hex = (s: string) =>
  Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((h) => parseInt(h, 16)));
const ascii = (s: string) => new TextEncoder().encode(s);

function greeting(minor: number): Uint8Array {
  const g = new Uint8Array(64);
  g.set(hex("ff 00 00 00 00 00 00 00 01 7f 03"));
  g[11] = minor;
  g.set(ascii("NULL"), 12);
  return g;
}

function ready(type: string): Uint8Array {
  const body = [
    5,
    ...ascii("READY"),
    11,
    ...ascii("Socket-Type"),
    0,
    0,
    0,
    type.length,
    ...ascii(type),
  ];
  return Uint8Array.from([4, body.length, ...body]);
}

/** A hand-driven ZMTP peer: collects bytes, lets the test wait for exact byte sequences. */
class RawPeer {
  buf = new Uint8Array(0);
  #waiters: Array<() => void> = [];
  readonly sock: net.Socket;
  constructor(sock: net.Socket) {
    this.sock = sock;
    sock.on("data", (b: Buffer) => {
      const n = new Uint8Array(this.buf.length + b.length);
      n.set(this.buf);
      n.set(b, this.buf.length);
      this.buf = n;
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  /** Waits until `n` bytes are buffered, returns and consumes them. */
  async take(n: number): Promise<Uint8Array> {
    while (this.buf.length < n) await new Promise<void>((r) => this.#waiters.push(r));
    const out = this.buf.slice(0, n);
    this.buf = this.buf.slice(n);
    return out;
  }
  /** Reads one short frame (flags, size ≤ 255). */
  async frame(): Promise<{ flags: number; body: Uint8Array }> {
    const [flags, size] = await this.take(2);
    return { flags: flags!, body: await this.take(size!) };
  }
  write(b: Uint8Array): void {
    this.sock.write(b);
  }
}

async function rawServer(): Promise<{ port: number; peer: Promise<RawPeer>; close: () => void }> {
  let resolve!: (p: RawPeer) => void;
  const peer = new Promise<RawPeer>((r) => resolve = r);
  const server = net.createServer((sock) => resolve(new RawPeer(sock)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    peer,
    close: () => server.close(),
  };
}

async function handshake(peer: RawPeer, minor: number, type: string): Promise<void> {
  peer.write(greeting(minor));
  peer.write(ready(type));
  const g = await peer.take(64);
  assert.deepEqual(g.subarray(0, 12), hex("ff 00 00 00 00 00 00 00 01 7f 03 01"));
  const r = await peer.frame();
  assert.equal(r.flags, 4);
}

describe("ZMTP 3.0 and 3.1 subscription forms", () => {
  for (const minor of [0, 1]) {
    it(`SUB sends the ${minor === 0 ? "3.0 data-frame" : "3.1 command"} form to a 3.${minor} PUB`, async () => {
      const srv = await rawServer();
      const sub = new Subscriber();
      sub.connect(`tcp://127.0.0.1:${srv.port}`);
      sub.subscribe("topic");
      const peer = await srv.peer;
      await handshake(peer, minor, "PUB");
      const f = await peer.frame();
      if (minor === 0) assert.deepEqual([f.flags, ...f.body], [...hex("00 01"), ...ascii("topic")]);
      else assert.deepEqual([f.flags, ...f.body], [4, 9, ...ascii("SUBSCRIBE"), ...ascii("topic")]);
      sub.unsubscribe("topic");
      const c = await peer.frame();
      if (minor === 0) assert.deepEqual([c.flags, ...c.body], [0, 0, ...ascii("topic")]);
      else assert.deepEqual([c.flags, ...c.body], [4, 6, ...ascii("CANCEL"), ...ascii("topic")]);
      sub.subscribe("t");
      await peer.frame();
      // and messages from a 3.0 peer arrive, filtered
      peer.write(
        Uint8Array.from([0, 3, ...ascii("tx1"), 0, 3, ...ascii("zz1"), 0, 3, ...ascii("tx2")]),
      );
      assert.deepEqual(await sub.receive(), [ascii("tx1")]);
      assert.deepEqual(await sub.receive(), [ascii("tx2")]);
      sub.close();
      peer.sock.destroy();
      srv.close();
    });
  }

  for (const form of ["command", "data frame"]) {
    it(`PUB accepts a subscription sent as a ${form} by a 3.1 peer`, async () => {
      const pub = new Publisher();
      await pub.bind("tcp://127.0.0.1:*");
      const port = Number(pub.lastEndpoint!.split(":").pop());
      const sock = net.connect({ host: "127.0.0.1", port });
      const peer = new RawPeer(sock);
      await handshake(peer, 1, "SUB");
      const sub = form === "command"
        ? Uint8Array.from([4, 12, 9, ...ascii("SUBSCRIBE"), ...ascii("ab")])
        : Uint8Array.from([0, 3, 1, ...ascii("ab")]);
      peer.write(sub);
      // publish until the subscription has been applied: only matching messages may arrive
      let frame: { flags: number; body: Uint8Array } | undefined;
      const got = peer.frame().then((f) => frame = f);
      while (frame === undefined) {
        await pub.send("zz-no");
        await pub.send("ab-yes");
        await Promise.race([got, new Promise((r) => setTimeout(r, 5))]);
      }
      assert.deepEqual(frame.body, ascii("ab-yes"));
      pub.close();
      sock.destroy();
    });
  }
});
