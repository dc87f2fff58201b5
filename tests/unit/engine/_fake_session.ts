// SPDX-License-Identifier: MIT
/** A connection that goes nowhere and plain session options, for tests of Session alone. */
import type { Connection, SessionOptions } from "../../../lib/internal.ts";

export type FakeConnection = Connection & { destroyed: boolean; written: number };

/** Counts the chunks written; `destroyed` once destroyed. */
export function fakeConnection(): FakeConnection {
  return {
    remoteAddress: "fake",
    destroyed: false,
    written: 0,
    onData: () => {},
    onClose: () => {},
    onDrain: () => {},
    write(chunks) {
      this.written += chunks.length;
      return true;
    },
    pause: () => {},
    resume: () => {},
    end() {},
    destroy() {
      this.destroyed = true;
    },
  };
}

/** No timers, no limits but the handshake's. */
export const plainSessionOptions: SessionOptions = {
  handshakeInterval: 0,
  heartbeatInterval: 0,
  heartbeatTimeToLive: 0,
  heartbeatTimeout: -1,
  maxMessageSize: -1,
  maxMessageFrames: -1,
  maxHandshakeSize: 65536,
  routingIdLength: 0,
  receivesSubscriptions: false,
};
