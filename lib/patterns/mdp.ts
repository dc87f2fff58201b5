// SPDX-License-Identifier: MIT
/**
 * A Majordomo (MDP/0.1, RFC 7) broker on one ROUTER socket, with MMI (RFC 8) `mmi.service`.
 * Clients (REQ, or DEALER adding the empty frame) send [""]["MDPC01"][service][body…] and get
 * [""]["MDPC01"][service][reply…]. Workers (DEALER) speak MDPW01 commands: READY, REQUEST,
 * REPLY, HEARTBEAT, DISCONNECT. Requests for a service wait in the broker until one of its
 * workers is free. Workers are heartbeated every `heartbeatInterval` ms and forgotten after
 * `liveness` intervals without hearing from them, busy or not, so the request a dead worker
 * held is lost and the client's retry goes to another worker.
 */
import { ZmqError } from "../errors.ts";
import type { Message } from "../pipe.ts";
import type { RouterLike } from "./lb.ts";

export const MDPC = "MDPC01";
export const MDPW = "MDPW01";
export const W_READY = 1, W_REQUEST = 2, W_REPLY = 3, W_HEARTBEAT = 4, W_DISCONNECT = 5;

/** Heartbeating of a {@linkcode MajordomoBroker}. */
export interface MajordomoOptions {
  /** ms between heartbeats to workers (the reference: 2500). */
  heartbeatInterval?: number;
  /** Missed intervals before a worker is dead (the reference: 3). */
  liveness?: number;
}

interface Worker {
  id: Uint8Array;
  key: string;
  service: Service | undefined;
  expiry: number;
  waiting: boolean;
}

interface Service {
  name: string;
  requests: Message[]; // [client id, body…]
  waiting: Worker[];
  workers: number;
}

/** Counts of a {@linkcode MajordomoBroker}, from `statistics()`. */
export interface MajordomoStatistics {
  /**
   * Per service ever asked for or offered: its live `workers`, those `waiting` for a request,
   * and client requests `queued` for one.
   */
  services: { name: string; workers: number; waiting: number; queued: number }[];
  /** Workers known right now, all services. */
  workers: number;
  /** Client requests received (MMI queries not counted). */
  requests: number;
  /** Worker replies passed back to a client. */
  replies: number;
  /** Workers forgotten after `liveness` heartbeat intervals of silence. */
  expired: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const EMPTY = new Uint8Array(0);
const byte = (b: number) => new Uint8Array([b]);
const keyOf = (id: Uint8Array) => Array.from(id, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * A Majordomo (MDP/0.1, RFC 7) broker on one ROUTER socket, with MMI (RFC 8) `mmi.service`.
 * Clients (REQ) send `["MDPC01"][service][body…]` and get `["MDPC01"][service][reply…]`;
 * workers (DEALER) send `[""]["MDPW01"][0x01][service]` (READY), get
 * `[""]["MDPW01"][0x02][client][""][body…]` (REQUEST) and answer
 * `[""]["MDPW01"][0x03][client][""][reply…]` (REPLY). The socket stays the caller's: close it
 * after the broker ends.
 *
 * @example An echo service with one worker
 * ```ts
 * import { Dealer, MajordomoBroker, Request, Router } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const router = new Router();
 * await router.bind("inproc://mdp-example");
 * const broker = new MajordomoBroker(router);
 * const running = broker.run();
 *
 * const worker = new Dealer();
 * worker.connect("inproc://mdp-example");
 * await worker.send(["", "MDPW01", new Uint8Array([0x01]), "echo"]); // READY for "echo"
 * const client = new Request();
 * client.connect("inproc://mdp-example");
 * await client.send(["MDPC01", "echo", "hello"]);
 *
 * const [, , command, clientId, , body] = await worker.receive();
 * assert.deepEqual(command, new Uint8Array([0x02])); // REQUEST
 * await worker.send(["", "MDPW01", new Uint8Array([0x03]), clientId!, "", body!]); // REPLY
 * const reply = await client.receive();
 * assert.deepEqual(reply.map((f) => new TextDecoder().decode(f)), ["MDPC01", "echo", "hello"]);
 *
 * broker.terminate();
 * await running;
 * for (const socket of [client, worker, router]) socket.close();
 * ```
 */
export class MajordomoBroker {
  /** The ROUTER both clients and workers talk to. */
  readonly socket: RouterLike;
  /** ms between heartbeats to each worker (default 2500). */
  readonly heartbeatInterval: number;
  /** Heartbeat intervals without hearing from a worker before it is forgotten (default 3). */
  readonly liveness: number;
  #services = new Map<string, Service>();
  #workers = new Map<string, Worker>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #done = false;
  #running: Promise<void> | undefined;
  #finish: (() => void) | undefined;
  #fail: ((e: unknown) => void) | undefined;
  #requests = 0;
  #replies = 0;
  #expired = 0;

  /**
   * Sets up the broker; nothing moves until `run()`.
   *
   * @param socket A ROUTER, bound or connected by the caller.
   * @param options `heartbeatInterval` (ms, default 2500) and `liveness` (default 3).
   * @throws {RangeError} If `heartbeatInterval` is not above 0 or `liveness` is below 1.
   */
  constructor(socket: RouterLike, options: MajordomoOptions = {}) {
    this.socket = socket;
    this.heartbeatInterval = options.heartbeatInterval ?? 2500;
    this.liveness = options.liveness ?? 3;
    if (!(this.heartbeatInterval > 0)) throw new RangeError("heartbeatInterval must be > 0");
    if (!(this.liveness >= 1)) throw new RangeError("liveness must be >= 1");
  }

  /**
   * Runs until terminate() or the socket closes (resolves); other errors reject. Heartbeats
   * run on a timer until then. Calling it again returns the same promise; after terminate()
   * it resolves at once.
   *
   * @returns A promise that settles when the broker ends.
   */
  run(): Promise<void> {
    if (this.#running !== undefined) return this.#running; // once: a second call shares it
    this.#running = new Promise<void>((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
    if (this.#done) this.#finish!(); // terminated before it ran
    else {
      this.#timer = setInterval(() => void this.#heartbeat(), this.heartbeatInterval);
      void this.#loop();
    }
    return this.#running;
  }

  /** Ends run() and stops heartbeating. Queued requests are dropped; workers are not told. */
  terminate(): void {
    this.#end();
  }

  /** Counts so far, and the services and workers known right now. */
  statistics(): MajordomoStatistics {
    return {
      services: [...this.#services.values()].map((s) => ({
        name: s.name,
        workers: s.workers,
        waiting: s.waiting.length,
        queued: s.requests.length,
      })),
      workers: this.#workers.size,
      requests: this.#requests,
      replies: this.#replies,
      expired: this.#expired,
    };
  }

  #end(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    clearInterval(this.#timer);
    if (error !== undefined && !(error instanceof ZmqError && error.code === "ETERM")) {
      this.#fail?.(error);
    } else this.#finish?.();
  }

  async #loop(): Promise<void> {
    try {
      while (!this.#done) {
        const msg = await this.socket.receive();
        if (this.#done) return;
        if (msg.length < 3 || msg[1]!.length !== 0) continue; // not [sender][""][header]…
        const header = dec.decode(msg[2]!);
        if (header === MDPC) await this.#client(msg[0]!, msg.slice(3));
        else if (header === MDPW) await this.#worker(msg[0]!, msg.slice(3));
      }
    } catch (e) {
      this.#end(e);
    }
  }

  async #client(sender: Uint8Array, rest: Message): Promise<void> {
    if (rest.length < 1) return;
    const name = dec.decode(rest[0]!);
    const body = rest.slice(1);
    if (name.startsWith("mmi.")) {
      let code = "501";
      if (name === "mmi.service") {
        const wanted = body.length > 0 ? dec.decode(body[body.length - 1]!) : "";
        code = (this.#services.get(wanted)?.workers ?? 0) > 0 ? "200" : "404";
      }
      const reply = [...body.slice(0, -1), enc.encode(code)];
      await this.socket.send([sender, EMPTY, enc.encode(MDPC), rest[0]!, ...reply]);
      return;
    }
    this.#requests++;
    const service = this.#service(name);
    service.requests.push([sender, ...body]);
    await this.#dispatch(service);
  }

  async #worker(sender: Uint8Array, rest: Message): Promise<void> {
    if (rest.length < 1 || rest[0]!.length !== 1) return;
    const command = rest[0]![0]!;
    const key = keyOf(sender);
    const known = this.#workers.get(key);
    if (known) known.expiry = Date.now() + this.heartbeatInterval * this.liveness;
    switch (command) {
      case W_READY: {
        const name = rest.length > 1 ? dec.decode(rest[1]!) : "";
        if (known || name.startsWith("mmi.") || name === "") {
          return this.#disconnect(known ?? this.#newWorker(sender, key), true);
        }
        const w = this.#newWorker(sender, key);
        w.service = this.#service(name);
        w.service.workers++;
        return await this.#waiting(w);
      }
      case W_REPLY: {
        if (!known || !known.service) return this.#disconnect(this.#newWorker(sender, key), true);
        // [client][""][reply…] → the client gets [""][MDPC01][service][reply…]
        if (rest.length >= 3) {
          const client = rest[1]!;
          await this.socket.send([
            client,
            EMPTY,
            enc.encode(MDPC),
            enc.encode(known.service.name),
            ...rest.slice(3),
          ]);
          this.#replies++;
        }
        return await this.#waiting(known);
      }
      case W_HEARTBEAT:
        if (!known) return this.#disconnect(this.#newWorker(sender, key), true);
        return;
      case W_DISCONNECT:
        if (known) this.#delete(known);
        return;
      default:
        return; // invalid: dropped
    }
  }

  #service(name: string): Service {
    let s = this.#services.get(name);
    if (!s) this.#services.set(name, s = { name, requests: [], waiting: [], workers: 0 });
    return s;
  }

  #newWorker(id: Uint8Array, key: string): Worker {
    const w: Worker = {
      id,
      key,
      service: undefined,
      expiry: Date.now() + this.heartbeatInterval * this.liveness,
      waiting: false,
    };
    this.#workers.set(key, w);
    return w;
  }

  async #waiting(w: Worker): Promise<void> {
    if (!w.waiting) {
      w.waiting = true;
      w.service!.waiting.push(w);
    }
    await this.#dispatch(w.service!);
  }

  async #dispatch(service: Service): Promise<void> {
    this.#purge();
    while (service.waiting.length > 0 && service.requests.length > 0) {
      const w = service.waiting.shift()!;
      w.waiting = false;
      const [client, ...body] = service.requests.shift()!;
      await this.#send(w, W_REQUEST, [client!, EMPTY, ...body]);
    }
  }

  #send(w: Worker, command: number, extra: Message = []): Promise<void> {
    return this.socket.send([w.id, EMPTY, enc.encode(MDPW), byte(command), ...extra]);
  }

  async #disconnect(w: Worker, send: boolean): Promise<void> {
    if (send) await this.#send(w, W_DISCONNECT);
    this.#delete(w);
  }

  #delete(w: Worker): void {
    if (this.#workers.get(w.key) !== w) return;
    this.#workers.delete(w.key);
    if (w.service) {
      w.service.workers--;
      const i = w.service.waiting.indexOf(w);
      if (i >= 0) w.service.waiting.splice(i, 1);
    }
  }

  /** Forgets every worker not heard from for `liveness` intervals, busy or waiting. */
  #purge(): void {
    const now = Date.now();
    for (const w of [...this.#workers.values()]) {
      if (w.expiry <= now) {
        this.#expired++;
        this.#delete(w);
      }
    }
  }

  async #heartbeat(): Promise<void> {
    if (this.#done) return;
    this.#purge();
    try {
      for (const w of this.#workers.values()) await this.#send(w, W_HEARTBEAT);
    } catch (e) {
      this.#end(e);
    }
  }
}
