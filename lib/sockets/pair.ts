// SPDX-License-Identifier: MIT
/** PAIR (RFC 31): exactly one peer; further peers are refused. Blocks when the peer is full. */
import type { Message, Pipe, PipePeer } from "../pipe.ts";
import { DuplexSocket } from "./capabilities.ts";
import { commonOptionNames, type SocketOptions } from "./options.ts";

export class Pair extends DuplexSocket {
  #pipe: Pipe | undefined;
  #leaving: Pipe | undefined;

  constructor(options?: SocketOptions) {
    super("PAIR", options, commonOptionNames);
  }

  protected xattach(pipe: Pipe): void {
    this.#pipe ??= pipe;
  }

  protected override xrefuse(_peer: PipePeer, existing: Pipe | undefined): string | undefined {
    const p = this.#pipe;
    if (p !== undefined && p !== existing && (p.engine !== undefined || existing !== undefined)) {
      return "PAIR socket already has a peer";
    }
    return undefined;
  }

  protected override xready(pipe: Pipe): void {
    this.#pipe = pipe;
  }

  protected override xdetach(pipe: Pipe): void {
    if (this.#pipe !== pipe) return;
    this.#pipe = undefined;
    if (pipe.hasIn()) this.#leaving = pipe; // what the peer sent before leaving is still read
  }

  protected override xsend(msg: Message): boolean {
    const p = this.#pipe;
    if (p === undefined || !p.canWrite()) return false;
    p.write(msg);
    return true;
  }

  protected override xrecv(): Message | undefined {
    if (this.#leaving) {
      const m = this.#leaving.read();
      if (m !== undefined) return m;
      this.#leaving = undefined;
    }
    return this.#pipe?.read();
  }
}
