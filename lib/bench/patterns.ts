// SPDX-License-Identifier: MIT
/**
 * Which sockets each half of a benchmark uses. Throughput: the sender connects (or binds)
 * and sends, the receiver takes messages. Latency: the client sends and waits for the echo.
 * The default patterns are libzmq's perf tools' (PUSH→PULL, REQ↔REP).
 */
import { Dealer } from "../sockets/dealer.ts";
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

export const THR_PATTERNS = ["push-pull", "dealer-router", "pub-sub", "pair"] as const;
export type ThrPattern = typeof THR_PATTERNS[number];
export const LAT_PATTERNS = ["req-rep", "dealer-router", "pair"] as const;
export type LatPattern = typeof LAT_PATTERNS[number];

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
