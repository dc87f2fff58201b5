// SPDX-License-Identifier: MIT
/**
 * Small helpers for the socket-semantics tests: endpoints per transport, bounded waits,
 * an event recorder, frame text helpers and error-code assertions. No fixed sleeps: every
 * wait is for a message, an event or a condition, under an overall deadline.
 */
import assert from "node:assert/strict";
import { type Socket, ZmqError } from "../../mod.ts";
import { socketCore } from "../../lib/internal.ts";
import type { SocketEvent } from "../../mod.ts";
import { withTimeout as sharedWithTimeout } from "../_helpers/wait.ts";

export type Transport = "tcp" | "ipc" | "inproc";
export const TRANSPORTS: readonly Transport[] = ["tcp", "ipc", "inproc"];
/** Transports with real connections (reconnects, heartbeats, raw peers). */
export const STREAM_TRANSPORTS: readonly Transport[] = ["tcp", "ipc"];

let counter = 0;
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** A fresh bind endpoint for the transport (tcp: port *, ipc: unique path under /tmp). */
export function bindAddress(t: Transport): string {
  const id = `${runId}-${++counter}`;
  if (t === "tcp") return "tcp://127.0.0.1:*";
  if (t === "ipc") return `ipc:///tmp/zmqkit-sem-${id}.sock`;
  return `inproc://sem-${id}`;
}

/** Rejects with a clear message if `p` does not settle within `ms` (the shared helper). */
export function withTimeout<T>(p: Promise<T>, ms = 5000, what = "operation"): Promise<T> {
  return sharedWithTimeout(p, ms, what);
}

/** Resolves after `ms`; only for giving a background loop a turn, never as an oracle. */
export function tick(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every few ms until true; fails after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await tick(5);
  }
}

interface EventSource {
  readonly events: AsyncIterableIterator<SocketEvent>;
}

/** Records a socket's events from now on and lets tests wait for them. */
export class EventLog {
  readonly events: SocketEvent[] = [];
  #waiters: Array<() => void> = [];

  constructor(socket: EventSource) {
    const it = socket.events;
    void (async () => {
      for await (const e of it) {
        this.events.push(e);
        for (const w of this.#waiters.splice(0)) w();
      }
    })();
  }

  count(type: string): number {
    return this.events.filter((e) => e.type === type).length;
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  /** Waits until at least `n` events of `type` were recorded; returns the n-th. */
  async waitFor(type: string, n = 1, ms = 5000): Promise<SocketEvent> {
    const end = Date.now() + ms;
    for (;;) {
      const matching = this.events.filter((e) => e.type === type);
      if (matching.length >= n) return matching[n - 1]!;
      const left = end - Date.now();
      if (left <= 0) {
        throw new Error(
          `event "${type}" #${n} not seen within ${ms} ms; saw ${this.types().join(", ")}`,
        );
      }
      await withTimeout(new Promise<void>((r) => this.#waiters.push(r)), left, `event "${type}"`)
        .catch(() => {});
    }
  }
}

const dec = new TextDecoder();
/** Frames as strings. */
export const texts = (frames: Uint8Array[]): string[] => frames.map((f) => dec.decode(f));
export const text = (frame: Uint8Array | undefined): string =>
  dec.decode(frame ?? new Uint8Array(0));
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Asserts that `p` rejects with a ZmqError of the given code. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ZmqError, `expected a ZmqError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

interface Closable {
  close(): void;
}

/** Closes every socket given (ignoring ones already closed). */
export function closeAll(...sockets: Array<Closable | undefined>): void {
  for (const s of sockets) s?.close();
}

/** A free TCP port on 127.0.0.1 (nothing listens there once this resolves). */
export async function freeTcpEndpoint(): Promise<string> {
  const net = await import("node:net");
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen({ host: "127.0.0.1", port: 0 }, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(`tcp://127.0.0.1:${port}`));
    });
  });
}

/**
 * Messages queued inside a socket's inbound pipes (white-box, for fairness tests that must
 * know everything has arrived before reading).
 */
export function queuedInbound(socket: Socket): number {
  const pipes = socketCore(socket).pipes;
  let n = 0;
  for (const p of pipes) n += p.inLength;
  return n;
}

interface Sender {
  send(msg: Uint8Array | string | Array<Uint8Array | string>): Promise<void>;
  sendTimeout: number;
}

/**
 * Sends `make(i)` until a send fails with EAGAIN under a short sendTimeout (the peer is full
 * or gone); returns how many were accepted. The socket's sendTimeout is restored afterwards.
 */
export async function fillUntilEagain(
  sock: Sender,
  make: (i: number) => Uint8Array | string | Array<Uint8Array | string>,
  max = 100_000,
  timeout = 100,
): Promise<number> {
  const saved = sock.sendTimeout;
  sock.sendTimeout = timeout;
  try {
    for (let i = 0; i < max; i++) {
      try {
        await sock.send(make(i));
      } catch (e) {
        if (e instanceof ZmqError && e.code === "EAGAIN") return i;
        throw e;
      }
    }
    throw new Error(`still accepting after ${max} messages`);
  } finally {
    sock.sendTimeout = saved;
  }
}
