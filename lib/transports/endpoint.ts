// SPDX-License-Identifier: MIT
/**
 * Endpoint strings (`tcp://host:port`, `ipc://path`, `inproc://name`, `ws://host:port/path`,
 * `wss://…`), parsed as libzmq does.
 */
import { ZmqError } from "../errors.ts";

export type Endpoint =
  | { transport: "tcp"; host: string; port: number }
  | { transport: "ipc"; path: string }
  | { transport: "inproc"; name: string }
  | WsEndpoint;

/** `ws://host:port[/path]` (ZWS 2.0), `wss://` the same over TLS. */
export interface WsEndpoint {
  transport: "ws";
  secure: boolean;
  host: string;
  port: number;
  /** The resource, `/` when none is given. */
  path: string;
}

function invalid(ep: string, why: string): ZmqError {
  return new ZmqError("EINVAL", `Invalid endpoint "${ep}": ${why}`, { address: ep });
}

/**
 * Parses an endpoint for `bind` (wildcards `*` allowed) or `connect`.
 * Throws ZmqError EINVAL for a malformed endpoint, EPROTONOSUPPORT for an unknown transport.
 */
export function parseEndpoint(ep: string, mode: "bind" | "connect"): Endpoint {
  if (typeof ep !== "string") throw new TypeError("Endpoint must be a string");
  const sep = ep.indexOf("://");
  if (sep <= 0) throw invalid(ep, "expected transport://address");
  const transport = ep.slice(0, sep);
  const addr = ep.slice(sep + 3);
  if (addr === "") throw invalid(ep, "empty address");
  switch (transport) {
    case "tcp":
      return parseTcp(ep, addr, mode);
    case "ipc":
      if (addr === "*") throw invalid(ep, "ipc://* is not supported, give a path");
      if (addr.startsWith("@")) throw invalid(ep, "abstract ipc names are not supported");
      if (new TextEncoder().encode(addr).length > 107) {
        throw invalid(ep, "ipc path longer than 107 bytes");
      }
      return { transport: "ipc", path: addr };
    case "inproc":
      return { transport: "inproc", name: addr };
    case "ws":
    case "wss":
      return parseWs(ep, addr, mode, transport === "wss");
    default:
      throw new ZmqError(
        "EPROTONOSUPPORT",
        `Unsupported transport "${transport}" in "${ep}" (tcp, ipc, inproc, ws and wss are)`,
        { address: ep },
      );
  }
}

function parseWs(ep: string, addr: string, mode: "bind" | "connect", secure: boolean): WsEndpoint {
  const slash = addr.indexOf("/");
  const path = slash < 0 ? "/" : addr.slice(slash);
  if (!/^\/[\x21-\x7e]*$/.test(path)) throw invalid(ep, `bad path "${path}"`);
  const { host, port } = parseTcp(ep, slash < 0 ? addr : addr.slice(0, slash), mode) as {
    host: string;
    port: number;
  };
  return { transport: "ws", secure, host, port, path };
}

function parseTcp(ep: string, addr: string, mode: "bind" | "connect"): Endpoint {
  if (addr.includes(";")) throw invalid(ep, "source addresses are not supported");
  const colon = addr.lastIndexOf(":");
  if (colon < 0) throw invalid(ep, "missing port");
  let host = addr.slice(0, colon);
  const portText = addr.slice(colon + 1);
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) throw invalid(ep, "unterminated IPv6 bracket");
    host = host.slice(1, -1);
    if (!host.includes(":")) throw invalid(ep, "brackets are for IPv6 addresses");
  } else if (host.includes(":")) {
    throw invalid(ep, "IPv6 addresses must be in brackets, e.g. tcp://[::1]:5555");
  }
  if (host === "") throw invalid(ep, "missing host");
  if (!/^[A-Za-z0-9.\-:%_*]+$/.test(host)) throw invalid(ep, `bad host "${host}"`);
  let port: number;
  if (portText === "*" || portText === "0") {
    if (mode === "connect") throw invalid(ep, "connect needs a port number");
    port = 0;
  } else if (/^\d{1,5}$/.test(portText)) {
    port = Number(portText);
    if (port < 1 || port > 65535) throw invalid(ep, `port must be 1-65535, got ${portText}`);
  } else {
    throw invalid(ep, `bad port "${portText}"`);
  }
  if (host === "*") {
    if (mode === "connect") throw invalid(ep, "connect needs a host, not *");
    host = "0.0.0.0";
  }
  return { transport: "tcp", host, port };
}

/** Formats a tcp address as an endpoint, IPv6 in brackets. */
export function tcpEndpoint(hostPort: string): string {
  return `tcp://${hostPort}`;
}

/**
 * The IP of a tcp peer's `host:port` remote address (`[::1]:5555` → `::1`), as libzmq reports
 * it (ZAP's address, the Peer-Address property); empty for ipc paths and other transports.
 */
export function peerIp(remoteAddress: string): string {
  const m = /^\[?([^\]]*?)\]?:\d+$/.exec(remoteAddress);
  return m ? m[1]! : "";
}
