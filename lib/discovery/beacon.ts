// SPDX-License-Identifier: MIT
/**
 * The ZRE discovery beacon (https://rfc.zeromq.org/spec/36/, "Node Discovery and Presence"):
 * one UDP datagram of exactly 22 bytes,
 *
 *   "Z" "R" "E" %x01   UUID (16 bytes)   port (2 bytes, big-endian)
 *
 * the node's identity and the TCP port it accepts ZeroMQ connections on; port 0 says the node
 * is leaving. Pure: bytes in, values out. Decoding is strict, as the RFC asks of a receiver:
 * any other length, header or version is not a beacon, and is ignored.
 */

/** The UDP port IANA assigned to ZRE discovery (ZRE-DISC). */
export const ZRE_DISCOVERY_PORT = 5670;
/** The size of every beacon, in bytes. */
export const BEACON_SIZE = 22;
/** The beacon version this codec speaks (the fourth byte). */
export const BEACON_VERSION = 1;
/** The size of a node's UUID, in bytes. */
export const UUID_SIZE = 16;

const Z = 0x5a, R = 0x52, E = 0x45;

/** A decoded beacon. */
export interface BeaconData {
  /** The sender's UUID, 32 upper-case hex digits. */
  uuid: string;
  /** The TCP port it accepts connections on; 0 when it is leaving. */
  port: number;
}

/**
 * Encodes a beacon.
 *
 * @param uuid The node's UUID: 16 bytes, or 32 hex digits.
 * @param port The TCP port to announce (0-65535; 0 says goodbye).
 * @returns The 22-byte datagram.
 * @throws {RangeError} For a UUID that is not 16 bytes or a port out of range.
 */
export function encodeBeacon(uuid: Uint8Array | string, port: number): Uint8Array {
  const id = typeof uuid === "string" ? uuidBytes(uuid) : uuid;
  if (id.length !== UUID_SIZE) {
    throw new RangeError(`A beacon's UUID must be 16 bytes, current length is ${id.length}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`A beacon's port must be 0-65535, current value is ${port}`);
  }
  const out = new Uint8Array(BEACON_SIZE);
  out.set([Z, R, E, BEACON_VERSION]);
  out.set(id, 4);
  out[20] = port >> 8;
  out[21] = port & 0xff;
  return out;
}

/**
 * Decodes a datagram as a beacon.
 *
 * @param datagram What arrived on the discovery port, from anyone.
 * @returns The beacon, or undefined when the datagram is not exactly one version 1 beacon.
 */
export function decodeBeacon(datagram: Uint8Array): BeaconData | undefined {
  if (datagram.length !== BEACON_SIZE) return undefined;
  if (datagram[0] !== Z || datagram[1] !== R || datagram[2] !== E) return undefined;
  if (datagram[3] !== BEACON_VERSION) return undefined;
  return {
    uuid: uuidHex(datagram.subarray(4, 20)),
    port: (datagram[20]! << 8) | datagram[21]!,
  };
}

/** 16 bytes as 32 upper-case hex digits (as Zyre prints a UUID). */
export function uuidHex(uuid: Uint8Array): string {
  let s = "";
  for (const b of uuid) s += b.toString(16).padStart(2, "0");
  return s.toUpperCase();
}

/**
 * 32 hex digits (either case; dashes, as in 8-4-4-4-12, allowed) as 16 bytes.
 *
 * @throws {RangeError} For anything else.
 */
export function uuidBytes(hex: string): Uint8Array {
  const digits = hex.replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(digits)) {
    throw new RangeError(`A UUID must be 32 hex digits, current value is "${hex}"`);
  }
  const out = new Uint8Array(UUID_SIZE);
  for (let i = 0; i < UUID_SIZE; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}
