// SPDX-License-Identifier: MIT
/**
 * Small deadline helpers shared by the tests. Keep the API stable:
 *   withTimeout(promise, ms, what)      rejects with an Error naming `what` past `ms`
 *   waitForEvent(socket, type, ms?)     next socket event whose type is `type` (or one of)
 *   until(what, ok, ms?)                polls `ok` until it holds, rejects naming `what` past `ms`
 */
import type { SocketEvent } from "../../lib/internal.ts";

export type { SocketEvent };

/** Resolves/rejects like `p`, or rejects with `Error("timed out after Nms: what")`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms: ${what}`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * A `next()` left pending by a timed-out wait would swallow the following event, so it is
 * kept here per iterator and reused (and only then consumed) by the next wait.
 */
const pending = new WeakMap<object, Promise<IteratorResult<{ type: string }>>>();

/**
 * Reads `socket.events` until an event of `type` (a string or a list) arrives and returns
 * it; events of other types are skipped. Rejects if `ms` (default 5000) pass first, or the
 * event stream ends. Access `socket.events` before the awaited thing can happen.
 */
export async function waitForEvent(
  socket: { events: AsyncIterableIterator<{ type: string }> },
  type: string | string[],
  ms = 5000,
): Promise<SocketEvent> {
  const types = Array.isArray(type) ? type : [type];
  const it = socket.events;
  const seen: string[] = [];
  let cancelled = false;
  const loop = async (): Promise<SocketEvent> => {
    for (;;) {
      let p = pending.get(it);
      if (!p) pending.set(it, p = it.next());
      const r = await p;
      if (cancelled) throw new Error("cancelled"); // leave the result for the next wait
      pending.delete(it);
      if (r.done) throw new Error(`event stream ended waiting for ${types.join("|")}`);
      if (types.includes(r.value.type)) return r.value as SocketEvent;
      seen.push(r.value.type);
    }
  };
  const running = loop();
  running.catch(() => {});
  try {
    return await withTimeout(running, ms, `event ${types.join("|")}`);
  } catch (e) {
    cancelled = true;
    if (e instanceof Error && e.message.startsWith("timed out")) {
      e.message += ` (saw: ${seen.join(", ") || "nothing"})`;
    }
    throw e;
  }
}

/** Polls `ok` every 10 ms until it holds; rejects naming `what` past `ms` (default 10 s). */
export async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
