// SPDX-License-Identifier: MIT
/**
 * XSUB (RFC 29): subscriptions are messages the application sends (`01`+topic, `00`+topic);
 * they and any other message go to every publisher. Nothing received is filtered. Never
 * blocks: a full publisher misses the message.
 */
import type { Message, Pipe } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { SubscriptionTrie } from "../routing/subscription_trie.ts";
import { DuplexSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import { optionNamesFor, type SocketOptions } from "./options.ts";

/** The engine of a XSUB socket: its routing, behind XSubscriber. */
export class XSubscriberCore extends SocketCore {
  #fq = new FairQueue();
  #subs = new SubscriptionTrie();

  constructor(options?: SocketOptions) {
    super("XSUB", options, optionNamesFor("XSUB"));
  }

  protected xattach(pipe: Pipe): void {
    this.#fq.attach(pipe);
  }

  protected override xready(pipe: Pipe): void {
    for (const [topic] of this.#subs.entries()) pipe.sendCommand({ type: "subscribe", topic });
  }

  protected override xdetach(pipe: Pipe): void {
    this.#fq.detach(pipe);
  }

  protected override xsend(msg: Message): boolean {
    const first = msg[0]!;
    if (first.length > 0 && first[0] === 1) this.#subs.add(first.subarray(1));
    else if (first.length > 0 && first[0] === 0) {
      // forwarded only when its last reference goes: not for unknown or still-counted topics (libzmq)
      if (!this.#subs.remove(first.subarray(1))) return true;
    }
    // data also queues on pipes still connecting (as libzmq's pending pipes); a subscription
    // does not, since every handshake replays the whole set
    const subscription = first.length > 0 && first[0]! <= 1;
    for (const p of this.pipes) if ((p.peer || !subscription) && p.canWrite()) p.write(msg);
    return true;
  }

  protected override xrecv(): Message | undefined {
    return this.#fq.recv();
  }
}

/**
 * XSUB (RFC 29): a SUB whose subscriptions are messages the application sends (`01` + topic
 * to subscribe, `00` + topic to cancel); everything received is handed up unfiltered. The
 * subscriber side of a pub-sub proxy.
 *
 * @example Subscribe by sending
 * ```ts
 * import { Publisher, XSubscriber } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using pub = new Publisher();
 * await pub.bind("inproc://xsub-doc");
 * await using xsub = new XSubscriber();
 * xsub.connect("inproc://xsub-doc");
 * await xsub.send(new Uint8Array([1])); // subscribe to everything
 * await new Promise((r) => setTimeout(r, 10));
 * await pub.send("news");
 * assert.equal(new TextDecoder().decode((await xsub.receive())[0]), "news");
 * ```
 */
export class XSubscriber extends DuplexSocket {
  /** A new XSUB socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new XSubscriberCore(options));
  }
}
