// SPDX-License-Identifier: MIT
/**
 * Connecter and connectTimeout, with an injected dialer whose connections come when the test
 * says: an attempt past its deadline is failed (close ETIMEDOUT, connect:retry) and aborted,
 * and the connection it yields late is closed, never handed to a session.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { EngineEvent } from "../../../lib/events.ts";
import { Connecter, type Dialer } from "../../../lib/sockets/connecter.ts";
import type { ConnectionEngine } from "../../../lib/engine/session_types.ts";
import type { Connection } from "../../../lib/transports/connection.ts";
import { parseEndpoint } from "../../../lib/transports/endpoint.ts";
import { until } from "../../semantics/_util.ts";

interface Attempt {
  signal: AbortSignal | undefined;
  resolve(c: Connection): void;
  reject(e: Error): void;
}

function fakeConnection(): Connection & { destroyed: boolean } {
  const c = { destroyed: false, remoteAddress: "127.0.0.1:1", destroy: () => (c.destroyed = true) };
  return c as unknown as Connection & { destroyed: boolean };
}

function setup(opts: { connectTimeout: number; reconnectInterval?: number }, address: string) {
  const attempts: Attempt[] = [];
  const events: EngineEvent[] = [];
  const sessions: Connection[] = [];
  const dial: Dialer = (_ep, signal) =>
    new Promise((resolve, reject) => attempts.push({ signal, resolve, reject }));
  const connecter = new Connecter(address, parseEndpoint(address, "connect"), {
    opts: { reconnectInterval: 10, reconnectMaxInterval: 0, ...opts },
    dial,
    emit: (e) => events.push(e),
    startSession: (conn) => {
      sessions.push(conn);
      return { close() {} } as unknown as ConnectionEngine;
    },
    abandoned: () => {},
  });
  return { connecter, attempts, events, sessions, types: () => events.map((e) => e.type) };
}

describe("Connecter connectTimeout", () => {
  it("fails an attempt past its deadline, aborts it and closes what it yields late", async () => {
    const t = setup({ connectTimeout: 30, reconnectInterval: 10_000 }, "tcp://127.0.0.1:5555");
    try {
      t.connecter.start();
      await until(() => t.events.length >= 3, 2000, "timeout events");
      assert.deepEqual(t.types(), ["connect:delay", "close", "connect:retry"]);
      assert.equal((t.events[1]!.error as { code?: string } | undefined)?.code, "ETIMEDOUT");
      assert.equal(t.attempts[0]!.signal?.aborted, true);
      const late = fakeConnection();
      t.attempts[0]!.resolve(late);
      await until(() => late.destroyed, 2000, "late connection closed");
      assert.equal(t.sessions.length, 0);
      assert.deepEqual(t.types(), ["connect:delay", "close", "connect:retry"]);
    } finally {
      t.connecter.stop();
    }
  });

  it("a late failure of an abandoned attempt is ignored; the retry dials again", async () => {
    const t = setup({ connectTimeout: 20 }, "tcp://127.0.0.1:5555");
    try {
      t.connecter.start();
      await until(() => t.attempts.length >= 2, 2000, "second attempt");
      t.attempts[0]!.reject(new Error("too late"));
      const conn = fakeConnection();
      t.attempts[1]!.resolve(conn);
      await until(() => t.sessions.length === 1, 2000, "session on the second attempt");
      assert.equal(t.sessions[0], conn);
      assert.equal(t.events.filter((e) => e.type === "close").length, 1);
      assert.equal(t.events.filter((e) => e.type === "connect").length, 1);
    } finally {
      t.connecter.stop();
    }
  });

  it("a connect in time clears the deadline; stop() aborts an attempt in flight", async () => {
    const t = setup({ connectTimeout: 20 }, "tcp://127.0.0.1:5555");
    t.connecter.start();
    t.attempts[0]!.resolve(fakeConnection());
    await until(() => t.sessions.length === 1, 2000, "session");
    await new Promise((r) => setTimeout(r, 60)); // past the deadline: nothing more happens
    assert.deepEqual(t.types(), ["connect:delay", "connect"]);
    t.connecter.stop();

    const u = setup({ connectTimeout: 1000 }, "tcp://127.0.0.1:5555");
    u.connecter.start();
    u.connecter.stop();
    assert.equal(u.attempts[0]!.signal?.aborted, true);
  });

  it("ipc dials have no deadline (ZMQ_CONNECT_TIMEOUT is TCP's), nor a signal", async () => {
    const t = setup({ connectTimeout: 10 }, "ipc:///tmp/zmqkit-connecter-test.sock");
    try {
      t.connecter.start();
      await new Promise((r) => setTimeout(r, 40));
      assert.deepEqual(t.types(), ["connect:delay"]);
      assert.equal(t.attempts[0]!.signal, undefined);
    } finally {
      t.connecter.stop();
    }
  });
});
