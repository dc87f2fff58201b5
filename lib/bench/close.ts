// SPDX-License-Identifier: MIT
/** Closing a benchmark socket once what it queued has been sent. */
import type { BenchSocket } from "./patterns.ts";

/** Closes `s` (with its linger) and resolves when it has shut down: queued messages sent. */
export async function closeFlushed(s: BenchSocket): Promise<void> {
  const events = s.events;
  s.close();
  for await (const e of events) if (e.type === "end") return;
}
