// SPDX-License-Identifier: MIT
/**
 * One turn of the runtime's event loop with its I/O poll, as cheap as each runtime allows: the
 * forced yield of lib/util/yield_budget.ts.
 *
 * Bun and Node poll their sockets on every `setImmediate` turn (Node's check phase follows its
 * poll phase), so there an immediate is the turn: ~0.1 ms.
 *
 * Deno runs immediates and timers without polling its sockets: Tokio polls them only when the
 * runtime's thread has nothing ready (or every 61 scheduler ticks), so an accept waits behind
 * hundreds of immediates. A timer makes the thread park, but Deno's shortest timer takes ~2.2 ms,
 * all of it idle. So Deno rings a doorbell: one byte written on a loopback connection the process
 * keeps to itself, and read at the other end. The read can only complete once Tokio has polled
 * its sockets (a short read clears the cached readiness, so the byte is never taken eagerly), and
 * that poll serves every other socket too: ~0.1 ms a turn. The doorbell needs the net permission
 * for 127.0.0.1; without it (or if opening it fails) Deno's turn is a timer.
 */

import { macrotask } from "../../util/macrotask.ts";

interface DenoConn {
  write(p: Uint8Array): Promise<number>;
  read(p: Uint8Array): Promise<number | null>;
  setNoDelay?(on: boolean): void;
  close(): void;
  localAddr: { port?: number };
  remoteAddr: { port?: number };
}
interface DenoLike {
  permissions?: { querySync?(d: { name: string; host?: string }): { state: string } };
  listen(o: { hostname: string; port: number }): {
    addr: { port?: number };
    accept(): Promise<DenoConn>;
    close(): void;
  };
  connect(o: { hostname: string; port: number }): Promise<DenoConn>;
}

const D = (globalThis as { Deno?: DenoLike }).Deno;

type Ring = () => Promise<void>;
/** Deno's doorbell: undefined until tried, null when unavailable. */
let bell: Ring | null | undefined;
let opening = false;

/**
 * Gets the cheapest turn ready before one is needed (on Deno, opens the doorbell in the
 * background); the first turns taken before it is ready are timers. Cheap once done.
 */
export function prepareIoTurn(): void {
  if (D !== undefined && bell === undefined && !opening) void openBell(D);
}

/** Runs `fn` after a full turn of the event loop, its I/O poll included. */
export function ioTurn(fn: () => void): void {
  if (D === undefined) return macrotask(fn);
  if (bell) {
    bell().then(fn, () => {
      bell = null;
      setTimeout(fn, 0);
    });
    return;
  }
  prepareIoTurn();
  setTimeout(fn, 0);
}

const HOST = "127.0.0.1";

async function openBell(deno: DenoLike): Promise<void> {
  opening = true;
  try {
    // only where the permission is already there: never a prompt, never a refusal
    if (deno.permissions?.querySync?.({ name: "net", host: HOST }).state !== "granted") {
      bell = null;
      return;
    }
    const listener = deno.listen({ hostname: HOST, port: 0 });
    let a: DenoConn | undefined;
    let b: DenoConn | undefined;
    try {
      [a, b] = await Promise.all([
        deno.connect({ hostname: HOST, port: listener.addr.port ?? 0 }),
        listener.accept(),
      ]);
    } finally {
      listener.close();
    }
    // another local process could have connected first: then the pair is not ours
    if (a.localAddr.port !== b.remoteAddr.port) {
      a.close();
      b.close();
      bell = null;
      return;
    }
    a.setNoDelay?.(true);
    bell = ringer(a, b);
  } catch {
    bell = null;
  } finally {
    opening = false;
  }
}

function ringer(a: DenoConn, b: DenoConn): Ring {
  const one = new Uint8Array(1);
  // larger than one byte, so that each read is short and clears Tokio's cached readiness
  const sink = new Uint8Array(16);
  return async () => {
    await a.write(one);
    if (await b.read(sink) === null) throw new Error("doorbell closed");
  };
}
