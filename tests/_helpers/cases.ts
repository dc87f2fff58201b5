// SPDX-License-Identifier: MIT
/**
 * Interop scenarios against libzmq, as data: every compatible socket pair, each way round
 * (zmqkit the first type or the second), each bind direction, over tcp and ipc (played by
 * tests/interop/pair_flows.ts), and the subscription-filtering cases (played by
 * tests/interop/subscriptions_libzmq_test.ts). Messages are multipart with an empty frame, a
 * frame over 255 bytes (long-frame encoding) and a 1 MiB frame. Plus the shared checks.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { type Frames, type Impl, PeerError, type Side, type SocketTypeName } from "./peers.ts";

export type Transport = "tcp" | "ipc" | "ws";
export type Flow =
  | "duplex"
  | "pipeline"
  | "pubsub"
  | "reqrep"
  | "req-router"
  | "dealer-rep"
  | "dealer-router"
  | "router-router";

export interface PairCase {
  name: string;
  /** The pattern's two types; `flow` says how `first` and `second` talk. */
  first: SocketTypeName;
  second: SocketTypeName;
  flow: Flow;
  /** Which of the two types zmqkit plays (libzmq plays the other). */
  zmqkit: "first" | "second";
  binder: Impl;
  transport: Transport;
  /** The DEALER/REQ side sets a routing id (else the ROUTER generates one). */
  routingId: boolean;
}

/** The compatible pairs of the issue, with the exchange each one plays. */
export const PAIRS: ReadonlyArray<{ first: SocketTypeName; second: SocketTypeName; flow: Flow }> = [
  { first: "PAIR", second: "PAIR", flow: "duplex" },
  { first: "PUSH", second: "PULL", flow: "pipeline" },
  { first: "PUB", second: "SUB", flow: "pubsub" },
  { first: "PUB", second: "XSUB", flow: "pubsub" },
  { first: "XPUB", second: "SUB", flow: "pubsub" },
  { first: "XPUB", second: "XSUB", flow: "pubsub" },
  { first: "REQ", second: "REP", flow: "reqrep" },
  { first: "REQ", second: "ROUTER", flow: "req-router" },
  { first: "DEALER", second: "REP", flow: "dealer-rep" },
  { first: "DEALER", second: "ROUTER", flow: "dealer-router" },
  { first: "DEALER", second: "DEALER", flow: "duplex" },
  { first: "ROUTER", second: "ROUTER", flow: "router-router" },
];

/** Every case for the pairs whose flow is in `flows`. Symmetric pairs get one role assignment. */
export function pairCases(
  flows: readonly Flow[],
  transports: readonly Transport[] = ["tcp", "ipc"],
): PairCase[] {
  const out: PairCase[] = [];
  for (const p of PAIRS) {
    if (!flows.includes(p.flow)) continue;
    const roles = p.first === p.second ? ["first"] as const : ["first", "second"] as const;
    for (const zmqkit of roles) {
      for (const binder of ["zmqkit", "libzmq"] as const) {
        for (const transport of transports) {
          // both id styles for each implementation, direction and transport across the matrix
          const routingId = (transport === "tcp") === (binder === "zmqkit");
          const who = (role: "first" | "second") => role === zmqkit ? "zmqkit" : "libzmq";
          const name = `${p.first}(${who("first")})–${p.second}(${who("second")}), ` +
            `${binder} binds, ${transport}${
              hasRouter(p) ? routingId ? ", set id" : ", generated id" : ""
            }`;
          out.push({ name, ...p, zmqkit, binder, transport, routingId });
        }
      }
    }
  }
  return out;
}

function hasRouter(p: { first: SocketTypeName; second: SocketTypeName }): boolean {
  return p.second === "ROUTER" && p.first !== "ROUTER";
}

/** A publisher and a subscriber, one zmqkit's and one libzmq's, checking filtering exactly. */
export interface SubCase {
  name: string;
  publisher: "PUB" | "XPUB";
  subscriber: "SUB" | "XSUB";
  zmqkit: "publisher" | "subscriber";
  binder: Impl;
  transport: Transport;
}

export function subscriptionCases(): SubCase[] {
  const out: SubCase[] = [];
  for (const publisher of ["PUB", "XPUB"] as const) {
    for (const subscriber of ["SUB", "XSUB"] as const) {
      for (const zmqkit of ["publisher", "subscriber"] as const) {
        for (const binder of ["zmqkit", "libzmq"] as const) {
          for (const transport of ["tcp", "ipc"] as const) {
            const [pi, si] = zmqkit === "publisher" ? ["zmqkit", "libzmq"] : ["libzmq", "zmqkit"];
            const name =
              `${subscriber}(${si}) behind ${publisher}(${pi}), ${binder} binds, ${transport}`;
            out.push({ name, publisher, subscriber, zmqkit, binder, transport });
          }
        }
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------ payloads and checks

const enc = new TextEncoder();
export const utf8 = (s: string): Uint8Array => enc.encode(s);
const big = new Map<number, Uint8Array>();

function pattern(length: number, seed: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return b;
}

/** A message: a text frame, an empty frame, a 300-byte frame and a 1 MiB frame. */
export function bigMessage(label: string, seed: number): Frames {
  let mib = big.get(seed);
  if (!mib) big.set(seed, mib = pattern(1 << 20, seed));
  return [utf8(label), new Uint8Array(0), pattern(300, seed), mib];
}

/** Byte equality of two messages, with a short failure message (never dumps 1 MiB). */
export function assertFrames(actual: Frames, expected: Frames, what: string): void {
  const sizes = (m: Frames) => m.map((f) => f.length).join(",");
  assert.equal(
    actual.length,
    expected.length,
    `${what}: frame count (got sizes ${sizes(actual)}, want ${sizes(expected)})`,
  );
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    assert.equal(a.length, e.length, `${what}: frame ${i} length`);
    const same = a.every((x, j) => x === e[j]);
    assert.ok(same, `${what}: frame ${i} bytes differ`);
  }
}

export const text = (f: Uint8Array): string => new TextDecoder().decode(f);

/** A fresh endpoint to bind: a wildcard tcp port, or a unique ipc path under /tmp. */
export function bindEndpoint(transport: Transport): string {
  return transport === "tcp"
    ? "tcp://127.0.0.1:*"
    : transport === "ws"
    ? "ws://127.0.0.1:0"
    : `ipc:///tmp/zmqkit-interop-${randomBytes(6).toString("hex")}.sock`;
}

/** Retries `fn` while it fails with one of `codes`, up to `deadline` ms overall. */
export async function retrying<T>(
  fn: () => Promise<T>,
  codes: string[],
  deadline = 5000,
): Promise<T> {
  const until = Date.now() + deadline;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof PeerError || (e as { code?: string }).code) || Date.now() > until) throw e;
      if (!codes.includes((e as { code: string }).code)) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/**
 * Publishes `probe` every few ms until `sub` receives a message, then returns what it got.
 * This is how a PUB knows its subscriber's subscription has arrived (slow joiner).
 */
export async function probeUntilReceived(
  pub: Side,
  sub: Side,
  probe: Frames,
  deadline = 5000,
): Promise<Frames> {
  let got = false;
  const received = sub.receive(deadline);
  // a rejection is reported by the await below; this handler only ends the loop
  const settled = received.then(() => got = true, () => got = true);
  while (!got) {
    await pub.send(probe);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([settled, new Promise((r) => timer = setTimeout(r, 10))]);
    clearTimeout(timer);
  }
  return await received;
}

/** Receives until a message whose first frame is not `skip`, and returns it. */
export async function receiveSkipping(side: Side, skip: string): Promise<Frames> {
  for (;;) {
    const m = await side.receive();
    if (text(m[0]!) !== skip) return m;
  }
}

/** Rejects if `work` takes more than `ms`: a hang fails its case instead of the whole run. */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
