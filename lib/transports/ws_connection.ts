// SPDX-License-Identifier: MIT
/**
 * A ws:// connection once its HTTP upgrade is done: a Connection to the session like any
 * other, carrying ZMTP bytes, over a byte stream carrying ZWS 2.0 (ws_inbound.ts reads,
 * ws_outbound.ts writes). The session sees the greeting a ZMTP peer of the agreed mechanism
 * would send (ZMTP 3.0, so subscriptions travel as messages, as over ws they must); heartbeats
 * are WebSocket pings; a WebSocket violation ends the connection with a ProtocolError.
 */
import type { ProtocolError } from "../errors.ts";
import { GREETING_SIZE } from "../wire/constants.ts";
import { encodeGreeting } from "../wire/greeting.ts";
import { WsOp } from "../wire/ws_frame.ts";
import type { WsMechanism } from "../wire/ws_handshake.ts";
import type { Connection } from "./connection.ts";
import { EarlyData } from "./early_data.ts";
import { ZwsReader } from "./ws_inbound.ts";
import { ZwsWriter } from "./ws_outbound.ts";

const EMPTY = new Uint8Array(0);
/** Close code 1000, normal closure. */
const NORMAL_CLOSE = new Uint8Array([0x03, 0xe8]);

export interface ZwsOptions {
  /** "client" masks what it sends and expects unmasked frames; "server" the reverse. */
  role: "client" | "server";
  /** The subprotocol agreed: `ZWS2.0` (bare) or `ZWS2.0/<mechanism>`. */
  protocol: string;
  /** Whether our mechanism is the server of the security handshake. */
  asServer: boolean;
  /** The Socket-Type a bare peer is taken to be. */
  peerType: string;
  /** Bytes that came behind the upgrade head (the array may still grow until we take over). */
  early: Uint8Array[];
}

export class WsConnection extends EarlyData implements Connection {
  readonly remoteAddress: string;
  onDrain: () => void = () => {};
  #inner: Connection;
  #reader: ZwsReader;
  #writer: ZwsWriter;
  #failure: ProtocolError | undefined;
  #closeSent = false;
  #onClose: ((error?: Error) => void) | undefined;
  /** Set when the stream closed before anyone listened: told to the handler once it is set. */
  #closedEarly: { error: Error | undefined } | undefined;

  /** Called once when the connection is gone (at once, if it went before this was set). */
  get onClose(): (error?: Error) => void {
    return this.#onClose ?? (() => {});
  }
  set onClose(handler: (error?: Error) => void) {
    this.#onClose = handler;
    const early = this.#closedEarly;
    if (early !== undefined) queueMicrotask(() => handler(early.error));
  }

  constructor(inner: Connection, o: ZwsOptions) {
    super();
    this.#inner = inner;
    this.remoteAddress = inner.remoteAddress;
    const bare = o.protocol === "ZWS2.0";
    const mechanism = (bare ? "NULL" : o.protocol.slice("ZWS2.0/".length)) as WsMechanism;
    this.#writer = new ZwsWriter(o.role === "client", bare);
    this.#reader = new ZwsReader({
      data: (bytes) => this.onData(bytes),
      control: (op, payload) => this.#control(op, payload),
    }, {
      masked: o.role === "server",
      opening: bare ? "bare" : o.role === "client" && mechanism === "NULL" ? "either" : "handshake",
      peerType: o.peerType,
    });
    // what a ZMTP 3.0 peer of this mechanism would have said first
    const greeting = encodeGreeting(mechanism, { asServer: !o.asServer });
    greeting[11] = 0;
    this.onData(greeting.subarray(0, GREETING_SIZE));
    // what came with or after the head is read first, in order, once the session has set its
    // handlers (a violation in it must reach the session's onClose)
    const pending = o.early;
    inner.onData = (chunk) => void pending.push(chunk);
    inner.onClose = (e) => {
      const error = this.#failure ?? e;
      if (this.#onClose !== undefined) this.#onClose(error);
      else this.#closedEarly = { error };
    };
    inner.onDrain = () => this.onDrain();
    queueMicrotask(() => {
      for (const chunk of pending.splice(0)) this.#read(chunk);
      inner.onData = (chunk) => this.#read(chunk);
    });
  }

  #read(chunk: Uint8Array): void {
    if (this.#failure !== undefined) return;
    try {
      this.#reader.push(chunk);
    } catch (e) {
      this.#failure = e as ProtocolError;
      this.#inner.destroy();
    }
  }

  #control(op: number, payload: Uint8Array): void {
    if (op === WsOp.CLOSE) {
      if (!this.#closeSent) {
        this.#closeSent = true;
        this.#inner.write(this.#writer.control(WsOp.CLOSE, payload.subarray(0, 2)));
      }
      this.#inner.end();
      return;
    }
    if (op === WsOp.PING) this.#inner.write(this.#writer.control(WsOp.PONG, payload));
    this.onData(EMPTY); // the peer is alive (the session's heartbeat counts chunks)
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.#closeSent) return true;
    const out = this.#writer.translate(chunks);
    return out.length === 0 || this.#inner.write(out);
  }

  /** A heartbeat: a WebSocket ping (ZMTP's PING is not used over ws). */
  ping(): void {
    if (!this.#closeSent) this.#inner.write(this.#writer.control(WsOp.PING));
  }

  pause(): void {
    this.#inner.pause();
  }

  resume(): void {
    this.#inner.resume();
  }

  end(): void {
    if (!this.#closeSent) {
      this.#closeSent = true;
      this.#inner.write(this.#writer.control(WsOp.CLOSE, NORMAL_CLOSE));
    }
    this.#inner.end();
  }

  destroy(): void {
    this.#inner.destroy();
  }

  unref(): void {
    this.#inner.unref?.();
  }
}
