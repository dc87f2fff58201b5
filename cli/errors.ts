// SPDX-License-Identifier: MIT
/**
 * Exit codes and the one-line error report. Every failure leaves the CLI as a single
 * `zmqkit: <what>` line on standard error and one of these codes; never a stack trace for a
 * user's mistake (set ZMQKIT_DEBUG=1 to see stacks of unexpected errors).
 */
import { ZmqError } from "../lib/internal.ts";

export const ExitCode = {
  OK: 0,
  /** Runtime failure: address in use, handshake refused, peer protocol error. */
  FAILURE: 1,
  /** Usage error: unknown type, bad endpoint, bad option, bad format, bad input, no request. */
  USAGE: 2,
  /** Nothing happened in time (--timeout, --linger). */
  TIMEOUT: 3,
  SIGINT: 130,
  SIGTERM: 143,
} as const;
export type ExitCode = typeof ExitCode[keyof typeof ExitCode];

/** An error the CLI reports as one line with a chosen exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** "Invalid endpoint" → "invalid endpoint", leaving acronyms ("JSON") alone: for mid-line use. */
export function lowerFirst(message: string): string {
  return /^[A-Z][a-z]/.test(message) ? message[0]!.toLowerCase() + message.slice(1) : message;
}

export function usage(message: string): CliError {
  return new CliError(ExitCode.USAGE, message);
}

/** ZmqError codes that mean the user asked for something impossible, not a runtime failure. */
const USAGE_CODES = new Set(["EINVAL", "EPROTONOSUPPORT", "ENOTSUP", "EFSM"]);

/** The exit code and the line for any error. */
export function describeError(e: unknown): { exitCode: number; message: string } {
  if (e instanceof CliError) return { exitCode: e.exitCode, message: e.message };
  if (e instanceof ZmqError) {
    if (e.code === "EAGAIN") return { exitCode: ExitCode.TIMEOUT, message: e.message };
    const exitCode = USAGE_CODES.has(e.code) ? ExitCode.USAGE : ExitCode.FAILURE;
    return { exitCode, message: `${e.message} (${e.code})` };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { exitCode: ExitCode.FAILURE, message };
}
