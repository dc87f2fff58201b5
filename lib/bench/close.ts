// SPDX-License-Identifier: MIT
/** Opening a benchmark socket on its endpoint, and closing it once what it queued was sent. */
import type { BenchSocket } from "./patterns.ts";

/** Closes `s` (with its linger) and resolves when it has shut down: queued messages sent. */
export async function closeFlushed(s: BenchSocket): Promise<void> {
  const events = s.events;
  s.close();
  for await (const e of events) if (e.type === "end") return;
}

/** Binds or connects `s`; returns the endpoint in use (resolved for a bind). Closes `s` on failure. */
export async function attachEndpoint(
  s: BenchSocket,
  o: { bind?: boolean; endpoint: string },
): Promise<string> {
  try {
    if (o.bind) {
      await s.bind(o.endpoint);
      return s.lastEndpoint ?? o.endpoint;
    }
    s.connect(o.endpoint);
    return o.endpoint;
  } catch (e) {
    s.close();
    throw e;
  }
}
