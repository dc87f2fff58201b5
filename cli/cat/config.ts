// SPDX-License-Identifier: MIT
/** `zmqkit cat` flags as commander hands them over → a checked configuration. */
import type { SecuritySetting } from "../security.ts";
import { parseSize } from "../../lib/internal.ts";
import { isUdpEndpoint, parseEndpoint, parseUdpEndpoint } from "../../lib/internal.ts";
import { ZmqError } from "../../lib/internal.ts";
import { unescape } from "../io/bytes.ts";
import { fromHex } from "../io/formats/hex.ts";
import { FORMATS, type FramingOptions, isFormat } from "../io/options.ts";
import { lowerFirst, usage } from "../errors.ts";
import { TYPE_NAMES, type TypeName, typeOf, TYPES } from "./types.ts";

/** Flags exactly as commander parsed them. */
export interface CatFlags {
  bind?: string[];
  connect?: string[];
  format?: string;
  in?: string;
  out?: string;
  delimiter?: string;
  null?: boolean;
  subscribe?: string[];
  join?: string[];
  group?: string;
  routingId?: string;
  exec?: string;
  count?: string;
  timeout?: string;
  delay?: string;
  interval?: string;
  waitForPeer?: boolean;
  linger?: string;
  option?: string[];
  verbose?: number;
  eventsJson?: boolean;
  strict?: boolean;
  skipBad?: boolean;
  onExecError?: string;
  maxLine?: string;
}

export interface CatConfig {
  type: TypeName;
  binds: string[];
  connects: string[];
  input: FramingOptions;
  output: FramingOptions;
  subscribe: Uint8Array[];
  /** `-j/--join`: the groups a DISH joins. */
  join: Uint8Array[];
  /** `--group`: the group of every message a RADIO sends (else each message names it). */
  group: Uint8Array | undefined;
  routingId: Uint8Array | undefined;
  exec: string | undefined;
  count: number | undefined;
  timeout: number | undefined;
  delay: number;
  interval: number;
  waitForPeer: boolean;
  linger: number | undefined;
  /** `-o NAME=VALUE`: name, typed value (boolean, integer, null, bytes or string), the text. */
  options: Array<[string, unknown, string]>;
  /** The socket options of the security flags (cli/security.ts), set before `options`. */
  security: SecuritySetting[];
  verbose: number;
  eventsJson: boolean;
  /** `--skip-bad`: report and skip input records that do not decode (default: exit 2). */
  skipBad: boolean;
  /** `--on-exec-error`: what a failing --exec command answers (default: nothing). */
  onExecError: OnExecError;
  /** `--max-line`: the longest input record, bytes (a line, a MessagePack value, raw input). */
  maxLine: number;
}

/** What `--on-exec-error` may say. */
export const ON_EXEC_ERROR = ["skip", "reply-empty", "exit"] as const;
export type OnExecError = typeof ON_EXEC_ERROR[number];

/** `--max-line` when not given: 64 MiB. */
export const DEFAULT_MAX_LINE = 64 * 1024 * 1024;

const enc = new TextEncoder();

function integer(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text.trim()) || Number(text) < min) {
    throw usage(`${flag} must be an integer ${min === 0 ? ">= 0" : `>= ${min}`}, got "${text}"`);
  }
  return Number(text);
}

/** A byte count with an optional unit (`65536`, `64KiB`, `64MB`, `1g`; K = 1024), at least 1. */
function size(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let n: number;
  try {
    n = parseSize(text);
  } catch (e) {
    throw usage(`${flag}: ${(e as Error).message} (e.g. 65536, 64KiB, 64MiB)`);
  }
  if (n < 1) throw usage(`${flag} must be at least 1 byte, got "${text}"`);
  return n;
}

function format(flag: string, text: string | undefined): FramingOptions["format"] | undefined {
  if (text === undefined) return undefined;
  const f = text.toLowerCase();
  if (!isFormat(f)) {
    throw usage(`unknown format "${text}" for ${flag} (one of ${FORMATS.join(", ")})`);
  }
  return f;
}

/** `0x` + hex digits are bytes; anything else is UTF-8 text. */
export function bytesArg(flag: string, text: string): Uint8Array {
  if (/^0x/i.test(text)) {
    try {
      return fromHex(text.slice(2));
    } catch (e) {
      throw usage(`${flag} "${text}": ${(e as Error).message}`);
    }
  }
  return enc.encode(text);
}

/** A RADIO/DISH group (`0x…` for bytes): at most 255 bytes (RFC 48). */
function groupArg(flag: string, text: string): Uint8Array {
  const g = bytesArg(flag, text);
  if (g.length > GROUP_MAX) {
    throw usage(
      `${flag} "${text}": a group is at most ${GROUP_MAX} bytes, this one is ${g.length}`,
    );
  }
  return g;
}

/** The longest RADIO/DISH group, bytes (RFC 48). */
export const GROUP_MAX = 255;

/** Options whose value is bytes: `0x…` there is hex. */
const BYTES_OPTIONS = new Set(["routingId", "welcomeMessage"]);

/**
 * `NAME=VALUE`: true/false → boolean, an integer → number, null → null, `0x…` → bytes for
 * routingId and welcomeMessage, else a string. The socket validates the value.
 */
export function optionArg(text: string): [string, unknown, string] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw usage(`-o expects NAME=VALUE, got "${text}"`);
  const name = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  if (raw === "true" || raw === "false") value = raw === "true";
  else if (raw === "null") value = null;
  else if (/^-?\d+$/.test(raw)) value = Number(raw);
  else if (BYTES_OPTIONS.has(name) && /^0x/i.test(raw)) value = bytesArg(`-o ${text}`, raw);
  return [name, value, text];
}

function endpoint(text: string, mode: "bind" | "connect", type: string): string {
  try {
    if (isUdpEndpoint(text)) {
      // RADIO connects, DISH binds (libzmq's rule)
      const ok = (type === "RADIO" && mode === "connect") || (type === "DISH" && mode === "bind");
      if (!ok) {
        throw usage(
          type === "RADIO" || type === "DISH"
            ? `udp:// is for a radio to connect (-c) and a dish to bind (-b)`
            : `udp:// is for radio and dish only, not ${type.toLowerCase()}`,
        );
      }
      parseUdpEndpoint(text, mode);
    } else parseEndpoint(text, mode);
  } catch (e) {
    if (e instanceof ZmqError) throw usage(lowerFirst(e.message));
    throw e;
  }
  return text;
}

export function checkConfig(typeArg: string, f: CatFlags): CatConfig {
  const type = typeOf(typeArg);
  if (type === undefined) {
    throw usage(
      `unknown socket type "${typeArg}" (one of ${
        TYPE_NAMES.map((t) => t.toLowerCase()).join(", ")
      })`,
    );
  }
  const spec = TYPES[type];
  const binds = (f.bind ?? []).map((e) => endpoint(e, "bind", type));
  const connects = (f.connect ?? []).map((e) => endpoint(e, "connect", type));
  if (binds.length + connects.length === 0) {
    throw usage("give at least one endpoint with -b/--bind or -c/--connect");
  }
  const both = format("-f/--format", f.format);
  const inFormat = format("--in", f.in) ?? both ?? "text";
  const outFormat = format("--out", f.out) ?? both ?? "text";
  const delimiter = f.delimiter === undefined ? undefined : unescape(f.delimiter);
  if (delimiter !== undefined && delimiter.length === 0) throw usage("-d/--delimiter is empty");
  const separator = f.null ? 0 : 10;
  if (f.exec !== undefined && !spec.exec) {
    throw usage(`--exec works with rep, router, server and peer, not ${type.toLowerCase()}`);
  }
  if (f.subscribe?.length && type !== "SUB" && type !== "XSUB") {
    throw usage(`-s/--subscribe works with sub and xsub, not ${type.toLowerCase()}`);
  }
  if (f.strict && f.skipBad) {
    throw usage("--strict and --skip-bad contradict each other (--strict is the default)");
  }
  const onExecError = f.onExecError ?? "skip";
  if (!(ON_EXEC_ERROR as readonly string[]).includes(onExecError)) {
    throw usage(
      `--on-exec-error must be one of ${ON_EXEC_ERROR.join(", ")}, got "${f.onExecError}"`,
    );
  }
  if (f.onExecError !== undefined && f.exec === undefined) {
    throw usage("--on-exec-error needs -e/--exec");
  }
  if (f.join?.length && type !== "DISH") {
    throw usage(`-j/--join works with dish, not ${type.toLowerCase()}`);
  }
  if (f.group !== undefined && type !== "RADIO") {
    throw usage(`--group works with radio, not ${type.toLowerCase()}`);
  }
  const join = (f.join ?? []).map((g) => groupArg("-j/--join", g));
  const group = f.group === undefined ? undefined : groupArg("--group", f.group);
  if (type === "DISH" && join.length === 0) {
    throw usage("dish receives only the groups it joins: give -j/--join GROUP (repeatable)");
  }
  if (type === "RADIO" && group === undefined && inFormat === "text" && delimiter === undefined) {
    throw usage(
      "radio needs --group GROUP, or -d STR to read GROUP<STR>BODY lines (e.g. -d '\\t')",
    );
  }
  const timeout = integer("-t/--timeout", f.timeout, 1);
  // DISH messages are [group, body]: raw output leaves the group out, as ROUTER's id
  const outIds = spec.routingIds || (type === "DISH" && outFormat === "raw");
  return {
    type,
    binds,
    connects,
    input: { format: inFormat, delimiter, separator, routingIds: spec.routingIds },
    output: { format: outFormat, delimiter, separator, routingIds: outIds },
    subscribe: (f.subscribe ?? []).map((s) => bytesArg("-s/--subscribe", s)),
    join,
    group,
    routingId: f.routingId === undefined ? undefined : bytesArg("--routing-id", f.routingId),
    exec: f.exec,
    count: integer("-n/--count", f.count, 1),
    timeout,
    delay: integer("--delay", f.delay, 0) ?? 0,
    interval: integer("--interval", f.interval, 0) ?? 0,
    waitForPeer: f.waitForPeer === true,
    linger: integer("--linger", f.linger, -1),
    options: (f.option ?? []).map(optionArg),
    security: [],
    verbose: f.verbose ?? 0,
    eventsJson: f.eventsJson === true,
    skipBad: f.skipBad === true,
    onExecError: onExecError as OnExecError,
    maxLine: size("--max-line", f.maxLine) ?? DEFAULT_MAX_LINE,
  };
}
