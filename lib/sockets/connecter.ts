// SPDX-License-Identifier: MIT
/**
 * The connecting side of one tcp/ipc endpoint: dials, hands each connection to a session,
 * and reconnects after connection or timeout failures (never after a protocol error or a refused authentication), with
 * libzmq's interval, jitter and backoff rules. A TCP dial not done within connectTimeout is
 * abandoned (cancelled where the runtime can, closed if it completes later) and counts as a
 * failed attempt. The options are read at each attempt, so changes apply to the next one.
 */
import type { CloseReason, ConnectionEngine } from "../engine/session_types.ts";
import { ZmqError } from "../errors.ts";
import type { EngineEvent } from "../events.ts";
import type { Connection } from "../transports/connection.ts";
import type { Endpoint } from "../transports/endpoint.ts";
import { unrefTimer } from "../transports/runtime/keep_alive.ts";
import { dialEndpoint } from "../transports/stream.ts";
import type { ResolvedOptions } from "./options.ts";

/** Dials an endpoint; `signal`, when given, cancels the dial in progress. */
export type Dialer = (ep: Endpoint, signal: AbortSignal | undefined) => Promise<Connection>;

export interface ConnecterHost {
  /** The socket's options, live (read at each attempt). */
  readonly opts: Pick<
    ResolvedOptions,
    "reconnectInterval" | "reconnectMaxInterval" | "connectTimeout"
  >;
  /** How to dial (tests inject a slow one); dialEndpoint by default. */
  readonly dial?: Dialer | undefined;
  emit(event: EngineEvent): void;
  /** Starts a session on a new connection; `gone` is called when it ends. */
  startSession(conn: Connection, gone: (reason: CloseReason) => void): ConnectionEngine;
  /** The endpoint is given up (protocol error): release what belongs to it. */
  abandoned(): void;
}

export class Connecter {
  readonly address: string;
  #ep: Endpoint;
  #host: ConnecterHost;
  #stopped = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #session: ConnectionEngine | undefined;
  #backoff = 0;
  /** The dial in flight: cancels it and its connectTimeout timer. */
  #attempt: (() => void) | undefined;

  constructor(address: string, ep: Endpoint, host: ConnecterHost) {
    this.address = address;
    this.#ep = ep;
    this.#host = host;
  }

  start(): void {
    this.#dial();
  }

  get session(): ConnectionEngine | undefined {
    return this.#session;
  }

  /** Stop for good (disconnect or close); closes the live connection, if any. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#attempt?.();
    this.#session?.close();
    this.#session = undefined;
  }

  #dial(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    this.#host.emit({ type: "connect:delay", address: this.address });
    const abort = new AbortController();
    let settled = false;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      if (deadline !== undefined) clearTimeout(deadline);
      this.#attempt = undefined;
      return true;
    };
    this.#attempt = () => {
      if (settle()) abort.abort();
    };
    const timeout = this.#host.opts.connectTimeout;
    if (timeout > 0 && (this.#ep.transport === "tcp" || this.#ep.transport === "ws")) {
      deadline = setTimeout(() => {
        if (!settle()) return;
        abort.abort(); // cancels the dial; should it complete anyway, it is closed below
        this.#failed(
          new ZmqError("ETIMEDOUT", `Connect to "${this.address}" timed out after ${timeout} ms`, {
            address: this.address,
          }),
        );
      }, timeout);
      unrefTimer(deadline);
    }
    // a signal only with a deadline: on Bun it means a slower, cancellable dial (sockets.ts)
    const signal = deadline === undefined ? undefined : abort.signal;
    (this.#host.dial ?? dialEndpoint)(this.#ep, signal).then((conn) => {
      if (!settle() || this.#stopped) return conn.destroy(); // abandoned: too late
      this.#host.emit({ type: "connect", address: this.address, remote: conn.remoteAddress });
      this.#session = this.#host.startSession(conn, (reason) => this.#gone(reason));
    }, (error: Error) => {
      if (settle() && !this.#stopped) this.#failed(error);
    });
  }

  #failed(error: Error): void {
    this.#host.emit({ type: "close", address: this.address, error });
    this.#retry();
  }

  #gone(reason: CloseReason): void {
    this.#session = undefined;
    if (this.#stopped || reason.kind === "closed") return;
    if (reason.kind === "protocol" || reason.kind === "auth") {
      // libzmq does not reconnect after a protocol error: the endpoint is given up
      this.#stopped = true;
      this.#host.abandoned();
      return;
    }
    if (reason.established) this.#backoff = 0;
    this.#retry();
  }

  #retry(): void {
    const ivl = this.#host.opts.reconnectInterval;
    const max = this.#host.opts.reconnectMaxInterval;
    if (ivl <= 0) {
      this.#stopped = true;
      return;
    }
    let delay: number;
    if (max > 0) {
      delay = Math.min(this.#backoff === 0 ? ivl : this.#backoff * 2, Math.max(max, ivl));
      this.#backoff = delay;
    } else {
      delay = ivl + Math.floor(Math.random() * ivl);
    }
    this.#host.emit({ type: "connect:retry", address: this.address, interval: delay });
    this.#timer = setTimeout(() => this.#dial(), delay);
    unrefTimer(this.#timer);
  }
}
