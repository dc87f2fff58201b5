// SPDX-License-Identifier: MIT
/**
 * `socket.events` as zeromq.js users know it — listeners with `on`/`off`, `receive()`, a union
 * narrowed by `type`, loops that can be left and resumed — every error event carrying a
 * ZmqError with a libzmq code, and `socket.closed` / `await using`, which settle only once
 * linger has passed and every connection is gone.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Dealer,
  type EventOfType,
  ProtocolError,
  Pull,
  Push,
  Router,
  type SocketEvent,
  ZmqError,
} from "../../mod.ts";
import { SocketEvents } from "../../lib/internal.ts";
import { RawPeer } from "./_raw.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  freeTcpEndpoint,
  STREAM_TRANSPORTS,
  TRANSPORTS,
  withTimeout,
} from "./_util.ts";

/** Compile-time only: narrowing on `type` reaches each event's own fields. */
export function narrowing(e: SocketEvent): number {
  if (e.type === "connect:retry") return e.interval; // a number, not number | undefined
  if (e.type === "handshake:error:protocol") return e.error.code.length; // an ERR_ZMTP_* name
  if (e.type === "bind:error") return e.error.code.length; // required on this type
  const retry: EventOfType<"connect:retry"> = { type: "connect:retry", address: "", interval: 1 };
  // @ts-expect-error a bind event has no interval
  const bad: EventOfType<"bind"> = { type: "bind", address: "", interval: 1 };
  return retry.interval + (bad ? 0 : 1);
}

describe("socket.events", () => {
  it("calls listeners added with on() and stops after off()", async () => {
    const s = new Dealer();
    const binds: string[] = [];
    const listener = (e: EventOfType<"bind">) => binds.push(e.address);
    try {
      s.events.on("bind", listener);
      await s.bind(bindAddress("inproc"));
      s.events.off("bind", listener);
      await s.bind(bindAddress("inproc"));
      assert.equal(binds.length, 1);
    } finally {
      s.close();
    }
  });

  it("a listener that throws does not break the engine: its error is rethrown apart", () => {
    const events = new SocketEvents();
    const deferred: Array<() => void> = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (f: () => void) => void deferred.push(f);
    const seen: string[] = [];
    try {
      events.on("bind", () => {
        throw new Error("listener failed");
      });
      events.on("bind", (e) => seen.push(e.address));
      events.push({ type: "bind", address: "a" }); // does not throw here
    } finally {
      globalThis.queueMicrotask = original;
      events.stop(); // its listeners no longer hold the process
    }
    assert.deepEqual(seen, ["a"], "the other listeners still ran");
    assert.equal(deferred.length, 1);
    assert.throws(deferred[0]!, /listener failed/);
  });

  it("leaving a for await does not end monitoring: the next loop gets the next events", async () => {
    const s = new Dealer();
    const events = s.events;
    try {
      await s.bind(bindAddress("inproc"));
      await s.bind(bindAddress("inproc"));
      for await (const e of events) {
        assert.equal(e.type, "bind");
        break;
      }
      const second: string[] = [];
      for await (const e of s.events) {
        second.push(e.type);
        break;
      }
      assert.deepEqual(second, ["bind"], "the second bind, still queued");
      const third = s.bind(bindAddress("inproc"));
      assert.equal((await withTimeout(s.events.receive(), 2000, "receive()")).type, "bind");
      await third;
    } finally {
      s.close();
    }
    assert.equal((await withTimeout(events.receive(), 2000, "end")).type, "end");
    await assert.rejects(events.receive(), /socket is closed/);
  });
});

describe("error events carry a ZmqError with a libzmq code", () => {
  it("a refused dial: close with ECONNREFUSED", async () => {
    const s = new Dealer({ reconnectInterval: 50 });
    const log = new EventLog(s);
    try {
      s.connect(await freeTcpEndpoint());
      const e = await log.waitFor("close");
      assert.ok(e.error instanceof ZmqError, `${e.error}`);
      assert.equal(e.error.code, "ECONNREFUSED");
      assert.ok(e.error.cause instanceof Error, "the runtime's error is the cause");
    } finally {
      s.close();
    }
  });

  it("an unresolvable host: close with EHOSTUNREACH", async () => {
    const s = new Dealer({ reconnectInterval: 50 });
    const log = new EventLog(s);
    try {
      s.connect("tcp://no-such-host.invalid:5555");
      const e = await log.waitFor("close", 1, 10_000);
      assert.ok(e.error instanceof ZmqError);
      assert.equal(e.error.code, "EHOSTUNREACH");
    } finally {
      s.close();
    }
  });

  it("binding a port in use: bind:error with EADDRINUSE", async () => {
    const a = new Dealer();
    const b = new Dealer();
    const log = new EventLog(b);
    try {
      await a.bind("tcp://127.0.0.1:*");
      await assert.rejects(b.bind(a.lastEndpoint!));
      const e = await log.waitFor("bind:error");
      assert.ok(e.error instanceof ZmqError);
      assert.equal(e.error.code, "EADDRINUSE");
    } finally {
      closeAll(a, b);
    }
  });

  for (const t of STREAM_TRANSPORTS) {
    it(`a handshake that times out: handshake:error:other with ETIMEDOUT (${t})`, async () => {
      const server = new Router({ handshakeInterval: 100 });
      const log = new EventLog(server);
      await server.bind(bindAddress(t));
      const raw = await RawPeer.connect(server.lastEndpoint!);
      try {
        const e = await log.waitFor("handshake:error:other");
        assert.ok(e.error instanceof ZmqError);
        assert.equal(e.error.code, "ETIMEDOUT");
      } finally {
        raw.destroy();
        server.close();
      }
    });

    it(`a protocol failure: a ProtocolError, which is a ZmqError (${t})`, async () => {
      const server = new Push();
      const log = new EventLog(server);
      await server.bind(bindAddress(t));
      const client = new Push();
      try {
        client.connect(server.lastEndpoint!);
        const e = await log.waitFor("handshake:error:protocol");
        assert.ok(e.error instanceof ProtocolError);
        assert.ok(e.error instanceof ZmqError);
        assert.equal(e.error.code, "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE");
      } finally {
        closeAll(client, server);
      }
    });

    it(`a peer that goes: disconnect, and any error it has is a ZmqError (${t})`, async () => {
      const server = new Router();
      await server.bind(bindAddress(t));
      const client = new Dealer();
      const log = new EventLog(client);
      try {
        client.connect(server.lastEndpoint!);
        await log.waitFor("handshake");
        server.close();
        const e = await log.waitFor("disconnect");
        if (e.error !== undefined) assert.ok(e.error instanceof ZmqError);
      } finally {
        closeAll(client, server);
      }
    });
  }
});

describe("socket.closed", () => {
  for (const t of TRANSPORTS) {
    it(`settles after close once every connection is gone (${t})`, async () => {
      const pull = new Pull();
      const push = new Push();
      const plog = new EventLog(pull);
      await pull.bind(bindAddress(t));
      push.connect(pull.lastEndpoint!);
      await push.send("one");
      assert.deepEqual((await pull.receive()).length, 1);
      let settled = false;
      void pull.closed.then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(settled, false, "open: not settled");
      pull.close();
      push.close();
      await withTimeout(Promise.all([pull.closed, push.closed]), 5000, "closed");
      assert.equal(settled, true);
      assert.equal(plog.types().at(-1), "end");
      assert.equal(pull.isClosed, true);
    });
  }

  it("waits for linger: queued messages are delivered before it settles (tcp)", async () => {
    const pull = new Pull();
    await pull.bind(bindAddress("tcp"));
    const push = new Push({ linger: -1 });
    push.connect(pull.lastEndpoint!);
    const sent: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) sent.push(push.send(`m${i}`));
    await Promise.all(sent);
    push.close();
    const got: string[] = [];
    for (let i = 0; i < 100; i++) got.push(new TextDecoder().decode((await pull.receive())[0]));
    await withTimeout(push.closed, 5000, "push.closed");
    assert.equal(got.length, 100);
    pull.close();
    await pull.closed;
  });

  it("await using closes the socket and waits for it", async () => {
    let kept: Push | undefined;
    {
      await using push = new Push();
      kept = push;
      await push.bind(bindAddress("tcp"));
    }
    assert.equal(kept.isClosed, true);
    await withTimeout(kept.closed, 100, "already settled");
  });
});
