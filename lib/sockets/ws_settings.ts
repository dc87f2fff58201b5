// SPDX-License-Identifier: MIT
/** What a socket's ws:// and wss:// endpoints need of it, from its options and type. */
import type { WsSettings } from "../transports/ws.ts";
import type { SocketType } from "../wire/constants.ts";
import { compatiblePeers } from "./compatibility.ts";
import type { ResolvedOptions } from "./options.ts";
import { mechanismName } from "./security.ts";

/** The settings as the options are now (read at each connection, so changes apply to the next). */
export function wsSettings(o: ResolvedOptions, type: SocketType): WsSettings {
  return {
    mechanism: mechanismName(o),
    asServer: o.plainServer || o.curveServer,
    // a bare ZWS2.0 peer announces no type: it is taken to be the first we accept
    peerType: compatiblePeers[type][0] ?? "",
    handshakeInterval: o.handshakeInterval,
    origins: o.wsOrigins,
    tls: {
      cert: o.wssCertPem,
      key: o.wssKeyPem,
      trust: o.wssTrustPem,
      hostname: o.wssHostname,
      trustSystem: o.wssTrustSystem,
    },
  };
}
