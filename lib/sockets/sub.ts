// SPDX-License-Identifier: MIT
/**
 * SUB (RFC 29): subscribes at its publishers (SUBSCRIBE/CANCEL to 3.1 peers, `01`/`00`
 * messages to 3.0 peers), re-sends its subscriptions on every reconnection, and filters what
 * arrives against them as well.
 */
import type { Message, Pipe } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { SubscriptionTrie } from "../routing/subscription_trie.ts";
import { ReadableSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import { socketCore } from "./socket.ts";
import {
  optionNamesFor,
  specificOptionNames,
  type SubscriberOptions,
  type TypeOptionProperties,
} from "./options.ts";
import { defineOptionProperties } from "./socket_options.ts";

const enc = new TextEncoder();
const topicBytes = (t: string | Uint8Array): Uint8Array =>
  typeof t === "string" ? enc.encode(t) : t;

/** The options a SUB has beyond the common ones, as typed properties (table: options.ts). */
export interface Subscriber extends TypeOptionProperties<"SUB"> {}

/** The engine of a SUB socket: its routing, behind Subscriber. */
export class SubscriberCore extends SocketCore {
  #fq = new FairQueue();
  #subs = new SubscriptionTrie();

  constructor(options?: SubscriberOptions) {
    super("SUB", options, optionNamesFor("SUB"));
  }

  /** Subscribes to each prefix given; with none, to everything. Counted, like libzmq. */
  subscribe(...topics: Array<string | Uint8Array>): void {
    if (topics.length === 0) topics = [new Uint8Array(0)];
    for (const t of topics) {
      const topic = topicBytes(t);
      this.#subs.add(topic);
      for (const p of this.pipes) p.sendCommand({ type: "subscribe", topic });
    }
  }

  /** Drops one subscription to each prefix given; with none, the subscribe-to-all one. */
  unsubscribe(...topics: Array<string | Uint8Array>): void {
    if (topics.length === 0) topics = [new Uint8Array(0)];
    for (const t of topics) {
      const topic = topicBytes(t);
      // libzmq sends CANCEL only when the last reference goes (publishers hold a set per peer)
      if (!this.#subs.remove(topic)) continue;
      for (const p of this.pipes) p.sendCommand({ type: "cancel", topic });
    }
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

  protected override xrecv(): Message | undefined {
    for (;;) {
      const m = this.#fq.recv();
      if (m === undefined) return undefined;
      if (this.#subs.matches(m[0]!) !== this.opts.invertMatching) return m;
    }
  }
}

/**
 * SUB (RFC 29): receives what its publishers send under the topics it subscribed to (prefixes
 * of the first frame); subscriptions are sent again on every reconnection.
 *
 * @example Subscribe to everything
 * ```ts
 * import { Publisher, Subscriber } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using pub = new Publisher();
 * await pub.bind("inproc://sub-doc");
 * await using sub = new Subscriber();
 * sub.subscribe();
 * sub.connect("inproc://sub-doc");
 * await pub.send("tick");
 * assert.equal(new TextDecoder().decode((await sub.receive())[0]), "tick");
 * ```
 */
export class Subscriber extends ReadableSocket {
  /** A new SUB socket; `options` as the properties of the same names. */
  constructor(options?: SubscriberOptions) {
    super(new SubscriberCore(options));
  }

  /** Subscribes to each prefix given; with none, to everything. Counted, like libzmq. */
  subscribe(...topics: Array<string | Uint8Array>): void {
    socketCore<SubscriberCore>(this).subscribe(...topics);
  }

  /** Drops one subscription to each prefix given; with none, the subscribe-to-all one. */
  unsubscribe(...topics: Array<string | Uint8Array>): void {
    socketCore<SubscriberCore>(this).unsubscribe(...topics);
  }
}

defineOptionProperties(Subscriber, specificOptionNames("SUB"));
