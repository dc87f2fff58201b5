// SPDX-License-Identifier: MIT
/**
 * ZMTP heartbeats (RFC 37): our PINGs every interval, the connection declared dead when
 * nothing arrives within the timeout after one, and the peer's TTL honoured. The session counts
 * what it receives in `received`; any traffic is proof of life.
 */
import { unrefTimer } from "../transports/runtime/keep_alive.ts";

export interface HeartbeatOptions {
  heartbeatInterval: number;
  heartbeatTimeToLive: number;
  heartbeatTimeout: number;
}

export class Heartbeat {
  /** Bumped by the session on every read. */
  received = 0;
  #opts: HeartbeatOptions;
  #ping: (ttlDeciseconds: number) => void;
  #dead: (why: string) => void;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #timeoutTimer: ReturnType<typeof setTimeout> | undefined;
  #ttlTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    opts: HeartbeatOptions,
    hooks: { ping: (ttlDeciseconds: number) => void; dead: (why: string) => void },
  ) {
    this.#opts = opts;
    this.#ping = hooks.ping;
    this.#dead = hooks.dead;
  }

  /** The handshake is done: start pinging, if an interval is set. */
  start(): void {
    const ivl = this.#opts.heartbeatInterval;
    if (ivl <= 0) return;
    // libzmq keeps TTL×100 in 16 bits: never advertise more than 655 deciseconds
    const ttl = Math.min(Math.floor(this.#opts.heartbeatTimeToLive / 100), 655);
    const timeout = this.#opts.heartbeatTimeout >= 0 ? this.#opts.heartbeatTimeout : ivl;
    this.#pingTimer = setInterval(() => {
      this.#ping(ttl);
      if (this.#timeoutTimer !== undefined) return;
      const seq = this.received;
      this.#timeoutTimer = setTimeout(() => {
        this.#timeoutTimer = undefined;
        if (this.received === seq) this.#dead(`no heartbeat from peer within ${timeout} ms`);
      }, timeout);
      unrefTimer(this.#timeoutTimer);
    }, ivl);
    unrefTimer(this.#pingTimer);
  }

  /** The peer's PING announced a TTL: without traffic for that long, it is gone. */
  peerTtl(ms: number): void {
    if (this.#ttlTimer !== undefined) return;
    const seq = this.received;
    this.#ttlTimer = setTimeout(() => {
      this.#ttlTimer = undefined;
      if (this.received === seq) this.#dead(`peer heartbeat TTL of ${ms} ms expired`);
    }, ms);
    unrefTimer(this.#ttlTimer);
  }

  stop(): void {
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    if (this.#timeoutTimer !== undefined) clearTimeout(this.#timeoutTimer);
    if (this.#ttlTimer !== undefined) clearTimeout(this.#ttlTimer);
    this.#pingTimer = this.#timeoutTimer = this.#ttlTimer = undefined;
  }
}
