// SPDX-License-Identifier: MIT
/**
 * Discovery by ZRE beacons (beacon.ts) over UDP broadcast, as the Guide's chapter 8 builds it
 * and CZMQ's zbeacon does: a {@linkcode Beacon} binds the discovery port (with SO_REUSEADDR,
 * so every process on the machine can), broadcasts its own beacon every interval, and reports
 * each other node as it appears and as it disappears: silent for longer than the expiry, a
 * goodbye beacon (port 0), or a beacon from a new address or port (it moved). The
 * bookkeeping is PeerTable (peer_table.ts), which has no I/O and no clock of its own.
 *
 * Hostile input is bounded: a datagram that is not exactly a beacon is counted and dropped,
 * our own beacons (same UUID) are dropped, at most `maxPeers` nodes are tracked (beacons of
 * further new UUIDs are counted and dropped), and at most 10,000 unread events wait (the
 * oldest are dropped past that, and counted).
 */
import { asZmqError, ZmqError } from "../errors.ts";
import { holdUntil, unrefTimer } from "../transports/runtime/keep_alive.ts";
import { ipv4Interfaces, openUdp, type UdpSocket } from "../transports/runtime/udp.ts";
import { QueuedIterator } from "../util/queued_iterator.ts";
import { type BeaconEvent, type BeaconPeer, PeerTable } from "./peer_table.ts";
import { encodeBeacon, uuidBytes, uuidHex, ZRE_DISCOVERY_PORT } from "./beacon.ts";
import { randomUuid } from "../util/bytes.ts";

/** Counts of a {@linkcode Beacon}, from `statistics()`. */
export interface BeaconStatistics {
  /** Beacons we sent (goodbye included). */
  sent: number;
  /** Beacons we could not send (the network unreachable, say). */
  sendErrors: number;
  /** Datagrams received on the discovery port, of any kind. */
  received: number;
  /** Valid beacons from other nodes. */
  beacons: number;
  /** Our own beacons, which the network hands back to us, ignored. */
  own: number;
  /** Datagrams that were not a beacon (size, header or version), ignored. */
  malformed: number;
  /** Beacons of new nodes ignored because `maxPeers` were tracked already. */
  overflow: number;
  /** Goodbye beacons (port 0) of nodes we did not know, ignored. */
  strayFarewells: number;
  /** Nodes listed now. */
  peers: number;
  /** Unread events dropped because more than 10,000 waited. */
  droppedEvents: number;
}

/** Options of a {@linkcode Beacon}. */
export interface BeaconOptions {
  /** The UDP port to broadcast and listen on; default 5670, ZRE's (0: any free port). */
  port?: number;
  /**
   * The TCP port our beacons announce (1-65535). Without it the beacon only listens: it sends
   * nothing, and other nodes do not see it.
   */
  announce?: number;
  /**
   * Where to broadcast: `"loopback"` (127.255.255.255: processes on this machine only), `"*"`
   * (255.255.255.255: out of the interface of the default route), or an interface by name
   * (`"eth0"`) or by one of its IPv4 addresses (its broadcast address is used). Default: the
   * first IPv4 interface that is not loopback, else loopback. Beacons are received from every
   * interface whatever this is. On Deno, looking interfaces up needs
   * `--allow-sys=networkInterfaces` (`"loopback"` and `"*"` need only `--allow-net`).
   */
  interface?: string;
  /** Milliseconds between our beacons, and between checks for silent nodes; default 1000. */
  interval?: number;
  /** Milliseconds of silence after which a node has disappeared; default 5 intervals. */
  expiry?: number;
  /** Our UUID: 16 bytes or 32 hex digits; default a random one. */
  uuid?: Uint8Array | string;
  /** The most nodes tracked at once; beacons of further nodes are ignored. Default 1024. */
  maxPeers?: number;
}

const LOOPBACK_BROADCAST = "127.255.255.255";

/** The broadcast address `spec` names (see BeaconOptions.interface). */
function broadcastTarget(spec: string | undefined): string {
  if (spec === "loopback") return LOOPBACK_BROADCAST;
  if (spec === "*") return "255.255.255.255";
  let all;
  try {
    all = ipv4Interfaces();
  } catch (e) {
    throw asZmqError(e as Error, "EINVAL", spec);
  }
  if (spec === undefined) return all.find((i) => !i.internal)?.broadcast ?? LOOPBACK_BROADCAST;
  const found = all.find((i) => i.name === spec || i.address === spec || i.broadcast === spec);
  if (found === undefined) {
    const names = all.map((i) => `${i.name} ${i.address}`).join(", ");
    throw new ZmqError(
      "EINVAL",
      `No IPv4 interface "${spec}" to broadcast on (there are: ${names || "none"})`,
    );
  }
  return found.broadcast;
}

function positiveInteger(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) {
    throw new RangeError(`Beacon ${name} must be a positive integer, current value is ${v}`);
  }
  return v;
}

/**
 * ZRE discovery: broadcasts this node's beacon on a UDP port every interval, listens on the
 * same port, and reports other nodes as they appear and disappear. Beacons of our own UUID
 * (the network hands them back) and datagrams that are not beacons are ignored and counted.
 * Iterate it (`for await`) for the events; `peers` lists the nodes known now. `close()`
 * broadcasts a goodbye (port 0), so other nodes see this one leave at once.
 *
 * Like a socket, an open Beacon does not keep the process alive by itself; a wait for its
 * next event does.
 *
 * @example Two nodes on this machine see each other
 * ```ts
 * import { Beacon } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const a = new Beacon({ port: 0, interface: "loopback", announce: 5555, interval: 100 });
 * await a.start(); // port 0: a free UDP port, which b then shares
 * const b = new Beacon({ port: a.port, interface: "loopback", announce: 6666, interval: 100 });
 * await b.start();
 * const { value } = await a.next();
 * assert.equal(value?.type, "appeared");
 * assert.equal(value?.peer.uuid, b.uuid);
 * assert.equal(value?.peer.endpoint, "tcp://127.0.0.1:6666");
 * await b.close(); // says goodbye
 * assert.equal((await a.next()).value?.type, "disappeared");
 * await a.close();
 * ```
 */
export class Beacon implements AsyncIterableIterator<BeaconEvent> {
  /** Our UUID, 32 upper-case hex digits. */
  readonly uuid: string;
  /** The TCP port our beacons announce; undefined when we only listen. */
  readonly announce: number | undefined;
  /** Milliseconds between beacons. */
  readonly interval: number;
  /** Milliseconds of silence after which a node has disappeared. */
  readonly expiry: number;
  readonly #uuid: Uint8Array;
  readonly #options: BeaconOptions;
  readonly #table: PeerTable;
  readonly #events = new QueuedIterator<BeaconEvent>(10_000);
  #socket: UdpSocket | undefined;
  #target: string | undefined;
  #boundPort: number | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #sent = 0;
  #sendErrors = 0;
  #lastError: Error | undefined;

  /**
   * Checks the options; nothing is bound or sent until `start()`.
   *
   * @param options Port, announced TCP port, interface, timing, UUID.
   * @throws {RangeError} For an option out of range (a UUID that is not 16 bytes, a port
   * outside 0-65535 or an announced one outside 1-65535, an interval that is not a positive
   * integer).
   */
  constructor(options: BeaconOptions = {}) {
    this.#options = options;
    const id = options.uuid ?? randomUuid();
    this.#uuid = typeof id === "string" ? uuidBytes(id) : id;
    this.uuid = uuidHex(this.#uuid);
    encodeBeacon(this.#uuid, 0); // checks the UUID's size
    const port = options.port ?? ZRE_DISCOVERY_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`Beacon port must be 0-65535, current value is ${port}`);
    }
    const a = options.announce;
    if (a !== undefined && (!Number.isInteger(a) || a < 1 || a > 65535)) {
      throw new RangeError(`Beacon announce must be a TCP port 1-65535, current value is ${a}`);
    }
    this.announce = a;
    this.interval = positiveInteger("interval", options.interval, 1000);
    this.expiry = positiveInteger("expiry", options.expiry, 5 * this.interval);
    const maxPeers = positiveInteger("maxPeers", options.maxPeers, 1024);
    this.#table = new PeerTable(this.uuid, { expiry: this.expiry, maxPeers });
  }

  /** The UDP port: once started, the one bound (the one chosen after `port: 0`). */
  get port(): number {
    return this.#boundPort ?? this.#options.port ?? ZRE_DISCOVERY_PORT;
  }

  /** The address our beacons go to; undefined before `start()`. */
  get broadcastAddress(): string | undefined {
    return this.#target;
  }

  /** The nodes known now. */
  get peers(): BeaconPeer[] {
    return this.#table.peers;
  }

  /** The last error a send of our beacon met, if any did. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /**
   * Binds the UDP port and, when announcing, sends the first beacon at once. Rejects with a
   * ZmqError when the interface is unknown (EINVAL), the port cannot be bound (EACCES,
   * EADDRINUSE) or the first beacon cannot be sent (ENETUNREACH…); the beacon is then closed.
   * A second call returns the same promise.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    if (this.#closing !== undefined) throw new ZmqError("ETERM", "The beacon is closed");
    const target = broadcastTarget(this.#options.interface);
    const port = this.#options.port ?? ZRE_DISCOVERY_PORT;
    let socket: UdpSocket;
    try {
      socket = await openUdp({
        port,
        broadcast: true,
        onDatagram: (data, from) => this.#received(data, from.address),
      });
    } catch (e) {
      throw asZmqError(e as Error, "EINVAL", `udp://0.0.0.0:${port}`);
    }
    this.#socket = socket;
    this.#boundPort = socket.port;
    this.#target = target;
    if (this.announce !== undefined) {
      try {
        await socket.send(encodeBeacon(this.#uuid, this.announce), socket.port, target);
        this.#sent++;
      } catch (e) {
        this.#socket = undefined;
        await socket.close();
        throw asZmqError(e as Error, "EINVAL", `udp://${target}:${socket.port}`);
      }
    }
    if (this.#closing !== undefined) return; // closed while starting
    this.#timer = setInterval(() => this.#tick(), this.interval);
    unrefTimer(this.#timer);
  }

  #received(data: Uint8Array, address: string): void {
    for (const event of this.#table.receive(data, address, performance.now())) {
      this.#events.push(event);
    }
  }

  #tick(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    if (this.announce !== undefined) {
      socket.send(encodeBeacon(this.#uuid, this.announce), socket.port, this.#target!).then(
        () => this.#sent++,
        (e: Error) => {
          this.#sendErrors++;
          this.#lastError = e;
        },
      );
    }
    for (const event of this.#table.expire(performance.now())) this.#events.push(event);
  }

  /** Counts of what was sent, received and ignored. */
  statistics(): BeaconStatistics {
    const c = this.#table.counts;
    return {
      sent: this.#sent,
      sendErrors: this.#sendErrors,
      received: c.received,
      beacons: c.beacons,
      own: c.own,
      malformed: c.malformed,
      overflow: c.overflow,
      strayFarewells: c.stray,
      peers: this.#table.peers.length,
      droppedEvents: this.#events.dropped,
    };
  }

  /**
   * The next event, or `done` once the beacon is closed and every event was read. While it
   * waits, the process stays alive.
   */
  next(): Promise<IteratorResult<BeaconEvent>> {
    const next = this.#events.next();
    return this.#events.queued === 0 && this.#closing === undefined ? holdUntil(next) : next;
  }

  /** Ends a `for await` loop over the events, not the beacon (close() does that). */
  return(): Promise<IteratorResult<BeaconEvent>> {
    return Promise.resolve({ value: undefined, done: true });
  }

  /** `for await (const event of beacon)`: this same iterator. */
  [Symbol.asyncIterator](): AsyncIterableIterator<BeaconEvent> {
    return this;
  }

  /**
   * Stops: when announcing, broadcasts a goodbye (our UUID with port 0) so that other nodes
   * drop us at once rather than after their expiry; then closes the UDP socket. Events already
   * queued can still be read; then iteration ends. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#starting?.catch(() => {});
    if (this.#timer !== undefined) clearInterval(this.#timer);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined) {
      if (this.announce !== undefined) {
        try {
          await socket.send(encodeBeacon(this.#uuid, 0), socket.port, this.#target!);
          this.#sent++;
        } catch { /* leaving anyway: the others will expire us */ }
      }
      await socket.close();
    }
    this.#events.stop();
  }

  /** `await using beacon = new Beacon(…)`: close() at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
