// SPDX-License-Identifier: MIT
/**
 * One observed ZMTP connection, both directions: turns the frames of each side into dump
 * events (greetings, handshake and traffic commands, multipart messages) and puts socket
 * semantics on top once the peers' socket types are known (request-reply envelopes, PUB
 * topics, ZMTP 3.0 subscription messages). A connection that opens with an HTTP upgrade is
 * ZWS 2.0 (ZeroMQ over WebSocket): its sides go through ZwsDirection instead, and their frames
 * are decoded here like ZMTP's. Pure, and it never throws: whatever goes wrong inside becomes
 * an "error" event for that side, whose bytes are then only counted.
 */
import { decodeBody, type DecodePlan, parseDecodeSpec } from "./body.ts";
import type { DumpEvent, FrameView, JsonValue, MessageEvent, Side } from "./events.ts";
import { CurveDecoder, isCurveMessage } from "./security/curve.ts";
import { describePlain, libzmqPlainError } from "./security/plain.ts";
import { describeMetadata } from "./security/render.ts";
import { DirectionDecoder, type GreetingInfo, type PeerVersion } from "./stream_decoder.ts";
import { printable, textOrHex, toHex } from "./text.ts";
import { type UpgradeInfo, ZwsSniffer } from "./ws_http.ts";
import { ZwsDirection, zwsGreeting } from "./zws_direction.ts";
import { latin1 } from "../util/bytes.ts";

export interface DecoderOptions {
  /** Body decoders per frame index (`--decode`); auto when absent. */
  decode?: DecodePlan;
  /** Show at most this many bytes of a body (0: all). */
  maxBytes?: number;
  /** Show PLAIN passwords. */
  showSecrets?: boolean;
  /** Long-term CURVE secret keys (32 bytes each) to open what they can. */
  curveSecrets?: Uint8Array[];
  /** Largest frame body held for decoding; bigger ones are shown by their first bytes. */
  holdLimit?: number;
}

const HANDSHAKE = new Set(["HELLO", "WELCOME", "INITIATE", "READY", "ERROR"]);
/** Types whose messages carry request-reply envelopes. */
const ENVELOPED = new Set(["REQ", "REP", "DEALER", "ROUTER"]);
const MAX_ENVELOPE = 32;

interface SideState {
  decoder: DirectionDecoder | ZwsDirection;
  /** Holds the first bytes until they tell ZMTP from a ZWS upgrade head; then undefined. */
  sniffer: ZwsSniffer | undefined;
  greeting?: GreetingInfo;
  socketType?: string | undefined;
  /** The side finished its part of the security handshake. */
  ready: boolean;
  frames: { body: Uint8Array; size: number }[];
  messageOffset: number;
  /** The message being assembled came out of opened CURVE boxes. */
  encrypted: boolean;
  /** ZMTP 1.0/2.0 side whose identity frame has not been seen yet. */
  identityNext: boolean;
  bytes: number;
}

export class ConnectionDecoder {
  readonly conn: number;
  #emit: (e: DumpEvent) => void;
  #plan: DecodePlan;
  #maxBytes: number;
  #showSecrets: boolean;
  #curve: CurveDecoder | undefined;
  #curveSecrets: Uint8Array[];
  #time = 0;
  #closed = false;
  #hold: number;
  /** Set once a side opened with an HTTP upgrade: the subprotocols offered and chosen. */
  #zws: { offered?: string[]; chosen?: string } | undefined;
  #sides: Record<Side, SideState>;

  constructor(conn: number, emit: (e: DumpEvent) => void, options: DecoderOptions = {}) {
    this.conn = conn;
    this.#emit = emit;
    this.#plan = options.decode ?? parseDecodeSpec("auto");
    this.#maxBytes = options.maxBytes ?? 0;
    this.#showSecrets = options.showSecrets ?? false;
    this.#curveSecrets = options.curveSecrets ?? [];
    const hold = this.#hold = options.holdLimit ?? 1 << 20;
    this.#sides = { client: this.#side("client", hold), server: this.#side("server", hold) };
  }

  #side(from: Side, hold: number): SideState {
    const state: SideState = {
      decoder: undefined as unknown as DirectionDecoder,
      sniffer: new ZwsSniffer(),
      ready: false,
      frames: [],
      messageOffset: 0,
      encrypted: false,
      identityNext: false,
      bytes: 0,
    };
    state.decoder = new DirectionDecoder({
      greeting: (g, offset) => this.#onGreeting(from, g, offset),
      frame: (more, command, body, size, offset) =>
        this.#onFrame(from, more, command, body, size, offset),
      problem: (offset, reason) => this.#problem(from, offset, reason),
    }, hold);
    return state;
  }

  /** The connection's first event. */
  open(client: string, server: string, time: number): void {
    this.#emit({ type: "open", time, conn: this.conn, client, server });
  }

  /** Bytes one side sent, in order. */
  data(from: Side, chunk: Uint8Array, time: number): void {
    if (this.#closed) return;
    this.#time = time;
    const side = this.#sides[from];
    side.bytes += chunk.length;
    if (side.sniffer !== undefined) {
      const seen = side.sniffer.push(chunk);
      const verdict = this.#zws !== undefined ? "ws" : seen;
      if (verdict === "maybe") return;
      chunk = side.sniffer.bytes;
      side.sniffer = undefined;
      if (verdict === "ws") this.#toZws(from);
    }
    if (side.decoder.dead) {
      side.decoder.push(chunk); // counted only
      return;
    }
    const before = side.decoder.major;
    try {
      side.decoder.push(chunk);
    } catch (e) {
      this.#problem(from, side.decoder.offset, `internal decoder error: ${(e as Error).message}`);
      side.decoder.halt();
    }
    const after = side.decoder.major;
    if (before === undefined && after !== undefined) {
      const v: PeerVersion = after === -1 ? "unversioned" : after === 0 ? 0 : after === 1 ? 1 : "3";
      this.#sides[other(from)].decoder.setPeerVersion(v);
    }
  }

  /** Bytes of one side that were never seen (a capture's gap): that side stops decoding. */
  gap(from: Side, missing: number, time: number): void {
    this.#time = time;
    this.#release(from);
    const side = this.#sides[from];
    this.#problem(from, side.decoder.offset, `${missing} bytes missing from the capture`);
    side.decoder.halt();
  }

  close(time: number, reason?: string): void {
    if (this.#closed) return;
    this.#release("client");
    this.#release("server");
    this.#closed = true;
    const bytes = { client: this.#sides.client.bytes, server: this.#sides.server.bytes };
    const e: DumpEvent = { type: "close", time, conn: this.conn, bytes };
    if (reason) e.reason = reason;
    this.#emit(e);
  }

  /** Decodes bytes still held for sniffing, as they are (the stream ended or broke). */
  #release(from: Side): void {
    const side = this.#sides[from];
    const held = side.sniffer?.bytes;
    side.sniffer = undefined;
    if (held === undefined || held.length === 0) return;
    side.bytes -= held.length; // counted when they came
    this.data(from, held, this.#time);
  }

  /** `from` opened with an HTTP upgrade: it, and the other side if still undecided, are ZWS. */
  #toZws(from: Side): void {
    this.#zws ??= {};
    for (const s of ["client", "server"] as const) {
      if (s !== from && this.#sides[s].sniffer === undefined) continue;
      this.#sides[s].decoder = new ZwsDirection(
        {
          upgrade: (u, offset) => this.#onUpgrade(s, u, offset),
          frame: (more, command, body, size, offset) => {
            if (this.#sides[s].greeting === undefined) {
              this.#adopt(s, zwsGreeting(this.#zws?.chosen ?? this.#zws?.offered?.[0]));
            }
            this.#onFrame(s, more, command, body, size, offset);
          },
          control: (c, offset) =>
            this.#emit({
              type: "control",
              time: this.#time,
              conn: this.conn,
              from: s,
              offset,
              ...c,
            }),
          problem: (offset, reason) => this.#problem(s, offset, reason),
        },
        s,
        this.#hold,
      );
    }
  }

  #onUpgrade(from: Side, u: UpgradeInfo, offset: number): void {
    if (u.protocols !== undefined && this.#zws) this.#zws.offered = u.protocols;
    if (u.protocol !== undefined && this.#zws) this.#zws.chosen = u.protocol;
    this.#emit({ type: "upgrade", time: this.#time, conn: this.conn, from, offset, ...u });
  }

  #problem(from: Side, offset: number, reason: string): void {
    this.#emit({ type: "error", time: this.#time, conn: this.conn, from, offset, reason });
  }

  /** Takes what a greeting (or a ZWS subprotocol) says about a side, without an event. */
  #adopt(from: Side, g: GreetingInfo): void {
    const side = this.#sides[from];
    side.greeting = g;
    if (g.socketType) side.socketType = g.socketType;
    if (g.mechanism === undefined) {
      side.ready = true; // 1.0/2.0 and bare ZWS2.0: no handshake, but an identity frame first
      side.identityNext = true;
    }
    if (g.mechanism === "CURVE" && this.#curve === undefined) {
      try {
        this.#curve = new CurveDecoder(this.#curveSecrets);
      } catch {
        this.#curve = new CurveDecoder([]); // keys are checked by the caller; never fail here
      }
    }
  }

  #onGreeting(from: Side, g: GreetingInfo, offset: number): void {
    this.#adopt(from, g);
    const e: DumpEvent = {
      type: "greeting",
      time: this.#time,
      conn: this.conn,
      from,
      offset,
      ...g,
    };
    this.#emit(e);
    const peer = this.#sides[other(from)].greeting;
    if (
      peer?.mechanism !== undefined && g.mechanism !== undefined && peer.mechanism !== g.mechanism
    ) {
      this.#problem(
        from,
        offset,
        `mechanism mismatch: ${g.mechanism} against the peer's ${peer.mechanism} (libzmq closes)`,
      );
    }
  }

  #onFrame(
    from: Side,
    more: boolean,
    command: boolean,
    body: Uint8Array,
    size: number,
    offset: number,
  ): void {
    const side = this.#sides[from];
    if (command) {
      this.#onCommand(from, body, size, offset, false);
      return;
    }
    const mech = side.greeting?.mechanism;
    if (mech === "CURVE" && this.#curve !== undefined && isCurveMessage(body)) {
      this.#onCurveMessage(from, body, size, offset);
      return;
    }
    this.#onDataFrame(from, more, body, size, offset, false);
  }

  #onDataFrame(
    from: Side,
    more: boolean,
    body: Uint8Array,
    size: number,
    offset: number,
    encrypted: boolean,
  ): void {
    const side = this.#sides[from];
    if (side.frames.length === 0) side.messageOffset = offset;
    if (encrypted) side.encrypted = true;
    side.frames.push({ body, size });
    if (side.frames.length > 10_000) {
      this.#problem(from, offset, "more than 10000 frames in one message: stopped decoding");
      side.decoder.halt();
      side.frames = [];
      return;
    }
    if (!more) {
      const frames = side.frames;
      side.frames = [];
      const enc = side.encrypted;
      side.encrypted = false;
      this.#onMessage(from, frames, side.messageOffset, enc);
    }
  }

  #onCommand(from: Side, body: Uint8Array, size: number, offset: number, encrypted: boolean): void {
    const n = body[0];
    if (n !== undefined && 1 + n > body.length && size === body.length) {
      // libzmq 4.3's PLAIN server writes its ERROR with a broken name length ("^RROR")
      const quirk = libzmqPlainError(body);
      if (quirk !== null) {
        this.#sides[from].ready = true;
        this.#emit({
          type: "command",
          time: this.#time,
          conn: this.conn,
          from,
          offset,
          name: "ERROR",
          size,
          fields: quirk,
        });
        return;
      }
    }
    if (n === undefined || n === 0 || 1 + n > body.length) {
      this.#problem(
        from,
        offset,
        `malformed command: name length ${n ?? "missing"} in a ${size}-byte body`,
      );
      this.#sides[from].decoder.halt();
      return;
    }
    const name = latin1(body, 1, 1 + n);
    const data = body.subarray(1 + n);
    const side = this.#sides[from];
    const fields = this.#commandFields(from, side, name, data, size - body.length);
    const e: DumpEvent = {
      type: "command",
      time: this.#time,
      conn: this.conn,
      from,
      offset,
      name,
      size,
      fields,
    };
    if (encrypted) e.encrypted = true;
    this.#emit(e);
  }

  #commandFields(
    from: Side,
    side: SideState,
    name: string,
    data: Uint8Array,
    missing: number,
  ): Record<string, JsonValue> {
    const mech = side.greeting?.mechanism ?? "NULL";
    if (missing > 0) return { truncated: true, dataHex: toHex(data, 64) };
    if (!side.ready && HANDSHAKE.has(name)) {
      if (mech === "PLAIN") {
        const f = describePlain(name, data, { showSecrets: this.#showSecrets });
        if ((name === "INITIATE" || name === "READY") && f.malformed === undefined) {
          side.ready = true;
          side.socketType = socketTypeOf(f.metadata);
        }
        if (name === "ERROR") side.ready = true;
        return f;
      }
      if (mech === "CURVE" && this.#curve !== undefined) {
        const f = this.#curve.command(from, name, data);
        if (name === "INITIATE" || name === "READY" || name === "ERROR") side.ready = true;
        return f;
      }
    }
    switch (name) {
      case "READY": {
        side.ready = true;
        // the same reading as PLAIN's metadata (odd names kept apart, "__proto__" harmless)
        const view = describeMetadata(data, 1 + name.length);
        side.socketType = socketTypeOf(view.metadata);
        const f: Record<string, JsonValue> = { metadata: view.metadata };
        if (view.error !== undefined) f.malformed = view.error;
        return f;
      }
      case "ERROR": {
        const len = data[0];
        if (len === undefined || 1 + len > data.length) {
          return { malformed: "reason length beyond the body", dataHex: toHex(data, 64) };
        }
        return { reason: printable(data.subarray(1, 1 + len)) ?? toHex(data.subarray(1, 1 + len)) };
      }
      case "PING": {
        if (data.length < 2) {
          return { malformed: "PING without its 2-byte TTL", dataHex: toHex(data) };
        }
        const ttl = data[0]! << 8 | data[1]!;
        const ctx = data.subarray(2);
        const f: Record<string, JsonValue> = { ttl: ttl / 10, context: toHex(ctx, 64) };
        if (ctx.length > 16) f.note = `context of ${ctx.length} bytes (RFC 37 allows 16)`;
        return f;
      }
      case "PONG":
        return { context: toHex(data, 64) };
      case "SUBSCRIBE":
      case "CANCEL":
        return textOrHex("topic", data);
      case "JOIN":
      case "LEAVE": {
        // RADIO/DISH (RFC 48): the group, 0-255 bytes
        const f: Record<string, JsonValue> = textOrHex("group", data);
        if (data.length > 255) f.note = `group of ${data.length} bytes (at most 255)`;
        return f;
      }
      default:
        return { dataSize: data.length, dataHex: toHex(data, 64) };
    }
  }

  #onCurveMessage(from: Side, body: Uint8Array, size: number, offset: number): void {
    const opened = this.#curve!.openMessage(from, body);
    const plain = opened.plaintext;
    if (plain !== null) {
      // a transient secret was given: the box's content is a frame or a command
      if (plain.command) this.#onCommand(from, plain.body, plain.body.length, offset, true);
      else this.#onDataFrame(from, plain.more, plain.body, plain.body.length, offset, true);
      return;
    }
    const e = this.#message(from, offset, size);
    e.frames.push({ size: Math.max(0, size - 33), body: opened.fields, as: "curve" });
    e.encrypted = true;
    this.#emit(e);
  }

  #message(from: Side, offset: number, size: number): MessageEvent {
    return { type: "message", time: this.#time, conn: this.conn, from, offset, size, frames: [] };
  }

  #onMessage(
    from: Side,
    frames: { body: Uint8Array; size: number }[],
    offset: number,
    encrypted: boolean,
  ): void {
    const sender = this.#sides[from].socketType;
    const receiver = this.#sides[other(from)].socketType;
    const identity = this.#sides[from].identityNext;
    this.#sides[from].identityNext = false;
    let size = 0;
    for (const f of frames) size += f.size;
    const e = this.#message(from, offset, size);
    let bodyIndex = 0;
    const first = frames[0]!;
    if (identity) {
      e.identity = true;
    } else if (
      (sender === "SUB" || sender === "XSUB") && frames.length === 1 && first.body.length >= 1 &&
      (first.body[0] === 0 || first.body[0] === 1)
    ) {
      const topic = first.body.subarray(1);
      e.subscription = { subscribe: first.body[0] === 1, ...textOrHex("topic", topic) };
    } else if (sender === "PUB" || sender === "XPUB") {
      Object.assign(e, textOrHex("topic", first.body));
    } else if (
      sender !== undefined && receiver !== undefined &&
      (ENVELOPED.has(sender) || ENVELOPED.has(receiver))
    ) {
      const limit = Math.min(frames.length - 1, MAX_ENVELOPE);
      for (let i = 0; i < limit; i++) {
        const f = frames[i]!;
        if (f.size === 0) {
          e.envelope = frames.slice(0, i).map((x) => toHex(x.body));
          bodyIndex = i + 1;
          break;
        }
        if (f.size > 255) break;
      }
    }
    if (bodyIndex > 0) e.bodyIndex = bodyIndex;
    if (encrypted) e.opened = true;
    for (let i = bodyIndex; i < frames.length; i++) {
      e.frames.push(this.#frameView(i - bodyIndex, frames[i]!));
    }
    this.#emit(e);
  }

  #frameView(index: number, f: { body: Uint8Array; size: number }): FrameView {
    const fb = decodeBody(this.#plan, index, f.body, this.#maxBytes);
    const v: FrameView = { size: f.size, body: fb.body, as: fb.as };
    if (fb.truncated || f.body.length < f.size) v.truncated = true;
    if (fb.error !== undefined) v.error = fb.error;
    return v;
  }
}

function other(s: Side): Side {
  return s === "client" ? "server" : "client";
}

function socketTypeOf(metadata: JsonValue | undefined): string | undefined {
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    return undefined;
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (k.toLowerCase() === "socket-type" && typeof v === "string") return v.toUpperCase();
  }
  return undefined;
}
