// SPDX-License-Identifier: MIT
/**
 * RADIO and DISH (RFC 48, draft): group messaging. A DISH joins groups (exact names of up to
 * 255 bytes), telling its RADIOs with JOIN/LEAVE commands and again on every reconnection; a
 * RADIO sends each message to the DISHes that joined its group. On the wire a RADIO message is
 * two frames, group then body; in the API it is one frame and a group.
 */
import { ZmqError } from "../errors.ts";
import type { SessionOptions } from "../engine/session_types.ts";
import type { Message, Pipe, PipeCommand } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { bytesKey } from "../util/bytes.ts";
import type { SlabPool } from "../util/slab_pool.ts";
import { GROUP_MAX_LENGTH, groupBytes, singleFrame } from "./draft.ts";
import type { MessageLike } from "./message.ts";
import {
  optionNamesFor,
  type RadioOptions,
  type SocketOptions,
  specificOptionNames,
  type TypeOptionProperties,
} from "./options.ts";
import { defineOptionProperties } from "./socket_options.ts";
import { Socket, socketCore } from "./socket.ts";
import { SocketCore } from "./socket_core.ts";
import { newUdpCounters, type UdpCounters } from "../transports/udp.ts";

export type { UdpCounters };

/** A udp:// pipe: no JOIN travels over UDP, so it gets every group (as libzmq's RADIO). */
const isUdp = (pipe: Pipe): boolean => pipe.endpoint.startsWith("udp://");

/**
 * The most groups one DISH connection may have joined at a RADIO; JOINs beyond are ignored
 * (counted in `ignoredJoins`), so a JOIN storm costs a bounded amount of memory per peer.
 */
export const MAX_GROUPS_PER_PEER = 10_000;

/** The group of a RADIO or DISH message (zeromq.js's group options). */
export interface GroupOptions {
  /** The group: a string (UTF-8) or bytes, at most 255 bytes. */
  group: string | Uint8Array;
}

/** The group of a message a DISH received. */
export interface ReceivedGroup {
  /** The group's bytes. */
  group: Uint8Array;
}

const groupsOf = (pipe: Pipe): Set<string> => pipe.state as Set<string>;

/** The engine of a RADIO socket: its routing, behind Radio. */
export class RadioCore extends SocketCore {
  /** Messages a full DISH missed. */
  dropped = 0;
  /** JOINs ignored because the peer had MAX_GROUPS_PER_PEER groups already. */
  ignoredJoins = 0;
  /** What its udp:// connects counted. */
  readonly udp: UdpCounters = newUdpCounters();

  constructor(options?: RadioOptions) {
    super("RADIO", options, optionNamesFor("RADIO"));
  }

  protected override udpTransport() {
    return { role: "connect" as const, peerType: "DISH", counters: this.udp };
  }

  /** Our sessions hand JOIN/LEAVE commands to the socket (no other type's do). */
  protected override sessionOptions(
    receivesSubscriptions: boolean,
    recycle: { pool: SlabPool | undefined },
  ): SessionOptions {
    return { ...super.sessionOptions(receivesSubscriptions, recycle), receivesJoins: true };
  }

  protected xattach(pipe: Pipe): void {
    pipe.state = new Set<string>();
  }

  protected override xpeerGone(pipe: Pipe): void {
    pipe.state = new Set<string>(); // the DISH joins again on reconnect
  }

  protected override xdetach(_pipe: Pipe): void {}

  protected override xcommand(pipe: Pipe, cmd: PipeCommand): void {
    const groups = groupsOf(pipe);
    const key = bytesKey(cmd.topic);
    if (cmd.type === "join") {
      if (groups.size >= MAX_GROUPS_PER_PEER && !groups.has(key)) this.ignoredJoins++;
      else groups.add(key);
    } else if (cmd.type === "leave") groups.delete(key);
  }

  /** A DISH sends nothing but JOIN/LEAVE: data from it is read and dropped (as libzmq). */
  override pipeReadable(pipe: Pipe): void {
    while (pipe.read() !== undefined) { /* dropped */ }
  }

  protected override xsend(msg: Message): boolean {
    if (msg.length !== 2 || msg[0]!.length > GROUP_MAX_LENGTH) {
      throw new ZmqError("EINVAL", "RADIO messages are a group and one frame");
    }
    const key = bytesKey(msg[0]!);
    const wanted = (p: Pipe) => Boolean(p.peer) && (groupsOf(p).has(key) || isUdp(p));
    if (this.opts.noDrop) { // wait (EAGAIN) while any DISH that wants it is full
      for (const p of this.pipes) if (wanted(p) && !p.canWrite()) return false;
    }
    for (const p of this.pipes) {
      if (!wanted(p)) continue;
      if (p.canWrite()) p.write(msg);
      else this.dropped++;
    }
    return true;
  }
}

/** The engine of a DISH socket: its routing, behind Dish. */
export class DishCore extends SocketCore {
  #fq = new FairQueue();
  #groups = new Map<string, Uint8Array>();
  /** Connections closed for sending something other than a group and a body. */
  malformed = 0;
  /** What its udp:// binds counted (malformed and overflowing datagrams among them). */
  readonly udp: UdpCounters = newUdpCounters();

  constructor(options?: SocketOptions) {
    super("DISH", options, optionNamesFor("DISH"), { linger: 0 });
  }

  protected override udpTransport() {
    return { role: "bind" as const, peerType: "RADIO", counters: this.udp };
  }

  join(groups: ReadonlyArray<string | Uint8Array>): void {
    for (const g of groups) {
      const group = groupBytes(g);
      const key = bytesKey(group);
      if (this.#groups.has(key)) {
        throw new ZmqError("EINVAL", `Already joined group "${key}"`);
      }
      this.#groups.set(key, group);
      for (const p of this.pipes) p.sendCommand({ type: "join", topic: group });
    }
  }

  leave(groups: ReadonlyArray<string | Uint8Array>): void {
    for (const g of groups) {
      const group = groupBytes(g);
      const key = bytesKey(group);
      if (!this.#groups.delete(key)) throw new ZmqError("EINVAL", `Not joined to group "${key}"`);
      for (const p of this.pipes) p.sendCommand({ type: "leave", topic: group });
    }
  }

  protected xattach(pipe: Pipe): void {
    this.#fq.attach(pipe);
  }

  protected override xready(pipe: Pipe): void {
    for (const group of this.#groups.values()) pipe.sendCommand({ type: "join", topic: group });
  }

  protected override xdetach(pipe: Pipe): void {
    this.#fq.detach(pipe);
  }

  protected override xrecv(): Message | undefined {
    for (;;) {
      const m = this.#fq.recv();
      if (m === undefined) return undefined;
      if (m.length !== 2 || m[0]!.length > GROUP_MAX_LENGTH) {
        // libzmq's DISH session fails on anything but group (MORE) + body: the connection goes
        this.malformed++;
        this.#fq.last?.engine?.close();
        continue;
      }
      if (this.#groups.has(bytesKey(m[0]!))) return m;
    }
  }
}

/** The options a RADIO has beyond the common ones (noDrop), as typed properties. */
export interface Radio extends TypeOptionProperties<"RADIO"> {}

/**
 * RADIO (RFC 48, draft): `send(body, { group })` delivers a one-frame message to every DISH
 * that joined the group (exact match, at most 255 bytes). A DISH that is full misses the
 * message (counted in `dropped`) and `send()` never waits — unless `noDrop` is set (libzmq's
 * ZMQ_XPUB_NODROP, which its RADIO honours too): then `send()` waits while a DISH that wants
 * the message, or a udp:// destination, is full. RADIO cannot receive.
 *
 * @example Broadcast to a group
 * ```ts
 * import { Dish, Radio } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using radio = new Radio();
 * await radio.bind("inproc://radio-doc");
 * await using dish = new Dish();
 * dish.join("weather");
 * dish.connect("inproc://radio-doc");
 * let got = dish.tryReceive();
 * while (got === undefined) { // until the JOIN has reached the RADIO
 *   await radio.send("1-0", { group: "sports" }); // nobody joined: dropped
 *   await radio.send("sunny", { group: "weather" });
 *   await new Promise((r) => setTimeout(r, 5));
 *   got = dish.tryReceive();
 * }
 * const [body, { group }] = got;
 * assert.equal(new TextDecoder().decode(group), "weather");
 * assert.equal(new TextDecoder().decode(body), "sunny");
 * ```
 */
export class Radio extends Socket {
  /** A new RADIO socket; `options` as the properties of the same names. */
  constructor(options?: RadioOptions) {
    super(new RadioCore(options));
  }

  /**
   * Sends a one-frame message to the DISHes that joined `group`. Rejects with EINVAL for more
   * than one frame or a group longer than 255 bytes.
   */
  send(msg: MessageLike, options: GroupOptions): Promise<void> {
    let frames: Message;
    try {
      frames = [groupBytes(options?.group), singleFrame(this.type, msg)];
    } catch (e) {
      return Promise.reject(e);
    }
    return socketCore(this)._send(frames);
  }

  /** As send(), at once; RADIO never waits, so this is true unless the socket is closed. */
  trySend(msg: MessageLike, options: GroupOptions): boolean {
    return socketCore(this).trySend([groupBytes(options?.group), singleFrame(this.type, msg)]);
  }

  /** Messages a full DISH missed. */
  get dropped(): number {
    return socketCore<RadioCore>(this).dropped;
  }

  /**
   * What its `udp://` connects counted: datagrams `sent`, messages not sent because over
   * 8192 bytes (`oversize`), and `sendErrors`. A copy.
   */
  get udpCounters(): UdpCounters {
    return { ...socketCore<RadioCore>(this).udp };
  }
}

defineOptionProperties(Radio, specificOptionNames("RADIO"));

/**
 * DISH (RFC 48, draft): receives `[body, { group }]` for the groups it joined, from its
 * RADIO peers. `join()` / `leave()` take one or more groups; joining a group twice or leaving
 * one not joined throws EINVAL. DISH cannot send; its linger defaults to 0, as libzmq's.
 *
 * @example Join, receive, leave
 * ```ts
 * import { Dish, Radio } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using dish = new Dish();
 * dish.join("a", "b");
 * await dish.bind("tcp://127.0.0.1:*");
 * await using radio = new Radio();
 * radio.connect(dish.lastEndpoint!);
 * let got = dish.tryReceive();
 * while (got === undefined) { // until the JOINs have reached the RADIO
 *   await radio.send("hi", { group: "b" });
 *   await new Promise((r) => setTimeout(r, 5));
 *   got = dish.tryReceive();
 * }
 * assert.equal(new TextDecoder().decode(got[1].group), "b");
 * dish.leave("a");
 * ```
 */
export class Dish extends Socket {
  /** A new DISH socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new DishCore(options));
  }

  /** Joins each group given (at most 255 bytes each); EINVAL if already joined. */
  join(...groups: Array<string | Uint8Array>): void {
    socketCore<DishCore>(this).join(groups);
  }

  /** Leaves each group given; EINVAL if not joined. */
  leave(...groups: Array<string | Uint8Array>): void {
    socketCore<DishCore>(this).leave(groups);
  }

  /**
   * What its `udp://` binds counted: datagrams `received`, dropped as `malformed` (empty, a
   * group length past the end, over 8192 bytes), dropped on a full queue (`overflow`). A copy.
   */
  get udpCounters(): UdpCounters {
    return { ...socketCore<DishCore>(this).udp };
  }

  /** The next message of a joined group, with its group. */
  async receive(): Promise<[Uint8Array, ReceivedGroup]> {
    return withGroup(await socketCore(this)._receive());
  }

  /** A message if one is queued now, else undefined; never waits. */
  tryReceive(): [Uint8Array, ReceivedGroup] | undefined {
    const m = socketCore(this).tryReceive();
    return m === undefined ? undefined : withGroup(m);
  }

  /** Every message with its group, until the socket is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<[Uint8Array, ReceivedGroup], void, undefined> {
    for await (const m of socketCore(this)._iterate()) yield withGroup(m);
  }
}

function withGroup(m: Message): [Uint8Array, ReceivedGroup] {
  return [m[1]!, { group: m[0]! }];
}
