// SPDX-License-Identifier: MIT
/**
 * The HTTP half of a ZWS 2.0 connection (ZeroMQ over WebSocket, RFC 45 on RFC 6455) as the
 * dump sees it: one side's upgrade request or response collected up to its blank line, never
 * more than MAX_HEAD bytes, and read into the one line the dump shows (request or status line,
 * offered or chosen Sec-WebSocket-Protocol), and the sniffing that tells such a head from
 * ZMTP's signature. Lenient and pure: odd bytes are shown escaped, missing headers become a
 * note; only an over-long head is an error.
 */
import { latin1 } from "../util/bytes.ts";
import { toHex } from "./text.ts";

/** Largest header block held: a head with no blank line within it is reported, not buffered. */
export const MAX_HEAD = 8192;

/** What one side's head says. */
export interface UpgradeInfo {
  /** The request line or status line, non-printable bytes escaped as \xNN. */
  line: string;
  /** Request: the Sec-WebSocket-Protocol values offered, in order. */
  protocols?: string[];
  /** Response: the status code (absent when the status line has none). */
  status?: number;
  /** Response: the Sec-WebSocket-Protocol chosen. */
  protocol?: string;
  /** What a libzmq peer would object to. */
  note?: string;
}

/** Collects one header block; `push` returns where the bytes after the head begin. */
export class HttpHead {
  /** Grown as the head comes, up to MAX_HEAD: a connection that sends little holds little. */
  #buf = new Uint8Array(256);
  #have = 0;
  /** Set once the blank line has been seen. */
  info: UpgradeInfo | undefined;
  /** Set when MAX_HEAD bytes went by without a blank line. */
  error: string | undefined;
  /** Once complete: whether the head has `Upgrade: websocket`. */
  websocket = false;

  /** Takes bytes from `chunk[i…]` up to the end of the head; returns the index after them. */
  push(chunk: Uint8Array, i: number): number {
    let buf = this.#buf;
    while (i < chunk.length && this.info === undefined && this.error === undefined) {
      if (this.#have === MAX_HEAD) {
        this.error = `HTTP header block over ${MAX_HEAD} bytes without its blank line`;
        break;
      }
      if (this.#have === buf.length) {
        buf = new Uint8Array(Math.min(MAX_HEAD, 2 * buf.length));
        buf.set(this.#buf);
        this.#buf = buf;
      }
      const b = chunk[i++]!;
      buf[this.#have++] = b;
      const n = this.#have;
      if (n <= 5 && prefix(buf.subarray(0, n)) === "zmtp") {
        this.error = `not an HTTP head: it starts with 0x${toHex(buf.subarray(0, n))}`;
        break;
      }
      if (b !== 0x0a) continue;
      const crlf = n >= 4 && buf[n - 2] === 0x0d && buf[n - 3] === 0x0a && buf[n - 4] === 0x0d;
      const lf = n >= 2 && buf[n - 2] === 0x0a;
      if (crlf || lf) {
        const text = latin1(buf, 0, n);
        this.info = readHead(text);
        this.websocket = /\nupgrade:[ \t]*websocket[ \t]*\r?\n/i.test(text);
      }
    }
    return i;
  }
}

/**
 * Holds one side's first bytes until they tell a ZWS stream from anything else: "ws" for an
 * HTTP request or response (`GET `, `HTTP/`) whose head asks for `Upgrade: websocket` (or
 * runs over MAX_HEAD, which the ZWS decoder then reports), "zmtp" for everything else,
 * "maybe" while undecided. At most MAX_HEAD bytes are held while undecided.
 */
export class ZwsSniffer {
  #buf: Uint8Array = new Uint8Array(0);
  #have = 0;
  #head: HttpHead | undefined;
  /** Bytes already given to #head. */
  #fed = 0;

  /** Every byte pushed so far: what to decode once there is a verdict. */
  get bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#have);
  }

  push(chunk: Uint8Array): "ws" | "zmtp" | "maybe" {
    const start = this.#have;
    if (start === 0 && prefix(chunk) === "zmtp") {
      this.#buf = chunk; // the common case: no copy
      this.#have = chunk.length;
      return "zmtp";
    }
    if (start + chunk.length > this.#buf.length) {
      const grown = new Uint8Array(Math.max(64, 2 * this.#buf.length, start + chunk.length));
      grown.set(this.bytes);
      this.#buf = grown;
    }
    this.#buf.set(chunk, start);
    this.#have += chunk.length;
    const held = this.bytes;
    const p = prefix(held);
    if (p !== "ws") return p;
    const head = this.#head ??= new HttpHead();
    head.push(held, this.#fed);
    this.#fed = this.#have;
    if (head.error !== undefined) return "ws";
    if (head.info === undefined) return "maybe";
    return head.websocket ? "ws" : "zmtp";
  }
}

/** For captures: "yes" when `b` opens a ZWS stream, "no" when it cannot, else "maybe". */
export function upgradeRequest(b: Uint8Array): "yes" | "no" | "maybe" {
  const v = new ZwsSniffer().push(b);
  return v === "ws" ? "yes" : v === "zmtp" ? "no" : "maybe";
}

/** "ws" when `b` starts with `GET ` or `HTTP/`, "maybe" while it is a prefix of one. */
function prefix(b: Uint8Array): "ws" | "zmtp" | "maybe" {
  for (const word of ["GET ", "HTTP/"]) {
    let k = 0;
    while (k < word.length && k < b.length && b[k] === word.charCodeAt(k)) k++;
    if (k === word.length) return "ws";
    if (k === b.length) return "maybe";
  }
  return "zmtp";
}

function readHead(text: string): UpgradeInfo {
  const lines = text.split(/\r?\n/);
  const first = lines[0] ?? "";
  const headers = new Map<string, string[]>();
  for (const l of lines.slice(1)) {
    const colon = l.indexOf(":");
    if (colon <= 0) continue;
    const name = l.slice(0, colon).trim().toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(l.slice(colon + 1).trim());
    headers.set(name, list);
  }
  const info: UpgradeInfo = { line: escape(first) };
  const notes: string[] = [];
  const protocols = (headers.get("sec-websocket-protocol") ?? [])
    .flatMap((v) => v.split(","))
    .map((p) => escape(p.trim()))
    .filter((p) => p !== "");
  const upgrade = (headers.get("upgrade") ?? []).some((v) => v.toLowerCase() === "websocket");
  if (!upgrade) notes.push("no Upgrade: websocket header");
  if (first.startsWith("HTTP/")) {
    const status = /^HTTP\/\S+\s+(\d{3})\b/.exec(first);
    if (status) info.status = Number(status[1]);
    if (protocols.length > 0) info.protocol = protocols.join(",");
    if (protocols.length !== 1) notes.push("the response must choose one Sec-WebSocket-Protocol");
    if (!headers.has("sec-websocket-accept")) notes.push("no Sec-WebSocket-Accept");
  } else {
    info.protocols = protocols;
    if (protocols.length === 0) notes.push("no Sec-WebSocket-Protocol offered");
    if (!headers.has("sec-websocket-key")) notes.push("no Sec-WebSocket-Key");
  }
  if (notes.length > 0) info.note = notes.join("; ");
  return info;
}

/** The text with control and non-ASCII characters escaped, so it prints on one line. */
function escape(s: string): string {
  return s.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
