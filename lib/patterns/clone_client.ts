// SPDX-License-Identifier: MIT
/**
 * The Clone client (the Guide, chapter 5, clone.c's agent; the client side of the Clustered
 * Hashmap Protocol, https://rfc.zeromq.org/spec/12/): a local copy of a server's key-value
 * map, or of one subtree of it, kept up to date, with changes of its own sent to the server.
 *
 * Per server (one, or the two of a Binary Star pair) it keeps a SUB socket on the server's
 * publisher, subscribed to the subtree and to "HUGZ", and asks for snapshots over a DEALER.
 * One XPUB, connected to every server's collector, sends the changes (KVSET), so both
 * servers of a pair get each one. The client's states (the Guide's):
 *   syncing  "ICANHAZ?" to the current server, then every KVSYNC up to KTHXBAI, whose
 *            sequence number becomes the client's
 *   active   the server's changes numbered above the client's sequence, applied in order
 * and from either, on `timeout` ms without a message from the server, on to the next server.
 */
import { hasCode, ZmqError } from "../errors.ts";
import type { Message } from "../pipe.ts";
import { Dealer } from "../sockets/dealer.ts";
import { Subscriber } from "../sockets/sub.ts";
import { XPublisher } from "../sockets/xpub.ts";
import { type CloneEndpoints, cloneEndpoints } from "./clone_server.ts";
import {
  createKvmsg,
  decodeKvmsg,
  encodeKvmsg,
  KvMap,
  type Kvmsg,
  KvmsgError,
  newUuid,
} from "./kvmsg.ts";

/** What a {@linkcode CloneClient} reports through its `onEvent` option. */
export type CloneClientEvent =
  /** Asking a server for a snapshot (the Guide: "waiting for server at …"). */
  | { type: "syncing"; server: string }
  | { type: "snapshot"; server: string; sequence: number; entries: number }
  | { type: "update"; server: string; sequence: number; key: string; deleted: boolean }
  /** Nothing from the server for `timeout` ms: on to the next one. */
  | { type: "silence"; server: string }
  /** (No subtree only.) A change numbered beyond the next one: some were lost; a new snapshot. */
  | { type: "gap"; server: string; expected: number; got: number }
  | { type: "malformed"; server: string; reason: string };

/** Settings of a {@linkcode CloneClient}. */
export interface CloneClientOptions {
  /** The part of the map to keep: keys with this prefix, such as "/client/". Default "" (all). */
  subtree?: string;
  /**
   * ms without any message from the server (HUGZ come every second) before the client moves
   * on to the next server; also how long `set()` waits at most for the servers' collectors
   * to subscribe. Default 5000.
   */
  timeout?: number;
  /** Called for each thing worth logging (synchronously). */
  onEvent?: (event: CloneClientEvent) => void;
}

interface Server {
  name: string;
  endpoints: CloneEndpoints;
  subscriber: Subscriber;
  connected: boolean;
  onConnect: (() => void) | undefined;
}

const MAX_SERVERS = 2;

/**
 * The Clone client as a class (the Guide's clone API): `connect()` to one server, or to both
 * servers of a pair, then `get()` values from the local copy and `set()` new ones. The copy
 * is built from a snapshot and kept up to date from the server's published changes; when the
 * server falls silent for `timeout` ms (it sends HUGZ every second when idle), the client
 * asks the other server for a snapshot and follows it instead.
 *
 * Differences from the Guide's agent: the subscription is made (the SUB connected) before a
 * snapshot is asked for, so no change can fall between the two; each snapshot request goes
 * on a fresh DEALER, so a late answer to an old one cannot be taken for the new one; a
 * snapshot replaces the map rather than being stored over it (keys deleted meanwhile go);
 * `set()` waits (up to `timeout`) until the servers' collectors have subscribed, so early
 * changes are not dropped by the PUB side; and with no subtree, a gap in the sequence
 * numbers (changes lost to a full queue) brings a new snapshot.
 *
 * @example A server, two clients, one change
 * ```ts
 * import { CloneClient, CloneServer } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const endpoints = {
 *   snapshot: "inproc://clone-client-doc-snapshot",
 *   publisher: "inproc://clone-client-doc-updates",
 *   collector: "inproc://clone-client-doc-collector",
 * };
 * const server = new CloneServer();
 * await server.bind(endpoints);
 * const running = server.run();
 *
 * const alice = new CloneClient({ subtree: "/doc/" });
 * const bob = new CloneClient({ subtree: "/doc/" });
 * alice.connect(endpoints);
 * bob.connect(endpoints);
 * await Promise.all([alice.ready(), bob.ready()]);
 *
 * await alice.set("/doc/title", "Clone");
 * while (bob.sequence < 1) await new Promise((r) => setTimeout(r, 10));
 * assert.equal(new TextDecoder().decode(bob.get("/doc/title")), "Clone");
 * assert.equal(bob.digest(), server.digest());
 *
 * alice.close();
 * bob.close();
 * server.close();
 * await running;
 * ```
 */
export class CloneClient {
  /** The prefix of the keys kept. */
  readonly subtree: string;
  #timeout: number;
  #onEvent: ((event: CloneClientEvent) => void) | undefined;
  #servers: Server[] = [];
  #current = 0;
  #map: KvMap;
  #sequence = 0;
  #synced = false;
  #publisher: XPublisher;
  #subscriptions = 0; // subscriptions the collectors sent to our XPUB
  #lastConnect = 0;
  #onSubscription: (() => void) | undefined;
  #dealer: Dealer | undefined;
  #wake: (() => void) | undefined;
  #agent: Promise<void> | undefined;
  #ready: Promise<void>;
  #readyResolve!: () => void;
  #readyReject!: (e: unknown) => void;
  #done = false;

  /**
   * A client connected to nothing yet.
   *
   * @param options The subtree, the silence timeout and an event callback.
   */
  constructor(options: CloneClientOptions = {}) {
    const timeout = options.timeout ?? 5000;
    if (!(timeout > 0 && Number.isFinite(timeout))) {
      throw new RangeError(`Cannot set timeout: must be > 0 ms, current value is ${timeout}`);
    }
    this.subtree = options.subtree ?? "";
    this.#timeout = timeout;
    this.#onEvent = options.onEvent;
    this.#map = new KvMap(this.subtree);
    this.#publisher = new XPublisher({ verbosity: "allSubs", linger: 1000 });
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    this.#ready.catch(() => {}); // a client closed before its first snapshot: nobody may ask
    this.#countSubscriptions().catch((e) => this.#close(e));
  }

  /** The sequence number of the last change applied (or of the snapshot). */
  get sequence(): number {
    return this.#sequence;
  }

  /** How many keys the local copy holds. */
  get size(): number {
    return this.#map.size;
  }

  /** The server followed now (its snapshot endpoint), if any. */
  get server(): string | undefined {
    return this.#servers[this.#current]?.name;
  }

  /** Whether the copy is up to date with a server (false while syncing). */
  get synced(): boolean {
    return this.#synced;
  }

  /**
   * Adds a server, at most two (a Binary Star pair: the first is tried first). The first
   * connect() starts the client.
   *
   * @param server The snapshot, publisher and collector endpoints, or the snapshot endpoint
   * ending in a port P (CHP: the publisher is at P+1, the collector at P+2).
   */
  connect(server: string | CloneEndpoints): void {
    if (this.#done) throw new ZmqError("ETERM", "Cannot connect: the client is closed");
    if (this.#servers.length === MAX_SERVERS) {
      throw new RangeError(`Cannot connect: at most ${MAX_SERVERS} servers`);
    }
    const endpoints = typeof server === "string" ? cloneEndpoints(server) : server;
    const subscriber = new Subscriber({ linger: 0 });
    subscriber.subscribe(this.subtree);
    if (this.subtree !== "") subscriber.subscribe("HUGZ");
    const entry: Server = {
      name: endpoints.snapshot,
      endpoints,
      subscriber,
      connected: false,
      onConnect: undefined,
    };
    subscriber.events.on("handshake", () => {
      entry.connected = true;
      entry.onConnect?.();
    });
    subscriber.events.on("disconnect", () => entry.connected = false);
    subscriber.connect(endpoints.publisher);
    this.#publisher.connect(endpoints.collector); // changes go to every server
    this.#servers.push(entry);
    this.#lastConnect = Date.now();
    this.#agent ??= this.#run().catch((e) => this.#close(e));
    this.#wake?.();
  }

  /**
   * Resolves once the first snapshot is in (rejects with ETERM if closed before).
   *
   * @returns A promise of the first sync.
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * The value of a key in the local copy.
   *
   * @param key The key.
   * @returns Its value, or undefined if it is not set (or outside the subtree).
   */
  get(key: string): Uint8Array | undefined {
    return this.#map.get(key)?.body;
  }

  /** Every key and value of the local copy. */
  *entries(): IterableIterator<[string, Uint8Array]> {
    for (const msg of this.#map.values()) yield [msg.key, msg.body];
  }

  /**
   * The local copy's digest ({@linkcode KvMap.digest}), to compare it with the server's.
   *
   * @returns 16 hex digits.
   */
  digest(): string {
    return this.#map.digest();
  }

  /**
   * Sets a value (an empty one deletes the key): stored in the local copy at once (as the
   * Guide's client does) and sent to every server, which numbers it and publishes it back.
   * Waits first, up to `timeout` after the last connect(), for the servers' collectors to
   * have subscribed, so that the change is not dropped.
   *
   * @param key The key (at most 255 bytes of UTF-8).
   * @param value The value; a string is sent as UTF-8.
   * @param options `ttl`: seconds after which the server deletes the key (0: never).
   */
  async set(
    key: string,
    value: string | Uint8Array,
    options: { ttl?: number } = {},
  ): Promise<void> {
    if (this.#done) throw new ZmqError("ETERM", "Cannot set: the client is closed");
    const ttl = options.ttl ?? 0;
    if (!(ttl >= 0 && Number.isFinite(ttl))) {
      throw new RangeError(`Cannot set ttl: must be seconds, 0 or more, current value is ${ttl}`);
    }
    const change = createKvmsg(key, value, {
      uuid: newUuid(),
      properties: ttl > 0 ? { ttl: String(ttl) } : {},
    });
    const frames = encodeKvmsg(change); // checks the key
    await this.#collectorsReady();
    this.#map.store(change);
    await this.#publisher.send(frames);
  }

  /** Stops: every socket closed, `ready()` rejected if it was still waiting. */
  close(): void {
    this.#close();
  }

  /** Closes; `error` (an unexpected one, in the client's own loops) is what `ready()` rejects with. */
  #close(error: unknown = new ZmqError("ETERM", "The client was closed")): void {
    if (this.#done) return;
    this.#done = true;
    this.#readyReject(error);
    for (const server of this.#servers) {
      server.subscriber.close();
      server.onConnect?.(); // a sync waiting for it: it sees the client closed
    }
    this.#dealer?.close();
    this.#publisher.close();
    this.#wake?.();
    this.#onSubscription?.();
  }

  /** As close(), waiting for the client's loop to end. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#agent;
  }

  #emit(event: CloneClientEvent): void {
    this.#onEvent?.(event);
  }

  /** The collectors' subscriptions, as the XPUB reports them (one per connection). */
  async #countSubscriptions(): Promise<void> {
    try {
      for (;;) {
        const [event] = await this.#publisher.receive();
        if (event?.[0] === 1) {
          this.#subscriptions++;
          this.#onSubscription?.();
        }
      }
    } catch (e) {
      if (!hasCode(e, "ETERM")) throw e;
    }
  }

  async #collectorsReady(): Promise<void> {
    while (!this.#done && this.#subscriptions < this.#servers.length) {
      const left = this.#lastConnect + this.#timeout - Date.now();
      if (left <= 0) return; // a server that is down: go on without it
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#onSubscription = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#onSubscription = undefined;
    }
  }

  /** The Guide's agent: sync with the current server, follow it, on to the next when silent. */
  async #run(): Promise<void> {
    while (!this.#done) {
      const server = this.#servers[this.#current]!;
      const synced = await this.#sync(server);
      if (this.#done) return;
      if (synced) {
        const why = await this.#follow(server);
        if (this.#done) return;
        this.#synced = false;
        if (why === "gap") continue; // a new snapshot from the same server
      }
      this.#emit({ type: "silence", server: server.name });
      this.#current = (this.#current + 1) % this.#servers.length;
    }
  }

  /** Resolves once the server's SUB has connected (true) or after `ms` (false). */
  #connected(server: Server, ms: number): Promise<boolean> {
    if (server.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        server.onConnect = undefined;
        resolve(server.connected);
      }, ms);
      server.onConnect = () => {
        clearTimeout(timer);
        server.onConnect = undefined;
        resolve(true);
      };
    });
  }

  /** Asks for a snapshot; true once KTHXBAI is in, false if the server fell silent first. */
  async #sync(server: Server): Promise<boolean> {
    this.#emit({ type: "syncing", server: server.name });
    let expiry = Date.now() + this.#timeout;
    // subscribed first, so that every change after the snapshot reaches us
    if (!(await this.#connected(server, this.#timeout)) || this.#done) return false;
    // what waits there is older than the snapshot will be, and would only get in the way
    while (server.subscriber.tryReceive() !== undefined);
    this.#dealer?.close();
    const dealer = this.#dealer = new Dealer({ linger: 0 });
    dealer.connect(server.endpoints.snapshot);
    const map = new KvMap(this.subtree);
    try {
      await dealer.send(["ICANHAZ?", this.subtree]);
      for (;;) {
        dealer.receiveTimeout = Math.max(0, expiry - Date.now());
        const msg = this.#decode(server, await dealer.receive());
        expiry = Date.now() + this.#timeout; // anything from the server: it is alive
        if (msg === undefined) continue;
        if (msg.key === "KTHXBAI") {
          [this.#map, this.#sequence, this.#synced] = [map, msg.sequence, true];
          this.#emit({
            type: "snapshot",
            server: server.name,
            sequence: msg.sequence,
            entries: map.size,
          });
          this.#readyResolve();
          return true;
        }
        map.store(msg);
      }
    } catch (e) {
      if (hasCode(e, "EAGAIN") || hasCode(e, "ETERM")) return false;
      throw e;
    } finally {
      dealer.close();
    }
  }

  /** Applies the server's changes until it falls silent ("silence") or some are lost ("gap"). */
  async #follow(server: Server): Promise<"silence" | "gap"> {
    const subscriber = server.subscriber;
    try {
      for (;;) {
        subscriber.receiveTimeout = this.#timeout;
        const msg = this.#decode(server, await subscriber.receive());
        if (msg === undefined) continue;
        // with the whole map, every change comes here, so the numbers must follow on
        const next = this.#sequence + 1;
        const lost = this.subtree === "" &&
          (msg.key === "HUGZ" ? msg.sequence > this.#sequence : msg.sequence > next);
        if (lost) {
          this.#emit({ type: "gap", server: server.name, expected: next, got: msg.sequence });
          return "gap";
        }
        if (msg.key === "HUGZ" || msg.sequence <= this.#sequence) continue;
        this.#sequence = msg.sequence;
        this.#map.store(msg);
        this.#emit({
          type: "update",
          server: server.name,
          sequence: msg.sequence,
          key: msg.key,
          deleted: msg.body.length === 0,
        });
      }
    } catch (e) {
      if (hasCode(e, "EAGAIN") || hasCode(e, "ETERM")) return "silence";
      throw e;
    }
  }

  #decode(server: Server, frames: Message): Kvmsg | undefined {
    try {
      return decodeKvmsg(frames);
    } catch (e) {
      if (!(e instanceof KvmsgError)) throw e;
      this.#emit({ type: "malformed", server: server.name, reason: e.message });
    }
  }
}
