// SPDX-License-Identifier: MIT
/**
 * Throughput, both halves, wire-compatible with libzmq's perf tools: the receiver is
 * `local_thr` (binds a PULL, starts the clock at the first message, reports count / elapsed)
 * and the sender is `remote_thr` (connects a PUSH, sends COUNT messages of SIZE zero bytes,
 * then closes, waiting until everything is sent). Either half may bind or connect instead,
 * and other patterns (DEALER→ROUTER, PUB→SUB, PAIR) use the same procedure.
 */
import { attachEndpoint, closeFlushed } from "./close.ts";
import type { SocketEvents } from "../events.ts";
import {
  applySocketOptions,
  isLossy,
  LOSSY_IDLE_MS,
  type ThrPattern,
  thrReceiver,
  thrSender,
} from "./patterns.ts";

export interface ThrOptions {
  /** Where to bind or connect (`tcp://127.0.0.1:5555`, `ipc:///tmp/x`, `inproc://x`). */
  endpoint: string;
  /** True: this half binds; false: it connects. */
  bind: boolean;
  /** Message size in bytes. */
  size: number;
  /** Messages to send or receive (Infinity with a duration). */
  count: number;
  /** Stop after this many milliseconds (receiver: counted from the first message). */
  durationMs?: number | undefined;
  pattern?: ThrPattern | undefined;
  /** ZMQ_SNDHWM and ZMQ_RCVHWM, in messages. */
  hwm?: number | undefined;
  /**
   * Receiver: hand each message back with release() once counted (default true), as
   * local_thr closes each one; false measures an application that keeps its messages.
   */
  release?: boolean | undefined;
  /** Called about every 250 ms while running. */
  onProgress?: ((messages: number, elapsedMs: number) => void) | undefined;
  /**
   * Give up (EAGAIN) when one send or receive waits longer than this, in ms (ZMQ_SNDTIMEO and
   * ZMQ_RCVTIMEO; also the sender's linger). Undefined: wait forever, as libzmq's tools.
   */
  timeoutMs?: number | undefined;
  /** More socket options (zeromq.js names), e.g. PLAIN or CURVE, set before bind/connect. */
  socketOptions?: Record<string, unknown> | undefined;
}

export interface ThrResult {
  size: number;
  /** Messages counted (libzmq counts the first one too, though the clock starts at it). */
  count: number;
  elapsedUs: number;
  /** count / elapsed, as libzmq's `mean throughput: N [msg/s]`. */
  msgsPerSec: number;
  /** Payload megabits per second, as libzmq's `mean throughput: N [Mb/s]`. */
  mbPerSec: number;
  /** True when abort() stopped the run early: what was measured until then. */
  partial?: boolean;
  /**
   * A pattern that may lose messages (radio-dish): the run ended at the count or after an idle
   * gap; `count` is what was received and the clock stopped at the last message.
   */
  lossy?: boolean;
  /** Messages the sender sent, when known (both halves in one process): loss = 1 − count/sent. */
  sent?: number;
  /** RADIO: messages it dropped at its high-water mark (part of the loss), when known. */
  dropped?: number;
}

export interface SendResult {
  sent: number;
  /** RADIO: messages dropped at the high-water mark (counted in `sent`, never sent). */
  dropped?: number;
  /** From the first send to the end of the flush at close. */
  elapsedUs: number;
  /** True when abort() stopped the run early. */
  partial?: boolean;
}

/** One half, set up (bound or connecting) but not yet running. */
export interface Half<R> {
  /** The endpoint with wildcards resolved (bind), or as given (connect). */
  readonly endpoint: string;
  /** The socket's events (connect retries, handshakes…), e.g. to report a slow connect. */
  readonly events: SocketEvents;
  /** Resolves with the result; after abort(), with what was measured so far (`partial`). */
  run(): Promise<R>;
  /** Stops early, as at Ctrl-C: pending sends and receives end, run() resolves early. */
  abort(): void;
}

const PROGRESS_MS = 250;
const CHECK_EVERY = 1024;

/** The `local_thr` half: receives and times. */
export async function openThrReceiver(o: ThrOptions): Promise<Half<ThrResult>> {
  const pattern = o.pattern ?? "push-pull";
  const s = thrReceiver(pattern, o.hwm, o.timeoutMs);
  applySocketOptions(s, o.socketOptions);
  const endpoint = await attachEndpoint(s, o);
  const lossy = isLossy(pattern);
  let aborted = false;
  const run = async (): Promise<ThrResult> => {
    let n = 0;
    let start = 0;
    /** Lossy: when the last message came (the clock stops there, not after the idle gap). */
    let last = 0;
    const result = (partial: boolean): ThrResult => {
      const end = lossy && !partial ? last : performance.now();
      const elapsedUs = n === 0 ? 0 : Math.max(1, (end - start) * 1000);
      const msgsPerSec = n === 0 ? 0 : (n / elapsedUs) * 1e6;
      const r: ThrResult = {
        size: o.size,
        count: n,
        elapsedUs,
        msgsPerSec,
        mbPerSec: (msgsPerSec * o.size * 8) / 1e6,
      };
      if (partial) r.partial = true;
      if (lossy) r.lossy = true;
      return r;
    };
    try {
      // as local_thr, which closes each message it receives: the memory goes back at once
      const release = o.release !== false;
      const check = (m: Uint8Array[]) => {
        if (m[m.length - 1]!.length !== o.size) {
          throw new Error(
            `message of incorrect size received: ${m[m.length - 1]!.length}, expected ${o.size}`,
          );
        }
        if (release) s.release(m);
      };
      check(await s.receive());
      start = last = performance.now();
      const limit = o.count;
      const until = o.durationMs === undefined ? Infinity : start + o.durationMs;
      let next = start + PROGRESS_MS;
      n = 1;
      if (lossy) {
        // until the count, the duration, or LOSSY_IDLE_MS without a message
        const idle = o.timeoutMs === undefined
          ? LOSSY_IDLE_MS
          : Math.min(o.timeoutMs, LOSSY_IDLE_MS);
        (s as unknown as { setOption(n: string, v: unknown): void }).setOption(
          "receiveTimeout",
          idle,
        );
        while (n < limit) {
          try {
            check(await s.receive());
          } catch (e) {
            if ((e as { code?: string }).code === "EAGAIN" && !aborted) break; // the idle gap
            throw e;
          }
          n++;
          last = performance.now();
          if (last >= until) break;
          if (o.onProgress && last >= next) {
            o.onProgress(n, last - start);
            next = last + PROGRESS_MS;
          }
        }
        return result(false);
      }
      while (n < limit) {
        check(await s.receive());
        n++;
        if ((n & (CHECK_EVERY - 1)) === 0) {
          const now = performance.now();
          if (now >= until) break;
          if (o.onProgress && now >= next) {
            o.onProgress(n, now - start);
            next = now + PROGRESS_MS;
          }
        }
      }
      return result(false);
    } catch (e) {
      if (aborted) return result(true);
      throw e;
    } finally {
      s.close();
    }
  };
  const abort = () => {
    aborted = true;
    s.close();
  };
  return { endpoint, events: s.events, run, abort };
}

/** The `remote_thr` half: sends COUNT messages (or for the duration), then flushes. */
export async function openThrSender(o: ThrOptions): Promise<Half<SendResult>> {
  const pattern = o.pattern ?? "push-pull";
  const s = thrSender(pattern, o.hwm, o.timeoutMs);
  applySocketOptions(s, o.socketOptions);
  const endpoint = await attachEndpoint(s, o);
  let aborted = false;
  const run = async (): Promise<SendResult> => {
    const body = new Uint8Array(o.size);
    const radio = pattern === "radio-dish"
      ? s as unknown as {
        joined(aborted: () => boolean): Promise<void>;
        readonly dropped: number;
      }
      : undefined;
    const counted = (r: SendResult): SendResult => radio ? { ...r, dropped: radio.dropped } : r;
    let n = 0;
    let start = 0;
    try {
      // a publisher waits for its subscriber, or the first messages would be dropped
      if (pattern === "pub-sub") await (s as unknown as { receive(): Promise<unknown> }).receive();
      // a RADIO waits for its DISH's JOIN (none over udp://), or it would drop the first ones
      if (radio) await radio.joined(() => aborted);
      start = performance.now();
      const until = o.durationMs === undefined ? Infinity : start + o.durationMs;
      let next = start + PROGRESS_MS;
      while (n < o.count && !aborted) {
        await s.send(body);
        n++;
        if ((n & (CHECK_EVERY - 1)) === 0) {
          const now = performance.now();
          if (now >= until) break;
          if (o.onProgress && now >= next) {
            o.onProgress(n, now - start);
            next = now + PROGRESS_MS;
          }
        }
      }
    } catch (e) {
      s.close();
      if (aborted) return partial();
      throw e;
    }
    if (aborted) return partial();
    await closeFlushed(s);
    return counted({ sent: n, elapsedUs: (performance.now() - start) * 1000 });

    function partial(): SendResult {
      return counted({
        sent: n,
        elapsedUs: start ? (performance.now() - start) * 1000 : 0,
        partial: true,
      });
    }
  };
  const abort = () => {
    aborted = true;
    s.close();
  };
  return { endpoint, events: s.events, run, abort };
}
