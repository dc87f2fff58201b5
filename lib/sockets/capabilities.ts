// SPDX-License-Identifier: MIT
/** Typed capabilities, as zeromq.js has them: a Publisher cannot receive, a Pull cannot send. */
import type { Message } from "../pipe.ts";
import type { MessageLike } from "./message.ts";
import { Socket, socketCore } from "./socket.ts";

/**
 * A socket that sends (PUB, PUSH, and the duplex types through {@linkcode DuplexSocket}).
 *
 * @example Send to a peer that is not there yet: the message waits for it
 * ```ts
 * import { Pull, Push } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using push = new Push();
 * push.connect("inproc://capabilities-writable");
 * await push.send("queued until the peer binds");
 * await using pull = new Pull();
 * await pull.bind("inproc://capabilities-writable");
 * assert.equal((await pull.receive()).length, 1);
 * ```
 */
export abstract class WritableSocket extends Socket {
  /**
   * Queues a message (one frame or an array of frames: bytes, strings as UTF-8, null as an
   * empty frame). Resolves once queued; waits while the socket's mute state blocks
   * (sendTimeout → EAGAIN). Concurrent calls queue in order.
   */
  send(msg: MessageLike): Promise<void> {
    return socketCore(this)._send(msg);
  }

  /** Queues a message if that can be done right now; false when it would have to wait. */
  trySend(msg: Message): boolean {
    return socketCore(this).trySend(msg);
  }
}

/**
 * A socket that receives (SUB, PULL, and the duplex types through {@linkcode DuplexSocket}).
 *
 * @example Receive in a loop
 * ```ts
 * import { Pull, Push } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using pull = new Pull();
 * await pull.bind("inproc://capabilities-readable");
 * await using push = new Push();
 * push.connect("inproc://capabilities-readable");
 * for (const n of ["1", "2", "3"]) await push.send(n);
 * let sum = 0;
 * for await (const [frame] of pull) {
 *   sum += Number(new TextDecoder().decode(frame));
 *   if (sum === 6) break;
 * }
 * assert.equal(sum, 6);
 * ```
 */
export abstract class ReadableSocket extends Socket {
  /** The next whole message, as an array of frames (receiveTimeout → EAGAIN). */
  receive(): Promise<Message> {
    return socketCore(this)._receive();
  }

  /** A message if one is queued now, else undefined; never waits. */
  tryReceive(): Message | undefined {
    return socketCore(this).tryReceive();
  }

  /** Every message, until the socket is closed. */
  [Symbol.asyncIterator](): AsyncGenerator<Message, void, undefined> {
    return socketCore(this)._iterate();
  }
}

/**
 * A socket that sends and receives (PAIR, REQ, REP, DEALER, ROUTER, XPUB, XSUB, STREAM).
 *
 * @example A DEALER talking to a ROUTER
 * ```ts
 * import { Dealer, Router } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using router = new Router();
 * await router.bind("inproc://capabilities-duplex");
 * await using dealer = new Dealer({ routingId: "d1" });
 * dealer.connect("inproc://capabilities-duplex");
 * await dealer.send("ping");
 * const [id, body] = await router.receive();
 * await router.send([id!, "pong"]);
 * assert.equal(new TextDecoder().decode((await dealer.receive())[0]), "pong");
 * assert.equal(new TextDecoder().decode(body), "ping");
 * ```
 */
export abstract class DuplexSocket extends Socket {
  /** As {@linkcode WritableSocket.send}. */
  send(msg: MessageLike): Promise<void> {
    return socketCore(this)._send(msg);
  }

  /** As {@linkcode WritableSocket.trySend}. */
  trySend(msg: Message): boolean {
    return socketCore(this).trySend(msg);
  }

  /** As {@linkcode ReadableSocket.receive}. */
  receive(): Promise<Message> {
    return socketCore(this)._receive();
  }

  /** As {@linkcode ReadableSocket.tryReceive}. */
  tryReceive(): Message | undefined {
    return socketCore(this).tryReceive();
  }

  /** Every message, until the socket is closed. */
  [Symbol.asyncIterator](): AsyncGenerator<Message, void, undefined> {
    return socketCore(this)._iterate();
  }
}
