// SPDX-License-Identifier: MIT
/**
 * Ready-made ZAP handlers: allow or deny by address, a PLAIN password table, a set of CURVE
 * client keys — in one policy, checked in that order. A request the policy has nothing to say
 * against is accepted; every refusal is a 400 whose status text says why (it reaches the
 * server's `handshake:error:auth` event, never the client).
 */
import { z85Decode } from "../mechanisms/z85.ts";
import type { ZapAnswer, ZapHandler } from "./handler.ts";

/** What `zapPolicy` checks; a request it has nothing to say against is accepted. */
export interface ZapPolicy {
  /** Only these peer addresses (IPs, or IPv4 CIDR blocks such as `10.0.0.0/8`) may connect. */
  allow?: Iterable<string>;
  /** These peer addresses (IPs or IPv4 CIDR blocks) may not, whatever else says. */
  deny?: Iterable<string>;
  /** PLAIN: the users and their passwords; the user name becomes the User-Id. */
  users?: Map<string, string> | Record<string, string>;
  /** CURVE: the client public keys allowed (Z85 text or 32 bytes); the Z85 key is the User-Id. */
  curveKeys?: Iterable<string | Uint8Array>;
}

/** An address matcher for IPs and IPv4 CIDR blocks; throws RangeError for a bad entry. */
function matcher(entries: Iterable<string>, what: string): (ip: string) => boolean {
  const exact = new Set<string>();
  const blocks: Array<[base: number, mask: number]> = [];
  for (const e of entries) {
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(e);
    if (cidr) {
      const bits = Number(cidr[2]);
      const base = ipv4(cidr[1]!);
      if (base === undefined || bits > 32) throw new RangeError(`${what}: bad CIDR block "${e}"`);
      const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
      blocks.push([(base & mask) >>> 0, mask]);
    } else exact.add(e);
  }
  return (ip) => {
    if (exact.has(ip)) return true;
    const v = ipv4(ip);
    return v !== undefined && blocks.some(([base, mask]) => ((v & mask) >>> 0) === base);
  };
}

function ipv4(text: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const dec = new TextDecoder();

/** Equality that takes as long whatever the first difference (passwords). */
function sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * A ZAP handler enforcing `policy` (for the `zapHandler` option).
 *
 * @example Only local PLAIN users
 * ```ts
 * import { Dealer, zapPolicy } from "zmqkit";
 *
 * const server = new Dealer({
 *   plainServer: true,
 *   zapHandler: zapPolicy({ allow: ["127.0.0.1"], users: { ada: "lovelace" } }),
 * });
 * server.close();
 * ```
 */
export function zapPolicy(policy: ZapPolicy): ZapHandler {
  const allowed = policy.allow === undefined ? undefined : matcher(policy.allow, "allow");
  const denied = policy.deny === undefined ? undefined : matcher(policy.deny, "deny");
  const users = policy.users === undefined
    ? undefined
    : policy.users instanceof Map
    ? policy.users
    : new Map(Object.entries(policy.users));
  let keys: Map<string, string> | undefined;
  if (policy.curveKeys !== undefined) {
    keys = new Map();
    for (const k of policy.curveKeys) {
      const raw = typeof k === "string" ? z85Decode(k) : k;
      if (raw.length !== 32) {
        throw new RangeError("curveKeys: a key is 40 Z85 characters or 32 bytes");
      }
      keys.set(hex(raw), typeof k === "string" ? k : "");
    }
  }
  const refuse = (why: string): ZapAnswer => ({ status: 400, statusText: why });
  return ({ address, mechanism, credentials }) => {
    if (denied?.(address)) return refuse(`address ${address} is denied`);
    if (allowed !== undefined && !allowed(address)) {
      return refuse(`address ${address || "(none)"} is not allowed`);
    }
    if (mechanism === "PLAIN" && users !== undefined) {
      const user = dec.decode(credentials[0]), pass = dec.decode(credentials[1]);
      const known = users.get(user);
      if (known === undefined) return refuse(`unknown user "${user}"`);
      if (!sameText(known, pass)) return refuse(`wrong password for "${user}"`);
      return { status: 200, userId: user };
    }
    if (mechanism === "CURVE" && keys !== undefined) {
      const key = credentials[0] ?? new Uint8Array(0);
      if (!keys.has(hex(key))) return refuse("client key not allowed");
      return { status: 200, userId: keys.get(hex(key)) || hex(key) };
    }
    return { status: 200 };
  };
}
