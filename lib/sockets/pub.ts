// SPDX-License-Identifier: MIT
/**
 * PUB (RFC 29): fan-out to every subscriber whose subscriptions prefix the first frame.
 * A full subscriber misses the message (counted in `dropped`); PUB never blocks unless
 * `noDrop` is set.
 */
import type { Message, Pipe, PipeCommand } from "../pipe.ts";
import { SubscriptionTrie } from "../routing/subscription_trie.ts";
import { WritableSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import { socketCore } from "./socket.ts";
import {
  optionNamesFor,
  type PublisherOptions,
  specificOptionNames,
  type TypeOptionProperties,
} from "./options.ts";
import { defineOptionProperties } from "./socket_options.ts";

/** Fan-out with per-pipe subscriptions, shared by PUB and XPUB. */
export function publish(
  pipes: Iterable<Pipe>,
  msg: Message,
  invert: boolean,
  noDrop: boolean,
): number | false {
  const topic = msg[0]!;
  if (noDrop) {
    for (const p of pipes) {
      if (p.peer && subsOf(p).matches(topic) !== invert && !p.canWrite()) return false;
    }
  }
  let dropped = 0;
  for (const p of pipes) {
    if (!p.peer || subsOf(p).matches(topic) === invert) continue;
    if (p.canWrite()) p.write(msg);
    else dropped++;
  }
  return dropped;
}

export function subsOf(pipe: Pipe): SubscriptionTrie {
  return (pipe.state ??= new SubscriptionTrie()) as SubscriptionTrie;
}

/** The options a PUB has beyond the common ones, as typed properties (table: options.ts). */
export interface Publisher extends TypeOptionProperties<"PUB"> {}

/** The engine of a PUB socket: its routing, behind Publisher. */
export class PublisherCore extends SocketCore {
  override readonly receivesSubscriptions = true;
  /** Messages a full subscriber missed. */
  dropped = 0;

  constructor(options?: PublisherOptions) {
    super("PUB", options, optionNamesFor("PUB"));
  }

  protected xattach(pipe: Pipe): void {
    pipe.state = new SubscriptionTrie();
  }

  protected override xpeerGone(pipe: Pipe): void {
    pipe.state = new SubscriptionTrie(); // the subscriber re-sends its set on reconnect
  }

  protected override xdetach(_pipe: Pipe): void {}

  protected override xcommand(pipe: Pipe, cmd: PipeCommand): void {
    // a set per peer, as libzmq's mtrie: a repeated SUBSCRIBE is a no-op, one CANCEL ends it
    if (cmd.type === "subscribe") {
      if (!subsOf(pipe).has(cmd.topic)) subsOf(pipe).add(cmd.topic);
    } else subsOf(pipe).remove(cmd.topic);
  }

  protected override xsend(msg: Message): boolean {
    const r = publish(this.pipes, msg, this.opts.invertMatching, this.opts.noDrop);
    if (r === false) return false;
    this.dropped += r;
    return true;
  }
}

/**
 * PUB (RFC 29): sends each message to every subscriber whose subscription prefixes its first
 * frame. A subscriber that is full misses the message (counted in `dropped`); `send()` never
 * waits unless `noDrop` is set.
 *
 * @example Publish to a subscriber of one topic
 * ```ts
 * import { Publisher, Subscriber } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using pub = new Publisher();
 * await pub.bind("inproc://pub-doc");
 * await using sub = new Subscriber();
 * sub.subscribe("weather");
 * sub.connect("inproc://pub-doc");
 * await pub.send(["sports", "1-0"]); // no subscriber for it: dropped
 * await pub.send(["weather", "sunny"]);
 * const [topic, body] = await sub.receive();
 * assert.equal(new TextDecoder().decode(topic), "weather");
 * assert.equal(new TextDecoder().decode(body), "sunny");
 * ```
 */
export class Publisher extends WritableSocket {
  /** A new PUB socket; `options` as the properties of the same names. */
  constructor(options?: PublisherOptions) {
    super(new PublisherCore(options));
  }

  /** Messages a full subscriber missed. */
  get dropped(): number {
    return socketCore<PublisherCore>(this).dropped;
  }
}

defineOptionProperties(Publisher, specificOptionNames("PUB"));
