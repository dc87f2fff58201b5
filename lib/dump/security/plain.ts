// SPDX-License-Identifier: MIT
/**
 * PLAIN (RFC 24) handshake commands as dump fields: HELLO (username, password masked
 * unless asked), WELCOME (empty), INITIATE and READY (metadata), ERROR (reason). Also
 * recognises the ERROR body libzmq's PLAIN server really sends ("^RROR": a C escape bug
 * turns the name's length byte and "E" into one 0x5e byte). Never throws.
 */
import type { JsonValue } from "../events.ts";
import { describeMetadata, renderValue } from "./render.ts";

export interface PlainOptions {
  /** Show the password itself instead of "***". */
  showSecrets: boolean;
}

/** Fields with a `malformed` reason added to whatever was decoded before the fault. */
function malformed(fields: Record<string, JsonValue>, reason: string): Record<string, JsonValue> {
  fields.malformed = reason;
  return fields;
}

/** One length-prefixed (1 byte) field at `o`, or an error message (offsets + `base`). */
function shortField(
  data: Uint8Array,
  o: number,
  what: string,
  base = 0,
): { value: Uint8Array; next: number } | string {
  if (o >= data.length) return `missing ${what} length at data offset ${base + o}`;
  const len = data[o]!;
  if (o + 1 + len > data.length) {
    return `${what} of ${len} bytes overruns the body at data offset ${base + o}`;
  }
  return { value: data.subarray(o + 1, o + 1 + len), next: o + 1 + len };
}

function trailing(data: Uint8Array, o: number, after: string, base = 0): string | null {
  const extra = data.length - o;
  return extra > 0
    ? `${extra} unexpected bytes after the ${after} at data offset ${base + o}`
    : null;
}

function hello(data: Uint8Array, opts: PlainOptions): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = {};
  const user = shortField(data, 0, "username");
  if (typeof user === "string") return malformed(fields, user);
  fields.username = renderValue(user.value);
  const pass = shortField(data, user.next, "password");
  if (typeof pass === "string") return malformed(fields, pass);
  fields.password = opts.showSecrets ? renderValue(pass.value) : "***";
  fields.passwordLength = pass.value.length;
  const extra = trailing(data, pass.next, "password");
  return extra === null ? fields : malformed(fields, extra);
}

function error(data: Uint8Array, base = 0): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = {};
  const reason = shortField(data, 0, "reason", base);
  if (typeof reason === "string") return malformed(fields, reason);
  fields.reason = renderValue(reason.value);
  const extra = trailing(data, reason.next, "reason", base);
  return extra === null ? fields : malformed(fields, extra);
}

/**
 * Fields of PLAIN command `name` whose body after the name is `data`. A malformed body
 * yields the fields decoded so far plus `malformed: "<reason> at data offset N"`.
 */
export function describePlain(
  name: string,
  data: Uint8Array,
  opts: PlainOptions,
): Record<string, JsonValue> {
  switch (name) {
    case "HELLO":
      return hello(data, opts);
    case "WELCOME":
      return data.length === 0
        ? {}
        : { malformed: `WELCOME carries ${data.length} bytes, expected none, at data offset 0` };
    case "INITIATE":
    case "READY": {
      const view = describeMetadata(data, 0);
      const fields: Record<string, JsonValue> = { metadata: view.metadata };
      return view.error === undefined ? fields : malformed(fields, view.error);
    }
    case "ERROR":
      return error(data);
    default:
      return { note: `${name.length > 64 ? "command" : name} is not a PLAIN handshake command` };
  }
}

/** The first five bytes of libzmq's misencoded PLAIN ERROR: 5e "RROR". */
const QUIRK = [0x5e, 0x52, 0x52, 0x4f, 0x52];

/**
 * When a whole command body (name included) is libzmq's misencoded PLAIN ERROR
 * (`5e 52 52 4f 52 <len> <reason>`, which a strict parser sees as a 94-byte name that
 * overruns the body), its fields with a `note`; otherwise null. Offsets in `malformed`
 * count from the start of `body`.
 */
export function libzmqPlainError(body: Uint8Array): Record<string, JsonValue> | null {
  if (body.length < QUIRK.length) return null;
  for (let i = 0; i < QUIRK.length; i++) if (body[i] !== QUIRK[i]) return null;
  const fields = error(body.subarray(QUIRK.length), QUIRK.length);
  fields.note = 'libzmq PLAIN ERROR encoding: "^RROR" in place of 05 "ERROR"';
  return fields;
}
