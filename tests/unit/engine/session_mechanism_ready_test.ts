// SPDX-License-Identifier: MIT
/**
 * CURVE's code loads on first use (lib/sockets/security.ts), so a session may start before its
 * mechanism can be made: it then sends nothing until the host says it can, keeps what the peer
 * sent meanwhile, and ends cleanly when the peer leaves or the load fails while it waits.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type CloseReason, Session, type SessionHost } from "../../../lib/internal.ts";
import { nullMechanism } from "../../../lib/internal.ts";
import { greeting, ready } from "../../_helpers/mock_peer.ts";
import { fakeConnection, plainSessionOptions } from "./_fake_session.ts";

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

function setUp() {
  const gate = deferred();
  let loaded = false;
  const made: string[] = [];
  const reasons: CloseReason[] = [];
  const attached: string[] = [];
  const host: SessionHost = {
    ownMetadata: () => [["Socket-Type", new TextEncoder().encode("DEALER")]],
    createMechanism: (own) => {
      made.push("NULL");
      return nullMechanism(own);
    },
    mechanismReady: () =>
      loaded ? undefined : gate.promise.then(() => {
        loaded = true;
      }),
    attach: (_, peer) => {
      // the handshake got this far: that is all this test needs (no pipe to attach to)
      attached.push(peer.socketType);
      throw new Error("not attached here");
    },
    activated: () => {},
    detached: (_, reason) => reasons.push(reason),
  };
  const conn = fakeConnection();
  const session = new Session(conn, host, plainSessionOptions);
  return { gate, made, reasons, conn, session, attached };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("Session: a mechanism whose code is still loading", () => {
  it("sends its greeting only once the mechanism can be made", async () => {
    const t = setUp();
    t.session.start();
    assert.deepEqual(t.made, []);
    assert.equal(t.conn.written, 0);
    t.gate.resolve();
    await settle();
    assert.deepEqual(t.made, ["NULL"]);
    assert.ok(t.conn.written > 0, "greeting written");
    // the handshake then runs as usual
    t.conn.onData(greeting());
    t.conn.onData(ready("ROUTER"));
    assert.deepEqual(t.attached, ["ROUTER"]);
  });

  it("a peer that leaves while it waits is reported once, and nothing starts after", async () => {
    const t = setUp();
    t.session.start();
    t.conn.onClose(undefined);
    assert.equal(t.reasons.length, 1);
    assert.equal(t.reasons[0]!.kind, "connection");
    t.gate.resolve();
    await settle();
    assert.deepEqual(t.made, []);
    assert.equal(t.conn.written, 0);
    assert.equal(t.reasons.length, 1);
  });

  it("closed by its socket while it waits: nothing starts after", async () => {
    const t = setUp();
    t.session.start();
    t.session.close();
    t.gate.resolve();
    await settle();
    assert.deepEqual(t.made, []);
    assert.equal(t.conn.written, 0);
    assert.equal(t.reasons.length, 1);
    assert.equal(t.reasons[0]!.kind, "closed");
  });

  it("a failed load ends the connection with the error", async () => {
    const t = setUp();
    t.session.start();
    const why = new Error("CURVE cannot load: gone");
    t.gate.reject(why);
    await settle();
    assert.deepEqual(t.made, []);
    assert.equal(t.reasons.length, 1);
    assert.equal(t.reasons[0]!.kind, "connection");
    assert.equal(t.reasons[0]!.error, why);
    assert.ok(t.conn.destroyed);
    assert.ok(t.session.closed);
  });
});
