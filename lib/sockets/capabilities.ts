// SPDX-License-Identifier: MIT
/** Typed capabilities, as zeromq.js has them: a Publisher cannot receive, a Pull cannot send. */
import type { Message } from "../pipe.ts";
import type { MessageLike } from "./message.ts";
import { Socket } from "./socket.ts";

export abstract class WritableSocket extends Socket {
  /**
   * Queues a message (one frame or an array of frames). Resolves once queued; waits while the
   * socket's mute state blocks (ZMQ_SNDTIMEO → EAGAIN). Concurrent calls queue in order.
   */
  send(msg: MessageLike): Promise<void> {
    return this._send(msg);
  }
}

export abstract class ReadableSocket extends Socket {
  /** The next whole message, as an array of frames (ZMQ_RCVTIMEO → EAGAIN). */
  receive(): Promise<Message> {
    return this._receive();
  }

  [Symbol.asyncIterator](): AsyncGenerator<Message, void, undefined> {
    return this._iterate();
  }
}

export abstract class DuplexSocket extends Socket {
  send(msg: MessageLike): Promise<void> {
    return this._send(msg);
  }

  receive(): Promise<Message> {
    return this._receive();
  }

  [Symbol.asyncIterator](): AsyncGenerator<Message, void, undefined> {
    return this._iterate();
  }
}
