// SPDX-License-Identifier: MIT
/**
 * Socket options as one table (zeromq.js names, libzmq names, defaults and meaning). Everything
 * else is derived from it: validation, defaults, the names each socket type accepts, the
 * constructor option types and the typed properties (see socket_options.ts).
 *
 * An unknown name is a TypeError, a bad value a TypeError or RangeError naming the option.
 * `late: false` marks the options that may not change once bind() or connect() was called
 * (setting one then is a TypeError, as writing a read-only property is); the others apply at
 * once or to the connections made after the change, as libzmq's do.
 */
import type { SocketType } from "../wire/constants.ts";
import { z85Decode, z85Encode } from "../mechanisms/z85.ts";
import type { ZapHandler } from "../zap/handler.ts";

/** One row of the table. `In` is what a user gives, `Out` what the socket keeps. */
export interface OptionSpec<In, Out, T extends readonly SocketType[] | "all"> {
  /** libzmq's name. */
  readonly zmq: string;
  /** Validates a user's value and returns it in resolved form. */
  readonly parse: (name: string, v: unknown) => Out;
  /** The value until one is given. */
  readonly default: Out;
  /** Defaults that differ by socket type. */
  readonly typeDefaults?: Partial<Record<SocketType, Out>>;
  /** The socket types that accept it. */
  readonly types: T;
  /** May be set after bind()/connect(). When false, the reason is in the row's comment. */
  readonly late: boolean;
  /** Type-level only: what a user may assign. */
  readonly input?: In;
}

function opt<In, Out, const T extends readonly SocketType[] | "all">(
  spec: OptionSpec<In, Out, T>,
): OptionSpec<In, Out, T> {
  return spec;
}

const enc = new TextEncoder();
const show = (v: unknown): string => typeof v === "bigint" ? `${v}n` : JSON.stringify(v) ?? "";

function int(min: number, max = Number.MAX_SAFE_INTEGER): (name: string, v: unknown) => number {
  return (name, v) => {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError(`Option "${name}" must be an integer, current value is ${show(v)}`);
    }
    if (v < min || v > max) {
      throw new RangeError(`Option "${name}" must be ${min}-${max}, current value is ${v}`);
    }
    return v;
  };
}

function bool(name: string, v: unknown): boolean {
  if (typeof v !== "boolean") {
    throw new TypeError(`Option "${name}" must be a boolean, current value is ${show(v)}`);
  }
  return v;
}

function bytes(name: string, v: unknown): Uint8Array | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return enc.encode(v);
  if (v instanceof Uint8Array) return v;
  throw new TypeError(`Option "${name}" must be a string or Uint8Array`);
}

function routingId(name: string, v: unknown): Uint8Array | undefined {
  const b = bytes(name, v);
  if (b === undefined) return undefined;
  if (b.length < 1 || b.length > 255) {
    throw new RangeError(`Option "${name}" must be 1-255 bytes, current length is ${b.length}`);
  }
  if (b[0] === 0) throw new RangeError(`Option "${name}" must not start with a zero byte`);
  return b;
}

/** PLAIN credentials: 1–255 bytes of text; empty or unset means none (the NULL mechanism). */
function credential(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") {
    throw new TypeError(`Option "${name}" must be a string, current value is ${show(v)}`);
  }
  const n = enc.encode(v).length;
  if (n > 255) throw new RangeError(`Option "${name}" must be 1-255 bytes, current length is ${n}`);
  return v;
}

/** A CURVE key: 40 characters of Z85 or 32 raw bytes; kept and read back as Z85 text. */
function curveKey(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  let raw: Uint8Array;
  if (typeof v === "string") {
    if (v.length !== 40) {
      throw new RangeError(
        `Option "${name}" must be a 40-character Z85 key or 32 bytes, current length is ${v.length}`,
      );
    }
    try {
      raw = z85Decode(v);
    } catch (e) {
      throw new RangeError(`Option "${name}" is not valid Z85: ${(e as Error).message}`);
    }
  } else if (v instanceof Uint8Array) {
    if (v.length !== 32) {
      throw new RangeError(`Option "${name}" must be 32 bytes, current length is ${v.length}`);
    }
    raw = v;
  } else {
    throw new TypeError(`Option "${name}" must be a Z85 string or a Uint8Array of 32 bytes`);
  }
  return z85Encode(raw);
}

function domain(name: string, v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") {
    throw new TypeError(`Option "${name}" must be a string, current value is ${show(v)}`);
  }
  const n = enc.encode(v).length;
  if (n > 255) throw new RangeError(`Option "${name}" must be 0-255 bytes, current length is ${n}`);
  return v;
}

/** Web origins (`https://example.com`), each a string without spaces; empty or null unsets. */
function origins(name: string, v: unknown): readonly string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((o) => typeof o !== "string" || !/^\S+$/.test(o))) {
    throw new TypeError(
      `Option "${name}" must be an array of origins ("https://example.com"), current value is ${
        show(v)
      }`,
    );
  }
  return v.length === 0 ? undefined : Object.freeze([...v] as string[]);
}

/** PEM text (a certificate, a key): a string, kept as given; empty or null unsets it. */
function pem(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") {
    throw new TypeError(`Option "${name}" must be a PEM string, current value is ${show(v)}`);
  }
  if (!v.includes("-----BEGIN ")) {
    throw new TypeError(`Option "${name}" must be PEM text ("-----BEGIN …"), not a file name`);
  }
  return v;
}

function handler(name: string, v: unknown): ZapHandler | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "function") {
    throw new TypeError(`Option "${name}" must be a function (request) => reply`);
  }
  return v as ZapHandler;
}

/** XPUB `verbosity`: which repeated subscriptions are handed up (ZMQ_XPUB_VERBOSE/VERBOSER). */
export type Verbosity = "allSubs" | "allSubsUnsubs" | null;
function verbosity(name: string, v: unknown): Verbosity {
  if (v === null || v === undefined) return null;
  if (v === "allSubs" || v === "allSubsUnsubs") return v;
  throw new RangeError(`Option "${name}" must be null, "allSubs" or "allSubsUnsubs"`);
}

const I32 = 0x7fff_ffff;
const ms = int(-1); // -1 = forever / off, as libzmq
const num = (zmq: string, dflt: number, parse = ms) =>
  opt<number, number, "all">({ zmq, parse, default: dflt, types: "all", late: true });
const flag = <const T extends readonly SocketType[] | "all">(zmq: string, types: T) =>
  opt<boolean, boolean, T>({ zmq, parse: bool, default: false, types, late: true });
const PUBS = ["PUB", "XPUB"] as const;
const text = <Out>(zmq: string, parse: (name: string, v: unknown) => Out, dflt: Out) =>
  opt<string | null | undefined, Out, "all">({
    zmq,
    parse,
    default: dflt,
    types: "all",
    late: true,
  });
const key = (zmq: string) =>
  opt<string | Uint8Array | null | undefined, string | undefined, "all">({
    zmq,
    parse: curveKey,
    default: undefined,
    types: "all",
    late: true,
  });
const PROBES = ["ROUTER", "DEALER", "REQ"] as const;

/**
 * The options. Unless a row says otherwise, a change applies at once (timeouts, linger, the
 * routing flags) or to the connections made afterwards, reconnections included (HWMs, session
 * limits, heartbeats, welcome message, probe).
 */
export const OPTIONS = {
  /** ZMQ_SNDHWM: messages queued per peer before the type's mute action (default 1000, 0 = none). */
  sendHighWaterMark: num("ZMQ_SNDHWM", 1000, int(0, I32)),
  /** ZMQ_RCVHWM: messages queued per peer before reading stops (default 1000, 0 = none). */
  receiveHighWaterMark: num("ZMQ_RCVHWM", 1000, int(0, I32)),
  /** ZMQ_SNDTIMEO: ms a blocked send waits before EAGAIN (-1 = forever, 0 = never wait). */
  sendTimeout: num("ZMQ_SNDTIMEO", -1),
  /** ZMQ_RCVTIMEO: ms a receive waits before EAGAIN (-1 = forever). */
  receiveTimeout: num("ZMQ_RCVTIMEO", -1),
  /** ZMQ_LINGER: ms close() keeps delivering queued messages (-1 = until sent; SUB/XSUB 0). */
  linger: opt<number, number, "all">({
    zmq: "ZMQ_LINGER",
    parse: ms,
    default: -1,
    typeDefaults: { SUB: 0, XSUB: 0 },
    types: "all",
    late: true,
  }),
  /**
   * ZMQ_ROUTING_ID: our Identity (1–255 bytes, first byte not 0); read back as bytes.
   * Before bind/connect only: it is announced in every handshake and ROUTER peers address us
   * by it, so a change would give reconnections another identity than the first connection
   * (libzmq copies it into each connection when it is made).
   */
  routingId: opt<string | Uint8Array | undefined, Uint8Array | undefined, "all">({
    zmq: "ZMQ_ROUTING_ID",
    parse: routingId,
    default: undefined,
    types: "all",
    late: false,
  }),
  /** ZMQ_RECONNECT_IVL: ms before reconnecting (default 100, -1 = never). */
  reconnectInterval: num("ZMQ_RECONNECT_IVL", 100),
  /** ZMQ_RECONNECT_IVL_MAX: exponential backoff cap in ms (0 = no backoff, jitter instead). */
  reconnectMaxInterval: num("ZMQ_RECONNECT_IVL_MAX", 0, int(0)),
  /** ZMQ_HEARTBEAT_IVL: ms between PINGs (0 = off). */
  heartbeatInterval: num("ZMQ_HEARTBEAT_IVL", 0, int(0)),
  /** ZMQ_HEARTBEAT_TTL: TTL advertised in our PINGs, ms (libzmq keeps deciseconds in 16 bits). */
  heartbeatTimeToLive: num("ZMQ_HEARTBEAT_TTL", 0, int(0, 6553599)),
  /** ZMQ_HEARTBEAT_TIMEOUT: ms without traffic after a PING before closing (-1 = interval). */
  heartbeatTimeout: num("ZMQ_HEARTBEAT_TIMEOUT", -1),
  /** ZMQ_HANDSHAKE_IVL: ms a connection may take to finish its handshake (0 = no limit). */
  handshakeInterval: num("ZMQ_HANDSHAKE_IVL", 30000, int(0)),
  /**
   * ZMQ_MAXMSGSIZE: largest message accepted from a peer, bytes, all its frames together
   * (libzmq checks each frame alone; -1 = no limit). A peer over it is disconnected.
   */
  maxMessageSize: num("ZMQ_MAXMSGSIZE", -1),
  /**
   * Most frames in one message accepted from a peer (zmqkit; default 65536, -1 = no limit).
   * Each frame of a received message is one Uint8Array: this bounds what a peer sending empty
   * frames can make the process hold. A peer over it is disconnected.
   */
  maxMessageFrames: num("(zmqkit)", 65536),
  /**
   * Largest handshake command accepted from a peer, bytes (zmqkit; default 65536): READY and
   * the security handshakes' commands, so the peer's metadata too. Over it: the handshake fails.
   */
  maxHandshakeSize: num("(zmqkit)", 65536, int(64, 0xffff_ffff)), // room for a READY
  /** ZMQ_IMMEDIATE: queue only to peers that completed their handshake (later connect()s). */
  immediate: opt<boolean, boolean, "all">({
    zmq: "ZMQ_IMMEDIATE",
    parse: bool,
    default: false,
    typeDefaults: { STREAM: true },
    types: "all",
    late: true,
  }),
  /**
   * ZMQ_CONFLATE: keep only the last message in each queue.
   * Before bind/connect only: it is fixed in each pipe when the pipe is made, so the queues of
   * earlier connections would go on keeping every message.
   */
  conflate: opt<boolean, boolean, "all">({
    zmq: "ZMQ_CONFLATE",
    parse: bool,
    default: false,
    types: "all",
    late: false,
  }),
  /**
   * ZMQ_CONNECT_TIMEOUT: ms a TCP connect may take (0 = the OS's). An attempt not done by
   * then is abandoned and counts as a failed one: `close` (ETIMEDOUT), then `connect:retry`.
   */
  connectTimeout: num("ZMQ_CONNECT_TIMEOUT", 0, int(0)),
  /**
   * ZMQ_PLAIN_SERVER: be the PLAIN server of every connection; a ZAP handler (`zapHandler`,
   * or a socket bound at inproc://zeromq.zap.01) checks each client's credentials, and
   * without one every client is refused, as in libzmq. Applies to connections made afterwards.
   */
  plainServer: flag("ZMQ_PLAIN_SERVER", "all"),
  /** ZMQ_PLAIN_USERNAME: be a PLAIN client with this username (1–255 bytes). */
  plainUsername: text("ZMQ_PLAIN_USERNAME", credential, undefined),
  /** ZMQ_PLAIN_PASSWORD: the PLAIN client's password (0–255 bytes). */
  plainPassword: text("ZMQ_PLAIN_PASSWORD", credential, undefined),
  /**
   * ZMQ_CURVE_SERVER: be the CURVE server of every connection (needs `curveSecretKey`).
   * Without a ZAP handler every client that completes the handshake is accepted.
   */
  curveServer: flag("ZMQ_CURVE_SERVER", "all"),
  /** ZMQ_CURVE_PUBLICKEY: our long-term public key (Z85 or 32 bytes; read back as Z85). */
  curvePublicKey: key("ZMQ_CURVE_PUBLICKEY"),
  /** ZMQ_CURVE_SECRETKEY: our long-term secret key (Z85 or 32 bytes; read back as Z85). */
  curveSecretKey: key("ZMQ_CURVE_SECRETKEY"),
  /** ZMQ_CURVE_SERVERKEY: the server's public key; setting it makes us a CURVE client. */
  curveServerKey: key("ZMQ_CURVE_SERVERKEY"),
  /** ZMQ_ZAP_DOMAIN: the domain sent in ZAP requests (0–255 bytes; NULL asks ZAP only with one). */
  zapDomain: text("ZMQ_ZAP_DOMAIN", domain, ""),
  /** ZMQ_WSS_CERT_PEM: the certificate (chain) a wss:// bind presents, PEM. */
  wssCertPem: text("ZMQ_WSS_CERT_PEM", pem, undefined),
  /** ZMQ_WSS_KEY_PEM: the private key of that certificate, PEM. */
  wssKeyPem: text("ZMQ_WSS_KEY_PEM", pem, undefined),
  /**
   * ZMQ_WSS_TRUST_PEM: certificates a wss:// connect trusts, PEM, in place of the system's
   * (unless `wssTrustSystem`).
   */
  wssTrustPem: text("ZMQ_WSS_TRUST_PEM", pem, undefined),
  /** ZMQ_WSS_HOSTNAME: the name a wss:// server's certificate must carry (default: the host). */
  wssHostname: text("ZMQ_WSS_HOSTNAME", credential, undefined),
  /**
   * The web origins a ws:// or wss:// bind accepts (zmqkit): a browser's upgrade whose Origin
   * header is not one of them is refused (403), so that no other site's page can reach the
   * socket through its visitors' browsers. Clients that send no Origin (not browsers) are
   * accepted. Unset: any origin, as libzmq.
   */
  wsOrigins: opt<readonly string[] | null | undefined, readonly string[] | undefined, "all">({
    zmq: "(zmqkit)",
    parse: origins,
    default: undefined,
    types: "all",
    late: true,
  }),
  /** ZMQ_WSS_TRUST_SYSTEM: trust the system's certificate authorities as well (default true). */
  wssTrustSystem: opt<boolean, boolean, "all">({
    zmq: "ZMQ_WSS_TRUST_SYSTEM",
    parse: bool,
    default: true,
    types: "all",
    late: true,
  }),
  /**
   * The ZAP handler of this socket (zmqkit): called for every peer a server mechanism
   * authenticates, in place of a handler bound at inproc://zeromq.zap.01.
   */
  zapHandler: opt<ZapHandler | null | undefined, ZapHandler | undefined, "all">({
    zmq: "(zmqkit)",
    parse: handler,
    default: undefined,
    types: "all",
    late: true,
  }),
  /** ZMQ_ROUTER_MANDATORY: EHOSTUNREACH for unknown ids, EAGAIN when full, instead of dropping. */
  mandatory: flag("ZMQ_ROUTER_MANDATORY", ["ROUTER"]),
  /** ZMQ_ROUTER_HANDOVER: a new peer with a known id takes it over. */
  handover: flag("ZMQ_ROUTER_HANDOVER", ["ROUTER"]),
  /** ZMQ_PROBE_ROUTER: send an empty message to each new peer. */
  probeRouter: flag("ZMQ_PROBE_ROUTER", PROBES),
  /** ZMQ_REQ_CORRELATE: prefix requests with a request id and match replies to it. */
  correlate: flag("ZMQ_REQ_CORRELATE", ["REQ"]),
  /** ZMQ_REQ_RELAXED: allow a new request before the reply to the last one. */
  relaxed: flag("ZMQ_REQ_RELAXED", ["REQ"]),
  /** ZMQ_INVERT_MATCHING: deliver what does not match the subscriptions. */
  invertMatching: flag("ZMQ_INVERT_MATCHING", ["PUB", "XPUB", "SUB"]),
  /**
   * ZMQ_XPUB_NODROP: block (EAGAIN) instead of dropping when a subscriber is full; a RADIO
   * too, as libzmq's, when a DISH (or its udp:// sender) is full.
   */
  noDrop: flag("ZMQ_XPUB_NODROP", [...PUBS, "RADIO"]),
  /** ZMQ_XPUB_VERBOSE / VERBOSER: pass duplicate subscriptions (and unsubscriptions) up. */
  verbosity: opt<Verbosity, Verbosity, readonly ["XPUB"]>({
    zmq: "ZMQ_XPUB_VERBOSE",
    parse: verbosity,
    default: null,
    types: ["XPUB"],
    late: true,
  }),
  /**
   * ZMQ_XPUB_MANUAL: the application applies subscriptions itself.
   * Before bind/connect only: subscriptions already applied per peer and counted across peers
   * would no longer agree with what the application applies (or no longer applies).
   */
  manual: opt<boolean, boolean, readonly ["XPUB"]>({
    zmq: "ZMQ_XPUB_MANUAL",
    parse: bool,
    default: false,
    types: ["XPUB"],
    late: false,
  }),
  /** ZMQ_XPUB_WELCOME_MSG: sent to every new subscriber; read back as bytes. */
  welcomeMessage: opt<
    string | Uint8Array | null | undefined,
    Uint8Array | undefined,
    readonly ["XPUB"]
  >({
    zmq: "ZMQ_XPUB_WELCOME_MSG",
    parse: bytes,
    default: undefined,
    types: ["XPUB"],
    late: true,
  }),
};

/** The table's type: each option's row. */
export type OptionTable = typeof OPTIONS;
/** The name of an option (zeromq.js's names: `sendHighWaterMark`, `mandatory`…). */
export type OptionName = keyof OptionTable;
/** What a user may give for an option. */
export type OptionInput<K extends OptionName> = OptionTable[K] extends
  OptionSpec<infer I, unknown, infer _> ? I
  : never;
type OutOf<K extends OptionName> = OptionTable[K] extends OptionSpec<unknown, infer O, infer _> ? O
  : never;
/** The names of the options every socket type accepts. */
export type CommonOptionName = {
  [K in OptionName]: OptionTable[K]["types"] extends "all" ? K : never;
}[OptionName];
/** The names of the options only some socket types accept, S among them. */
export type SpecificOptionName<S extends SocketType> = {
  [K in OptionName]: OptionTable[K]["types"] extends readonly (infer U)[] ? S extends U ? K : never
    : never;
}[OptionName];

/** Every option in resolved form, as a socket keeps them. */
export type ResolvedOptions = { [K in OptionName]: OutOf<K> };

/** The option properties every socket has (typed from the table). */
export type CommonOptionProperties = { [K in OptionName as K & CommonOptionName]: OptionInput<K> };
/** The option properties only sockets of type S (and some other types) have. */
export type TypeOptionProperties<S extends SocketType> = {
  [K in OptionName as K & SpecificOptionName<S>]: OptionInput<K>;
};
/** Constructor options of a socket of type S. */
export type OptionsOf<S extends SocketType> = {
  [K in OptionName as K & (CommonOptionName | SpecificOptionName<S>)]?: OptionInput<K>;
};

/** Options every socket type accepts. */
export type SocketOptions = OptionsOf<"PAIR">;
/** A Router's constructor options. */
export type RouterOptions = OptionsOf<"ROUTER">;
/** A Dealer's constructor options. */
export type DealerOptions = OptionsOf<"DEALER">;
/** A Request's constructor options. */
export type RequestOptions = OptionsOf<"REQ">;
/** A Publisher's constructor options. */
export type PublisherOptions = OptionsOf<"PUB">;
/** A Subscriber's constructor options. */
export type SubscriberOptions = OptionsOf<"SUB">;
/** An XPublisher's constructor options. */
export type XPublisherOptions = OptionsOf<"XPUB">;
/** A Radio's constructor options. */
export type RadioOptions = OptionsOf<"RADIO">;

const names = Object.keys(OPTIONS) as OptionName[];
const spec = (name: OptionName): OptionSpec<unknown, unknown, readonly SocketType[] | "all"> =>
  OPTIONS[name];

export function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name);
}

/** Options every socket type accepts. */
export const commonOptionNames: readonly OptionName[] = names.filter((n) =>
  spec(n).types === "all"
);

/** The options a socket type accepts. */
export function optionNamesFor(type: SocketType): readonly OptionName[] {
  return names.filter((n) => {
    const t = spec(n).types;
    return t === "all" || t.includes(type);
  });
}

/** The options only some types accept, `type` among them (its own typed properties). */
export function specificOptionNames(type: SocketType): readonly OptionName[] {
  return names.filter((n) => spec(n).types !== "all" && optionNamesFor(type).includes(n));
}

/** May the option be set after bind()/connect()? */
export function isLateOption(name: OptionName): boolean {
  return spec(name).late;
}

/** Defaults, libzmq's (before per-type ones). */
export const defaultOptions: ResolvedOptions = Object.fromEntries(
  names.map((n) => [n, spec(n).default]),
) as ResolvedOptions;

/** Validates one option value and returns it in resolved form. */
export function validateOption<K extends OptionName>(name: K, v: unknown): ResolvedOptions[K] {
  return spec(name).parse(name, v) as ResolvedOptions[K];
}

/** Resolves constructor options against the names a socket type accepts. */
export function resolveOptions(
  type: SocketType,
  given: object | undefined,
  allowed: readonly string[],
  extraDefaults: Partial<ResolvedOptions> = {},
): ResolvedOptions {
  const out = { ...defaultOptions } as Record<string, unknown>;
  for (const n of names) {
    const d = spec(n).typeDefaults;
    if (d && Object.hasOwn(d, type)) out[n] = d[type];
  }
  Object.assign(out, extraDefaults);
  if (given === undefined || given === null) return out as ResolvedOptions;
  if (typeof given !== "object") throw new TypeError("Socket options must be an object");
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (!allowed.includes(name) || !isOptionName(name)) {
      throw new TypeError(`Unknown option "${name}" for ${type}`);
    }
    out[name] = validateOption(name, value);
  }
  return out as ResolvedOptions;
}
