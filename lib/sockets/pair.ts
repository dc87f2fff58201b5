// SPDX-License-Identifier: MIT
/** PAIR (RFC 31): exactly one peer; further peers are refused. Blocks when the peer is full. */
import type { Message, Pipe, PipePeer } from "../pipe.ts";
import { DuplexSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import { optionNamesFor, type SocketOptions } from "./options.ts";

/** The engine of a PAIR socket: its routing, behind Pair. */
export class PairCore extends SocketCore {
  #pipe: Pipe | undefined;
  #leaving: Pipe | undefined;

  constructor(options?: SocketOptions) {
    super("PAIR", options, optionNamesFor("PAIR"));
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

/**
 * PAIR (RFC 31): one peer only, both ways; blocks while the peer is full. For signalling
 * between two stages of one program (inproc), as in the Guide.
 *
 * @example Two stages signalling over inproc
 * ```ts
 * import { Pair } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using a = new Pair();
 * await a.bind("inproc://pair-doc");
 * await using b = new Pair();
 * b.connect("inproc://pair-doc");
 * await b.send("READY");
 * assert.equal(new TextDecoder().decode((await a.receive())[0]), "READY");
 * ```
 */
export class Pair extends DuplexSocket {
  /** A new PAIR socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new PairCore(options));
  }
}
