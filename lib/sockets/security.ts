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
import type { Metadata } from "../wire/metadata.ts";
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
}

/** The mechanism name the options select. */
export function mechanismName(o: ResolvedOptions): "NULL" | "PLAIN" | "CURVE" {
  if (o.curveServer || o.curveServerKey !== undefined) return "CURVE";
  if (o.plainServer || o.plainUsername !== undefined) return "PLAIN";
  return "NULL";
}

/** Throws when the options ask for what is not available (yet): checked at bind and connect. */
export function checkSecurity(o: ResolvedOptions): void {
  if (mechanismName(o) === "CURVE") {
    throw new ZmqError("ENOTSUP", "CURVE is not available yet (PLAIN and NULL are)");
  }
}

/** A new connection's mechanism. */
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
    case "CURVE":
      throw new TypeError("CURVE is not available yet");
    default:
      // NULL asks ZAP only with a domain (libzmq 4.3; security.md §5.5)
      return new NullMechanism(own, o.zapDomain === "" ? undefined : zapAsk(o, facts));
  }
}

/** The IP of a tcp peer, as libzmq puts it in ZAP requests; empty for other transports. */
export function zapAddress(remote: string): string {
  const m = /^\[?([^\]]*?)\]?:\d+$/.exec(remote);
  return m ? m[1]! : "";
}

/** How this connection's server mechanism asks ZAP, or undefined when no handler exists. */
function zapAsk(o: ResolvedOptions, facts: ConnectionFacts): ZapAsk | undefined {
  const handler = o.zapHandler;
  if (handler === undefined && !zapHandlerBound()) return undefined;
  return (mechanism, credentials) => {
    const request: ZapRequest = {
      domain: o.zapDomain,
      address: zapAddress(facts.remoteAddress),
      identity: facts.identity,
      mechanism,
      credentials,
    };
    return handler !== undefined ? askHandler(handler, request) : askInproc(request);
  };
}
