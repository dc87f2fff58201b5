// SPDX-License-Identifier: MIT
/** Shared bits of the proxy tests: endpoints per transport, libzmq echo workers, payloads. */
import { Buffer } from "node:buffer";
import type { LibzmqPeer, Side } from "../_helpers/peers.ts";

export type Transport = "tcp" | "ipc";
export const TRANSPORTS: Transport[] = ["tcp", "ipc"];

let n = 0;
/** A fresh bind endpoint: a wildcard tcp port, or a unique ipc path under /tmp. */
export function bindEndpoint(t: Transport, name: string): string {
  if (t === "tcp") return "tcp://127.0.0.1:*";
  const rand = Math.random().toString(36).slice(2, 10);
  return `ipc:///tmp/zmqkit-proxy-${process.pid}-${rand}-${n++}-${name}`;
}

const enc = new TextEncoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);
export const text = (u: Uint8Array): string => new TextDecoder().decode(u);

/** A payload of `size` bytes whose content depends on `seed`, to check it arrives whole. */
export function payload(seed: number, size: number): Uint8Array {
  const u = new Uint8Array(size);
  for (let i = 0; i < size; i++) u[i] = (seed * 31 + i * 7) & 0xff;
  return u;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** Makes a libzmq socket an echo worker: every message comes back with `tag` appended. */
export async function serve(peer: LibzmqPeer, side: Side, tag: string): Promise<void> {
  const sock = (side as unknown as { sock: number }).sock;
  await peer.request("serve", { sock, tag: Buffer.from(tag).toString("base64") });
}
