// SPDX-License-Identifier: MIT
/**
 * linger -1 keeps a closed socket, and the process, alive until its queued messages are sent:
 * for ever if their peer never comes, as libzmq's term. zeromq.js users meet that as a hang on
 * exit, so if messages are still queued {@linkcode LINGER_WARN_MS} after close(), it is said
 * once per process (`ZMQKIT_LINGER`), naming the option.
 */
import type { Pipe } from "../pipe.ts";
import { unrefTimer } from "../transports/runtime/keep_alive.ts";
import { warnOnce } from "../transports/runtime/warn.ts";

/** How long after close() a socket with linger -1 may still hold messages before a warning. */
export const LINGER_WARN_MS = 1000;

/**
 * After LINGER_WARN_MS, warns if `lingering()` still says the closed socket is delivering and
 * its `pipes` still hold messages. The timer does not keep the process alive by itself.
 */
export function warnIfStillQueued(
  type: string,
  pipes: Iterable<Pipe>,
  lingering: () => boolean,
): void {
  const t = setTimeout(() => {
    if (!lingering()) return;
    let n = 0;
    const to = new Set<string>();
    for (const p of pipes) {
      if (!p.hasOut()) continue;
      n += p.outLength;
      to.add(p.endpoint);
    }
    if (n === 0) return;
    warnOnce(
      "ZMQKIT_LINGER",
      `a closed ${type} socket still holds ${n} unsent message(s) for ${[...to].join(", ")} ` +
        `and keeps the process alive: its linger is -1 (until sent). Set socket.linger = 0 ` +
        `(or a limit in ms) before close() to let them go.`,
    );
  }, LINGER_WARN_MS);
  unrefTimer(t);
}
