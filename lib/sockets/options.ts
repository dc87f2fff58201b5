// SPDX-License-Identifier: MIT
/**
 * Socket options: zeromq.js names, libzmq defaults and meaning. Validated on the way in;
 * an unknown name is a TypeError, a bad value a TypeError or RangeError naming the option.
 */

export interface SocketOptions {
  /** ZMQ_SNDHWM: messages queued per peer before the type's mute action (default 1000, 0 = none). */
  sendHighWaterMark?: number;
  /** ZMQ_RCVHWM: messages queued per peer before reading stops (default 1000, 0 = none). */
  receiveHighWaterMark?: number;
  /** ZMQ_SNDTIMEO: ms a blocked send waits before EAGAIN (-1 = forever, 0 = never wait). */
  sendTimeout?: number;
  /** ZMQ_RCVTIMEO: ms a receive waits before EAGAIN (-1 = forever). */
  receiveTimeout?: number;
  /** ZMQ_LINGER: ms close() keeps delivering queued messages (-1 = until sent; SUB/XSUB 0). */
  linger?: number;
  /** ZMQ_ROUTING_ID: our Identity (1–255 bytes, first byte not 0). */
  routingId?: string | Uint8Array;
  /** ZMQ_RECONNECT_IVL: ms before reconnecting (default 100, -1 = never). */
  reconnectInterval?: number;
  /** ZMQ_RECONNECT_IVL_MAX: exponential backoff cap in ms (0 = no backoff, jitter instead). */
  reconnectMaxInterval?: number;
  /** ZMQ_HEARTBEAT_IVL: ms between PINGs (0 = off). */
  heartbeatInterval?: number;
  /** ZMQ_HEARTBEAT_TTL: TTL advertised in our PINGs, ms. */
  heartbeatTimeToLive?: number;
  /** ZMQ_HEARTBEAT_TIMEOUT: ms without traffic after a PING before closing (-1 = interval). */
  heartbeatTimeout?: number;
  /** ZMQ_HANDSHAKE_IVL: ms a connection may take to finish its handshake (0 = no limit). */
  handshakeInterval?: number;
  /**
   * ZMQ_MAXMSGSIZE: largest message accepted from a peer, bytes, all its frames together
   * (libzmq checks each frame alone; -1 = no limit). A peer over it is disconnected.
   */
  maxMessageSize?: number;
  /**
   * Most frames in one message accepted from a peer (zmqkit; default 65536, -1 = no limit).
   * Each frame of a received message is one Uint8Array: this bounds what a peer sending empty
   * frames can make the process hold. A peer over it is disconnected.
   */
  maxMessageFrames?: number;
  /**
   * Largest handshake command accepted from a peer, bytes (zmqkit; default 65536): READY and
   * the security handshakes' commands, so the peer's metadata too. Over it: the handshake fails.
   */
  maxHandshakeSize?: number;
  /** ZMQ_IMMEDIATE: queue only to peers that completed their handshake. */
  immediate?: boolean;
  /** ZMQ_CONFLATE: keep only the last message in each queue. */
  conflate?: boolean;
  /** ZMQ_CONNECT_TIMEOUT: ms a TCP connect may take (0 = the OS's). */
  connectTimeout?: number;
}

export interface RouterOptions extends SocketOptions {
  /** ZMQ_ROUTER_MANDATORY: EHOSTUNREACH for unknown ids, EAGAIN when full, instead of dropping. */
  mandatory?: boolean;
  /** ZMQ_ROUTER_HANDOVER: a new peer with a known id takes it over. */
  handover?: boolean;
  /** ZMQ_PROBE_ROUTER: send an empty message to each new peer. */
  probeRouter?: boolean;
}

export interface DealerOptions extends SocketOptions {
  /** ZMQ_PROBE_ROUTER */
  probeRouter?: boolean;
}

export interface RequestOptions extends SocketOptions {
  /** ZMQ_REQ_CORRELATE: prefix requests with a request id and match replies to it. */
  correlate?: boolean;
  /** ZMQ_REQ_RELAXED: allow a new request before the reply to the last one. */
  relaxed?: boolean;
  /** ZMQ_PROBE_ROUTER */
  probeRouter?: boolean;
}

export interface PublisherOptions extends SocketOptions {
  /** ZMQ_INVERT_MATCHING */
  invertMatching?: boolean;
  /** ZMQ_XPUB_NODROP: block (EAGAIN) instead of dropping when a subscriber is full. */
  noDrop?: boolean;
}

export interface SubscriberOptions extends SocketOptions {
  /** ZMQ_INVERT_MATCHING */
  invertMatching?: boolean;
}

export interface XPublisherOptions extends PublisherOptions {
  /** ZMQ_XPUB_VERBOSE / VERBOSER: pass duplicate subscriptions (and unsubscriptions) up. */
  verbosity?: "allSubs" | "allSubsUnsubs" | null;
  /** ZMQ_XPUB_MANUAL: the application applies subscriptions itself. */
  manual?: boolean;
  /** ZMQ_XPUB_WELCOME_MSG: sent to every new subscriber. */
  welcomeMessage?: string | Uint8Array | null;
}

export interface ResolvedOptions {
  sendHighWaterMark: number;
  receiveHighWaterMark: number;
  sendTimeout: number;
  receiveTimeout: number;
  linger: number;
  routingId: Uint8Array | undefined;
  reconnectInterval: number;
  reconnectMaxInterval: number;
  heartbeatInterval: number;
  heartbeatTimeToLive: number;
  heartbeatTimeout: number;
  handshakeInterval: number;
  maxMessageSize: number;
  maxMessageFrames: number;
  maxHandshakeSize: number;
  immediate: boolean;
  conflate: boolean;
  connectTimeout: number;
  mandatory: boolean;
  handover: boolean;
  probeRouter: boolean;
  correlate: boolean;
  relaxed: boolean;
  invertMatching: boolean;
  noDrop: boolean;
  verbosity: "allSubs" | "allSubsUnsubs" | null;
  manual: boolean;
  welcomeMessage: Uint8Array | undefined;
}

export const defaultOptions: ResolvedOptions = {
  sendHighWaterMark: 1000,
  receiveHighWaterMark: 1000,
  sendTimeout: -1,
  receiveTimeout: -1,
  linger: -1,
  routingId: undefined,
  reconnectInterval: 100,
  reconnectMaxInterval: 0,
  heartbeatInterval: 0,
  heartbeatTimeToLive: 0,
  heartbeatTimeout: -1,
  handshakeInterval: 30000,
  maxMessageSize: -1,
  maxMessageFrames: 65536,
  maxHandshakeSize: 65536,
  immediate: false,
  conflate: false,
  connectTimeout: 0,
  mandatory: false,
  handover: false,
  probeRouter: false,
  correlate: false,
  relaxed: false,
  invertMatching: false,
  noDrop: false,
  verbosity: null,
  manual: false,
  welcomeMessage: undefined,
};

/** Options every socket type accepts. */
export const commonOptionNames = [
  "sendHighWaterMark",
  "receiveHighWaterMark",
  "sendTimeout",
  "receiveTimeout",
  "linger",
  "routingId",
  "reconnectInterval",
  "reconnectMaxInterval",
  "heartbeatInterval",
  "heartbeatTimeToLive",
  "heartbeatTimeout",
  "handshakeInterval",
  "maxMessageSize",
  "maxMessageFrames",
  "maxHandshakeSize",
  "immediate",
  "conflate",
  "connectTimeout",
] as const;

export type OptionName = keyof ResolvedOptions;

const enc = new TextEncoder();

function int(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(
      `Option "${name}" must be an integer, current value is ${JSON.stringify(v)}`,
    );
  }
  if (v < min || v > max) {
    throw new RangeError(`Option "${name}" must be ${min}-${max}, current value is ${v}`);
  }
  return v;
}

function bool(name: string, v: unknown): boolean {
  if (typeof v !== "boolean") {
    throw new TypeError(
      `Option "${name}" must be a boolean, current value is ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function bytes(name: string, v: unknown): Uint8Array {
  if (typeof v === "string") return enc.encode(v);
  if (v instanceof Uint8Array) return v;
  throw new TypeError(`Option "${name}" must be a string or Uint8Array`);
}

/** Validates one option value and returns it in resolved form. */
export function validateOption(name: OptionName, v: unknown): ResolvedOptions[OptionName] {
  switch (name) {
    case "sendHighWaterMark":
    case "receiveHighWaterMark":
      return int(name, v, 0, 0x7fff_ffff);
    case "sendTimeout":
    case "receiveTimeout":
    case "linger":
    case "reconnectInterval":
    case "heartbeatTimeout":
    case "maxMessageSize":
    case "maxMessageFrames":
      return int(name, v, -1);
    case "maxHandshakeSize":
      return int(name, v, 64, 0xffff_ffff); // room for a READY with a Socket-Type
    case "reconnectMaxInterval":
    case "heartbeatInterval":
    case "handshakeInterval":
    case "connectTimeout":
      return int(name, v, 0);
    case "heartbeatTimeToLive":
      return int(name, v, 0, 6553599); // libzmq keeps it in deciseconds, 16 bits (EINVAL above)
    case "routingId": {
      if (v === undefined || v === null) return undefined;
      const b = bytes(name, v);
      if (b.length < 1 || b.length > 255) {
        throw new RangeError(
          `Option "routingId" must be 1-255 bytes, current length is ${b.length}`,
        );
      }
      if (b[0] === 0) throw new RangeError(`Option "routingId" must not start with a zero byte`);
      return b;
    }
    case "welcomeMessage":
      return v === undefined || v === null ? undefined : bytes(name, v);
    case "verbosity":
      if (v === null || v === undefined) return null;
      if (v === "allSubs" || v === "allSubsUnsubs") return v;
      throw new RangeError(`Option "verbosity" must be null, "allSubs" or "allSubsUnsubs"`);
    default:
      return bool(name, v);
  }
}

/** Resolves constructor options against the names a socket type accepts. */
export function resolveOptions(
  given: object | undefined,
  allowed: readonly string[],
  typeDefaults: Partial<ResolvedOptions> = {},
): ResolvedOptions {
  const out: ResolvedOptions = { ...defaultOptions, ...typeDefaults };
  if (given === undefined || given === null) return out;
  if (typeof given !== "object") throw new TypeError("Socket options must be an object");
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (!allowed.includes(name)) throw new TypeError(`Unknown option "${name}"`);
    (out as unknown as Record<string, unknown>)[name] = validateOption(name as OptionName, value);
  }
  return out;
}
