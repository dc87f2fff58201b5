// SPDX-License-Identifier: MIT
/**
 * PUB (RFC 29): fan-out to every subscriber whose subscriptions prefix the first frame.
 * A full subscriber misses the message (counted in `dropped`); PUB never blocks unless
 * `noDrop` is set.
 */
import type { Message, Pipe, PipeCommand } from "../pipe.ts";
import { SubscriptionTrie } from "../routing/subscription_trie.ts";
import { WritableSocket } from "./capabilities.ts";
import { commonOptionNames, type PublisherOptions } from "./options.ts";

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

export class Publisher extends WritableSocket {
  override readonly receivesSubscriptions = true;
  /** Messages a full subscriber missed. */
  dropped = 0;

  constructor(options?: PublisherOptions) {
    super("PUB", options, [...commonOptionNames, "invertMatching", "noDrop"]);
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
