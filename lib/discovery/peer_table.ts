// SPDX-License-Identifier: MIT
/**
 * The bookkeeping of beacon discovery (beacons.ts): which nodes are known, which appeared,
 * which are gone — silent past the expiry, a goodbye beacon (port 0), or a beacon from a new
 * address or port (moved). No I/O and no clock of its own: the caller hands in each datagram
 * and the time. At most `maxPeers` nodes are tracked; beacons of further new nodes are counted
 * and dropped.
 */
import { decodeBeacon } from "./beacon.ts";

/** Another node, as its beacons describe it. */
export interface BeaconPeer {
  /** Its UUID, 32 upper-case hex digits. */
  uuid: string;
  /** The IPv4 address its beacons come from. */
  address: string;
  /** The TCP port its beacons announce. */
  port: number;
  /** `tcp://address:port`: where to connect to it. */
  endpoint: string;
}

/** Why a node is no longer listed. */
export type DisappearReason = "expired" | "farewell" | "moved";

/** What beacon discovery reports. */
export type BeaconEvent =
  | { type: "appeared"; peer: BeaconPeer }
  | { type: "disappeared"; peer: BeaconPeer; reason: DisappearReason };

interface Known {
  peer: BeaconPeer;
  seen: number;
}

/**
 * The bookkeeping of beacons received: who is known, who appeared, who is gone. No I/O: the
 * caller hands it each datagram and the time, and asks it to expire silent nodes.
 */
export class PeerTable {
  readonly #own: string;
  readonly #expiry: number;
  readonly #max: number;
  readonly #known = new Map<string, Known>();
  /** The counts `receive` keeps. */
  readonly counts = { received: 0, beacons: 0, own: 0, malformed: 0, overflow: 0, stray: 0 };

  /**
   * An empty table.
   *
   * @param own Our UUID (hex): beacons carrying it are ignored.
   * @param options `expiry`: ms of silence before a node is gone; `maxPeers`: the most nodes tracked.
   */
  constructor(own: string, options: { expiry: number; maxPeers: number }) {
    this.#own = own;
    this.#expiry = options.expiry;
    this.#max = options.maxPeers;
  }

  /** The nodes known now. */
  get peers(): BeaconPeer[] {
    return [...this.#known.values()].map((k) => k.peer);
  }

  /** Takes one datagram from `address`, received at `now` (ms); returns what changed. */
  receive(datagram: Uint8Array, address: string, now: number): BeaconEvent[] {
    this.counts.received++;
    const beacon = decodeBeacon(datagram);
    if (beacon === undefined) {
      this.counts.malformed++;
      return [];
    }
    if (beacon.uuid === this.#own) {
      this.counts.own++;
      return [];
    }
    this.counts.beacons++;
    const known = this.#known.get(beacon.uuid);
    if (beacon.port === 0) {
      if (known === undefined) {
        this.counts.stray++;
        return [];
      }
      this.#known.delete(beacon.uuid);
      return [{ type: "disappeared", peer: known.peer, reason: "farewell" }];
    }
    if (known !== undefined) {
      if (known.peer.address === address && known.peer.port === beacon.port) {
        known.seen = now;
        return [];
      }
      this.#known.delete(beacon.uuid);
      const peer = makePeer(beacon.uuid, address, beacon.port);
      this.#known.set(beacon.uuid, { peer, seen: now });
      return [
        { type: "disappeared", peer: known.peer, reason: "moved" },
        { type: "appeared", peer },
      ];
    }
    if (this.#known.size >= this.#max) {
      this.counts.overflow++;
      return [];
    }
    const peer = makePeer(beacon.uuid, address, beacon.port);
    this.#known.set(beacon.uuid, { peer, seen: now });
    return [{ type: "appeared", peer }];
  }

  /** Forgets the nodes silent for longer than the expiry at `now` (ms); returns them. */
  expire(now: number): BeaconEvent[] {
    const gone: BeaconEvent[] = [];
    for (const [uuid, k] of this.#known) {
      if (now - k.seen > this.#expiry) {
        this.#known.delete(uuid);
        gone.push({ type: "disappeared", peer: k.peer, reason: "expired" });
      }
    }
    return gone;
  }
}

function makePeer(uuid: string, address: string, port: number): BeaconPeer {
  return { uuid, address, port, endpoint: `tcp://${address}:${port}` };
}
