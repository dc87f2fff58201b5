// SPDX-License-Identifier: MIT
/**
 * The first SIGINT or SIGTERM of a long-running command, caught from the moment the command
 * starts: a signal that arrives while its sockets are still being bound must end it with
 * 130/143 like one that arrives later (in a background job of a non-interactive shell SIGINT
 * starts out ignored, so a signal before the handler is installed would be lost).
 */
import { onSignals, type SignalName } from "../lib/internal.ts";
import { CliError, ExitCode } from "./errors.ts";

export class Interrupt {
  /** The first signal, once one has arrived. */
  signal: SignalName | undefined;
  /** Settles with the first signal. */
  readonly arrived: Promise<SignalName>;
  readonly #off: () => void;

  constructor() {
    let resolve!: (s: SignalName) => void;
    this.arrived = new Promise((r) => resolve = r);
    this.#off = onSignals((s) => {
      if (this.signal) return; // a second signal: the first is already ending the command
      this.signal = s;
      resolve(s);
    });
  }

  /** The exit for the signal that arrived (130 or 143), with no message. */
  error(): CliError {
    return new CliError(this.signal === "SIGINT" ? ExitCode.SIGINT : ExitCode.SIGTERM, "");
  }

  /** Removes the handlers. */
  dispose(): void {
    this.#off();
  }
}
