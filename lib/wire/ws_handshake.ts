// SPDX-License-Identifier: MIT
/**
 * The HTTP/1.1 upgrade that opens a ZWS 2.0 connection (RFC 6455 §4, RFC 45): the request a
 * client writes, the checks a server makes and the answer it writes, the checks a client makes
 * of that answer. Pure: bytes in, values or bytes out. Bounded: a head longer than
 * MAX_UPGRADE_BYTES or with more than MAX_HEADERS lines is refused, whatever it holds.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { latin1 } from "../util/bytes.ts";
import { sha1 } from "../util/sha1.ts";

/** RFC 6455's GUID, appended to the client's key to make the accept value. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Longest request or response head read, request line and headers together. */
export const MAX_UPGRADE_BYTES = 8192;
/** Most header lines in one head. */
export const MAX_HEADERS = 64;

/** The security mechanisms ZWS names in its subprotocols. */
export type WsMechanism = "NULL" | "PLAIN" | "CURVE";

/** A refused upgrade: `status` is the HTTP status a server answers with. */
export class UpgradeRefused extends ProtocolError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(ProtocolErrorCode.WS_UPGRADE, message);
    this.status = status;
  }
}

/**
 * The subprotocols for a mechanism, as libzmq has them: what a client offers, in order, and
 * what a server accepts.
 */
export function offeredProtocols(mechanism: WsMechanism): string[] {
  return mechanism === "NULL" ? ["ZWS2.0/NULL", "ZWS2.0"] : [`ZWS2.0/${mechanism}`];
}

/** The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key. */
export function acceptValue(key: string): string {
  const digest = sha1(new TextEncoder().encode(key + GUID));
  return btoa(latin1(digest));
}

/** A fresh Sec-WebSocket-Key: 16 random bytes in base64. */
export function newKey(): string {
  return btoa(latin1(globalThis.crypto.getRandomValues(new Uint8Array(16))));
}

/** Where the head ends in `buf` (the index after its blank line), or -1 if not yet. */
export function headEnd(buf: Uint8Array, length = buf.length): number {
  for (let i = 3; i < length; i++) {
    if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) return i + 1;
  }
  return -1;
}

/** A parsed head: its first line, and its headers by lower-case name (repeats joined by ", "). */
export interface HttpHead {
  readonly line: string;
  readonly headers: ReadonlyMap<string, string>;
}

/** Parses a head (up to and including its blank line). Throws UpgradeRefused. */
export function parseHead(head: Uint8Array): HttpHead {
  if (head.length > MAX_UPGRADE_BYTES) {
    throw new UpgradeRefused(431, `upgrade head over ${MAX_UPGRADE_BYTES} bytes`);
  }
  const lines = latin1(head).split("\r\n");
  lines.length -= 2; // the blank line and what follows it
  if (lines.length - 1 > MAX_HEADERS) {
    throw new UpgradeRefused(431, `more than ${MAX_HEADERS} header lines`);
  }
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const colon = l.indexOf(":");
    const name = l.slice(0, colon).toLowerCase();
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
      throw new UpgradeRefused(400, `malformed header line ${JSON.stringify(l.slice(0, 64))}`);
    }
    const value = l.slice(colon + 1).trim();
    if (hasControl(value)) {
      throw new UpgradeRefused(400, `control character in header ${name}`);
    }
    const had = headers.get(name);
    headers.set(name, had === undefined ? value : `${had}, ${value}`);
  }
  return { line: lines[0] ?? "", headers };
}

/** True if `s` holds a control character other than tab. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 9) || c === 0x7f) return true;
  }
  return false;
}

/** Comma-separated tokens of a header, trimmed, empty ones dropped. */
function tokens(value: string | undefined): string[] {
  return (value ?? "").split(",").map((t) => t.trim()).filter((t) => t !== "");
}

const hasToken = (value: string | undefined, token: string) =>
  tokens(value).some((t) => t.toLowerCase() === token);

/** The request a client writes to open `path` on `host` offering `protocols`. */
export function formatRequest(
  host: string,
  path: string,
  key: string,
  protocols: readonly string[],
): Uint8Array {
  return new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: ${protocols.join(",")}\r\n` +
      "Sec-WebSocket-Version: 13\r\n\r\n",
  );
}

/** What a server accepted: the resource asked for, the subprotocol it chose, its accept value. */
export interface AcceptedUpgrade {
  path: string;
  protocol: string;
  accept: string;
}

/**
 * Checks a client's request. `acceptable` lists the subprotocols the server speaks; the first
 * of the client's list that is one of them is chosen (the client's order, as libzmq). A server
 * bound to a path other than "/" serves that path only; with `origins`, a request whose Origin
 * is not one of them is refused (one without Origin, from no browser, is not). Throws
 * UpgradeRefused.
 */
export function checkRequest(
  head: HttpHead,
  acceptable: readonly string[],
  boundPath: string,
  origins?: readonly string[],
): AcceptedUpgrade {
  const m = /^GET (\S+) HTTP\/1\.1$/.exec(head.line);
  if (m === null) {
    throw new UpgradeRefused(
      400,
      `not a WebSocket upgrade: ${JSON.stringify(head.line.slice(0, 64))}`,
    );
  }
  const path = m[1]!;
  const h = head.headers;
  if (!hasToken(h.get("upgrade"), "websocket") || !hasToken(h.get("connection"), "upgrade")) {
    throw new UpgradeRefused(426, "an HTTP request without Upgrade: websocket");
  }
  const version = h.get("sec-websocket-version");
  if (version !== undefined && version !== "13") {
    throw new UpgradeRefused(426, `WebSocket version ${JSON.stringify(version)}, not 13`);
  }
  const key = h.get("sec-websocket-key");
  if (key === undefined || !/^[A-Za-z0-9+/]{22}==$/.test(key)) {
    throw new UpgradeRefused(400, "missing or malformed Sec-WebSocket-Key");
  }
  const resource = path.split("?")[0]!;
  if (boundPath !== "/" && resource !== boundPath) {
    throw new UpgradeRefused(404, `no ZeroMQ socket at ${JSON.stringify(resource.slice(0, 64))}`);
  }
  const origin = h.get("origin");
  if (origins !== undefined && origin !== undefined && !origins.includes(origin)) {
    throw new UpgradeRefused(403, `origin ${JSON.stringify(origin.slice(0, 128))} is not allowed`);
  }
  const offered = tokens(h.get("sec-websocket-protocol"));
  const protocol = offered.find((p) => acceptable.includes(p));
  if (protocol === undefined) {
    throw new UpgradeRefused(
      400,
      `no subprotocol in common: offered ${JSON.stringify(offered.join(",").slice(0, 128))}, ` +
        `this socket speaks ${acceptable.join(",")}`,
    );
  }
  return { path, protocol, accept: acceptValue(key) };
}

/** The server's 101 answer. */
export function formatResponse(accepted: AcceptedUpgrade): Uint8Array {
  return new TextEncoder().encode(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accepted.accept}\r\n` +
      `Sec-WebSocket-Protocol: ${accepted.protocol}\r\n\r\n`,
  );
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  426: "Upgrade Required",
  431: "Request Header Fields Too Large",
};

/** A refusal a server writes before closing: status, a one-line reason as the body. */
export function formatRefusal(refused: UpgradeRefused): Uint8Array {
  const body = `${refused.message}\n`;
  const extra = refused.status === 426 ? "Sec-WebSocket-Version: 13\r\n" : "";
  return new TextEncoder().encode(
    `HTTP/1.1 ${refused.status} ${REASONS[refused.status] ?? "Error"}\r\n${extra}` +
      `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` +
      body,
  );
}

/**
 * Checks a server's answer to our request (`key`, `offered`); returns the chosen subprotocol.
 * Throws UpgradeRefused (its status is the server's, or 0).
 */
export function checkResponse(head: HttpHead, key: string, offered: readonly string[]): string {
  const m = /^HTTP\/1\.1 (\d{3})(?: (.*))?$/.exec(head.line);
  if (m === null) {
    throw new UpgradeRefused(0, `not an HTTP answer: ${JSON.stringify(head.line.slice(0, 64))}`);
  }
  if (m[1] !== "101") {
    throw new UpgradeRefused(Number(m[1]), `the server answered ${m[1]} ${m[2] ?? ""}`.trim());
  }
  const h = head.headers;
  if (!hasToken(h.get("upgrade"), "websocket") || !hasToken(h.get("connection"), "upgrade")) {
    throw new UpgradeRefused(0, "the server's 101 lacks Upgrade: websocket");
  }
  if (h.get("sec-websocket-accept") !== acceptValue(key)) {
    throw new UpgradeRefused(0, "the server's Sec-WebSocket-Accept does not match our key");
  }
  const protocol = h.get("sec-websocket-protocol");
  if (protocol === undefined || !offered.includes(protocol)) {
    throw new UpgradeRefused(
      0,
      `the server chose subprotocol ${JSON.stringify(protocol ?? "")}, we offered ${
        offered.join(",")
      }`,
    );
  }
  return protocol;
}
