// SPDX-License-Identifier: MIT
/**
 * Which sockets each half of a benchmark uses. Throughput: the sender connects (or binds)
 * and sends, the receiver takes messages. Latency: the client sends and waits for the echo.
 * The default patterns are libzmq's perf tools' (PUSH→PULL, REQ↔REP).
 */
import { Dealer } from "../sockets/dealer.ts";
import { Dish, Radio, type RadioCore } from "../sockets/radio_dish.ts";
import { socketCore } from "../sockets/socket.ts";
import { Pair } from "../sockets/pair.ts";
import { Pull } from "../sockets/pull.ts";
import { Push } from "../sockets/push.ts";
import { Reply } from "../sockets/rep.ts";
import { Request } from "../sockets/req.ts";
import { Router } from "../sockets/router.ts";
import { Subscriber } from "../sockets/sub.ts";
import { XPublisher } from "../sockets/xpub.ts";
import type { Message } from "../pipe.ts";
import type { SocketEvents } from "../events.ts";

/** The throughput patterns that deliver every message (the receiver counts to the count). */
export const THR_PATTERNS = ["push-pull", "dealer-router", "pub-sub", "pair"] as const;
/** Throughput patterns that may lose messages (see LOSSY_IDLE_MS). */
export const LOSSY_THR_PATTERNS = ["radio-dish"] as const;
/** Every throughput pattern, the lossy ones last. */
export const ALL_THR_PATTERNS = [...THR_PATTERNS, ...LOSSY_THR_PATTERNS] as const;
export type ThrPattern = typeof ALL_THR_PATTERNS[number];
export const LAT_PATTERNS = ["req-rep", "dealer-router", "pair"] as const;
export type LatPattern = typeof LAT_PATTERNS[number];

/**
 * A lossy pattern (RADIO drops at its high-water mark, as PUB; udp:// loses datagrams): its
 * receiver stops at the count or after LOSSY_IDLE_MS without a message, and reports how many it
 * received.
 */
export function isLossy(pattern: ThrPattern): boolean {
  return (LOSSY_THR_PATTERNS as readonly string[]).includes(pattern);
}
/** The idle gap that ends a lossy receiver's run, counted from its last message. */
export const LOSSY_IDLE_MS = 500;
/** The group a radio-dish benchmark sends to and joins. */
export const BENCH_GROUP = "bench";
/** The largest udp:// datagram (lib/transports/udp.ts's MAX_DATAGRAM). */
export const UDP_MAX_DATAGRAM = 8192;
/** The largest message body that fits a udp:// datagram with BENCH_GROUP. */
export const UDP_MAX_BODY = UDP_MAX_DATAGRAM - 1 - BENCH_GROUP.length;

/** What the benchmark needs of a socket (every zmqkit socket type used here has it). */
export interface BenchSocket {
  bind(endpoint: string): Promise<void>;
  connect(endpoint: string): void;
  close(): void;
  readonly lastEndpoint: string | undefined;
  readonly events: SocketEvents;
}
export interface Sender extends BenchSocket {
  send(msg: Uint8Array | Uint8Array[]): Promise<void>;
}
export interface Receiver extends BenchSocket {
  receive(): Promise<Message>;
  release(message: Message): void;
}
export type Duplex = Sender & Receiver;

/** How long a closing sender may take to flush (libzmq waits forever; a benchmark must end). */
const LINGER_MS = 60_000;

interface BaseOptions {
  sendHighWaterMark?: number;
  receiveHighWaterMark?: number;
  sendTimeout?: number;
  receiveTimeout?: number;
}

/**
 * High-water marks for both directions and send/receive timeouts (ms, EAGAIN after), or the
 * library defaults when undefined.
 */
function hwmOptions(hwm: number | undefined, timeoutMs?: number): BaseOptions {
  const o: BaseOptions = hwm === undefined
    ? {}
    : { sendHighWaterMark: hwm, receiveHighWaterMark: hwm };
  if (timeoutMs !== undefined) {
    o.sendTimeout = timeoutMs;
    o.receiveTimeout = timeoutMs;
  }
  return o;
}

/** A RADIO as a benchmark sender: every message to BENCH_GROUP. */
class RadioSender implements Sender {
  readonly #radio: Radio;
  readonly #group = new TextEncoder().encode(BENCH_GROUP);
  constructor(radio: Radio) {
    this.#radio = radio;
  }
  bind(endpoint: string): Promise<void> {
    return this.#radio.bind(endpoint);
  }
  connect(endpoint: string): void {
    this.#radio.connect(endpoint);
  }
  close(): void {
    this.#radio.close();
  }
  get lastEndpoint(): string | undefined {
    return this.#radio.lastEndpoint;
  }
  get events(): SocketEvents {
    return this.#radio.events;
  }
  send(msg: Uint8Array | Uint8Array[]): Promise<void> {
    return this.#radio.send(Array.isArray(msg) ? msg[0]! : msg, { group: this.#group });
  }
  setOption(name: string, value: unknown): void {
    this.#radio.setOption(name, value);
  }
  /** Messages the RADIO dropped at its high-water mark. */
  get dropped(): number {
    return this.#radio.dropped;
  }
  /**
   * Resolves once a peer has joined BENCH_GROUP (tcp, ipc, inproc, ws: the DISH's JOIN reached
   * us) or a udp:// pipe is open (no JOIN travels over UDP); else RADIO drops the first messages.
   */
  async joined(aborted: () => boolean): Promise<void> {
    const core = socketCore<RadioCore>(this.#radio);
    for (;;) {
      for (const p of core.pipes) {
        if (!p.peer) continue;
        if (p.endpoint.startsWith("udp://") || (p.state as Set<string>).has(BENCH_GROUP)) return;
      }
      if (aborted()) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

/** A DISH joined to BENCH_GROUP as a benchmark receiver: messages as [group, body]. */
class DishReceiver implements Receiver {
  readonly #dish: Dish;
  constructor(dish: Dish) {
    this.#dish = dish;
    dish.join(BENCH_GROUP);
  }
  bind(endpoint: string): Promise<void> {
    return this.#dish.bind(endpoint);
  }
  connect(endpoint: string): void {
    this.#dish.connect(endpoint);
  }
  close(): void {
    this.#dish.close();
  }
  get lastEndpoint(): string | undefined {
    return this.#dish.lastEndpoint;
  }
  get events(): SocketEvents {
    return this.#dish.events;
  }
  receive(): Promise<Message> {
    return socketCore(this.#dish)._receive();
  }
  release(message: Message): void {
    this.#dish.release(message);
  }
  setOption(name: string, value: unknown): void {
    this.#dish.setOption(name, value);
  }
}

/** The sending half of a throughput pattern. PUB is an XPUB that blocks instead of dropping. */
export function thrSender(pattern: ThrPattern, hwm?: number, timeoutMs?: number): Sender {
  const o = { ...hwmOptions(hwm, timeoutMs), linger: timeoutMs ?? LINGER_MS };
  switch (pattern) {
    case "push-pull":
      return new Push(o);
    case "dealer-router":
      return new Dealer(o);
    case "pub-sub":
      return new XPublisher({ ...o, noDrop: true });
    case "pair":
      return new Pair(o);
    case "radio-dish":
      return new RadioSender(new Radio(o));
  }
}

/** The receiving half of a throughput pattern (SUB subscribes to everything). */
export function thrReceiver(pattern: ThrPattern, hwm?: number, timeoutMs?: number): Receiver {
  const o = { ...hwmOptions(hwm, timeoutMs), linger: 0 };
  switch (pattern) {
    case "push-pull":
      return new Pull(o);
    case "dealer-router":
      return new Router(o);
    case "pub-sub": {
      const s = new Subscriber(o);
      s.subscribe();
      return s;
    }
    case "pair":
      return new Pair(o);
    case "radio-dish":
      return new DishReceiver(new Dish(o));
  }
}

/** The client (timing) half of a latency pattern. */
export function latClient(pattern: LatPattern, hwm?: number, timeoutMs?: number): Duplex {
  const o = { ...hwmOptions(hwm, timeoutMs), linger: 0 };
  switch (pattern) {
    case "req-rep":
      return new Request(o);
    case "dealer-router":
      return new Dealer(o);
    case "pair":
      return new Pair(o);
  }
}

/** The echoing half of a latency pattern. */
export function latServer(pattern: LatPattern, hwm?: number, timeoutMs?: number): Duplex {
  const o = { ...hwmOptions(hwm, timeoutMs), linger: timeoutMs ?? LINGER_MS };
  switch (pattern) {
    case "req-rep":
      return new Reply(o);
    case "dealer-router":
      return new Router(o);
    case "pair":
      return new Pair(o);
  }
}

/**
 * Sets `options` (zeromq.js names, e.g. the security options) on a bench socket before it binds
 * or connects; a bad name or value throws as setOption does.
 */
export function applySocketOptions(s: object, options: Record<string, unknown> | undefined): void {
  if (options === undefined) return;
  const socket = s as { setOption(name: string, value: unknown): void };
  for (const [name, value] of Object.entries(options)) socket.setOption(name, value);
}
