// SPDX-License-Identifier: MIT
/**
 * `zmqkit dump`: decode ZMTP as it passes (a relay between two unmodified peers), from a
 * capture file, or from one raw byte stream. Flag parsing and printing only; the decoding is
 * lib/dump/.
 */
import type { Command } from "commander";
import { DECODE_HELP, DecodeSpecError, parseDecodeSpec } from "../../lib/internal.ts";
import type { DecoderOptions } from "../../lib/internal.ts";
import type { DumpEvent, Side } from "../../lib/internal.ts";
import { HexInputError, parseHexDump } from "../../lib/internal.ts";
import { concatBytes } from "../../lib/internal.ts";
import { z85Decode } from "../../lib/internal.ts";
import { env } from "../../lib/internal.ts";
import { Interrupt } from "../interrupt.ts";
import { readFileBytes, readFileChunks } from "../../lib/internal.ts";
import { isTerminal, stderr, stdinChunks, stdout } from "../../lib/internal.ts";
import { CliError, ExitCode, usage } from "../errors.ts";
import { dumpCapture, type Emit, startRelay, streamDecoder } from "../dump/modes.ts";
import { jsonLine, textLine } from "../dump/render.ts";

interface DumpFlags {
  listen?: string;
  upstream?: string;
  pcap?: string;
  stdin?: boolean;
  hex?: string;
  port?: string;
  from?: string;
  decode?: string;
  maxBytes?: string;
  showSecrets?: boolean;
  curveSecret?: string[];
  json?: boolean;
  pcapOut?: string;
  color?: boolean;
}

export const DUMP_HELP = `
Sources (give one):
  --listen EP --upstream EP   relay: accept on EP, connect each to the upstream, forward every
                              byte unchanged both ways and decode it (tcp:// or ipc://)
  --pcap FILE|-               a pcap or pcapng capture (tcpdump, tshark, Wireshark; - reads
                              stdin): TCP streams are reassembled and ZMTP streams found by
                              their signature (ZWS 2.0 ones by their WebSocket upgrade
                              request); --port N[,N…] decodes only (and all) flows on
                              them. Read in constant memory as it arrives: a file of any
                              size, or a live \`tcpdump -U -w -\` shown packet by packet
  --stdin                     one raw ZMTP byte stream on stdin (e.g. from socat)
  --hex FILE|-                a hex dump of one stream (plain hex, xxd or hexdump -C)
  --from client|server        which side wrote the --stdin/--hex stream (default client)

Shown: greetings (version, mechanism, as-server; ZMTP 2.0/1.0 peers and libzmq's downgrades),
NULL READY metadata, PLAIN HELLO/WELCOME/INITIATE/READY/ERROR (password masked unless
--show-secrets), CURVE HELLO/WELCOME/INITIATE/READY/ERROR (keys in Z85, boxes by size; with
--curve-secret of the server's long-term key the HELLO and WELCOME boxes are opened),
PING/PONG, SUBSCRIBE/CANCEL, JOIN/LEAVE and 3.0 subscription messages, multipart messages
with their request-reply envelopes and PUB topics. ZWS 2.0 (ZeroMQ over WebSocket): the
upgrade request and response, then the same, plus WebSocket ping/pong/close frames.
"→" is client to server (the side that connected).

Output: one line per event (coloured on a terminal), or NDJSON with --json.
--pcap-out FILE also writes what the relay forwarded as pcapng (Wireshark opens it).

Exit codes: 0 end of input, 1 failure (address in use, unreadable file), 2 usage error,
130/143 when a relay is stopped by SIGINT/SIGTERM.

Examples:
  zmqkit dump --listen tcp://127.0.0.1:6000 --upstream tcp://127.0.0.1:5555
  zmqkit dump --pcap capture.pcapng --decode 1=msgpack --json | jq .
  tcpdump -i lo -U -w - port 5555 | zmqkit dump --pcap -
  zmqkit dump --hex frames.txt --from server
`;

export function addDumpCommand(program: Command): void {
  program
    .command("dump")
    .summary("decode ZMTP traffic: a relay between two peers, a capture file or a byte stream")
    .description(
      "Show every greeting, handshake command and message on a ZeroMQ connection, with " +
        "bodies decoded as text, JSON, MessagePack or a binary layout.",
    )
    .option("--listen <endpoint>", "relay: where peers connect (tcp:// or ipc://)")
    .option("--upstream <endpoint>", "relay: where each connection is forwarded")
    .option("--pcap <file>", "read a pcap or pcapng capture (- for stdin)")
    .option("--port <ports>", "with --pcap: decode the flows on these ports (comma-separated)")
    .option("--stdin", "read one raw ZMTP byte stream from stdin")
    .option("--hex <file>", "read a hex dump of one stream (- for stdin)")
    .option("--from <side>", "the side that wrote a --stdin/--hex stream: client or server")
    .option("--decode <spec>", "body decoders: auto, text, hex, json, msgpack, layout:SPEC")
    .option("--max-bytes <n>", "show at most N bytes of each body (0: all)", "1024")
    .option("--show-secrets", "show PLAIN passwords")
    .option(
      "--curve-secret <key>",
      "a CURVE long-term secret key (Z85 or hex); repeatable",
      collect,
      [],
    )
    .option("--json", "one JSON object per event (NDJSON)")
    .option("--pcap-out <file>", "relay: also write the traffic as pcapng")
    .option("--color", "colour the output even when it is not a terminal")
    .option("--no-color", "never colour the output")
    .addHelpText("after", `${DUMP_HELP}\n${DECODE_HELP}`)
    .action(dumpAction);
}

function collect(v: string, all: string[]): string[] {
  return [...all, v];
}

export async function dumpAction(flags: DumpFlags): Promise<void> {
  const sources =
    [flags.listen !== undefined, flags.pcap !== undefined, !!flags.stdin, flags.hex !== undefined]
      .filter(Boolean).length;
  if (sources !== 1) {
    throw usage("give one source: --listen with --upstream, --pcap, --stdin or --hex");
  }
  if (flags.listen !== undefined && flags.upstream === undefined) {
    throw usage("--listen needs --upstream");
  }
  if (flags.upstream !== undefined && flags.listen === undefined) {
    throw usage("--upstream needs --listen");
  }
  if (flags.pcapOut !== undefined && flags.listen === undefined) {
    throw usage("--pcap-out works with the relay (--listen)");
  }
  if (flags.port !== undefined && flags.pcap === undefined) throw usage("--port works with --pcap");
  const from = parseSide(flags.from);
  if (flags.from !== undefined && !flags.stdin && flags.hex === undefined) {
    throw usage("--from works with --stdin and --hex");
  }
  const options = decoderOptions(flags);
  const color = flags.color ?? (isTerminal(1) && env("NO_COLOR") === undefined);
  const out = stdout();
  const enc = new TextEncoder();
  // lines are gathered and written once per turn: one chunk of traffic can make thousands
  let lines: string[] = [];
  let writing: Promise<void> | undefined;
  const flushLines = () => {
    const text = lines.join("");
    lines = [];
    writing = out.write(enc.encode(text));
  };
  /** Resolves once the lines of the chunk just read are written (input waits for output). */
  const drained = async () => {
    await null; // lets a pending flushLines run first
    await writing;
  };
  const emit: Emit = (e: DumpEvent) => {
    if (lines.length === 0) queueMicrotask(flushLines);
    lines.push((flags.json ? jsonLine(e) : textLine(e, { color })) + "\n");
  };

  if (flags.listen !== undefined) {
    const interrupt = new Interrupt(); // before the listener opens: see cli/interrupt.ts
    try {
      const { relay, stop } = await startRelay(
        flags.listen,
        flags.upstream!,
        options,
        emit,
        flags.pcapOut,
      )
        .catch((e: unknown) => {
          throw e instanceof Error && !("code" in e)
            ? new CliError(ExitCode.FAILURE, e.message)
            : e;
        });
      void stderr().write(
        enc.encode(`zmqkit: relaying ${flags.listen} (${relay.address}) → ${flags.upstream}\n`),
      );
      await interrupt.arrived;
      await stop();
      await out.flush();
      throw interrupt.error();
    } finally {
      interrupt.dispose();
    }
  }
  if (flags.pcap !== undefined) {
    const ports = flags.port === undefined ? undefined : parsePorts(flags.port);
    // /dev/stdin is read as stdin too: opening it fails when stdin is a socket (ENXIO)
    const fromStdin = flags.pcap === "-" || flags.pcap === "/dev/stdin";
    const name = fromStdin ? "stdin" : flags.pcap;
    const chunks = fromStdin ? stdinChunks() : readFileChunks(flags.pcap);
    const r = await dumpCapture(chunks, ports, options, emit, drained).catch((e: unknown) => {
      throw new CliError(ExitCode.FAILURE, (e as Error).message);
    });
    await out.flush();
    if (r.error !== undefined) throw new CliError(ExitCode.FAILURE, `${name}: ${r.error}`);
    if (r.zmtp === 0) {
      void stderr().write(
        enc.encode(`zmqkit: no ZMTP stream among ${r.streams} TCP streams in ${name}\n`),
      );
    }
    return;
  }
  const d = streamDecoder(from, options, emit, flags.stdin ? "stdin" : flags.hex!);
  if (flags.stdin) {
    for await (const chunk of stdinChunks()) {
      d.push(chunk);
      await drained();
    }
  } else {
    let text: string;
    if (flags.hex === "-") {
      const parts: Uint8Array[] = [];
      for await (const chunk of stdinChunks()) parts.push(chunk);
      text = new TextDecoder().decode(concatBytes(parts));
    } else {
      text = new TextDecoder().decode(
        await readFileBytes(flags.hex!).catch((e: unknown) => {
          throw new CliError(ExitCode.FAILURE, (e as Error).message);
        }),
      );
    }
    try {
      d.push(parseHexDump(text));
    } catch (e) {
      if (e instanceof HexInputError) throw usage(e.message);
      throw e;
    }
  }
  d.end();
  await out.flush();
}

function decoderOptions(flags: DumpFlags): DecoderOptions {
  const o: DecoderOptions = {};
  if (flags.decode !== undefined) {
    try {
      o.decode = parseDecodeSpec(flags.decode);
    } catch (e) {
      if (e instanceof DecodeSpecError) throw usage(e.message);
      throw e;
    }
  }
  const max = Number(flags.maxBytes ?? "1024");
  if (!Number.isInteger(max) || max < 0) {
    throw usage(`--max-bytes: expected a whole number ≥ 0, got "${flags.maxBytes}"`);
  }
  o.maxBytes = max;
  o.showSecrets = !!flags.showSecrets;
  o.curveSecrets = (flags.curveSecret ?? []).map(parseKey);
  return o;
}

function parseKey(text: string): Uint8Array {
  if (/^[0-9a-fA-F]{64}$/.test(text)) {
    return Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));
  }
  if (text.length === 40) {
    try {
      return z85Decode(text);
    } catch (e) {
      throw usage(`--curve-secret: ${(e as Error).message}`);
    }
  }
  throw usage("--curve-secret: expected 40 Z85 characters or 64 hex digits");
}

function parseSide(v: string | undefined): Side {
  if (v === undefined || v === "client") return "client";
  if (v === "server") return "server";
  throw usage(`--from: expected client or server, got "${v}"`);
}

function parsePorts(v: string): number[] {
  return v.split(",").map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw usage(`--port: "${p}" is not a port number`);
    }
    return n;
  });
}
