// SPDX-License-Identifier: MIT
/**
 * The three ways `zmqkit dump` gets its bytes: a relay between two live peers, a capture file
 * (pcap or pcapng, TCP streams reassembled, ZMTP streams found by their signature and ZWS
 * 2.0 ones by their WebSocket upgrade request), or one raw byte stream (stdin, or a hex dump).
 * Each feeds ConnectionDecoders; the caller prints.
 */
import { ConnectionDecoder, type DecoderOptions } from "../../lib/internal.ts";
import type { DumpEvent, Side } from "../../lib/internal.ts";
import { parseTcpPacket } from "../../lib/internal.ts";
import { PcapngWriter } from "../../lib/internal.ts";
import { TcpReassembler } from "../../lib/internal.ts";
import { CaptureReader } from "../../lib/internal.ts";
import { Relay, type RelayTap } from "../../lib/internal.ts";
import { createFileSink } from "../../lib/internal.ts";
import { concatBytes } from "../../lib/internal.ts";
import { upgradeRequest } from "../../lib/internal.ts";

export type Emit = (e: DumpEvent) => void;

/** Starts the relay; resolves once it listens. `pcapOut` also records what it forwards. */
export async function startRelay(
  listen: string,
  upstream: string,
  decoder: DecoderOptions,
  emit: Emit,
  pcapOut?: string,
): Promise<{ relay: Relay; stop: () => Promise<void> }> {
  let tap: RelayTap | undefined;
  let closeTap = () => {};
  if (pcapOut !== undefined) {
    const sink = createFileSink(pcapOut);
    const writer = new PcapngWriter((b) => sink.write(b));
    tap = {
      open: (conn, client, server, time) =>
        writer.open(conn, hostPort(client, conn, 0), hostPort(server, conn, 1), time),
      data: (conn, from, bytes, time) => writer.data(conn, from, bytes, time),
      close: (conn, time) => writer.close(conn, time),
    };
    closeTap = () => sink.close();
  }
  const relay = await Relay.start({ listen, upstream, onEvent: emit, decoder, tap });
  return {
    relay,
    stop: async () => {
      await relay.close();
      closeTap();
    },
  };
}

/**
 * `host:port` of a tcp address or a synthetic 127.0.0.1 one for ipc paths (a capture file
 * needs IP addresses): client ports 40000 + conn, server port 5555 + …, stable per connection.
 */
function hostPort(addr: string, conn: number, side: 0 | 1): { host: string; port: number } {
  const m = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/]+):(\d+)$/.exec(addr);
  if (m) {
    const host = m[1]!.startsWith("[") ? m[1]!.slice(1, -1) : m[1]!;
    if (/^[\d.]+$/.test(host) || host.includes(":")) return { host, port: Number(m[2]) };
    return { host: "127.0.0.1", port: Number(m[2]) };
  }
  return { host: "127.0.0.1", port: side === 0 ? 40000 + (conn % 20000) : 5555 };
}

/**
 * Decodes the ZMTP streams of a capture as its chunks arrive: each packet is decoded once its
 * record is complete, and the next chunk is pulled only once `drained` (the output) resolves,
 * so memory stays flat whatever the capture's size. Returns the counts for a note on stderr
 * and the capture's damage, if any (reading stops there).
 */
export async function dumpCapture(
  chunks: AsyncIterable<Uint8Array>,
  ports: number[] | undefined,
  decoder: DecoderOptions,
  emit: Emit,
  drained: () => Promise<void> = () => Promise.resolve(),
): Promise<{ streams: number; zmtp: number; error?: string }> {
  interface Flow {
    client: string;
    server: string;
    time: number;
    /** Undecided until the first bytes show a ZMTP signature or a WebSocket upgrade (or not). */
    state: "undecided" | "zmtp" | "other";
    pending: { from: Side; bytes: Uint8Array; time: number }[];
    decoder?: ConnectionDecoder;
  }
  const flows = new Map<number, Flow>();
  let next = 1;
  let streams = 0;
  const restricted = ports !== undefined && ports.length > 0;
  const start = (f: Flow) => {
    f.state = "zmtp";
    f.decoder = new ConnectionDecoder(next++, emit, decoder);
    f.decoder.open(f.client, f.server, f.time);
    for (const p of f.pending) f.decoder.data(p.from, p.bytes, p.time);
    f.pending = [];
  };
  const reassembler = new TcpReassembler({
    onOpen(id, client, server, time) {
      streams++;
      flows.set(id, {
        client,
        server,
        time,
        state: "undecided",
        pending: [],
      });
    },
    onData(id, from, data, time) {
      const f = flows.get(id);
      if (f === undefined || f.state === "other") return;
      if (f.state === "zmtp") {
        f.decoder!.data(from, data, time);
        return;
      }
      f.pending.push({ from, bytes: data, time });
      if (restricted) return start(f);
      const verdict = signature(
        concatBytes(f.pending.filter((p) => p.from === from).map((p) => p.bytes)),
      );
      if (verdict === "yes") start(f);
      else if (verdict === "no") {
        f.state = "other";
        f.pending = [];
      }
    },
    onGap(id, from, missing, time) {
      const f = flows.get(id);
      if (f?.state === "zmtp") f.decoder!.gap(from, missing, time);
    },
    onClose(id, time, reason) {
      const f = flows.get(id);
      if (f?.state === "zmtp") f.decoder!.close(time, reason);
      flows.delete(id);
    },
  }, restricted ? { ports } : {});
  const capture = new CaptureReader();
  let last = 0;
  for await (const chunk of chunks) {
    for (const p of capture.push(chunk)) {
      last = p.time;
      const seg = parseTcpPacket(p.linkType, p.data);
      if (seg !== undefined) reassembler.push(seg, p.time);
    }
    if (capture.error !== undefined) break;
    await drained();
  }
  const error = capture.end();
  reassembler.finish(last);
  for (const f of flows.values()) {
    if (f.state === "undecided" && f.pending.length > 0) start(f);
    if (f.state === "zmtp") f.decoder!.close(last, "end of capture");
  }
  const result: { streams: number; zmtp: number; error?: string } = { streams, zmtp: next - 1 };
  if (error !== undefined) result.error = error;
  return result;
}

/**
 * "yes" once 10 bytes carry the signature (or a whole HTTP head asks for a WebSocket upgrade:
 * ZWS 2.0), "no" as soon as they cannot, else "maybe".
 */
function signature(b: Uint8Array): "yes" | "no" | "maybe" {
  if (b.length === 0) return "maybe";
  if (b[0] === 0x47) return upgradeRequest(b); // "G" of "GET "
  if (b[0] !== 0xff) return "no";
  if (b.length < 10) return "maybe";
  return (b[9]! & 1) === 1 ? "yes" : "no";
}

/** Decodes one direction's raw bytes (stdin or a hex dump) as connection 1. */
export function streamDecoder(from: Side, decoder: DecoderOptions, emit: Emit, name: string) {
  const d = new ConnectionDecoder(1, emit, decoder);
  d.open(from === "client" ? name : "?", from === "server" ? name : "?", Date.now());
  return {
    push: (bytes: Uint8Array) => d.data(from, bytes, Date.now()),
    end: () => d.close(Date.now(), "end of input"),
  };
}
