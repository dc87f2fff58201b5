// SPDX-License-Identifier: MIT
/**
 * The Clone server (the Guide, chapter 5, models five and six; the Clustered Hashmap Protocol,
 * https://rfc.zeromq.org/spec/12/): one copy of a key-value map, kept for many clients.
 *
 * Three sockets, at ports P, P+1 and P+2 by CHP's convention:
 *   snapshot  ROUTER  ["ICANHAZ?"][subtree] → one kvmsg per key under the subtree (KVSYNC),
 *                     then ["KTHXBAI", the current sequence, "", "", subtree]
 *   publisher PUB     every change (KVPUB), numbered 1, 2, 3…; ["HUGZ", sequence, "", "", ""]
 *                     once a heartbeat while the server is active
 *   collector SUB     the clients' changes (KVSET: any sequence, a UUID, properties, value)
 *             or PULL (the Guide's model five)
 * An empty value deletes its key; a `ttl` property (seconds) makes the value expire, the
 * deletion then published as a change of its own.
 *
 * For a Binary Star pair (model six) a server can stand by (passive): it follows the active
 * peer as a client would (a snapshot, then the peer's published changes) and holds the
 * changes its own clients send until the peer has published them too, matched by UUID; when
 * it takes over (`activate()`), what it still holds is published as new changes.
 */
import { bytesKey } from "../util/bytes.ts";
import { hasCode, ZmqError } from "../errors.ts";
import type { Message } from "../pipe.ts";
import { Dealer } from "../sockets/dealer.ts";
import { Publisher } from "../sockets/pub.ts";
import { Pull } from "../sockets/pull.ts";
import { Router } from "../sockets/router.ts";
import { Subscriber } from "../sockets/sub.ts";
import {
  compactKvmsg,
  createKvmsg,
  decodeKvmsg,
  encodeKvmsg,
  KvMap,
  type Kvmsg,
  KvmsgError,
} from "./kvmsg.ts";

/** The three endpoints of a Clone server. */
export interface CloneEndpoints {
  /** ROUTER: snapshot requests (CHP's port P). */
  snapshot: string;
  /** PUB: the published changes and heartbeats (P+1). */
  publisher: string;
  /** SUB (or PULL): the clients' changes (P+2). */
  collector: string;
}

/**
 * The three endpoints CHP puts at ports P, P+1 and P+2, from the first one.
 *
 * @param base An endpoint ending in a port number, such as `tcp://localhost:5556`.
 * @returns The snapshot, publisher and collector endpoints.
 *
 * @example
 * ```ts
 * import { cloneEndpoints } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(cloneEndpoints("tcp://*:5556"), {
 *   snapshot: "tcp://*:5556",
 *   publisher: "tcp://*:5557",
 *   collector: "tcp://*:5558",
 * });
 * ```
 */
export function cloneEndpoints(base: string): CloneEndpoints {
  const m = /^(.*):(\d{1,5})$/.exec(base);
  const port = Number(m?.[2]);
  if (m === null || !(port > 0 && port + 2 <= 65535)) {
    throw new TypeError(
      `Cannot derive the Clone endpoints from "${base}": it must end with a port number ` +
        `(P, then P+1 and P+2), or give the three endpoints`,
    );
  }
  return {
    snapshot: base,
    publisher: `${m[1]}:${port + 1}`,
    collector: `${m[1]}:${port + 2}`,
  };
}

/** What a {@linkcode CloneServer} reports through its `onEvent` option. */
export type CloneServerEvent =
  | {
    /** A change went out: a client's, an expiry, or one held while passive. */
    type: "publish";
    sequence: number;
    key: string;
    /** Whether it deletes the key (an empty value). */
    deleted: boolean;
    cause: "update" | "expiry" | "pending";
  }
  | { type: "snapshot"; sequence: number; subtree: string; entries: number }
  | { type: "snapshot-abandoned"; reason: string }
  /** A snapshot request dropped unanswered: this server is not active (or the vote said no). */
  | { type: "refused" }
  | { type: "malformed"; source: "snapshot" | "collector" | "peer"; reason: string }
  /** Passive: asking the active peer for its snapshot. */
  | { type: "syncing"; peer: string }
  | { type: "synced"; peer: string; sequence: number; entries: number }
  | { type: "sync-failed"; peer: string; reason: string }
  /** Passive: a change from the active peer, applied. */
  | { type: "follow"; sequence: number; key: string; deleted: boolean };

/** Settings of a {@linkcode CloneServer}. */
export interface CloneServerOptions {
  /**
   * The collector socket: "SUB" (CHP; clients PUB their changes, which lets a client reach
   * both servers of a pair) or "PULL" (the Guide's model five; clients PUSH). Default "SUB".
   */
  collector?: "SUB" | "PULL";
  /** ms between HUGZ heartbeats (sent while active); 0 sends none. Default 1000. */
  heartbeat?: number;
  /** ms between checks for expired values. Default 1000. */
  ttlInterval?: number;
  /** Start active (the default), or passive: holding client changes until `activate()`. */
  active?: boolean;
  /**
   * Asked for each snapshot request, which is served only if this says yes (and the server
   * is active); for a Binary Star pair, `() => binaryStar.clientRequest()`. Default: yes.
   */
  vote?: () => boolean | Promise<boolean>;
  /** ms a snapshot message may wait for a slow client before the snapshot is given up. Default 5000. */
  snapshotTimeout?: number;
  /** Passive: ms of silence from the peer before a snapshot from it is given up. Default 5000. */
  peerTimeout?: number;
  /** Called for each thing worth logging (synchronously). */
  onEvent?: (event: CloneServerEvent) => void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const EMPTY = new Uint8Array(0);
/** A passive server holds at most this many changes; past it, the oldest are dropped. */
const MAX_PENDING = 100_000;

/** A change's `ttl` property in ms, or 0 (none, or not a positive number). */
function ttlOf(msg: Kvmsg): number {
  const ttl = Number(msg.properties.get("ttl"));
  return Number.isFinite(ttl) && ttl > 0 ? ttl * 1000 : 0;
}

/** The subtree of a snapshot request, or undefined if it is not ["ICANHAZ?"] or ["ICANHAZ?", subtree]. */
function icanhaz(request: Message): string | undefined {
  if (request.length < 2 || request.length > 3 || dec.decode(request[1]) !== "ICANHAZ?") {
    return undefined;
  }
  const subtree = request[2] ?? EMPTY;
  if (subtree.length > 255) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(subtree);
  } catch {
    return undefined;
  }
}

interface Following {
  peer: { snapshot: string; publisher: string };
  subscriber: Subscriber;
  dealer: Dealer | undefined;
  synced: boolean;
}

/**
 * A Clone server: the Guide's clonesrv5 (snapshots, republished changes, subtrees, values
 * with a time to live), and the server half of clonesrv6 (HUGZ heartbeats, and passive
 * standby for a Binary Star pair: see `follow()`, `activate()` and the `vote` option).
 * `bind()` opens the sockets, `run()` serves until `close()`.
 *
 * Every change is stored before it is published and a snapshot is taken whole when its
 * request is read, so a snapshot with KTHXBAI sequence S holds exactly the changes up to S.
 * The snapshot ROUTER waits for a slow client (up to `snapshotTimeout` per message) rather
 * than lose the end of a snapshot, and gives up on one that has gone.
 *
 * @example A client's change, republished and found in a snapshot
 * ```ts
 * import { CloneServer, createKvmsg, Dealer, decodeKvmsg, encodeKvmsg, Push, Subscriber } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const server = new CloneServer({ collector: "PULL" }); // the Guide's model five
 * await server.bind({
 *   snapshot: "inproc://clone-server-doc-snapshot",
 *   publisher: "inproc://clone-server-doc-updates",
 *   collector: "inproc://clone-server-doc-collector",
 * });
 * const running = server.run();
 *
 * const updates = new Subscriber();
 * updates.subscribe("/doc/");
 * updates.connect("inproc://clone-server-doc-updates");
 * const changes = new Push();
 * changes.connect("inproc://clone-server-doc-collector");
 * await changes.send(encodeKvmsg(createKvmsg("/doc/greeting", "hello")));
 * const published = decodeKvmsg(await updates.receive());
 * assert.deepEqual([published.key, published.sequence], ["/doc/greeting", 1]);
 *
 * const snapshot = new Dealer();
 * snapshot.connect("inproc://clone-server-doc-snapshot");
 * await snapshot.send(["ICANHAZ?", "/doc/"]);
 * const entry = decodeKvmsg(await snapshot.receive());
 * const end = decodeKvmsg(await snapshot.receive());
 * assert.equal(new TextDecoder().decode(entry.body), "hello");
 * assert.deepEqual([end.key, end.sequence], ["KTHXBAI", 1]);
 *
 * server.close();
 * await running;
 * for (const socket of [updates, changes, snapshot]) socket.close();
 * ```
 */
export class CloneServer {
  #options: CloneServerOptions;
  #map = new KvMap();
  #expiry = new Map<string, number>(); // key → when it expires (ms since the epoch)
  #sequence = 0;
  #active: boolean;
  #pending = new Map<string | number, Kvmsg>(); // passive: by UUID (hex), oldest first
  #anonymous = 0; // keys for held changes without a UUID (they can never be matched)
  #following: Following | undefined;
  #snapshot: Router | undefined;
  #publisher: Publisher | undefined;
  #collector: Subscriber | Pull | undefined;
  #timers: ReturnType<typeof setInterval>[] = [];
  #running: Promise<void> | undefined;
  #finish: (() => void) | undefined;
  #fail: ((e: unknown) => void) | undefined;
  #done = false;

  /**
   * Sets up the server; no socket exists until `bind()`, nothing moves until `run()`.
   *
   * @param options The collector's type, heartbeat and expiry intervals, the Binary Star
   * hooks and an event callback.
   */
  constructor(options: CloneServerOptions = {}) {
    for (const name of ["heartbeat", "ttlInterval", "snapshotTimeout", "peerTimeout"] as const) {
      const v = options[name];
      const least = name === "heartbeat" ? 0 : 1; // heartbeat 0: none
      if (v !== undefined && !(v >= least && Number.isFinite(v))) {
        throw new RangeError(
          `Cannot set ${name}: must be a number of ms, ${least} or more, current value is ${v}`,
        );
      }
    }
    this.#options = options;
    this.#active = options.active ?? true;
  }

  /** The sequence number of the last change (published, or followed while passive). */
  get sequence(): number {
    return this.#sequence;
  }

  /** How many keys the map holds. */
  get size(): number {
    return this.#map.size;
  }

  /** "active" (serving clients) or "passive" (standing by). */
  get state(): "active" | "passive" {
    return this.#active ? "active" : "passive";
  }

  /** Passive: client changes held, not yet seen published by the active peer. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * The value of a key.
   *
   * @param key The key.
   * @returns Its value, or undefined if it is not set.
   */
  get(key: string): Uint8Array | undefined {
    return this.#map.get(key)?.body;
  }

  /**
   * The map's digest ({@linkcode KvMap.digest}), to compare it with a client's.
   *
   * @returns 16 hex digits.
   */
  digest(): string {
    return this.#map.digest();
  }

  /**
   * Opens the three sockets and binds them.
   *
   * @param endpoints The snapshot, publisher and collector endpoints, or the first of them
   * ending in a port P (the others are then P+1 and P+2, see {@linkcode cloneEndpoints}).
   */
  async bind(endpoints: string | CloneEndpoints): Promise<void> {
    const ep = typeof endpoints === "string" ? cloneEndpoints(endpoints) : endpoints;
    if (this.#done) throw new ZmqError("ETERM", "Cannot bind: the server is closed");
    if (this.#snapshot !== undefined) throw new Error("Cannot bind: the server is bound already");
    // mandatory: a full client makes the snapshot wait (sendTimeout), a gone one is an error
    this.#snapshot = new Router({
      mandatory: true,
      sendTimeout: this.#options.snapshotTimeout ?? 5000,
      linger: 0,
    });
    this.#publisher = new Publisher({ linger: 0 });
    if (this.#options.collector === "PULL") this.#collector = new Pull({ linger: 0 });
    else {
      const collector = new Subscriber({ linger: 0 });
      collector.subscribe();
      this.#collector = collector;
    }
    await this.#snapshot.bind(ep.snapshot);
    await this.#publisher.bind(ep.publisher);
    await this.#collector.bind(ep.collector);
  }

  /**
   * Serves snapshots, collects and publishes changes, sends heartbeats and expires values,
   * until `close()` (resolves) or an unexpected error (rejects). Calling it again returns the
   * same promise.
   *
   * @returns A promise that settles when the server stops.
   */
  run(): Promise<void> {
    if (this.#running !== undefined) return this.#running;
    this.#running = new Promise<void>((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
    if (this.#done) this.#finish!();
    else if (this.#snapshot === undefined) this.#end(new Error("Cannot run: bind() first"));
    else {
      void this.#snapshots();
      void this.#collect();
      const heartbeat = this.#options.heartbeat ?? 1000;
      if (heartbeat > 0) this.#timers.push(setInterval(() => this.#hugz(), heartbeat));
      this.#timers.push(setInterval(() => this.#expire(), this.#options.ttlInterval ?? 1000));
    }
    return this.#running;
  }

  /** Stops: the sockets closed (what is unsent is dropped), `run()` resolved. */
  close(): void {
    this.#end();
  }

  /** As close(), waiting for `run()` to end (its error, if any, is not rethrown). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#end();
    await this.#running?.catch(() => {});
  }

  /**
   * Becomes active (Binary Star's "new active"): stops following the peer, publishes the
   * changes it held as new changes, in the order they came, and from then on serves
   * snapshots, publishes changes and heartbeats and expires values. Nothing if active already.
   */
  activate(): void {
    if (this.#active || this.#done) return;
    this.#active = true;
    this.#unfollow();
    const held = [...this.#pending.values()];
    this.#pending.clear();
    for (const change of held) this.#apply(change, "pending");
  }

  /**
   * Becomes passive (Binary Star's "new passive"): forgets its map, subscribes to the
   * active peer's publisher and, at the first message from it (so the subscription is in
   * place), asks the peer for a snapshot; from then on it applies the peer's changes. Client
   * changes are held meanwhile (see `activate()`).
   *
   * @param peer The peer's snapshot and publisher endpoints, or its snapshot endpoint ending
   * in a port P (the publisher is then at P+1).
   */
  follow(peer: string | { snapshot: string; publisher: string }): void {
    if (this.#done) return;
    this.#active = false;
    this.#unfollow();
    this.#map = new KvMap();
    this.#expiry.clear();
    const endpoints = typeof peer === "string" ? cloneEndpoints(peer) : peer;
    const subscriber = new Subscriber({ linger: 0 });
    subscriber.subscribe();
    subscriber.connect(endpoints.publisher);
    const following: Following = { peer: endpoints, subscriber, dealer: undefined, synced: false };
    this.#following = following;
    void this.#followPeer(following);
  }

  #unfollow(): void {
    const following = this.#following;
    this.#following = undefined;
    following?.subscriber.close();
    following?.dealer?.close();
  }

  #emit(event: CloneServerEvent): void {
    this.#options.onEvent?.(event);
  }

  #end(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#unfollow();
    this.#snapshot?.close();
    this.#publisher?.close();
    this.#collector?.close();
    if (error !== undefined && !hasCode(error, "ETERM")) this.#fail?.(error);
    else this.#finish?.();
  }

  /** Sends a change to every subscriber (the PUB socket never waits). */
  #send(msg: Kvmsg): void {
    this.#publisher?.send(encodeKvmsg(msg)).catch((e) => this.#end(e));
  }

  /** Sets the expiry of a change's key from its `ttl`, or clears it. */
  #setExpiry(msg: Kvmsg, now = Date.now()): void {
    const ttl = msg.body.length > 0 ? ttlOf(msg) : 0;
    if (ttl > 0) this.#expiry.set(msg.key, now + ttl);
    else this.#expiry.delete(msg.key);
  }

  /** Numbers a change, stores it (before anything can take a snapshot) and publishes it. */
  #apply(received: Kvmsg, cause: "update" | "expiry" | "pending"): void {
    const change = { ...received, sequence: ++this.#sequence };
    this.#setExpiry(change);
    this.#map.store(change);
    this.#send(change);
    this.#emit({
      type: "publish",
      sequence: change.sequence,
      key: change.key,
      deleted: change.body.length === 0,
      cause,
    });
  }

  #hugz(): void {
    if (this.#active) this.#send(createKvmsg("HUGZ", EMPTY, { sequence: this.#sequence }));
  }

  #expire(): void {
    if (!this.#active) return; // the active peer publishes the deletions; they are followed
    const now = Date.now();
    for (const [key, at] of this.#expiry) {
      if (at <= now) this.#apply(createKvmsg(key), "expiry"); // no UUID: nothing to match
    }
  }

  async #snapshots(): Promise<void> {
    const router = this.#snapshot!;
    try {
      for (;;) {
        const request = await router.receive();
        const subtree = icanhaz(request);
        if (subtree === undefined) {
          this.#emit({ type: "malformed", source: "snapshot", reason: "not ICANHAZ? [subtree]" });
          continue;
        }
        const vote = this.#options.vote;
        if ((vote !== undefined && !(await vote())) || !this.#active) {
          this.#emit({ type: "refused" });
          continue;
        }
        await this.#sendSnapshot(router, request[0]!, subtree);
      }
    } catch (e) {
      this.#end(e);
    }
  }

  async #sendSnapshot(router: Router, identity: Uint8Array, subtree: string): Promise<void> {
    // the state now, whole: changes applied while it is being sent are not in it
    const now = Date.now();
    const entries: Kvmsg[] = [];
    for (const msg of this.#map.values()) {
      if (!msg.key.startsWith(subtree)) continue;
      const expiry = this.#expiry.get(msg.key);
      if (expiry === undefined) entries.push(msg);
      else {
        // the time left, so that a passive peer syncing from us expires it in time too
        const properties = new Map(msg.properties);
        properties.set("ttl", String(Math.max(0.001, (expiry - now) / 1000)));
        entries.push({ ...msg, properties });
      }
    }
    const upTo = this.#sequence;
    try {
      for (const msg of entries) await router.send([identity, ...encodeKvmsg(msg)]);
      await router.send([
        identity,
        ...encodeKvmsg(createKvmsg("KTHXBAI", enc.encode(subtree), { sequence: upTo })),
      ]);
      this.#emit({ type: "snapshot", sequence: upTo, subtree, entries: entries.length });
    } catch (e) {
      if (!(e instanceof ZmqError && (e.code === "EHOSTUNREACH" || e.code === "EAGAIN"))) throw e;
      const why = e.code === "EAGAIN" ? "the client does not read" : "the client has gone";
      this.#emit({ type: "snapshot-abandoned", reason: why });
    }
  }

  async #collect(): Promise<void> {
    const collector = this.#collector!;
    try {
      for (;;) {
        const frames = await collector.receive();
        let change: Kvmsg;
        try {
          change = decodeKvmsg(frames);
        } catch (e) {
          if (!(e instanceof KvmsgError)) throw e;
          this.#emit({ type: "malformed", source: "collector", reason: e.message });
          continue;
        }
        if (this.#active) this.#apply(change, "update");
        else if (!this.#matched(change)) this.#hold(change); // the peer has not published it yet
      }
    } catch (e) {
      this.#end(e);
    }
  }

  /** Passive: removes a held change with the same UUID; whether there was one. */
  #matched(change: Kvmsg): boolean {
    return change.uuid.length === 16 && this.#pending.delete(bytesKey(change.uuid));
  }

  #hold(change: Kvmsg): void {
    const id = change.uuid.length === 16 ? bytesKey(change.uuid) : this.#anonymous++;
    this.#pending.set(id, compactKvmsg(change));
    if (this.#pending.size > MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value!);
  }

  /** Passive: the active peer's changes, after a snapshot from it. */
  async #followPeer(following: Following): Promise<void> {
    const stale = () => this.#following !== following || this.#done;
    try {
      for (;;) {
        const frames = await following.subscriber.receive();
        if (stale()) return;
        // a message has come, so the subscription is in place: the snapshot cannot miss any
        if (!following.synced) await this.#syncFromPeer(following);
        if (stale()) return;
        if (!following.synced) continue; // try again at the next message
        let change: Kvmsg;
        try {
          change = decodeKvmsg(frames);
        } catch (e) {
          if (!(e instanceof KvmsgError)) throw e;
          this.#emit({ type: "malformed", source: "peer", reason: e.message });
          continue;
        }
        if (change.key === "HUGZ") continue;
        // a change the peer published before we had it from the client: held the other way
        // round, to be matched when the client's copy comes (both carry the client's UUID)
        if (change.uuid.length === 16 && !this.#matched(change)) {
          this.#hold(change);
        }
        if (change.sequence <= this.#sequence) continue;
        this.#sequence = change.sequence;
        this.#setExpiry(change);
        this.#map.store(change);
        const deleted = change.body.length === 0;
        this.#emit({ type: "follow", sequence: change.sequence, key: change.key, deleted });
      }
    } catch (e) {
      if (!stale()) this.#end(e);
    }
  }

  async #syncFromPeer(following: Following): Promise<void> {
    const peer = following.peer.snapshot;
    this.#emit({ type: "syncing", peer });
    const dealer = new Dealer({ linger: 0, receiveTimeout: this.#options.peerTimeout ?? 5000 });
    following.dealer = dealer;
    dealer.connect(peer);
    const map = new KvMap();
    const expiry = new Map<string, number>();
    try {
      await dealer.send(["ICANHAZ?", ""]);
      for (;;) {
        const msg = decodeKvmsg(await dealer.receive());
        if (msg.key === "KTHXBAI") {
          if (this.#following !== following) return;
          [this.#map, this.#expiry, this.#sequence] = [map, expiry, msg.sequence];
          following.synced = true;
          this.#emit({ type: "synced", peer, sequence: msg.sequence, entries: map.size });
          return;
        }
        const ttl = ttlOf(msg);
        if (ttl > 0) expiry.set(msg.key, Date.now() + ttl);
        map.store(msg);
      }
    } catch (e) {
      if (e instanceof KvmsgError || hasCode(e, "EAGAIN")) {
        const reason = e instanceof KvmsgError ? e.message : "no answer";
        this.#emit({ type: "sync-failed", peer, reason });
      } else if (!hasCode(e, "ETERM")) throw e;
    } finally {
      dealer.close();
      if (following.dealer === dealer) following.dealer = undefined;
    }
  }
}
