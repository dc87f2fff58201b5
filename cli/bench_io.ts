// SPDX-License-Identifier: MIT
/**
 * How `zmqkit bench` runs a half and talks while it does: results on stdout, notes and a live
 * progress line on stderr, Ctrl-C turned into a partial result, timeouts and refused
 * handshakes turned into clear exits.
 */
import {
  formatRate,
  type Half,
  isTerminal,
  type SocketEvent,
  stderr,
  stdout,
} from "../lib/internal.ts";
import type { BenchFlags } from "./bench_options.ts";
import { type ConnectWatch, watchConnect } from "./connect_notice.ts";
import { CliError, ExitCode, lowerFirst } from "./errors.ts";
import { Interrupt } from "./interrupt.ts";

const enc = new TextEncoder();

export async function print(lines: string[]): Promise<void> {
  await stdout().write(enc.encode(lines.join("\n") + "\n"));
}

export function note(line: string): void {
  void stderr().write(enc.encode(line));
}

/** `(interrupted after 1234 messages)`: the mark of a partial result. */
export function interrupted(n: number, unit: string): string {
  return `(interrupted after ${n} ${unit})`;
}

/** A progress line on stderr, rewritten in place; only on a terminal and without --quiet. */
export function progress(f: BenchFlags, unit: string): {
  report: ((n: number, ms: number) => void) | undefined;
  clear: () => void;
} {
  if (f.quiet || !isTerminal(2)) return { report: undefined, clear: () => {} };
  let shown = false;
  return {
    report: (n, ms) => {
      shown = true;
      const rate = ms > 0 ? formatRate((n / ms) * 1000) : "-";
      void stderr().write(enc.encode(`\r\x1b[K${formatRate(n)} ${unit}, ${rate}/s`));
    },
    clear: () => {
      if (shown) void stderr().write(enc.encode("\r\x1b[K"));
    },
  };
}

/**
 * A send or receive that waited past -t/--timeout (EAGAIN) as exit 3, saying so: "no connection
 * to EP (connection refused)" when the connect never succeeded.
 */
export function timedOut(e: unknown, timeoutMs: number | undefined, watch?: ConnectWatch): unknown {
  if (timeoutMs === undefined || (e as { code?: unknown } | undefined)?.code !== "EAGAIN") return e;
  const waiting = watch?.waiting()[0];
  if (waiting !== undefined) {
    const why = waiting.reason === undefined ? "" : ` (${waiting.reason})`;
    return new CliError(
      ExitCode.TIMEOUT,
      `no connection to ${waiting.endpoint}${why} within ${timeoutMs} ms (-t/--timeout)`,
    );
  }
  const what = lowerFirst((e as Error).message).replace(/\.$/, "").replace(/ after \d+ ms$/, "");
  return new CliError(ExitCode.TIMEOUT, `${what} after ${timeoutMs} ms (-t/--timeout)`);
}

/**
 * Runs a command body with Ctrl-C (and SIGTERM) turned into `signal` aborts: the body prints
 * its partial result, then this ends with 130 (143).
 */
export async function interruptible(body: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const interrupt = new Interrupt();
  const controller = new AbortController();
  void interrupt.arrived.then(() => controller.abort());
  try {
    await body(controller.signal);
  } catch (e) {
    if (interrupt.signal) throw interrupt.error();
    throw e;
  } finally {
    interrupt.dispose();
  }
  if (interrupt.signal) throw interrupt.error();
}

/**
 * Runs `half` until done or `signal` aborts (then resolves with the partial result); a
 * connecting half reports a connect that takes long on stderr.
 */
export async function runHalf<R>(
  half: Half<R>,
  signal: AbortSignal,
  connect: string | undefined,
  timeoutMs: number | undefined,
): Promise<R> {
  const abort = () => half.abort();
  signal.addEventListener("abort", abort, { once: true });
  if (signal.aborted) half.abort();
  const watch = connect === undefined
    ? undefined
    : watchConnect(half, note, { endpoints: [connect] });
  // a refused handshake (security options that differ, a wrong key) ends the endpoint: say so
  let refused: string | undefined;
  const onRefused = (e: SocketEvent) => {
    if (e.address !== connect || refused !== undefined) return;
    refused = e.error?.message ?? e.type;
    half.abort();
  };
  half.events.on("handshake:error:protocol", onRefused);
  half.events.on("handshake:error:auth", onRefused);
  try {
    const r = await half.run();
    if (refused !== undefined) {
      throw new CliError(ExitCode.FAILURE, `handshake with ${connect} failed: ${refused}`);
    }
    // a sender whose messages only waited in its queue did not deliver them: not a success
    const waiting = signal.aborted ? undefined : watch?.waiting().find((w) => !w.ever);
    if (waiting !== undefined) {
      const why = waiting.reason === undefined ? "" : ` (${waiting.reason})`;
      throw new CliError(
        timeoutMs === undefined ? ExitCode.FAILURE : ExitCode.TIMEOUT,
        `no connection to ${waiting.endpoint}${why}: nothing was delivered`,
      );
    }
    return r;
  } catch (e) {
    throw timedOut(e, timeoutMs, watch);
  } finally {
    watch?.stop();
    half.events.off("handshake:error:protocol", onRefused);
    half.events.off("handshake:error:auth", onRefused);
    signal.removeEventListener("abort", abort);
  }
}
