// SPDX-License-Identifier: MIT
/**
 * The client side of Majordomo (MDP/0.1, RFC 7: https://rfc.zeromq.org/spec/7/), as the
 * Guide's chapter 4 builds it: one DEALER to the broker, requests `[""]["MDPC01"][service]
 * [body…]` and replies `[""]["MDPC01"][service][reply…]`. `send()` and `receive()` are the
 * asynchronous client (any number of requests in flight); `request()` is the synchronous one
 * with the Lazy Pirate's recovery: no reply within the timeout, and the socket is thrown away,
 * a new one made and the request sent again, a set number of times.
 */
import { bytesEqual } from "../util/bytes.ts";
import { hasCode, ZmqError } from "../errors.ts";
import type { Message } from "../pipe.ts";
import { Dealer } from "../sockets/dealer.ts";
import { type MessageLike, toMessage } from "../sockets/message.ts";
import type { DealerOptions } from "../sockets/options.ts";
import { MDPC } from "./mdp.ts";

/** Settings of a {@linkcode MajordomoClient}. */
export interface MajordomoClientOptions {
  /** ms to wait for a reply, in receive() and for each try of request() (default 2500). */
  timeout?: number | undefined;
  /**
   * Tries request() makes before it gives up, the first one included, as the Guide counts
   * them (default 3).
   */
  retries?: number | undefined;
  /**
   * Options for each DEALER the client makes (security, high-water marks…); `linger`
   * defaults to 0, so that a socket thrown away drops what it still holds.
   */
  socketOptions?: DealerOptions | undefined;
  /** Told a line ("W: …") on each retry and when request() gives up; by default nothing. */
  log?: ((line: string) => void) | undefined;
}

/** Per-call settings of {@linkcode MajordomoClient.request}. */
export interface MajordomoRequestOptions {
  /** ms to wait for the reply on each try (default: the client's `timeout`). */
  timeout?: number | undefined;
  /** Tries in all, the first one included (default: the client's `retries`). */
  retries?: number | undefined;
}

/** Counts of a {@linkcode MajordomoClient}, from `statistics()`. */
export interface MajordomoClientStatistics {
  /** Requests sent, resends included. */
  requests: number;
  /** Well-formed replies received. */
  replies: number;
  /** Waits for a reply that ended with none. */
  timeouts: number;
  /** Sockets thrown away for a new one (request()'s retries, reconnect()). */
  reconnects: number;
  /** Messages from the broker that were not an MDP/Client reply (or not the one awaited). */
  invalid: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const EMPTY = new Uint8Array(0);
const HEADER = enc.encode(MDPC);

function checkTimeout(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`${name} must be > 0 ms, current value is ${value}`);
  return value;
}

function checkRetries(value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`retries must be an integer >= 1, current value is ${value}`);
  }
  return value;
}

/**
 * A Majordomo (MDP/0.1) client, the Guide's `mdcliapi` and `mdcliapi2` in one class, on a
 * DEALER connected to the broker (so the empty first frame a REQ would add is added and
 * checked here). Replies are checked frame by frame; anything else from the broker is
 * skipped and counted (`statistics().invalid`), never thrown.
 *
 * - `request(service, body)` sends and waits for the reply; with none after `timeout` ms it
 *   closes the socket, opens a new one and sends again, `retries` tries in all, then resolves
 *   `undefined`. Use it for one request at a time.
 * - `send(service, body)` and `receive()` are the asynchronous client: send many, then take
 *   the replies as they come (`undefined` after `timeout` ms without one). There is no
 *   recovery here: a lost broker loses the requests in flight, as in the Guide.
 *
 * @example Ask an echo worker through a broker
 * ```ts
 * import { MajordomoBroker, MajordomoClient, MajordomoWorker, Router } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const router = new Router();
 * await router.bind("inproc://mdp-client-doc");
 * const broker = new MajordomoBroker(router);
 * const running = broker.run();
 * const worker = new MajordomoWorker("inproc://mdp-client-doc", "echo");
 * const serving = (async () => {
 *   for await (const request of worker) await request.reply(request.body);
 * })();
 *
 * const client = new MajordomoClient("inproc://mdp-client-doc", { timeout: 5000 });
 * const reply = await client.request("echo", "Hello world");
 * assert.deepEqual(reply?.map((f) => new TextDecoder().decode(f)), ["Hello world"]);
 *
 * // asynchronously: three requests in flight, then their replies
 * for (const n of ["1", "2", "3"]) await client.send("echo", ["n", n]);
 * const replies = [];
 * for (let i = 0; i < 3; i++) replies.push(new TextDecoder().decode((await client.receive())![1]));
 * assert.deepEqual(replies, ["1", "2", "3"]);
 *
 * // mmi.service: is there a worker for "echo"?
 * const [code] = (await client.request("mmi.service", "echo"))!;
 * assert.equal(new TextDecoder().decode(code), "200");
 *
 * client.close();
 * worker.close();
 * await serving;
 * broker.terminate();
 * await running;
 * router.close();
 * ```
 */
export class MajordomoClient {
  /** The broker's endpoint. */
  readonly broker: string;
  /** ms to wait for a reply (default 2500); may be changed. */
  timeout: number;
  /** Tries of request() before it gives up (default 3); may be changed. */
  retries: number;
  #socketOptions: DealerOptions;
  #log: (line: string) => void;
  #socket: Dealer;
  #closed = false;
  #stats: MajordomoClientStatistics = {
    requests: 0,
    replies: 0,
    timeouts: 0,
    reconnects: 0,
    invalid: 0,
  };

  /**
   * Connects to the broker (in the background: requests wait until it is there).
   *
   * @param broker The broker's endpoint, e.g. `tcp://localhost:5555`.
   * @param options `timeout` (ms, 2500), `retries` (3), `socketOptions`, `log`.
   * @throws {RangeError} If `timeout` is not above 0 or `retries` is not an integer ≥ 1.
   * @throws {ZmqError} If the endpoint is malformed.
   */
  constructor(broker: string, options: MajordomoClientOptions = {}) {
    this.broker = broker;
    this.timeout = checkTimeout("timeout", options.timeout ?? 2500);
    this.retries = checkRetries(options.retries ?? 3);
    this.#socketOptions = options.socketOptions ?? {};
    this.#log = options.log ?? (() => {});
    this.#socket = this.#connect();
  }

  #connect(): Dealer {
    const socket = new Dealer({ linger: 0, ...this.#socketOptions });
    try {
      socket.connect(this.broker);
    } catch (e) {
      socket.close();
      throw e;
    }
    return socket;
  }

  /**
   * Sends one request and does not wait for its reply (take it with receive()).
   *
   * @param service The service name, e.g. `"echo"` (or `"mmi.service"`).
   * @param body The request: one frame or several (strings go as UTF-8).
   * @throws {ZmqError} ETERM once the client is closed.
   */
  async send(service: string, body: MessageLike): Promise<void> {
    this.#open();
    const frames = toMessage(body);
    await this.#socket.send([EMPTY, HEADER, enc.encode(service), ...frames]);
    this.#stats.requests++;
  }

  /**
   * The next reply's body frames, or `undefined` once `timeout` ms pass without one (or if
   * request() or reconnect() throws the socket away meanwhile). Messages that are not an
   * MDP/Client reply are skipped and counted.
   *
   * @param timeout ms to wait (default: the client's `timeout`; `Infinity`: no limit).
   * @returns The reply body, without the protocol frames.
   * @throws {ZmqError} ETERM once the client is closed.
   */
  async receive(timeout: number = this.timeout): Promise<Message | undefined> {
    return (await this.#receive(checkTimeout("timeout", timeout)))?.body;
  }

  /**
   * Sends a request and waits for its reply, the Lazy Pirate way: with no reply after
   * `timeout` ms the socket is closed, a new one connected and the request sent again, up to
   * `retries` tries in all; then it resolves `undefined` (on a new socket, so a late reply
   * cannot be taken for the next request's). A reply from another service is skipped, so
   * requests sent with send() and still unanswered may be mistaken for this one's only if
   * they went to the same service: keep the two styles apart.
   *
   * @param service The service name.
   * @param body The request: one frame or several.
   * @param options `timeout` and `retries` for this call.
   * @returns The reply body, or `undefined` if every try went unanswered.
   * @throws {ZmqError} ETERM once the client is closed.
   */
  async request(
    service: string,
    body: MessageLike,
    options: MajordomoRequestOptions = {},
  ): Promise<Message | undefined> {
    const timeout = checkTimeout("timeout", options.timeout ?? this.timeout);
    const tries = checkRetries(options.retries ?? this.retries);
    const frames = toMessage(body);
    for (let left = tries; left > 0; left--) {
      await this.send(service, frames);
      const reply = await this.#receive(timeout, service);
      if (reply !== undefined) return reply.body;
      if (left > 1) this.#log(`W: no reply from ${service}, reconnecting and sending again…`);
      else this.#log(`W: no reply from ${service} after ${tries} tries, abandoning`);
      this.reconnect();
    }
    return undefined;
  }

  /**
   * Closes the socket and connects a new one: replies still due to the old one are lost,
   * and a receive() waiting on it resolves `undefined`.
   *
   * @throws {ZmqError} ETERM once the client is closed.
   */
  reconnect(): void {
    this.#open();
    const old = this.#socket;
    this.#socket = this.#connect();
    this.#stats.reconnects++;
    old.close();
  }

  /** Counts so far. */
  statistics(): MajordomoClientStatistics {
    return { ...this.#stats };
  }

  /** Closes the socket; waiting calls reject with ETERM. Closing twice does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }

  /** `await using client = new MajordomoClient(…)`: close(), then the socket is gone. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return this.#socket.closed;
  }

  #open(): void {
    if (this.#closed) throw new ZmqError("ETERM", "The Majordomo client is closed");
  }

  async #receive(
    timeout: number,
    service?: string,
  ): Promise<{ service: string; body: Message } | undefined> {
    this.#open();
    const socket = this.#socket;
    const deadline = Date.now() + timeout;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.#stats.timeouts++;
        return undefined;
      }
      // a per-call timeout: read by the socket when the receive starts
      socket.receiveTimeout = Number.isFinite(left) ? Math.max(1, Math.ceil(left)) : -1;
      let msg: Message;
      try {
        msg = await socket.receive();
      } catch (e) {
        if (hasCode(e, "EAGAIN")) {
          this.#stats.timeouts++;
          return undefined;
        }
        if (hasCode(e, "ETERM") && !this.#closed) return undefined; // replaced by a new socket
        throw e;
      }
      // [""]["MDPC01"][service][body…]
      if (msg.length < 3 || msg[0]!.length !== 0 || !bytesEqual(msg[1]!, HEADER)) {
        this.#stats.invalid++;
        continue;
      }
      const from = dec.decode(msg[2]!);
      if (service !== undefined && from !== service) {
        this.#stats.invalid++;
        continue;
      }
      this.#stats.replies++;
      return { service: from, body: msg.slice(3) };
    }
  }
}
