// SPDX-License-Identifier: MIT
/**
 * Watches a socket's events: prints them for `-v` / `--events-json`, tells the run when a
 * peer completed its handshake and when the socket has ended, and turns a protocol failure on
 * an endpoint we connected to (handshake refused, frame over maxMessageSize) into a fatal
 * error: the library gives such an endpoint up, so nothing more would happen. On a bound
 * endpoint only that peer is dropped, which is reported and survived.
 */
import type { Socket, SocketEvent } from "../../mod.ts";
import { CliError, ExitCode } from "../errors.ts";

/** Events shown at -v; the rest (connect:delay, connect:retry, end) need -vv. */
const NOTABLE = new Set([
  "bind",
  "bind:error",
  "accept",
  "accept:error",
  "connect",
  "handshake",
  "disconnect",
  "close",
  "close:error",
  "handshake:error:protocol",
  "handshake:error:auth",
  "handshake:error:other",
]);

export interface MonitorOptions {
  verbose: number;
  eventsJson: boolean;
  connects: readonly string[];
  /** Writes one line to standard error (without the `zmqkit: ` prefix when `bare`). */
  log: (line: string, bare?: boolean) => void;
  /** Called once with a fatal error. */
  fatal: (error: CliError) => void;
}

function isProtocolError(e: SocketEvent): boolean {
  return typeof e.error?.code === "string" && e.error.code.startsWith("ERR_Z");
}

export function eventLine(e: SocketEvent): string {
  let s = `${e.type} ${e.address}`;
  if (e.remote) s += ` peer=${e.remote}`;
  if (e.interval !== undefined) s += ` retry-in=${e.interval}ms`;
  if (e.error) s += ` error=${e.error.code ? `${e.error.code}: ` : ""}${e.error.message}`;
  return s;
}

export function eventJson(e: SocketEvent): string {
  const o: Record<string, unknown> = {
    time: new Date().toISOString(),
    event: e.type,
    address: e.address,
  };
  if (e.remote !== undefined) o.remote = e.remote;
  if (e.interval !== undefined) o.interval = e.interval;
  if (e.error) o.error = { code: e.error.code ?? null, message: e.error.message };
  return JSON.stringify(o);
}

export class Monitor {
  /** Resolves at the first completed handshake. */
  readonly handshake: Promise<void>;
  /** Resolves when the socket has shut down (after close and linger). */
  readonly ended: Promise<void>;
  #onHandshake!: () => void;
  #o: MonitorOptions;

  constructor(socket: Socket, o: MonitorOptions) {
    this.#o = o;
    this.handshake = new Promise((r) => this.#onHandshake = r);
    const events = socket.events; // recorded from here on: before any bind or connect
    this.ended = (async () => {
      for await (const e of events) this.#see(e);
    })();
  }

  #see(e: SocketEvent): void {
    const o = this.#o;
    if (e.type === "handshake") this.#onHandshake();
    if (o.eventsJson) o.log(eventJson(e), true);
    else if (o.verbose >= 2 || (o.verbose >= 1 && NOTABLE.has(e.type))) o.log(eventLine(e));
    // a refused authentication ends the endpoint as a protocol error does: no reconnect
    const protocol = e.type === "handshake:error:protocol" || e.type === "handshake:error:auth" ||
      (e.type === "disconnect" && isProtocolError(e));
    if (!protocol) return;
    const why = e.error?.message ?? "protocol error";
    if (o.connects.includes(e.address)) {
      const what = e.type === "disconnect" ? "connection to" : "handshake with";
      o.fatal(new CliError(ExitCode.FAILURE, `${what} ${e.address} failed: ${why}`));
    } else if (!o.eventsJson && o.verbose === 0) {
      const peer = e.remote ? ` (${e.remote})` : "";
      o.log(`dropped a peer of ${e.address}${peer}: ${why}`);
    }
  }
}
