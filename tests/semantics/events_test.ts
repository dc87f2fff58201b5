// SPDX-License-Identifier: MIT
/**
 * Socket events (libzmq test_monitor, test_reconnect_options, test_stream_timeout, in
 * zeromq.js's names): the bind / accept / connect / handshake / disconnect / end sequence,
 * failed dials (close + connect:retry), protocol and timeout handshake failures, bind errors,
 * and that events are recorded from the first access of `events` on.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Push, Router, type SocketEvent } from "../../mod.ts";
import { RawPeer } from "./_raw.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  freeTcpEndpoint,
  rejectsWith,
  STREAM_TRANSPORTS,
  TRANSPORTS,
  withTimeout,
} from "./_util.ts";

/** Types of interest, in order, with repeats of connect:* noise removed. */
const only = (log: EventLog, types: string[]) => log.types().filter((x) => types.includes(x));

for (const t of TRANSPORTS) {
  describe(`events over ${t}`, () => {
    it("lifecycle: bind, accept, connect, handshake, disconnect, end", async () => {
      const server = new Router();
      const slog = new EventLog(server);
      await server.bind(bindAddress(t));
      const ep = server.lastEndpoint!;
      const client = new Dealer();
      const clog = new EventLog(client);
      try {
        if (t === "tcp") assert.match(ep, /^tcp:\/\/127\.0\.0\.1:\d+$/, "wildcard port resolved");
        client.connect(ep);
        await slog.waitFor("handshake");
        await clog.waitFor("handshake");
        client.close();
        await slog.waitFor("disconnect");
        await clog.waitFor("end");
        server.close();
        await slog.waitFor("end");
        const stream = t !== "inproc";
        assert.deepEqual(
          only(slog, ["bind", "accept", "handshake", "disconnect", "end"]),
          stream
            ? ["bind", "accept", "handshake", "disconnect", "end"]
            : ["bind", "handshake", "disconnect", "end"],
        );
        assert.deepEqual(
          only(clog, ["connect:delay", "connect", "handshake", "end"]),
          stream ? ["connect:delay", "connect", "handshake", "end"] : ["handshake", "end"],
        );
        const bind = slog.events.find((e) => e.type === "bind")!;
        assert.equal(bind.address, ep);
        for (const e of clog.events.filter((x) => x.type !== "end")) assert.equal(e.address, ep);
        assert.equal(clog.events.at(-1)!.type, "end", "end is the last event");
      } finally {
        closeAll(client, server);
      }
    });

    it("the connecting side sees a disconnect when the peer goes", async () => {
      const server = new Router();
      await server.bind(bindAddress(t));
      const client = new Dealer();
      const clog = new EventLog(client);
      try {
        client.connect(server.lastEndpoint!);
        await clog.waitFor("handshake");
        server.close();
        const e = await clog.waitFor("disconnect");
        assert.equal(e.address, server.lastEndpoint);
      } finally {
        closeAll(client, server);
      }
    });

    it("the event stream ends after close", async () => {
      const s = new Dealer();
      const seen: SocketEvent[] = [];
      const done = (async () => {
        for await (const e of s.events) seen.push(e);
      })();
      await s.bind(bindAddress(t));
      s.close();
      await withTimeout(done, 2000, "event iteration to finish");
      assert.deepEqual(seen.map((e) => e.type), ["bind", "end"]);
    });

    it("events before the first access of `events` are not recorded", async () => {
      const s = new Dealer();
      try {
        await s.bind(bindAddress(t));
        const log = new EventLog(s);
        s.close();
        await log.waitFor("end");
        assert.deepEqual(log.types(), ["end"]);
      } finally {
        s.close();
      }
    });
  });
}

describe("failure events over inproc", () => {
  it("incompatible socket types: handshake:error:protocol on both sides, bind first or last", async () => {
    for (const bindFirst of [true, false]) {
      const server = new Push();
      const slog = new EventLog(server);
      const client = new Push();
      const clog = new EventLog(client);
      const endpoint = `inproc://events-incompatible-${bindFirst}`;
      try {
        if (bindFirst) await server.bind(endpoint);
        client.connect(endpoint);
        if (!bindFirst) await server.bind(endpoint);
        const se = await slog.waitFor("handshake:error:protocol");
        const ce = await clog.waitFor("handshake:error:protocol");
        assert.equal(se.error?.code, "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE");
        assert.equal(ce.error?.code, "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE");
        assert.equal(slog.count("handshake") + clog.count("handshake"), 0);
      } finally {
        closeAll(client, server);
      }
    }
  });
});

for (const t of STREAM_TRANSPORTS) {
  describe(`failure events over ${t}`, () => {
    it("incompatible socket types: handshake:error:protocol on both sides", async () => {
      const server = new Push();
      const slog = new EventLog(server);
      await server.bind(bindAddress(t));
      const client = new Push();
      const clog = new EventLog(client);
      try {
        client.connect(server.lastEndpoint!);
        const se = await slog.waitFor("handshake:error:protocol");
        const ce = await clog.waitFor("handshake:error:protocol");
        assert.equal(se.error?.code, "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE");
        assert.equal(ce.error?.code, "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE");
        assert.equal(slog.count("handshake") + clog.count("handshake"), 0);
      } finally {
        closeAll(client, server);
      }
    });

    it("a peer that never finishes its handshake: handshake:error:other after handshakeInterval", async () => {
      const server = new Router({ handshakeInterval: 100 });
      const log = new EventLog(server);
      await server.bind(bindAddress(t));
      const raw = await RawPeer.connect(server.lastEndpoint!);
      try {
        await log.waitFor("accept");
        const e = await log.waitFor("handshake:error:other");
        assert.ok(e.error instanceof Error);
        await raw.waitClosed();
        assert.equal(log.count("disconnect"), 0, "never established, so no disconnect");
      } finally {
        raw.destroy();
        server.close();
      }
    });
  });
}

describe("dial and bind failures (tcp)", () => {
  it("a refused dial: connect:delay, close (with error), connect:retry", async () => {
    const ep = await freeTcpEndpoint();
    const s = new Dealer({ reconnectInterval: 20 });
    const log = new EventLog(s);
    try {
      s.connect(ep);
      await log.waitFor("connect:retry");
      assert.deepEqual(log.types().slice(0, 3), ["connect:delay", "close", "connect:retry"]);
      assert.ok(log.events[1]!.error instanceof Error);
    } finally {
      s.close();
    }
  });

  it("binding a port in use: EADDRINUSE and bind:error", async () => {
    const a = new Dealer();
    const b = new Dealer();
    const log = new EventLog(b);
    try {
      await a.bind("tcp://127.0.0.1:*");
      await rejectsWith(b.bind(a.lastEndpoint!), "EADDRINUSE");
      const e = await log.waitFor("bind:error");
      assert.equal(e.address, a.lastEndpoint);
    } finally {
      closeAll(a, b);
    }
  });
});
