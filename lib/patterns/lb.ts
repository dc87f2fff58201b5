// SPDX-License-Identifier: MIT
/**
 * The guide's load-balancing broker: REQ clients on a frontend ROUTER, REQ workers on a
 * backend ROUTER. A worker announces itself with one message (the guide sends "READY") and
 * then with each reply; a client's request goes to the worker that has waited longest, and
 * requests are taken from clients only while some worker is free.
 *
 * Worker → broker, as the backend ROUTER sees it:
 *   [worker][""]["READY"]                      ready (any single body frame)
 *   [worker][""][client][""][reply…]           a reply, which also makes the worker free
 */
import { hasCode } from "../errors.ts";
import type { Message } from "../pipe.ts";
import type { MessageLike } from "../sockets/message.ts";

/** What the broker needs of a ROUTER socket. */
export interface RouterLike {
  /** The next whole message, its first frame the sender's routing id. */
  receive(): Promise<Message>;
  /** Sends a message to the peer whose routing id is its first frame. */
  send(msg: MessageLike): Promise<void>;
}

/** Counts of a {@linkcode LoadBalancingBroker}, from `statistics()`. */
export interface LoadBalancerStatistics {
  /** Client requests handed to a worker. */
  requests: number;
  /** Worker replies passed back to a client. */
  replies: number;
  /** Workers waiting for a request right now. */
  idleWorkers: number;
  /** Workers ever seen (by routing id). */
  workersSeen: number;
}

const EMPTY = new Uint8Array(0);

/**
 * The guide's load-balancing broker ("lbbroker") between REQ clients on the `frontend` ROUTER
 * and REQ workers on the `backend` ROUTER. A worker first sends one message (e.g. "READY"),
 * then gets requests as `[client][""][request…]` and answers `[client][""][reply…]`. Each
 * request goes to the worker that has waited longest; requests wait in the clients' queues
 * while no worker is free. The sockets stay the caller's: close them after the broker ends.
 *
 * @example One client, one worker
 * ```ts
 * import { LoadBalancingBroker, Request, Router } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const frontend = new Router();
 * await frontend.bind("inproc://lb-example-clients");
 * const backend = new Router();
 * await backend.bind("inproc://lb-example-workers");
 * const broker = new LoadBalancingBroker(frontend, backend);
 * const running = broker.run();
 *
 * const worker = new Request();
 * worker.connect("inproc://lb-example-workers");
 * await worker.send("READY");
 * const client = new Request();
 * client.connect("inproc://lb-example-clients");
 * await client.send("ping");
 *
 * const [clientId, empty, request] = await worker.receive();
 * assert.equal(new TextDecoder().decode(request), "ping");
 * await worker.send([clientId!, empty!, "pong"]);
 * const [reply] = await client.receive();
 * assert.equal(new TextDecoder().decode(reply), "pong");
 * assert.equal(broker.statistics().requests, 1);
 *
 * broker.terminate();
 * await running;
 * for (const socket of [client, worker, frontend, backend]) socket.close();
 * ```
 */
export class LoadBalancingBroker {
  /** The ROUTER the clients connect to. */
  readonly frontend: RouterLike;
  /** The ROUTER the workers connect to. */
  readonly backend: RouterLike;
  #idle: Uint8Array[] = [];
  #seen = new Set<string>();
  #wake: (() => void) | undefined;
  #done = false;
  #running: Promise<void> | undefined;
  #finish: (() => void) | undefined;
  #fail: ((e: unknown) => void) | undefined;
  #requests = 0;
  #replies = 0;

  /**
   * Sets up the broker; nothing moves until `run()`.
   *
   * @param frontend A ROUTER for the clients, bound or connected by the caller.
   * @param backend A ROUTER for the workers, bound or connected by the caller.
   */
  constructor(frontend: RouterLike, backend: RouterLike) {
    this.frontend = frontend;
    this.backend = backend;
  }

  /**
   * Runs until terminate() or a socket closes (resolves); other errors reject. Calling it
   * again returns the same promise; after terminate() it resolves at once.
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
      void this.#workers();
      void this.#clients();
    }
    return this.#running;
  }

  /** Ends run(). A receive the broker had pending may still take one message from each socket. */
  terminate(): void {
    this.#end();
  }

  /** Counts so far, and the workers free right now. */
  statistics(): LoadBalancerStatistics {
    return {
      requests: this.#requests,
      replies: this.#replies,
      idleWorkers: this.#idle.length,
      workersSeen: this.#seen.size,
    };
  }

  #end(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#wake?.();
    if (error !== undefined && !hasCode(error, "ETERM")) this.#fail?.(error);
    else this.#finish?.();
  }

  async #workers(): Promise<void> {
    try {
      while (!this.#done) {
        const msg = await this.backend.receive();
        if (this.#done || msg.length < 3) continue;
        const worker = msg[0]!;
        this.#seen.add(Array.from(worker).join(","));
        if (msg.length >= 5) {
          // [worker][""][client][""][reply…] → [client][""][reply…]
          await this.frontend.send(msg.slice(2));
          this.#replies++;
        }
        this.#idle.push(worker);
        const wake = this.#wake;
        this.#wake = undefined;
        wake?.();
      }
    } catch (e) {
      this.#end(e);
    }
  }

  async #clients(): Promise<void> {
    try {
      while (!this.#done) {
        // take no request before a worker can have it (the guide polls the frontend only then)
        if (this.#idle.length === 0) {
          await new Promise<void>((resolve) => this.#wake = resolve);
          continue;
        }
        const msg = await this.frontend.receive();
        if (this.#done) return;
        if (msg.length < 3) continue; // not [client][""][request…]
        const worker = this.#idle.shift()!;
        await this.backend.send([worker, EMPTY, ...msg]);
        this.#requests++;
      }
    } catch (e) {
      this.#end(e);
    }
  }
}
