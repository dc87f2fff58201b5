// SPDX-License-Identifier: MIT
/**
 * Ports for a test to hand to another process (an example, the CLI) that will bind them.
 * Not one the OS picks for port 0: those come from the ephemeral range (32768–60999 on
 * Linux), the range outgoing connections also take their local ports from, so with test files
 * running side by side such a port is often taken again before the other process binds it.
 * Instead a random port below that range, checked free by listening on it for a moment, and
 * never handed out twice by this process.
 */
import { createServer } from "node:net";

const LOW = 20_000;
const HIGH = 32_767;
const given = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A tcp port on 127.0.0.1 that nothing listens on now, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (given.has(port)) continue;
    if (await canListen(port)) {
      given.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${LOW}-${HIGH}`);
}
