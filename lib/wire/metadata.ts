// SPDX-License-Identifier: MIT
/**
 * ZMTP metadata (property lists) carried by READY and the security handshakes.
 * RFC 23 §"Connection metadata". Strict parsing, as libzmq: a truncated property or a
 * stray trailing byte is a protocol error.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { latin1 } from "../util/bytes.ts";

/** Properties in wire order. Names keep their spelling; lookups are case-insensitive. */
export type Metadata = Array<[name: string, value: Uint8Array]>;

const NAME_RE = /^[A-Za-z0-9.+_-]{1,255}$/;
/**
 * Most properties accepted in one command. Real peers send a handful; each decoded property
 * costs ~30 times its 5 smallest wire bytes, so a peer may not make us hold thousands.
 */
export const MAX_PROPERTIES = 256;
const enc = new TextEncoder();

export function encodeMetadata(props: Metadata): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const [name, value] of props) {
    if (!NAME_RE.test(name)) throw new RangeError(`Invalid metadata property name "${name}"`);
    total += 1 + name.length + 4 + value.length;
  }
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  let o = 0;
  for (const [name, value] of props) {
    out[o++] = name.length;
    out.set(enc.encode(name), o);
    o += name.length;
    dv.setUint32(o, value.length);
    o += 4;
    out.set(value, o);
    o += value.length;
  }
  return out;
}

export function decodeMetadata(b: Uint8Array): Metadata {
  const out: Metadata = [];
  let o = 0;
  while (o < b.length) {
    if (out.length === MAX_PROPERTIES) {
      throw new ProtocolError(
        ProtocolErrorCode.INVALID_METADATA,
        `metadata with more than ${MAX_PROPERTIES} properties`,
      );
    }
    const nameLen = b[o]!;
    if (nameLen === 0 || o + 1 + nameLen + 4 > b.length) {
      throw new ProtocolError(
        ProtocolErrorCode.INVALID_METADATA,
        `truncated metadata at offset ${o}`,
      );
    }
    const name = latin1(b, o + 1, o + 1 + nameLen);
    if (!NAME_RE.test(name)) {
      throw new ProtocolError(
        ProtocolErrorCode.INVALID_METADATA,
        `invalid property name at offset ${o}`,
      );
    }
    o += 1 + nameLen;
    const valueLen = (b[o]! << 24 | b[o + 1]! << 16 | b[o + 2]! << 8 | b[o + 3]!) >>> 0;
    o += 4;
    if (valueLen > b.length - o) {
      throw new ProtocolError(
        ProtocolErrorCode.INVALID_METADATA,
        `metadata value of ${valueLen} bytes overruns the command at offset ${o - 4}`,
      );
    }
    out.push([name, b.subarray(o, o + valueLen)]);
    o += valueLen;
  }
  return out;
}

/** The value of property `name` (case-insensitive), or undefined. */
export function getProperty(props: Metadata, name: string): Uint8Array | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of props) if (n.toLowerCase() === lower) return v;
  return undefined;
}
