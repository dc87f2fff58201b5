// SPDX-License-Identifier: MIT
/**
 * zmq_proxy / zmq_proxy_steerable for zmqkit sockets: messages move whole between a frontend
 * and a backend, in both directions the socket types allow, each also copied to an optional
 * capture socket; an optional control socket steers the proxy with PAUSE, RESUME, TERMINATE
 * and STATISTICS, as libzmq after 4.3.5 does (an empty reply only when control is a REP,
 * counts per frame, unknown commands ignored).
 *
 * Backpressure: each direction awaits the send of one message before it receives the next,
 * so a destination that blocks (PUSH, DEALER, mandatory ROUTER, noDrop XPUB at their HWM)
 * slows the proxy instead of losing messages; types that drop (PUB, XPUB, ROUTER) drop.
 */
import { ZmqError } from "./errors.ts";
import type { Message } from "./pipe.ts";
import type { MessageLike } from "./sockets/message.ts";

/** Any zmqkit socket: what the proxy uses of it. */
export interface ProxySocket {
  /** The socket type's wire name, e.g. `"ROUTER"`. */
  readonly type: string;
  /** True once the socket was closed. */
  readonly isClosed: boolean;
  /** The next whole message; absent on sockets that only send (PUSH, PUB). */
  receive?: () => Promise<Message>;
  /** Sends one message, waiting while it cannot be queued; absent on receive-only sockets. */
  send?: (msg: MessageLike) => Promise<void>;
  /** A message if one is ready now, else undefined; never waits. */
  tryReceive?: () => Message | undefined;
  /** Messages queued in the socket's pipes (both ways) and connected peers, right now. */
  gauges?: () => { queued: number; peers: number };
  /** Queues the message if that can be done now (true), else false; never waits. */
  trySend?: (msg: Message) => boolean;
}

/** The optional sockets of a {@linkcode Proxy}, as libzmq's zmq_proxy_steerable takes them. */
export interface ProxyOptions {
  /** Gets a copy of every message forwarded, both directions (PUB, PUSH, DEALER, PAIR…). */
  capture?: ProxySocket | undefined;
  /** Receives PAUSE, RESUME, TERMINATE, STATISTICS (REP, PAIR, PULL, SUB, ROUTER…). */
  control?: ProxySocket | undefined;
}

/** Messages, frames and bytes counted on one side in one direction. */
export interface Counter {
  /** Whole messages. */
  messages: number;
  /** Frames (message parts), as libzmq's STATISTICS counts. */
  frames: number;
  /** Payload bytes of those frames. */
  bytes: number;
}

/** What a {@linkcode Proxy} has moved so far: per side, received from it and sent to it. */
export interface ProxyStatistics {
  /** Received from the frontend, and sent to it (replies, in a two-way proxy). */
  frontend: { received: Counter; sent: Counter };
  /** Received from the backend, and sent to it. */
  backend: { received: Counter; sent: Counter };
}

const counter = (): Counter => ({ messages: 0, frames: 0, bytes: 0 });
const dec = new TextDecoder();

/** True for errors that mean "a socket was closed": the proxy ends quietly. */
function isTerm(e: unknown): boolean {
  return e instanceof ZmqError && e.code === "ETERM";
}

function count(c: Counter, msg: Message): void {
  c.messages++;
  c.frames += msg.length;
  for (const f of msg) c.bytes += f.byteLength;
}

/**
 * A steerable proxy (libzmq's zmq_proxy_steerable) between two sockets the caller has bound or
 * connected, e.g. ROUTER/DEALER (a shared queue), PULL/PUSH (a streamer), XSUB/XPUB (a
 * forwarder). `run()` resolves on TERMINATE/terminate() or when a socket closes. The sockets
 * stay the caller's: close them after the proxy ends.
 *
 * @example Forward between two sockets
 * ```ts
 * import { Proxy, Pull, Push } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const frontend = new Pull();
 * await frontend.bind("inproc://proxy-example-in");
 * const backend = new Push();
 * await backend.bind("inproc://proxy-example-out");
 * const proxy = new Proxy(frontend, backend);
 * const running = proxy.run();
 *
 * const producer = new Push();
 * producer.connect("inproc://proxy-example-in");
 * const consumer = new Pull();
 * consumer.connect("inproc://proxy-example-out");
 * await producer.send(["job", "42"]);
 * const message = await consumer.receive();
 * assert.deepEqual(message.map((f) => new TextDecoder().decode(f)), ["job", "42"]);
 * assert.equal(proxy.statistics().frontend.received.messages, 1);
 *
 * proxy.terminate();
 * await running;
 * for (const socket of [producer, consumer, frontend, backend]) socket.close();
 * ```
 */
export class Proxy {
  /** The first socket (libzmq's frontend), usually facing clients. */
  readonly frontend: ProxySocket;
  /** The second socket (libzmq's backend), usually facing workers or subscribers. */
  readonly backend: ProxySocket;
  /** Gets a copy of every message forwarded, if given. */
  readonly capture: ProxySocket | undefined;
  /** Receives PAUSE, RESUME, TERMINATE and STATISTICS, if given. */
  readonly control: ProxySocket | undefined;
  #stats: ProxyStatistics = {
    frontend: { received: counter(), sent: counter() },
    backend: { received: counter(), sent: counter() },
  };
  #paused = false;
  #resumed: (() => void)[] = [];
  #done = false;
  #finish: (() => void) | undefined;
  #fail: ((e: unknown) => void) | undefined;
  #running: Promise<void> | undefined;
  /** Messages received but not yet sent on (held while paused or waiting on backpressure). */
  inFlight = 0;

  /**
   * Sets up the proxy; nothing moves until `run()`. The same socket may be both sides.
   *
   * @param frontend The first socket; messages it receives go to `backend`.
   * @param backend The second socket; messages it receives go to `frontend`.
   * @param options The optional `capture` and `control` sockets.
   * @throws {TypeError} If `capture` cannot send, `control` cannot receive, or neither
   * `frontend` nor `backend` can receive.
   */
  constructor(frontend: ProxySocket, backend: ProxySocket, options: ProxyOptions = {}) {
    this.frontend = frontend;
    this.backend = backend;
    this.capture = options.capture;
    this.control = options.control;
    if (options.capture && !options.capture.send) {
      throw new TypeError(`A ${options.capture.type} socket cannot be a capture socket`);
    }
    if (options.control && !options.control.receive) {
      throw new TypeError(`A ${options.control.type} socket cannot be a control socket`);
    }
    // a direction needs one side that receives and the other that sends
    if (!(frontend.receive && backend.send) && !(backend.receive && frontend.send)) {
      throw new TypeError(`Nothing to forward between ${frontend.type} and ${backend.type}`);
    }
  }

  /** True between PAUSE (or pause()) and RESUME (or resume()). */
  get paused(): boolean {
    return this.#paused;
  }

  /** True once the proxy has ended: TERMINATE, terminate(), a closed socket or an error. */
  get terminated(): boolean {
    return this.#done;
  }

  /**
   * Forwards until terminated (TERMINATE on control, or terminate()) or until a socket is
   * closed; both resolve. Other errors reject. Calling it again returns the same promise.
   *
   * @returns A promise that settles when the proxy ends.
   */
  run(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = new Promise<void>((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
    if (this.#done) {
      this.#finish?.();
      return this.#running;
    }
    const f = this.frontend, b = this.backend;
    const loops: Promise<void>[] = [];
    if (f === b) {
      if (f.receive && f.send) loops.push(this.#pump(f, f, "frontend", "frontend"));
    } else {
      if (f.receive && b.send) loops.push(this.#pump(f, b, "frontend", "backend"));
      if (b.receive && f.send) loops.push(this.#pump(b, f, "backend", "frontend"));
    }
    if (this.control) void this.#serveControl(this.control);
    // all forwarding ended by itself (every socket closed): done
    void Promise.all(loops).then(() => this.#end());
    return this.#running;
  }

  /** Stops forwarding; control (and statistics) are still served. */
  pause(): void {
    this.#paused = true;
  }

  /** Resumes forwarding after pause() or PAUSE. */
  resume(): void {
    this.#paused = false;
    for (const w of this.#resumed.splice(0)) w();
  }

  /**
   * Ends run(). The sockets stay open and are the caller's; a receive the proxy had pending
   * may still take one message from each, so close them after terminating.
   */
  terminate(): void {
    this.#end();
  }

  /** Counts so far: per side, what was received and what was sent (messages, frames, bytes). */
  statistics(): ProxyStatistics {
    const copy = (c: Counter): Counter => ({ ...c });
    const s = this.#stats;
    return {
      frontend: { received: copy(s.frontend.received), sent: copy(s.frontend.sent) },
      backend: { received: copy(s.backend.received), sent: copy(s.backend.sent) },
    };
  }

  #end(error?: unknown): void {
    this.#done = true;
    for (const w of this.#resumed.splice(0)) w();
    if (error !== undefined) this.#fail?.(error);
    else this.#finish?.();
    this.#finish = this.#fail = undefined;
  }

  #whileNotPaused(): Promise<void> | undefined {
    if (!this.#paused || this.#done) return undefined;
    return new Promise<void>((resolve) => this.#resumed.push(resolve));
  }

  async #pump(
    from: ProxySocket,
    to: ProxySocket,
    fromSide: "frontend" | "backend",
    toSide: "frontend" | "backend",
  ): Promise<void> {
    const received = this.#stats[fromSide].received;
    const sent = this.#stats[toSide].sent;
    const capture = this.capture;
    try {
      while (!this.#done) {
        const wait = this.#whileNotPaused();
        if (wait) await wait;
        if (this.#done) return;
        // take what is ready without a promise; wait only when nothing is
        const msg = from.tryReceive?.() ?? await from.receive!();
        if (this.#done) return; // a receive left pending by terminate(): not forwarded
        this.inFlight++;
        count(received, msg);
        try {
          const hold = this.#whileNotPaused();
          if (hold) await hold;
          if (capture && !capture.trySend?.(msg)) await capture.send!(msg);
          if (!to.trySend?.(msg)) await to.send!(msg);
          count(sent, msg);
        } finally {
          this.inFlight--;
        }
      }
    } catch (e) {
      if (this.#done || isTerm(e)) return;
      this.#end(e);
    }
  }

  async #serveControl(control: ProxySocket): Promise<void> {
    const replies = control.type === "REP";
    try {
      while (!this.#done) {
        const msg = await control.receive!();
        if (this.#done) return;
        // a ROUTER control socket: the envelope goes back with the reply
        const envelope = control.type === "ROUTER" ? msg.slice(0, -1) : [];
        const command = dec.decode(msg[msg.length - 1]);
        if (command === "STATISTICS") {
          if (control.send) await control.send([...envelope, ...this.#statisticsFrames()]);
          continue;
        }
        if (command === "PAUSE") this.pause();
        else if (command === "RESUME") this.resume();
        // post-4.3.5 libzmq: only a REP control socket gets an (empty) answer, even to an
        // unknown command, since REP must reply before it can receive again
        if (replies && control.send) await control.send([...envelope, new Uint8Array(0)]);
        if (command === "TERMINATE") return this.#end();
      }
    } catch (e) {
      if (this.#done || isTerm(e)) return;
      this.#end(e);
    }
  }

  /** The 8 uint64 frames of libzmq's STATISTICS reply, in native (little-endian) order. */
  #statisticsFrames(): Uint8Array[] {
    const s = this.#stats;
    const values = [
      s.frontend.received.frames,
      s.frontend.received.bytes,
      s.frontend.sent.frames,
      s.frontend.sent.bytes,
      s.backend.received.frames,
      s.backend.received.bytes,
      s.backend.sent.frames,
      s.backend.sent.bytes,
    ];
    return values.map((v) => {
      const frame = new Uint8Array(8);
      new DataView(frame.buffer).setBigUint64(0, BigInt(v), true);
      return frame;
    });
  }
}

/**
 * libzmq's zmq_proxy / zmq_proxy_steerable: forwards between `frontend` and `backend` until
 * TERMINATE arrives on `control` or a socket is closed. `new Proxy(...).run()`, for when the
 * {@linkcode Proxy} object is not needed.
 *
 * @param frontend The first socket; messages it receives go to `backend`.
 * @param backend The second socket; messages it receives go to `frontend`.
 * @param options The optional `capture` and `control` sockets.
 * @returns A promise that resolves when the proxy ends, and rejects on an error other than a
 * closed socket.
 *
 * @example A streamer stopped by TERMINATE on its control socket
 * ```ts
 * import { Pair, proxy, Pull, Push } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const frontend = new Pull();
 * await frontend.bind("inproc://streamer-example-in");
 * const backend = new Push();
 * await backend.bind("inproc://streamer-example-out");
 * const control = new Pair();
 * await control.bind("inproc://streamer-example-control");
 * const running = proxy(frontend, backend, { control });
 *
 * const producer = new Push();
 * producer.connect("inproc://streamer-example-in");
 * const consumer = new Pull();
 * consumer.connect("inproc://streamer-example-out");
 * await producer.send("work");
 * const [work] = await consumer.receive();
 * assert.equal(new TextDecoder().decode(work), "work");
 *
 * const steer = new Pair();
 * steer.connect("inproc://streamer-example-control");
 * await steer.send("TERMINATE");
 * await running;
 * for (const socket of [steer, producer, consumer, frontend, backend, control]) socket.close();
 * ```
 */
export function proxy(
  frontend: ProxySocket,
  backend: ProxySocket,
  options: ProxyOptions = {},
): Promise<void> {
  return new Proxy(frontend, backend, options).run();
}

/**
 * Decodes the reply to a STATISTICS command (8 uint64 frames, little-endian, as libzmq sends
 * them) into numbers: frontend received frames and bytes, frontend sent frames and bytes, then
 * the same four for the backend.
 *
 * @param frames The 8 frames of the reply.
 * @returns The 8 counts, in the order of the frames.
 *
 * @example Ask a proxy for its statistics over a REP control socket
 * ```ts
 * import { decodeStatistics, Proxy, Pull, Push, Reply, Request } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const frontend = new Pull();
 * await frontend.bind("inproc://stats-example-in");
 * const backend = new Push();
 * await backend.bind("inproc://stats-example-out");
 * const control = new Reply();
 * await control.bind("inproc://stats-example-control");
 * const proxy = new Proxy(frontend, backend, { control });
 * const running = proxy.run();
 *
 * const producer = new Push();
 * producer.connect("inproc://stats-example-in");
 * const consumer = new Pull();
 * consumer.connect("inproc://stats-example-out");
 * await producer.send(["hello", "world!"]);
 * await consumer.receive();
 *
 * const client = new Request();
 * client.connect("inproc://stats-example-control");
 * await client.send("STATISTICS");
 * // 2 frames, 11 bytes received from the frontend and sent to the backend
 * assert.deepEqual(decodeStatistics(await client.receive()), [2, 11, 0, 0, 0, 0, 2, 11]);
 *
 * proxy.terminate();
 * await running;
 * for (const socket of [client, producer, consumer, frontend, backend, control]) socket.close();
 * ```
 */
export function decodeStatistics(frames: Uint8Array[]): number[] {
  return frames.map((f) =>
    Number(new DataView(f.buffer, f.byteOffset, f.byteLength).getBigUint64(0, true))
  );
}

/**
 * What the socket holds right now: messages queued in its pipes (both ways), connected
 * peers, and messages it dropped (PUB, XPUB, ROUTER count those; 0 for others). The CLI's
 * proxy reads these for --stats.
 *
 * @param socket Any zmqkit socket.
 * @returns `queued` messages, connected `peers`, and `dropped` messages so far.
 *
 * @example A ROUTER drops a message for an unknown routing id
 * ```ts
 * import { Router, socketGauges } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const router = new Router();
 * await router.bind("inproc://gauges-example");
 * await router.send(["nobody", "hello"]);
 * assert.deepEqual(socketGauges(router), { queued: 0, peers: 0, dropped: 1 });
 * router.close();
 * ```
 */
export function socketGauges(
  socket: ProxySocket,
): { queued: number; peers: number; dropped: number } {
  const { queued, peers } = socket.gauges?.() ?? { queued: 0, peers: 0 };
  const dropped = (socket as { dropped?: unknown }).dropped;
  return { queued, peers, dropped: typeof dropped === "number" ? dropped : 0 };
}
