// SPDX-License-Identifier: MIT
/**
 * How `zmqkit dump` prints its events: one readable line each (coloured on a terminal), or
 * one JSON object each (NDJSON, `--json`). ZWS 2.0 adds an `upgrade` line per side and
 * `ws ping`/`ws pong`/`ws close` lines for WebSocket control frames.
 */
import type { DumpEvent, FrameView, JsonValue } from "../../lib/internal.ts";

export interface RenderOptions {
  color: boolean;
}

const C = {
  dim: "\x1b[2m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  blue: "\x1b[34m",
  magenta: "\x1b[35m",
  cyan: "\x1b[36m",
  bold: "\x1b[1m",
  reset: "\x1b[0m",
};

/** The NDJSON line for an event (time as an ISO 8601 string). */
export function jsonLine(e: DumpEvent): string {
  return JSON.stringify({ ...e, time: new Date(e.time).toISOString() });
}

/** The human line for an event. */
export function textLine(e: DumpEvent, o: RenderOptions): string {
  const paint = (color: string, s: string) => o.color ? `${color}${s}${C.reset}` : s;
  const time = paint(C.dim, clock(e.time));
  const conn = paint(C.blue, `#${e.conn}`);
  const arrow = "from" in e ? (e.from === "client" ? "→" : "←") : " ";
  const head = `${time} ${conn} ${arrow}`;
  switch (e.type) {
    case "open":
      return `${head} ${paint(C.bold, "open")} ${e.client} → ${e.server}`;
    case "close": {
      const why = e.reason ? `: ${e.reason}` : "";
      return `${head} ${
        paint(C.bold, "close")
      } (client sent ${e.bytes.client} B, server ${e.bytes.server} B)${why}`;
    }
    case "greeting": {
      const parts = [`ZMTP ${e.version}`];
      if (e.mechanism !== undefined) parts.push(e.mechanism);
      if (e.asServer) parts.push("as-server");
      if (e.socketType !== undefined) parts.push(e.socketType);
      const note = e.note ? paint(C.dim, ` (${e.note})`) : "";
      return `${head} ${paint(C.cyan, "greeting")} ${parts.join(" ")}${note}`;
    }
    case "command": {
      const lock = e.encrypted ? " 🔒" : "";
      return `${head} ${paint(C.yellow, e.name)}${lock} ${fields(e.fields)}`.trimEnd();
    }
    case "message": {
      const parts: string[] = [];
      if (e.encrypted) {
        const f = e.frames[0];
        parts.push(`encrypted ${f?.size ?? 0} B`);
        if (f && f.body !== null && typeof f.body === "object") {
          parts.push(fields(f.body as Record<string, JsonValue>));
        }
      } else {
        if (e.identity) parts.push("identity");
        if (e.subscription) {
          const t = topicText(e.subscription);
          parts.push(`${e.subscription.subscribe ? "subscribe" : "cancel"} ${t}`);
        }
        if (e.topic !== undefined || e.topicHex !== undefined) parts.push(`topic ${topicText(e)}`);
        if (e.envelope) {
          parts.push(paint(C.magenta, `[${e.envelope.map((id) => id || "''").join(" ")}] |`));
        }
        if (!e.subscription) {
          const n = e.frames.length;
          parts.push(n === 1 ? "" : `${n} frames:`);
          e.frames.forEach((f, i) => parts.push(frame(f, n > 1 ? i : -1)));
        }
      }
      return `${head} ${paint(C.green, "msg")} ${parts.filter((p) => p !== "").join(" ")}`;
    }
    case "upgrade": {
      const parts = [e.line];
      if (e.protocols !== undefined && e.protocols.length > 0) {
        parts.push(`protocols=${e.protocols.join(",")}`);
      }
      if (e.protocol !== undefined) parts.push(`protocol=${e.protocol}`);
      const note = e.note ? paint(C.dim, ` (${e.note})`) : "";
      return `${head} ${paint(C.cyan, "upgrade")} ${parts.join(" ")}${note}`;
    }
    case "control": {
      const f: Record<string, JsonValue> = {};
      if (e.code !== undefined) f.code = e.code;
      if (e.reason !== undefined) f.reason = e.reason;
      if (e.reasonHex !== undefined) f.reasonHex = e.reasonHex;
      if (e.dataHex !== undefined) f.dataHex = e.dataHex;
      return `${head} ${paint(C.yellow, `ws ${e.name}`)} ${fields(f)}`.trimEnd();
    }
    case "error":
      return `${head} ${paint(C.red, `! at byte ${e.offset}: ${e.reason}`)}`;
  }
}

function topicText(t: { topic?: string; topicHex?: string }): string {
  return t.topic !== undefined ? JSON.stringify(t.topic) : `0x${t.topicHex}`;
}

function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${
    p(d.getMilliseconds(), 3)
  }`;
}

function frame(f: FrameView, index: number): string {
  const tag = index >= 0 ? `[${index}]` : "";
  let body: string;
  if (f.as === "empty") body = "''";
  else if (f.as === "hex" && typeof f.body === "string") body = `0x${f.body}`;
  else body = JSON.stringify(f.body);
  const more = f.truncated ? `… (${f.size} B)` : "";
  const err = f.error ? ` (${f.error})` : "";
  return `${tag}${body}${more}${err}`;
}

function fields(f: Record<string, JsonValue>): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(f)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const inner = Object.entries(v).map(([ik, iv]) => `${ik}=${scalar(iv)}`).join(" ");
      out.push(`${k}{${inner}}`);
    } else out.push(`${k}=${scalar(v)}`);
  }
  return out.join(" ");
}

function scalar(v: JsonValue): string {
  if (typeof v === "string") {
    return /^[\x21-\x7e]+$/.test(v) && !v.includes('"') ? v : JSON.stringify(v);
  }
  return JSON.stringify(v);
}
