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
import { ZmqError } from "../errors.ts";
import type { Message } from "../pipe.ts";
import type { MessageLike } from "../sockets/message.ts";

/** What the broker needs of a ROUTER socket. */
export interface RouterLike {
  receive(): Promise<Message>;
  send(msg: MessageLike): Promise<void>;
}

export interface LoadBalancerStatistics {
  requests: number;
  replies: number;
  /** Workers waiting for a request right now. */
  idleWorkers: number;
  /** Workers ever seen (by routing id). */
  workersSeen: number;
}

const EMPTY = new Uint8Array(0);
const isTerm = (e: unknown) => e instanceof ZmqError && e.code === "ETERM";

export class LoadBalancingBroker {
  readonly frontend: RouterLike;
  readonly backend: RouterLike;
  #idle: Uint8Array[] = [];
  #seen = new Set<string>();
  #wake: (() => void) | undefined;
  #done = false;
  #finish: (() => void) | undefined;
  #fail: ((e: unknown) => void) | undefined;
  #requests = 0;
  #replies = 0;

  constructor(frontend: RouterLike, backend: RouterLike) {
    this.frontend = frontend;
    this.backend = backend;
  }

  /** Runs until terminate() or a socket closes (resolves); other errors reject. */
  run(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
    void this.#workers();
    void this.#clients();
    return done;
  }

  terminate(): void {
    this.#end();
  }

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
    if (error !== undefined && !isTerm(error)) this.#fail?.(error);
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
