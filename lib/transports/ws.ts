// SPDX-License-Identifier: MIT
/**
 * ws:// and wss:// (ZWS 2.0, RFC 45): a listener that upgrades each accepted tcp (or TLS)
 * connection, a dial that asks for the upgrade, and then a WsConnection for the session. The
 * HTTP part is read with a bound on its size and, when the socket has one, on its time
 * (handshakeInterval); a refused upgrade is answered with an HTTP status and reported.
 */
import { ZmqError } from "../errors.ts";
import {
  checkRequest,
  checkResponse,
  formatRefusal,
  formatRequest,
  formatResponse,
  headEnd,
  MAX_UPGRADE_BYTES,
  newKey,
  offeredProtocols,
  parseHead,
  UpgradeRefused,
  type WsMechanism,
} from "../wire/ws_handshake.ts";
import { type Connection, type ConnectionHandler, fmtHost, type Listener } from "./connection.ts";
import type { WsEndpoint } from "./endpoint.ts";
import { dialTcp, listenTcp } from "./runtime/sockets.ts";
import { dialTls, listenTls } from "./runtime/tls.ts";
import { unrefTimer } from "./runtime/keep_alive.ts";
import { toZmqError } from "./stream.ts";
import { WsConnection } from "./ws_connection.ts";

/** What a ws endpoint needs to know of its socket (read at each connection). */
export interface WsSettings {
  mechanism: WsMechanism;
  /** Our mechanism is the server of the security handshake. */
  asServer: boolean;
  /** The Socket-Type a bare ZWS2.0 peer is taken to be. */
  peerType: string;
  /** ms the upgrade may take (0 = no limit). */
  handshakeInterval: number;
  /** The browser origins accepted (undefined: any). */
  origins: readonly string[] | undefined;
  /** wss:// — PEM strings (libzmq's ZMQ_WSS_* options). */
  tls: {
    key: string | undefined;
    cert: string | undefined;
    trust: string | undefined;
    hostname: string | undefined;
    trustSystem: boolean;
  };
}

/**
 * Reads an HTTP head from `conn`: resolves with it and the bytes after it; rejects with
 * UpgradeRefused when it is too long, the time runs out or the connection closes first.
 */
function readHead(
  conn: Connection,
  ms: number,
): Promise<{ head: Uint8Array; rest: Uint8Array[] }> {
  return new Promise((resolve, reject) => {
    // grown as the head comes (a connection that sends a few bytes holds a few hundred)
    let buf = new Uint8Array(512);
    let have = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    /** What comes after the head: kept, in order, until the WsConnection takes over. */
    const rest: Uint8Array[] = [];
    const done = () => {
      if (timer !== undefined) clearTimeout(timer);
      conn.onData = (chunk) => void rest.push(chunk);
      conn.onClose = () => {};
    };
    if (ms > 0) {
      timer = setTimeout(() => {
        done();
        reject(new UpgradeRefused(408, `no WebSocket upgrade within ${ms} ms`));
      }, ms);
      unrefTimer(timer);
    }
    conn.onClose = (e) => {
      done();
      reject(
        new UpgradeRefused(
          0,
          `connection closed during the WebSocket upgrade${e ? `: ${e.message}` : ""}`,
        ),
      );
    };
    conn.onData = (chunk) => {
      const n = Math.min(chunk.length, MAX_UPGRADE_BYTES - have);
      if (have + n > buf.length) {
        const grown = new Uint8Array(
          Math.min(MAX_UPGRADE_BYTES, Math.max(2 * buf.length, have + n)),
        );
        grown.set(buf.subarray(0, have));
        buf = grown;
      }
      buf.set(chunk.subarray(0, n), have);
      const from = Math.max(0, have - 3);
      have += n;
      const end = headEnd(buf.subarray(from, have));
      if (end >= 0) {
        done();
        const at = from + end;
        if (at < have) rest.push(buf.slice(at, have));
        if (n < chunk.length) rest.push(chunk.subarray(n));
        resolve({ head: buf.slice(0, at), rest });
      } else if (have === MAX_UPGRADE_BYTES) {
        done();
        reject(new UpgradeRefused(431, `WebSocket upgrade head over ${MAX_UPGRADE_BYTES} bytes`));
      }
    };
  });
}

/**
 * Listens on `ep`; each connection that completes a ZWS upgrade goes to `onConn`, each that
 * does not is answered with an HTTP error, closed, and reported to `refused`.
 */
export async function listenWs(
  ep: WsEndpoint,
  text: string,
  settings: () => WsSettings,
  onConn: ConnectionHandler,
  refused: (remote: string, error: UpgradeRefused) => void,
): Promise<Listener> {
  const accept = (raw: Connection) => {
    const s = settings();
    readHead(raw, s.handshakeInterval).then(({ head, rest }) => {
      const accepted = checkRequest(
        parseHead(head),
        offeredProtocols(s.mechanism),
        ep.path,
        s.origins,
      );
      raw.write([formatResponse(accepted)]);
      onConn(
        new WsConnection(raw, {
          role: "server",
          protocol: accepted.protocol,
          asServer: s.asServer,
          peerType: s.peerType,
          early: rest,
        }),
      );
    }).catch((e: unknown) => {
      const error = e instanceof UpgradeRefused ? e : new UpgradeRefused(400, String(e));
      if (error.status > 0) raw.write([formatRefusal(error)]);
      raw.end();
      refused(raw.remoteAddress, error);
    });
  };
  const addr = { host: ep.host, port: ep.port };
  try {
    if (!ep.secure) return await listenTcp(addr, accept);
    const { cert, key } = settings().tls;
    if (cert === undefined || key === undefined) {
      throw new ZmqError("EINVAL", `wss:// needs wssCertPem and wssKeyPem set to bind "${text}"`, {
        address: text,
      });
    }
    return await listenTls(addr, { cert, key }, accept);
  } catch (e) {
    throw e instanceof ZmqError ? e : toZmqError(e, text);
  }
}

/** Dials `ep` and asks for the upgrade; rejects (ZmqError, or UpgradeRefused) if refused. */
export async function dialWs(
  ep: WsEndpoint,
  s: WsSettings,
  signal?: AbortSignal,
): Promise<Connection> {
  const addr = { host: ep.host, port: ep.port };
  const raw = ep.secure ? await dialTls(addr, { ...s.tls }, signal) : await dialTcp(addr, signal);
  const key = newKey();
  const offered = offeredProtocols(s.mechanism);
  raw.write([formatRequest(`${fmtHost(ep.host)}:${ep.port}`, ep.path, key, offered)]);
  try {
    const { head, rest } = await readHead(raw, s.handshakeInterval);
    const protocol = checkResponse(parseHead(head), key, offered);
    return new WsConnection(raw, {
      role: "client",
      protocol,
      asServer: s.asServer,
      peerType: s.peerType,
      early: rest,
    });
  } catch (e) {
    raw.destroy();
    throw e;
  }
}
