// SPDX-License-Identifier: MIT
/**
 * XPUB (RFC 29): a PUB whose application sees subscriptions as messages (`01`+topic,
 * `00`+topic), de-duplicated across peers unless `verbosity` says otherwise; with `manual`
 * the application applies them itself. Optional welcome message to each new subscriber.
 */
import type { Message, Pipe, PipeCommand } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { SubscriptionTrie } from "../routing/subscription_trie.ts";
import { ByteQueue } from "../util/byte_queue.ts";
import { Queue } from "../util/queue.ts";
import { DuplexSocket } from "./capabilities.ts";
import { commonOptionNames, type XPublisherOptions } from "./options.ts";
import { publish, subsOf } from "./pub.ts";

const enc = new TextEncoder();

export class XPublisher extends DuplexSocket {
  override readonly receivesSubscriptions = true;
  /** Messages a full subscriber missed. */
  dropped = 0;
  #fq = new FairQueue();
  /**
   * Subscription events for the application (`01`/`00` + topic), held compactly: a peer can
   * send a million before the application reads one. In manual mode, the peer each came from.
   */
  #events = new ByteQueue();
  #eventPipes = new Queue<Pipe | undefined>();
  /** How many peers hold each topic (a counted multiset, as compact as a peer's set). */
  #totals = new SubscriptionTrie();
  #lastPipe: Pipe | undefined;

  constructor(options?: XPublisherOptions) {
    super("XPUB", options, [
      ...commonOptionNames,
      "invertMatching",
      "noDrop",
      "verbosity",
      "manual",
      "welcomeMessage",
    ]);
  }

  /** Manual mode: apply a subscription for the peer whose event was read last. */
  subscribe(topic: string | Uint8Array): void {
    const t = typeof topic === "string" ? enc.encode(topic) : topic;
    const pipe = this.#lastPipe;
    if (pipe && !pipe.terminated && !subsOf(pipe).has(t)) {
      subsOf(pipe).add(t);
      this.#totals.add(t);
    }
  }

  /** Manual mode: remove a subscription for the peer whose event was read last. */
  unsubscribe(topic: string | Uint8Array): void {
    const t = typeof topic === "string" ? enc.encode(topic) : topic;
    const pipe = this.#lastPipe;
    if (pipe && !pipe.terminated && subsOf(pipe).remove(t)) this.#totals.remove(t);
  }

  protected xattach(pipe: Pipe): void {
    pipe.state = new SubscriptionTrie();
    this.#fq.attach(pipe);
  }

  protected override xready(pipe: Pipe): void {
    if (this.opts.welcomeMessage) pipe.write([this.opts.welcomeMessage]);
  }

  protected override xpeerGone(pipe: Pipe): void {
    this.#forget(pipe);
  }

  protected override xdetach(pipe: Pipe): void {
    this.#forget(pipe);
    this.#fq.detach(pipe);
    if (this.#lastPipe === pipe) this.#lastPipe = undefined;
  }

  /**
   * A peer's subscriptions are gone: topics left without subscribers are reported (in manual
   * mode, the subscriptions the application applied for it, as libzmq does).
   */
  #forget(pipe: Pipe): void {
    const subs = subsOf(pipe);
    pipe.state = new SubscriptionTrie(); // detached first: the walk below sees no change
    subs.forEach((topic, count) => {
      for (let i = 0; i < count; i++) this.#dropTotal(topic, false);
    });
  }

  #dropTotal(topic: Uint8Array, verboser: boolean): void {
    if (this.#totals.remove(topic) || verboser) this.#event(false, topic);
  }

  #event(subscribe: boolean, topic: Uint8Array, pipe?: Pipe): void {
    this.#events.push(subscribe ? 1 : 0, topic);
    this.#eventPipes.push(pipe);
    this.kick();
  }

  protected override xcommand(pipe: Pipe, cmd: PipeCommand): void {
    const subscribe = cmd.type === "subscribe";
    if (this.opts.manual) return this.#event(subscribe, cmd.topic, pipe);
    const verbosity = this.opts.verbosity;
    if (subscribe) {
      // a set per peer, as libzmq's mtrie: a repeated SUBSCRIBE adds nothing (verbose: reported)
      let first = false;
      if (!subsOf(pipe).has(cmd.topic)) {
        subsOf(pipe).add(cmd.topic);
        first = this.#totals.add(cmd.topic);
      }
      if (first || verbosity !== null) this.#event(true, cmd.topic);
    } else if (subsOf(pipe).has(cmd.topic)) {
      subsOf(pipe).remove(cmd.topic);
      this.#dropTotal(cmd.topic, verbosity === "allSubsUnsubs");
    }
  }

  protected override xsend(msg: Message): boolean {
    const r = publish(this.pipes, msg, this.opts.invertMatching, this.opts.noDrop);
    if (r === false) return false;
    this.dropped += r;
    return true;
  }

  protected override xrecv(): Message | undefined {
    const e = this.#events.shift();
    if (e === undefined) return this.#fq.recv();
    const pipe = this.#eventPipes.shift();
    // manual mode: subscribe()/unsubscribe() apply to the peer whose event was read last
    if (this.opts.manual) this.#lastPipe = pipe;
    return [e];
  }
}
