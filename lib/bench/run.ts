// SPDX-License-Identifier: MIT
/** Both halves in this process, on a fresh loopback endpoint: `zmqkit bench run`. */
import { type LatOptions, type LatResult, openLatClient, openLatServer } from "./lat.ts";
import { openThrReceiver, openThrSender, type ThrOptions, type ThrResult } from "./thr.ts";

export type Transport = "tcp" | "ipc" | "inproc" | "ws" | "udp";

/** A fresh endpoint to bind for `transport` on this machine. */
export function loopbackEndpoint(transport: Transport): string {
  const tag = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  switch (transport) {
    case "tcp":
      return "tcp://127.0.0.1:*";
    case "ipc":
      return `ipc:///tmp/zmqkit-bench-${tag}.ipc`;
    case "inproc":
      return `inproc://zmqkit-bench-${tag}`;
    case "ws":
      return "ws://127.0.0.1:*";
    case "udp":
      return "udp://127.0.0.1:*";
  }
}

type Common = Omit<ThrOptions, "endpoint" | "bind">;

/** Stopping a run early: on `signal`'s abort, a run resolves with its partial result. */
/** Socket options for each half, e.g. a CURVE server and its client (zeromq.js names). */
export interface HalfOptions {
  /** The binding half's (the receiver, the echoing server). */
  bindOptions?: Record<string, unknown> | undefined;
  /** The connecting half's (the sender, the timing client). */
  connectOptions?: Record<string, unknown> | undefined;
}

export interface Abortable {
  signal?: AbortSignal | undefined;
}

/** Calls `abort` when `signal` aborts (at once if it has); returns the unsubscribe. */
function onAbort(signal: AbortSignal | undefined, abort: () => void): () => void {
  if (signal === undefined) return () => {};
  if (signal.aborted) {
    abort();
    return () => {};
  }
  signal.addEventListener("abort", abort, { once: true });
  return () => signal.removeEventListener("abort", abort);
}

/**
 * Receiver binds, sender connects (as local_thr/remote_thr); resolves with the receiver's
 * result (`partial` when `signal` aborted it).
 */
export async function runThr(
  transport: Transport,
  o: Common & Abortable & HalfOptions,
): Promise<ThrResult> {
  const rx = await openThrReceiver({
    ...o,
    endpoint: loopbackEndpoint(transport),
    bind: true,
    socketOptions: o.bindOptions,
  });
  let tx;
  try {
    // with a duration the receiver decides when to stop (its clock starts later)
    const timed = o.durationMs !== undefined;
    tx = await openThrSender({
      ...o,
      ...(timed ? { count: Infinity, durationMs: undefined } : {}),
      onProgress: undefined,
      endpoint: rx.endpoint,
      bind: false,
      socketOptions: o.connectOptions,
    });
  } catch (e) {
    rx.abort();
    throw e;
  }
  const sending = tx.run();
  sending.catch(() => {}); // an aborted sender's ETERM is expected
  const off = onAbort(o.signal, () => {
    rx.abort();
    tx!.abort();
  });
  try {
    const r = await rx.run();
    if (o.durationMs !== undefined || r.partial) tx.abort();
    else {
      const sent = await sending;
      // a lossy pattern: what was sent, for the loss (not with a duration: the sender goes on)
      if (r.lossy) {
        r.sent = sent.sent;
        if (sent.dropped !== undefined) r.dropped = sent.dropped;
      }
    }
    return r;
  } catch (e) {
    tx.abort();
    rx.abort();
    throw e;
  } finally {
    off();
  }
}

/**
 * Server binds, client connects (as local_lat/remote_lat); resolves with the client's result
 * (`partial` when `signal` aborted it).
 */
export async function runLat(
  transport: Transport,
  o: Omit<LatOptions, "endpoint" | "bind"> & Abortable & HalfOptions,
): Promise<LatResult> {
  const server = await openLatServer({
    ...o,
    endpoint: loopbackEndpoint(transport),
    bind: true,
    socketOptions: o.bindOptions,
  });
  let client;
  try {
    client = await openLatClient({
      ...o,
      endpoint: server.endpoint,
      bind: false,
      socketOptions: o.connectOptions,
    });
  } catch (e) {
    server.abort();
    throw e;
  }
  const serving = server.run();
  const off = onAbort(o.signal, () => {
    client!.abort();
    server.abort();
  });
  try {
    const r = await client.run();
    // with a duration, the server does not know the count: stop it
    if (r.roundTrips < o.count) server.abort();
    await serving;
    return r;
  } catch (e) {
    server.abort();
    client.abort();
    throw e;
  } finally {
    off();
  }
}
