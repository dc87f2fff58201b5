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
import { SocketCore } from "./socket_core.ts";
import { socketCore } from "./socket.ts";
import {
  optionNamesFor,
  specificOptionNames,
  type TypeOptionProperties,
  type XPublisherOptions,
} from "./options.ts";
import { defineOptionProperties } from "./socket_options.ts";
import { publish, subsOf } from "./pub.ts";

const enc = new TextEncoder();

/** The options a XPUB has beyond the common ones, as typed properties (table: options.ts). */
export interface XPublisher extends TypeOptionProperties<"XPUB"> {}

/** The engine of a XPUB socket: its routing, behind XPublisher. */
export class XPublisherCore extends SocketCore {
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
    super("XPUB", options, optionNamesFor("XPUB"));
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

/**
 * XPUB (RFC 29): a PUB whose subscribers' subscriptions are received as messages (`01` +
 * topic to subscribe, `00` + topic to cancel), once per topic unless `verbosity` says
 * otherwise; with `manual`, the application decides what each subscriber gets.
 *
 * @example See a subscription arrive
 * ```ts
 * import { Subscriber, XPublisher } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using xpub = new XPublisher();
 * await xpub.bind("inproc://xpub-doc");
 * await using sub = new Subscriber();
 * sub.subscribe("A");
 * sub.connect("inproc://xpub-doc");
 * const [event] = await xpub.receive();
 * assert.deepEqual([...event!], [1, 65]); // 01 = subscribe, then the topic "A"
 * ```
 */
export class XPublisher extends DuplexSocket {
  /** A new XPUB socket; `options` as the properties of the same names. */
  constructor(options?: XPublisherOptions) {
    super(new XPublisherCore(options));
  }

  /** Messages a full subscriber missed. */
  get dropped(): number {
    return socketCore<XPublisherCore>(this).dropped;
  }

  /** With `manual`: subscribes the subscriber whose subscription was last received. */
  subscribe(topic: string | Uint8Array): void {
    socketCore<XPublisherCore>(this).subscribe(topic);
  }

  /** With `manual`: cancels a subscription of the subscriber last received from. */
  unsubscribe(topic: string | Uint8Array): void {
    socketCore<XPublisherCore>(this).unsubscribe(topic);
  }
}

defineOptionProperties(XPublisher, specificOptionNames("XPUB"));
