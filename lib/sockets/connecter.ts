// SPDX-License-Identifier: MIT
/**
 * The connecting side of one tcp/ipc endpoint: dials, hands each connection to a session,
 * and reconnects after connection or timeout failures (never after a protocol error), with
 * libzmq's interval, jitter and backoff rules.
 */
import type { CloseReason, ConnectionEngine } from "../engine/session.ts";
import type { SocketEvent } from "../events.ts";
import type { Connection } from "../transports/connection.ts";
import type { Endpoint } from "../transports/endpoint.ts";
import { dialEndpoint } from "../transports/stream.ts";

export interface ConnecterHost {
  reconnectInterval: number;
  reconnectMaxInterval: number;
  emit(event: SocketEvent): void;
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
    this.#session?.close();
    this.#session = undefined;
  }

  #dial(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    this.#host.emit({ type: "connect:delay", address: this.address });
    dialEndpoint(this.#ep).then((conn) => {
      if (this.#stopped) return conn.destroy();
      this.#host.emit({ type: "connect", address: this.address, remote: conn.remoteAddress });
      this.#session = this.#host.startSession(conn, (reason) => this.#gone(reason));
    }, (error: Error) => {
      if (this.#stopped) return;
      this.#host.emit({ type: "close", address: this.address, error });
      this.#retry();
    });
  }

  #gone(reason: CloseReason): void {
    this.#session = undefined;
    if (this.#stopped || reason.kind === "closed") return;
    if (reason.kind === "protocol") {
      // libzmq does not reconnect after a protocol error: the endpoint is given up
      this.#stopped = true;
      this.#host.abandoned();
      return;
    }
    if (reason.established) this.#backoff = 0;
    this.#retry();
  }

  #retry(): void {
    const ivl = this.#host.reconnectInterval;
    const max = this.#host.reconnectMaxInterval;
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
  }
}
