// SPDX-License-Identifier: MIT
/**
 * An exception anywhere on a session's receive path ends that connection with a protocol
 * event, on every runtime: nothing is thrown back into the adapter (Bun's socket handlers
 * swallow what they throw, which once left a connection half-open until its handshake timeout).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError, ProtocolErrorCode } from "../../../lib/internal.ts";
import { type CloseReason, Session, type SessionHost } from "../../../lib/internal.ts";
import { nullMechanism } from "../../../lib/internal.ts";
import { greeting, ready } from "../../_helpers/mock_peer.ts";
import { fakeConnection, plainSessionOptions } from "./_fake_session.ts";

describe("Session: the receive path never throws", () => {
  for (
    const thrown of [new TypeError("boom"), new RangeError("Maximum call stack size exceeded")]
  ) {
    it(`a ${thrown.name} while attaching the peer closes the connection with an event`, () => {
      const reasons: CloseReason[] = [];
      const host: SessionHost = {
        ownMetadata: () => [["Socket-Type", new TextEncoder().encode("ROUTER")]],
        createMechanism: (own) => nullMechanism(own),
        attach: () => {
          throw thrown;
        },
        activated: () => {},
        detached: (_, reason) => reasons.push(reason),
      };
      const conn = fakeConnection();
      const session = new Session(conn, host, plainSessionOptions);
      session.start();
      assert.doesNotThrow(() => conn.onData(greeting()));
      assert.doesNotThrow(() => conn.onData(ready("DEALER")));
      assert.equal(reasons.length, 1);
      assert.equal(reasons[0]!.kind, "protocol");
      const err = reasons[0]!.error;
      assert.ok(err instanceof ProtocolError);
      assert.equal(err.code, ProtocolErrorCode.UNSPECIFIED);
      assert.equal(err.message, `receive failed: ${thrown.name}: ${thrown.message}`);
      assert.ok(conn.destroyed);
      assert.ok(session.closed);
    });
  }
});
