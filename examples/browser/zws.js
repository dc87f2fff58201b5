// SPDX-License-Identifier: MIT
/**
 * A ZeroMQ-over-WebSocket client for browsers (ZWS 2.0, RFC 45), dependency-free, on the
 * browser's own `WebSocket`:
 *
 *   import { connect } from "./zws.js";
 *   const req = await connect("ws://127.0.0.1:8080/", "REQ");
 *   const reply = await req.request(["hello"]); // [Uint8Array "world"]
 *
 * Each ZeroMQ frame is one binary WebSocket message: a flags byte (0x01 MORE, 0x02 COMMAND)
 * and then the frame's body. With the subprotocol "ZWS2.0/NULL" both sides first exchange a
 * ZMTP READY command carrying their socket type; with bare "ZWS2.0" each side's first message
 * is its routing id instead. No reconnection, no high-water mark: one connection, one peer.
 *
 * Browsers (Chromium, Firefox, and Deno and Bun too) refuse to offer "ZWS2.0/NULL": a WebSocket
 * subprotocol must be an HTTP token, and "/" is not a token character. So `connect()` offers
 * ["ZWS2.0/NULL", "ZWS2.0"] where the WebSocket implementation takes it, else "ZWS2.0" alone;
 * in a browser the connection is always bare ZWS2.0 (no socket-type check by the server).
 */

const MORE = 0x01;
const COMMAND = 0x02;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A frame as bytes (strings are sent as UTF-8). */
const bytes = (f) => typeof f === "string" ? encoder.encode(f) : f;

/** One WebSocket payload: the flags byte, then the body. */
function payload(flags, body) {
  const out = new Uint8Array(1 + body.length);
  out[0] = flags;
  out.set(body, 1);
  return out;
}

/**
 * A READY command's body: "\x05READY", then the metadata, each property as a 1-byte name length,
 * the name, a 4-byte big-endian value length and the value.
 */
function ready(metadata) {
  const parts = [encoder.encode("\x05READY")];
  for (const [name, value] of Object.entries(metadata)) {
    const n = encoder.encode(name), v = bytes(value);
    const head = new Uint8Array(1 + n.length + 4);
    head[0] = n.length;
    head.set(n, 1);
    new DataView(head.buffer).setUint32(1 + n.length, v.length);
    parts.push(head, v);
  }
  const body = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.length;
  }
  return body;
}

/** The properties of a READY body as { name: value } (strings); throws if it is malformed. */
function parseReady(body) {
  if (decoder.decode(body.subarray(0, 6)) !== "\x05READY") {
    const isError = decoder.decode(body.subarray(0, 6)) === "\x05ERROR";
    throw new Error(isError ? `peer refused: ${decoder.decode(body.subarray(7))}` : "not READY");
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const props = {};
  for (let at = 6; at < body.length;) {
    const nameEnd = at + 1 + body[at];
    if (nameEnd + 4 > body.length) throw new Error("truncated metadata");
    const valueEnd = nameEnd + 4 + view.getUint32(nameEnd);
    if (valueEnd > body.length) throw new Error("truncated metadata");
    props[decoder.decode(body.subarray(at + 1, nameEnd))] = decoder.decode(
      body.subarray(nameEnd + 4, valueEnd),
    );
    at = valueEnd;
  }
  return props;
}

/** A connected ZWS 2.0 socket: made by `connect()`. */
export class ZwsSocket {
  /** The server's READY metadata under "ZWS2.0/NULL" (e.g. { "Socket-Type": "REP" }), else {}. */
  peer = {};
  #ws;
  #frames = []; // the frames of the message being received
  #messages = []; // complete messages nobody asked for yet
  #waiters = []; // receive() calls waiting for a message: { resolve, reject }
  #error = null; // set once the connection is gone; every later call rejects with it
  #handshake; // handles the first message (READY or routing id), then null
  #onFail; // told why, once, when the connection fails or is closed

  constructor(ws, handshake, onFail) {
    this.#ws = ws;
    this.#handshake = handshake;
    this.#onFail = onFail;
    ws.onmessage = (e) => this.#onMessage(e.data);
    ws.onclose = (e) => this.#fail(new Error(`connection closed (${e.code} ${e.reason})`));
    ws.onerror = null; // a close event follows every error event
  }

  /** The subprotocol the server chose: "ZWS2.0/NULL" or "ZWS2.0". */
  get protocol() {
    return this.#ws.protocol;
  }

  /** Sends one multipart message: frames are Uint8Array or string, MORE on all but the last. */
  send(frames) {
    if (this.#error) throw this.#error;
    frames.forEach((f, i) => this.#ws.send(payload(i < frames.length - 1 ? MORE : 0, bytes(f))));
  }

  /** The next complete message, as an array of Uint8Array frames. */
  receive() {
    if (this.#messages.length > 0) return Promise.resolve(this.#messages.shift());
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** For a REQ socket: sends a request behind REQ's empty delimiter; resolves with the reply. */
  async request(frames) {
    this.send(["", ...frames]);
    const [delimiter, ...reply] = await this.receive();
    if (delimiter === undefined || delimiter.length !== 0) {
      this.#fail(new Error("reply without the empty delimiter frame"));
      throw this.#error;
    }
    return reply;
  }

  /** Closes the connection; pending and later receives reject. */
  close() {
    this.#fail(new Error("closed"));
  }

  #onMessage(data) {
    if (!(data instanceof ArrayBuffer)) return this.#fail(new Error("text message: not ZWS"));
    const msg = new Uint8Array(data);
    if (msg.length === 0) return this.#fail(new Error("empty message: no flags byte"));
    const [flags] = msg, body = msg.subarray(1);
    if (this.#handshake) {
      try {
        this.#handshake(flags, body);
      } catch (err) {
        this.#fail(err);
      }
      this.#handshake = null;
    } else if (flags & COMMAND) {
      // commands after the handshake (none expected over ZWS) are ignored, as libzmq does
    } else {
      this.#frames.push(body);
      if (flags & MORE) return;
      const message = this.#frames;
      this.#frames = [];
      const waiter = this.#waiters.shift();
      if (waiter) waiter.resolve(message);
      else this.#messages.push(message);
    }
  }

  #fail(err) {
    if (this.#error) return;
    this.#error = err;
    this.#ws.close();
    for (const w of this.#waiters.splice(0)) w.reject(err);
    this.#onFail(err);
  }
}

/** A WebSocket offering ZWS2.0/NULL then ZWS2.0, or only ZWS2.0 if "/" is refused (see top). */
function open(url, protocols) {
  if (protocols) return new WebSocket(url, protocols);
  try {
    return new WebSocket(url, ["ZWS2.0/NULL", "ZWS2.0"]);
  } catch (err) {
    if (err.name !== "SyntaxError") throw err; // a bad url is a SyntaxError too: it fails again
    return new WebSocket(url, ["ZWS2.0"]);
  }
}

/**
 * Connects to a ZWS 2.0 endpoint (e.g. "ws://127.0.0.1:8080/") as a socket of `socketType`
 * ("REQ", "DEALER"…) and resolves once the handshake is done. `options.routingId` (a string
 * or bytes, default empty) is our identity; `options.protocols` overrides the subprotocols
 * offered, in order of preference.
 */
export function connect(url, socketType, options = {}) {
  const routingId = bytes(options.routingId ?? "");
  return new Promise((resolve, reject) => {
    const ws = open(url, options.protocols);
    ws.binaryType = "arraybuffer";
    ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
    ws.onclose = (e) => reject(new Error(`connection closed (${e.code} ${e.reason})`));
    ws.onopen = () => {
      let socket; // a failure before the handshake's end rejects; after it, does nothing
      if (ws.protocol === "ZWS2.0/NULL") {
        // NULL mechanism: READY each way; the server's first message must be a valid READY
        socket = new ZwsSocket(ws, (flags, body) => {
          if (!(flags & COMMAND)) throw new Error("expected READY, got a data frame");
          socket.peer = parseReady(body); // e.g. { "Socket-Type": "REP" }
          resolve(socket);
        }, reject);
        ws.send(payload(COMMAND, ready({ "Socket-Type": socketType, Identity: routingId })));
      } else if (ws.protocol === "ZWS2.0") {
        // no handshake: our first message is our routing id; the server's is dropped
        socket = new ZwsSocket(ws, () => resolve(socket), reject);
        ws.send(payload(0, routingId));
      } else {
        ws.close();
        reject(new Error(`server chose no ZWS 2.0 subprotocol (${ws.protocol || "none"})`));
      }
    };
  });
}
