// SPDX-License-Identifier: MIT
/**
 * Socket events, with zeromq.js's names and fields: a union narrowed by `type`, and the
 * observer a socket hands out as `socket.events` (listeners with `on`/`off`, `receive()`, and
 * `for await`, which may be left and resumed without ending the monitoring).
 */
import {
  asZmqError,
  type AuthError,
  type ErrorCode,
  type ProtocolError,
  type ZmqError,
} from "./errors.ts";
import { holdProcess, holdUntil, releaseProcess } from "./transports/runtime/keep_alive.ts";
import { QueuedIterator } from "./util/queued_iterator.ts";

/**
 * A socket event, with zeromq.js's names and fields; narrow on `type` to reach its own fields.
 * Every event has `address`, the endpoint it is about (the bind or connect string; `""` for
 * `end`), and may have `remote`, the peer's address (`"inproc"` for inproc). Fields another
 * event type carries are present here as `undefined`, so they can be read without narrowing.
 */
export type SocketEvent =
  /** A bind succeeded (`address` is the resolved endpoint, e.g. the port chosen for `*`). */
  | {
    type: "bind";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    error?: undefined;
  }
  /** A bind failed (e.g. EADDRINUSE). */
  | {
    type: "bind:error";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    /** What went wrong. */
    error: ZmqError;
  }
  /** A bound endpoint accepted a connection. */
  | {
    type: "accept";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    error?: undefined;
  }
  /** A bound endpoint failed to accept a connection (zeromq.js's name; not reported yet). */
  | {
    type: "accept:error";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    /** What went wrong. */
    error: ZmqError;
  }
  /** A connection attempt succeeded (the handshake comes next). */
  | {
    type: "connect";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    error?: undefined;
  }
  /** A connection attempt started and has not completed yet. */
  | {
    type: "connect:delay";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    error?: undefined;
  }
  /** A connection attempt will be retried after `interval` ms. */
  | {
    type: "connect:retry";
    address: string;
    remote?: string | undefined;
    /** The delay before the next attempt, ms. */
    interval: number;
    error?: undefined;
  }
  /** A connection attempt failed (refused, timed out…). */
  | {
    type: "close";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    /** The error, if the connection ended with one. */
    error?: ZmqError | undefined;
  }
  /** Closing a connection failed (zeromq.js's name; not reported yet). */
  | {
    type: "close:error";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    /** What went wrong. */
    error: ZmqError;
  }
  /** A peer that had completed the handshake went away. */
  | {
    type: "disconnect";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    /** The error, if the connection ended with one. */
    error?: ZmqError | undefined;
  }
  /** The ZMTP handshake with a peer completed: messages can flow. */
  | {
    type: "handshake";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    error?: undefined;
  }
  /** The peer broke ZMTP during the handshake (e.g. an incompatible socket type). */
  | {
    type: "handshake:error:protocol";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    /** What went wrong. */
    error: ProtocolError;
  }
  /**
   * Authentication failed: a server's ZAP handler refused the peer, or the server refused us
   * (PLAIN, CURVE). The error is an AuthError whose `status` is the ZAP code (300, 400, 500).
   */
  | {
    type: "handshake:error:auth";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    /** What went wrong. */
    error: AuthError;
  }
  /** The handshake failed otherwise (e.g. ETIMEDOUT after handshakeInterval). */
  | {
    type: "handshake:error:other";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    /** What went wrong. */
    error: ZmqError;
  }
  /** The socket is closed: the last event. */
  | {
    type: "end";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    error?: undefined;
  }
  /** An event without a name (zeromq.js's catch-all; zmqkit reports none). */
  | {
    type: "unknown";
    address: string;
    remote?: string | undefined;
    interval?: undefined;
    error?: undefined;
  };

/** The name of a socket event: `SocketEvent["type"]`, e.g. `"connect:retry"`. */
export type SocketEventType = SocketEvent["type"];

/** The event of one type, e.g. `EventOfType<"connect:retry">` has `interval`. */
export type EventOfType<T extends SocketEventType> = Extract<SocketEvent, { type: T }>;

/**
 * What the engine reports before the socket turns it into a SocketEvent: any error, which the
 * socket wraps in a ZmqError carrying a libzmq code.
 */
export interface EngineEvent {
  type: SocketEventType;
  address: string;
  remote?: string;
  interval?: number;
  error?: Error;
}

type Listener = (event: never) => void;

/**
 * A socket's events. Listeners (`on`) are called as each event happens; the queue behind
 * `receive()` and `for await` records from the first access of `socket.events` on, keeps the
 * newest 10,000 unread events, and is shared: leaving a `for await` (break, return, throw)
 * ends that loop only, and the next loop goes on from the next unread event.
 *
 * @example Wait for a connection's handshake
 * ```ts
 * import { Pull, Push } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const pull = new Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * const push = new Push();
 * const seen: string[] = [];
 * push.events.on("connect", (event) => seen.push(event.type));
 * push.connect(pull.lastEndpoint!);
 * for await (const event of push.events) {
 *   if (event.type === "handshake") {
 *     assert.equal(event.address, pull.lastEndpoint);
 *     break; // ends this loop only: push.events keeps recording
 *   }
 * }
 * assert.deepEqual(seen, ["connect"]);
 * push.close();
 * pull.close();
 * ```
 */
export class SocketEvents implements AsyncIterableIterator<SocketEvent> {
  #queue = new QueuedIterator<SocketEvent>();
  #listeners = new Map<SocketEventType, Set<Listener>>();
  #listening = 0;
  #ended = false;

  /**
   * Calls `listener` with every later event of `type`. While a listener is on, the socket
   * keeps the process alive until it is closed (as zeromq.js's observer does).
   */
  on<T extends SocketEventType>(type: T, listener: (event: EventOfType<T>) => void): this {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, set = new Set());
    const size = set.size;
    set.add(listener as Listener);
    if (set.size > size && this.#listening++ === 0 && !this.#ended) holdProcess();
    return this;
  }

  /** Stops calling a listener added with `on`. */
  off<T extends SocketEventType>(type: T, listener: (event: EventOfType<T>) => void): this {
    if (this.#listeners.get(type)?.delete(listener as Listener) !== true) return this;
    if (--this.#listening === 0 && !this.#ended) releaseProcess();
    return this;
  }

  /** The next unread event; rejects once the socket has ended and every event was read. */
  async receive(): Promise<SocketEvent> {
    const r = await this.next();
    if (r.done) throw new Error("No more events: the socket is closed");
    return r.value;
  }

  /**
   * The next unread event, or `done` once the socket has ended and every event was read. While
   * it waits, the process stays alive.
   */
  next(): Promise<IteratorResult<SocketEvent>> {
    const next = this.#queue.next();
    return this.#queue.queued === 0 && !this.#ended ? holdUntil(next) : next;
  }

  /** Ends one loop over the events, not the monitoring: a later loop gets the next ones. */
  return(): Promise<IteratorResult<SocketEvent>> {
    return Promise.resolve({ value: undefined, done: true });
  }

  /** `for await (const event of socket.events)`: this same shared iterator. */
  [Symbol.asyncIterator](): AsyncIterableIterator<SocketEvent> {
    return this;
  }

  /** Unread events dropped because more than 10,000 waited. */
  get dropped(): number {
    return this.#queue.dropped;
  }

  /** @internal The socket reports an event. */
  push(event: SocketEvent): void {
    this.#queue.push(event);
    const set = this.#listeners.get(event.type);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        (listener as (e: SocketEvent) => void)(event);
      } catch (e) {
        // a listener's error must not break the engine that reported the event
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  /** @internal The socket ended: loops finish once the queued events are read. */
  stop(): void {
    this.#queue.stop();
    if (this.#ended) return;
    this.#ended = true;
    if (this.#listening > 0) releaseProcess();
  }
}

/** The libzmq code of an event's error when the error itself names none. */
const FALLBACK_CODE: Partial<Record<string, ErrorCode>> = {
  "bind:error": "EINVAL",
  "accept:error": "ECONNRESET",
  "close": "ECONNRESET",
  "close:error": "ECONNRESET",
  "disconnect": "ECONNRESET",
};

/** An engine's report as the event a socket hands out: any error becomes a ZmqError. */
export function toSocketEvent(event: EngineEvent): SocketEvent {
  if (event.error !== undefined) {
    event.error = asZmqError(event.error, FALLBACK_CODE[event.type] ?? "EPROTO", event.address);
  }
  return event as unknown as SocketEvent;
}
