// SPDX-License-Identifier: MIT
/**
 * Which security mechanism a socket's connections use, from its options (as libzmq decides):
 * CURVE when `curveServer` or `curveServerKey` is set, else PLAIN when `plainServer` or
 * `plainUsername` is, else NULL; and, for a server, how it reaches a ZAP handler (its
 * `zapHandler`, else a handler bound at inproc://zeromq.zap.01, else none).
 */
import { ZmqError } from "../errors.ts";
import type { Mechanism } from "../mechanisms/mechanism.ts";
import { NullMechanism } from "../mechanisms/null.ts";
import { PlainClient, PlainServer } from "../mechanisms/plain.ts";
import type * as CurveModule from "./curve_mechanisms.ts";
import { z85Decode } from "../mechanisms/z85.ts";
import type { Metadata } from "../wire/metadata.ts";
import { peerIp } from "../transports/endpoint.ts";
import { askHandler } from "../zap/handler.ts";
import { askInproc, zapHandlerBound } from "../zap/inproc_client.ts";
import type { ZapAsk, ZapRequest } from "../zap/zap.ts";
import type { ResolvedOptions } from "./options.ts";

/** What a connection adds to the options: who the peer is, for ZAP. */
export interface ConnectionFacts {
  /** The transport's remote address (`host:port` for tcp, a path or "unknown" otherwise). */
  remoteAddress: string;
  /** The socket's own routing id (libzmq sends it as ZAP's identity). */
  identity: Uint8Array;
  /** Aborted when the connection ends: a ZAP request still waiting is dropped. */
  closed?: AbortSignal;
}

/** The mechanism name the options select. */
export function mechanismName(o: ResolvedOptions): "NULL" | "PLAIN" | "CURVE" {
  if (o.curveServer || o.curveServerKey !== undefined) return "CURVE";
  if (o.plainServer || o.plainUsername !== undefined) return "PLAIN";
  return "NULL";
}

/** Throws when the security options are incomplete: checked at bind and connect. */
export function checkSecurity(o: ResolvedOptions): void {
  if (mechanismName(o) !== "CURVE") return;
  if (o.curveServer) {
    if (o.curveSecretKey === undefined) {
      throw new ZmqError("EINVAL", "a CURVE server (curveServer) needs curveSecretKey");
    }
  } else if (o.curvePublicKey === undefined || o.curveSecretKey === undefined) {
    throw new ZmqError(
      "EINVAL",
      "a CURVE client (curveServerKey) needs curvePublicKey and curveSecretKey " +
        "(curveKeyPair() makes a pair)",
    );
  }
}

/**
 * CURVE's mechanisms and their crypto (@noble/curves, @noble/ciphers), loaded by the first
 * socket that selects CURVE: on Deno they add about 1.4 MB to the heap of every program that
 * imports zmqkit, and a larger heap at start makes the first major GC come sooner and longer.
 */
let curve: typeof CurveModule | undefined;
let curveLoading: Promise<void> | undefined;

/**
 * Settles when the mechanism the options select can be made (at once, as undefined, unless
 * that is CURVE and its code has not loaded yet). Awaited by bind, started by connect, and
 * awaited by a session before its greeting, which covers CURVE options set after bind.
 */
export function mechanismReady(o: ResolvedOptions): Promise<void> | undefined {
  if (curve !== undefined || mechanismName(o) !== "CURVE") return undefined;
  curveLoading ??= import("./curve_mechanisms.ts").then(
    (m) => {
      curve = m;
    },
    (e: Error) => {
      curveLoading = undefined; // a later socket may try again
      throw new ZmqError("EINVAL", `CURVE cannot load: ${e.message}`);
    },
  );
  return curveLoading;
}

/** A new connection's mechanism (CURVE's code loaded: see mechanismReady). */
export function createMechanism(
  o: ResolvedOptions,
  own: Metadata,
  facts: ConnectionFacts,
): Mechanism {
  switch (mechanismName(o)) {
    case "PLAIN":
      return o.plainServer
        ? new PlainServer(own, zapAsk(o, facts))
        : new PlainClient(own, o.plainUsername!, o.plainPassword ?? "");
    case "CURVE": {
      if (curve === undefined) throw new ZmqError("EINVAL", "CURVE is not loaded yet");
      const { CurveClient, CurveServer } = curve;
      if (o.curveServer) {
        const secretKey = z85Decode(o.curveSecretKey!);
        const zap = zapAsk(o, facts);
        return new CurveServer(
          own,
          { secretKey, publicKey: publicOf(o.curveSecretKey!) },
          zap === undefined ? {} : { zap },
        );
      }
      return new CurveClient(own, {
        publicKey: z85Decode(o.curvePublicKey!),
        secretKey: z85Decode(o.curveSecretKey!),
        serverKey: z85Decode(o.curveServerKey!),
      });
    }
    default:
      // NULL asks ZAP only with a domain (libzmq 4.3; security.md §5.5)
      return new NullMechanism(own, o.zapDomain === "" ? undefined : zapAsk(o, facts));
  }
}

/** The public key of the last secret key asked about: X25519 once per socket, not per peer. */
let lastSecret: string | undefined;
let lastPublic: Uint8Array | undefined;
function publicOf(secretZ85: string): Uint8Array {
  if (secretZ85 !== lastSecret) {
    lastPublic = curve!.curvePublicKey(z85Decode(secretZ85));
    lastSecret = secretZ85;
  }
  return lastPublic!;
}

/** How this connection's server mechanism asks ZAP, or undefined when no handler exists. */
function zapAsk(o: ResolvedOptions, facts: ConnectionFacts): ZapAsk | undefined {
  const handler = o.zapHandler;
  if (handler === undefined && !zapHandlerBound()) return undefined;
  return (mechanism, credentials) => {
    const request: ZapRequest = {
      domain: o.zapDomain,
      address: peerIp(facts.remoteAddress),
      identity: facts.identity,
      mechanism,
      credentials,
    };
    return handler !== undefined ? askHandler(handler, request) : askInproc(request, facts.closed);
  };
}
