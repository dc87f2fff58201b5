// SPDX-License-Identifier: MIT
/**
 * What a socket type's core implements (the x* hooks, after libzmq's xsend/xrecv/xattach…),
 * called from one site each in socket_core.ts. Defaults are for types that do not need one.
 */
import { ZmqError } from "../errors.ts";
import type { Message, Pipe, PipeCommand, PipePeer } from "../pipe.ts";
import { SocketOptions } from "./socket_options.ts";

export abstract class SocketHooks extends SocketOptions {
  /** A pipe was created (connect side: before its handshake). */
  protected abstract xattach(pipe: Pipe): void;
  /** A handshake completed on the pipe (each reconnection too). */
  protected xready(_pipe: Pipe): void {}
  /** The pipe's connection dropped; the pipe lives on and will reconnect. */
  protected xpeerGone(_pipe: Pipe): void {}
  /** The pipe is gone for good. */
  protected abstract xdetach(pipe: Pipe): void;
  /** A reason to refuse this peer, or undefined. */
  protected xrefuse(_peer: PipePeer, _existing: Pipe | undefined): string | undefined {
    return undefined;
  }
  /** Queue a message; false when it must wait (mute state that blocks). May throw ZmqError. */
  protected xsend(_msg: Message): boolean {
    throw new ZmqError("ENOTSUP", `${this.type} sockets cannot send`);
  }
  /** The next message for the application, or undefined. May throw ZmqError. */
  protected xrecv(): Message | undefined {
    throw new ZmqError("ENOTSUP", `${this.type} sockets cannot receive`);
  }
  protected xcommand(_pipe: Pipe, _command: PipeCommand): void {}
}
