// SPDX-License-Identifier: MIT
/**
 * A connection without ZMTP, for STREAM sockets: each chunk read is one message, each message
 * written is its frames' bytes back to back, an empty message closes the connection.
 */
import type { Message, Pipe, PipeCommand, PipeEngine } from "../pipe.ts";
import type { Connection } from "../transports/connection.ts";
import type { CloseReason, ConnectionEngine, SessionHost } from "./session_types.ts";
import { WriteHolds } from "./write_holds.ts";

const EMPTY = new Uint8Array(0);

export class RawSession implements PipeEngine, ConnectionEngine {
  readonly conn: Connection;
  pipe: Pipe | undefined;
  #host: SessionHost;
  #closed = false;
  #writable = true;
  #scheduled = false;
  #paused = false;
  #holds: WriteHolds;

  constructor(conn: Connection, host: SessionHost) {
    this.conn = conn;
    this.#host = host;
    this.#holds = new WriteHolds(conn);
    conn.onClose = (error) =>
      this.#gone({ kind: "connection", established: true, ...(error ? { error } : {}) });
    conn.onDrain = () => {
      this.#writable = true;
      this.outReady();
    };
  }

  start(): void {
    const pipe = this.#host.attach(this, {
      socketType: "",
      identity: EMPTY,
      metadata: [],
      zmtp31: true,
    });
    this.pipe = pipe;
    pipe.engine = this;
    this.#host.activated(this, pipe);
    if (pipe.hasOut()) this.outReady();
    // only now: the connection may replay data that arrived before a handler was set
    this.conn.onData = (chunk) => this.#onData(chunk);
  }

  #onData(chunk: Uint8Array): void {
    const pipe = this.pipe;
    if (!pipe || this.#closed) return;
    pipe.deliver([chunk]);
    if (!this.#paused && pipe.inFull()) {
      this.#paused = true;
      this.conn.pause();
    }
  }

  outReady(): void {
    if (this.#scheduled || !this.#writable || this.#closed) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#pump());
  }

  #pump(): void {
    this.#scheduled = false;
    const pipe = this.pipe;
    while (pipe && this.#writable && !this.#closed) {
      const msg: Message | undefined = pipe.takeOut();
      if (msg === undefined) return;
      if (msg.every((f) => f.length === 0)) return this.close();
      this.#holds.writing(msg);
      if (!this.conn.write(msg)) this.#writable = false;
    }
  }

  inDrained(): void {
    if (this.#paused && !this.#closed) {
      this.#paused = false;
      this.conn.resume();
    }
  }

  command(_command: PipeCommand): void {}

  close(): void {
    if (this.#closed) return;
    this.conn.end();
    this.#gone({ kind: "closed", established: true });
  }

  #gone(reason: CloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.pipe?.engine === this) this.pipe.engine = undefined;
    this.#host.detached(this, reason);
  }
}
