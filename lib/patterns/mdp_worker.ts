// SPDX-License-Identifier: MIT
/**
 * The worker side of Majordomo (MDP/0.1, RFC 7: https://rfc.zeromq.org/spec/7/), as the
 * Guide's chapter 4 builds it (`mdwrkapi`): a DEALER to the broker that registers one
 * service with READY, takes REQUESTs one at a time and answers each with a REPLY, and keeps
 * heartbeats going both ways. Silence from the broker for `liveness` heartbeat intervals, or
 * a DISCONNECT from it, and the worker throws its socket away and starts over with a new one
 * and a new READY.
 *
 * Worker ↔ broker, as the DEALER sees it:
 *   → [""]["MDPW01"][0x01][service]                  READY
 *   ← [""]["MDPW01"][0x02][client][""][body…]        REQUEST
 *   → [""]["MDPW01"][0x03][client][""][reply…]       REPLY
 *   ↔ [""]["MDPW01"][0x04]                           HEARTBEAT
 *   ↔ [""]["MDPW01"][0x05]                           DISCONNECT
 */
import { bytesEqual } from "../util/bytes.ts";
import { hasCode, ZmqError } from "../errors.ts";
import type { Message } from "../pipe.ts";
import { Dealer } from "../sockets/dealer.ts";
import { type MessageLike, toMessage } from "../sockets/message.ts";
import type { DealerOptions } from "../sockets/options.ts";
import { MDPW, W_DISCONNECT, W_HEARTBEAT, W_READY, W_REPLY, W_REQUEST } from "./mdp.ts";

/** Settings of a {@linkcode MajordomoWorker}. */
export interface MajordomoWorkerOptions {
  /** ms between heartbeats, ours to the broker and the broker's expected (default 2500). */
  heartbeatInterval?: number | undefined;
  /** Heartbeat intervals without a word from the broker before it counts as gone (default 3). */
  liveness?: number | undefined;
  /** ms to wait before connecting again after the broker went silent (default 2500). */
  reconnectDelay?: number | undefined;
  /**
   * Options for each DEALER the worker makes (security, high-water marks…); `linger`
   * defaults to 0, so that a socket thrown away drops what it still holds.
   */
  socketOptions?: DealerOptions | undefined;
  /** Told a line ("I: …", "W: …") on each connection, reconnection and invalid message. */
  log?: ((line: string) => void) | undefined;
}

/** One request from a client, as a {@linkcode MajordomoWorker} hands it out. */
export interface MajordomoRequest {
  /** The service it was sent to: the worker's. */
  readonly service: string;
  /** The client's address at the broker (the envelope the reply goes back with). */
  readonly client: Uint8Array;
  /** The request body frames. */
  readonly body: Message;
  /**
   * Sends the reply (one frame or several). Resolves `true` once queued to the broker, or
   * `false` if the connection the request came on is gone (the worker reconnected or was
   * closed meanwhile): the broker has forgotten the request, and the client's retry is the
   * way on.
   *
   * @throws {Error} If this request was already answered.
   */
  reply(body: MessageLike): Promise<boolean>;
}

/** Counts of a {@linkcode MajordomoWorker}, from `statistics()`. */
export interface MajordomoWorkerStatistics {
  /** REQUESTs received. */
  requests: number;
  /** REPLYs sent. */
  replies: number;
  /** Replies not sent because their connection was gone, and requests dropped with it. */
  dropped: number;
  /** Connections started over (missed heartbeats, a DISCONNECT from the broker). */
  reconnects: number;
  /** Messages from the broker that were not a valid MDP/Worker command, ignored. */
  invalid: number;
}

const enc = new TextEncoder();
const EMPTY = new Uint8Array(0);
const HEADER = enc.encode(MDPW);
const command = (c: number) => new Uint8Array([c]);
/** Most requests held for receive() at once: MDP sends one at a time, so more is a broken broker. */
const MAX_QUEUED = 64;

interface Pending {
  request: MajordomoRequest;
  generation: number;
}

/**
 * A Majordomo (MDP/0.1) worker for one service: the Guide's `mdwrkapi`, with requests taken
 * by `receive()` or `for await` and answered by `request.reply()`. Heartbeats go to the
 * broker every `heartbeatInterval` ms on a timer, whatever the caller is doing; the broker
 * counts as gone after `liveness` intervals with nothing from it (not counted while a request
 * is being worked on: the Guide's broker heartbeats idle workers only), and then the worker
 * waits `reconnectDelay` ms and starts over on a new socket. A DISCONNECT from the broker
 * starts over at once. Every message from the broker is checked frame by frame; anything
 * malformed is ignored and counted (`statistics().invalid`), never thrown.
 *
 * Answer every request: the broker sends the next one only after the reply.
 *
 * @example An echo worker behind a broker
 * ```ts
 * import { MajordomoBroker, MajordomoClient, MajordomoWorker, Router } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const router = new Router();
 * await router.bind("inproc://mdp-worker-doc");
 * const broker = new MajordomoBroker(router);
 * const running = broker.run();
 *
 * const worker = new MajordomoWorker("inproc://mdp-worker-doc", "echo", {
 *   heartbeatInterval: 2500,
 *   liveness: 3,
 * });
 * const client = new MajordomoClient("inproc://mdp-worker-doc", { timeout: 5000 });
 * const replied = client.request("echo", ["Hello", "world"]);
 *
 * const request = await worker.receive();
 * assert.equal(request.service, "echo");
 * assert.equal(request.body.length, 2);
 * assert.equal(await request.reply(request.body), true);
 * assert.deepEqual((await replied)?.map((f) => new TextDecoder().decode(f)), ["Hello", "world"]);
 * assert.equal(worker.statistics().replies, 1);
 *
 * client.close();
 * worker.close();
 * broker.terminate();
 * await running;
 * router.close();
 * ```
 */
export class MajordomoWorker implements AsyncIterable<MajordomoRequest> {
  /** The broker's endpoint. */
  readonly broker: string;
  /** The service this worker offers. */
  readonly service: string;
  /** ms between heartbeats (default 2500). */
  readonly heartbeatInterval: number;
  /** Heartbeat intervals of silence before the broker counts as gone (default 3). */
  readonly liveness: number;
  /** ms to wait before connecting again after the broker went silent (default 2500). */
  readonly reconnectDelay: number;
  #socketOptions: DealerOptions;
  #log: (line: string) => void;
  #socket: Dealer | undefined;
  #generation = 0;
  #livenessLeft: number;
  #heard = false;
  /** Requests of this connection handed out or queued and not yet answered. */
  #busy = 0;
  /** No REQUEST or HEARTBEAT yet on this connection (a DISCONNECT then waits before retrying). */
  #quiet = true;
  #closed = false;
  #timer: ReturnType<typeof setInterval>;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #queue: Pending[] = [];
  #waiters: { resolve: (r: MajordomoRequest) => void; reject: (e: unknown) => void }[] = [];
  #stats: MajordomoWorkerStatistics = {
    requests: 0,
    replies: 0,
    dropped: 0,
    reconnects: 0,
    invalid: 0,
  };

  /**
   * Connects to the broker and registers the service (in the background: READY waits until
   * the broker is there). Heartbeats start at once.
   *
   * @param broker The broker's endpoint, e.g. `tcp://localhost:5555`.
   * @param service The service name, e.g. `"echo"` (not empty, not `mmi.…`).
   * @param options `heartbeatInterval` (ms, 2500), `liveness` (3), `reconnectDelay` (ms,
   *   2500), `socketOptions`, `log`.
   * @throws {RangeError} For an empty or `mmi.` service name, or a setting out of range.
   * @throws {ZmqError} If the endpoint is malformed.
   */
  constructor(broker: string, service: string, options: MajordomoWorkerOptions = {}) {
    this.broker = broker;
    this.service = service;
    this.heartbeatInterval = options.heartbeatInterval ?? 2500;
    this.liveness = options.liveness ?? 3;
    this.reconnectDelay = options.reconnectDelay ?? 2500;
    if (service === "" || service.startsWith("mmi.")) {
      throw new RangeError(`Cannot offer the service "${service}": the broker refuses it`);
    }
    if (!(this.heartbeatInterval > 0)) {
      throw new RangeError(
        `heartbeatInterval must be > 0 ms, current value is ${this.heartbeatInterval}`,
      );
    }
    if (!Number.isInteger(this.liveness) || this.liveness < 1) {
      throw new RangeError(`liveness must be an integer >= 1, current value is ${this.liveness}`);
    }
    if (!(this.reconnectDelay >= 0)) {
      throw new RangeError(
        `reconnectDelay must be >= 0 ms, current value is ${this.reconnectDelay}`,
      );
    }
    this.#socketOptions = options.socketOptions ?? {};
    this.#log = options.log ?? (() => {});
    this.#livenessLeft = this.liveness;
    this.#connect();
    this.#timer = setInterval(() => this.#tick(), this.heartbeatInterval);
  }

  /**
   * The next request, waiting for one as long as it takes.
   *
   * @returns The request, to be answered with its `reply()`.
   * @throws {ZmqError} ETERM once the worker is closed (and for a receive() waiting then).
   */
  receive(): Promise<MajordomoRequest> {
    if (this.#closed) {
      return Promise.reject(new ZmqError("ETERM", "The Majordomo worker is closed"));
    }
    const next = this.#queue.shift();
    if (next !== undefined) return Promise.resolve(next.request);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Every request, until the worker is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<MajordomoRequest, void, undefined> {
    for (;;) {
      try {
        yield await this.receive();
      } catch (e) {
        if (hasCode(e, "ETERM")) return;
        throw e;
      }
    }
  }

  /** Counts so far. */
  statistics(): MajordomoWorkerStatistics {
    return { ...this.#stats };
  }

  /**
   * Tells the broker DISCONNECT, stops heartbeating and closes the socket; a receive()
   * waiting rejects with ETERM and `for await` loops end. Closing twice does nothing.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#reconnectTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#generation++;
    if (socket !== undefined) {
      socket.linger = 200; // time for the DISCONNECT to go out
      socket.trySend([EMPTY, HEADER, command(W_DISCONNECT)]);
      socket.close();
    }
    this.#dropQueued();
    const error = new ZmqError("ETERM", "The Majordomo worker is closed");
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }

  /** `await using worker = new MajordomoWorker(…)`: close(), then the socket is gone. */
  async [Symbol.asyncDispose](): Promise<void> {
    const socket = this.#socket;
    this.close();
    await socket?.closed;
  }

  #connect(): void {
    const socket = new Dealer({ linger: 0, ...this.#socketOptions, receiveTimeout: -1 });
    socket.connect(this.broker); // a malformed endpoint throws here, from the constructor
    this.#socket = socket;
    const generation = ++this.#generation;
    this.#livenessLeft = this.liveness;
    this.#heard = false;
    this.#quiet = true;
    this.#busy = 0;
    this.#log(`I: connecting to broker at ${this.broker}…`);
    this.#send(socket, [EMPTY, HEADER, command(W_READY), enc.encode(this.service)]);
    void this.#pump(socket, generation);
  }

  /** Queues a command; a full or closed socket loses it, as a lost heartbeat would be. */
  #send(socket: Dealer, msg: Message): void {
    socket.send(msg).catch(() => {});
  }

  async #pump(socket: Dealer, generation: number): Promise<void> {
    for (;;) {
      let msg: Message;
      try {
        msg = await socket.receive();
      } catch (e) {
        // ETERM: this socket was closed (reconnect or close()); anything else: start over
        if (!hasCode(e, "ETERM") && generation === this.#generation && !this.#closed) {
          this.#log(`E: receive failed (${e}), reconnecting…`);
          this.#reconnect(this.reconnectDelay);
        }
        return;
      }
      if (generation !== this.#generation) return;
      this.#handle(msg, generation);
    }
  }

  #invalid(msg: Message): void {
    this.#stats.invalid++;
    this.#log(`E: invalid message from the broker (${msg.length} frames), ignored`);
  }

  #handle(msg: Message, generation: number): void {
    // [""]["MDPW01"][command]…
    if (
      msg.length < 3 || msg[0]!.length !== 0 || !bytesEqual(msg[1]!, HEADER) || msg[2]!.length !== 1
    ) {
      return this.#invalid(msg);
    }
    switch (msg[2]![0]) {
      case W_REQUEST: {
        // …[client][""][body…]: exactly one address frame, then the delimiter
        if (msg.length < 5 || msg[3]!.length === 0 || msg[4]!.length !== 0) {
          return this.#invalid(msg);
        }
        this.#heard = true;
        this.#quiet = false;
        this.#stats.requests++;
        if (this.#queue.length >= MAX_QUEUED) {
          this.#stats.dropped++; // MDP has one request in flight per worker: a broken broker
          return;
        }
        this.#busy++;
        const request = this.#request(msg[3]!, msg.slice(5), generation);
        const waiter = this.#waiters.shift();
        if (waiter !== undefined) waiter.resolve(request);
        else this.#queue.push({ request, generation });
        return;
      }
      case W_HEARTBEAT:
        if (msg.length !== 3) return this.#invalid(msg);
        this.#heard = true;
        this.#quiet = false;
        return;
      case W_DISCONNECT: {
        if (msg.length !== 3) return this.#invalid(msg);
        // a DISCONNECT right after READY, again: wait before trying once more
        const delay = this.#quiet && this.#stats.reconnects > 0 ? this.reconnectDelay : 0;
        this.#log(`W: the broker disconnected us, reconnecting…`);
        return this.#reconnect(delay);
      }
      default:
        return this.#invalid(msg); // READY and REPLY are ours to send; the rest is unknown
    }
  }

  #request(client: Uint8Array, body: Message, generation: number): MajordomoRequest {
    let answered = false;
    return {
      service: this.service,
      client,
      body,
      reply: async (reply: MessageLike): Promise<boolean> => {
        if (answered) throw new Error("This Majordomo request was already answered");
        const frames = toMessage(reply);
        answered = true;
        const socket = this.#socket;
        if (generation !== this.#generation || socket === undefined) {
          this.#stats.dropped++;
          return false;
        }
        this.#busy--;
        this.#heard = true; // the broker's silence while we worked does not count
        try {
          await socket.send([EMPTY, HEADER, command(W_REPLY), client, EMPTY, ...frames]);
        } catch (e) {
          if (!hasCode(e, "ETERM")) throw e;
          this.#stats.dropped++;
          return false;
        }
        this.#stats.replies++;
        return true;
      },
    };
  }

  #tick(): void {
    const socket = this.#socket;
    if (this.#closed || socket === undefined) return; // waiting to reconnect
    if (this.#heard || this.#busy > 0) {
      this.#livenessLeft = this.liveness;
      this.#heard = false;
    } else if (--this.#livenessLeft <= 0) {
      this.#log(
        `W: nothing from the broker for ${this.liveness} heartbeats, ` +
          `reconnecting in ${this.reconnectDelay} ms…`,
      );
      return this.#reconnect(this.reconnectDelay);
    }
    this.#send(socket, [EMPTY, HEADER, command(W_HEARTBEAT)]);
  }

  /** Drops the socket (and what came on it), then connects a new one after `delay` ms. */
  #reconnect(delay: number): void {
    if (this.#closed) return;
    this.#socket?.close();
    this.#socket = undefined;
    this.#generation++; // replies to this connection's requests are dropped from now on
    this.#stats.reconnects++;
    this.#dropQueued();
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (!this.#closed) this.#connect();
    }, delay);
  }

  #dropQueued(): void {
    this.#stats.dropped += this.#queue.length;
    this.#queue = [];
    this.#busy = 0;
  }
}
