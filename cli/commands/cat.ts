// SPDX-License-Identifier: MIT
/** `zmqkit cat TYPE`: a socket of any type wired to standard input and output. */
import { addSecurityOptions, type SecurityFlags, securitySettings } from "../security.ts";
import type { Command } from "commander";
import { onSignals } from "../../lib/internal.ts";
import { closeStdin, stderr, stdinChunks, stdout } from "../../lib/internal.ts";
import { type CatFlags, checkConfig } from "../cat/config.ts";
import { MODES } from "../cat/modes.ts";
import { CatRun } from "../cat/run.ts";
import { TYPE_NAMES, TYPES } from "../cat/types.ts";
import { CliError, ExitCode } from "../errors.ts";
import { FORMATS } from "../io/options.ts";

const collect = (v: string, prev: string[] = []) => [...prev, v];
const increase = (_v: string, prev = 0) => prev + 1;

export const CAT_HELP = `
Direction, from the type:
  push, pub                  read stdin, send each message; exit 0 at the end of input
                             once everything queued is delivered (bounded by --linger)
  pull, sub                  print every message received
  req                        send each input message, print its reply
  rep                        print each request, answer with the next input message
                             (or with the output of --exec CMD)
  dealer, router, pair,      both at once: input is sent while received messages are
  stream, xpub, xsub         printed; end of input stops sending only; with -n N the
                             run ends once N messages came and input has ended

Draft types (RFC 41, 48, 49, 51, 52): messages are a single frame, so a line that -d
splits into more (or a json array of more) is bad input, exit 2.
  client                     as req: each input message is sent, one reply printed
  server, peer               as router: "<routing id><TAB>message" both ways, the id
                             being 8 hex digits (the 32-bit id; an empty id: the last
                             peer heard from). peer -c prints each peer's id on stderr
  radio                      send each message to --group G; without --group each
                             message is GROUP then BODY: "weather<-d STR>sunny", or a
                             json array ["weather","sunny"]; groups are at most 255 bytes
  dish                       print "GROUP<TAB>BODY" (-d STR instead of TAB; json:
                             [group, body]; raw: the body) of the -j/--join groups
  scatter, gather            as push, pull
  channel                    as pair

Formats (--in, --out, or -f for both), one message per line unless noted:
  text     the line is one frame; with -d STR it is split into frames at STR.
           Frames are printed joined by -d (default: a TAB).
  json     a JSON array of frames: strings, or {"base64": "..."} for bytes that are
           not UTF-8 (input also takes {"hex": "..."} and a bare string)
  hex      each frame in hex, frames separated by -d (default: a TAB)
  base64   each frame in base64, frames separated by -d (default: a TAB)
  msgpack  a stream of MessagePack arrays of binary frames (no lines)
  raw      input: all of stdin is one frame; output: bodies back to back
  -0 ends messages with NUL instead of a newline. All but text are lossless.
  json input must be UTF-8: a line that is not is bad input (below), never sent altered.

Bad input: a line that does not decode (or is over -o maxMessageSize) ends the run:
"zmqkit: line N: ..." and exit 2, nothing after it is sent (--strict, the default).
--skip-bad reports it and goes on, then says at the end how many were skipped. A req
that sent no request exits 2. A line longer than --max-line BYTES (default 64MiB; units
as in 64KiB, 1MB, 1GiB; K = 1024) always ends the run with exit 2, before more than that
is held in memory; the limit also applies to each msgpack value and to all of a raw input.

ROUTER and STREAM: a message starts with the peer's routing id. In text it is printed
in hex followed by a TAB ("0080000001<TAB>hello"), and input names the target the same
way; in the other formats it is the first frame. An empty id ("<TAB>hello", or an empty
first frame) means the last peer heard from; raw output leaves the id out.

--exec CMD (rep, router, server, peer): CMD runs with sh -c per request, the request
on its stdin (--out format), frames also in ZMQKIT_FRAMES, ZMQKIT_FRAME_0..,
ZMQKIT_FRAME_0_HEX.., ZMQKIT_PEER (router, server, peer); its whole stdout (--in format)
is the reply (one frame for server and peer). rep still prints each request. CMD runs
in its own process group, ended (SIGTERM) when zmqkit ends.
A CMD that fails (exit code not 0, a signal, cannot start, output that does not decode)
is reported on stderr with its exit code; then --on-exec-error says what happens:
  skip         (default) no reply. router: nothing is sent. rep: the request is left
               unanswered (its REQ waits for its own timeout, as if the reply were
               lost) and rep goes on with the next request
  reply-empty  reply with one empty frame
  exit         end zmqkit with exit 1

Endpoints: tcp://HOST:PORT, ipc:///PATH, inproc://NAME, ws://HOST:PORT[/PATH] and
wss://… (ZWS 2.0, what browsers speak), udp://HOST:PORT (radio connects, dish binds).

Exit codes: 0 ok, 1 runtime failure (address in use, handshake refused, --exec CMD
failed with --on-exec-error exit), 2 usage error, a bad input line (without --skip-bad),
a line over --max-line, a req that sent nothing, 3 timeout (-t, --linger), 130/143 on
SIGINT/SIGTERM.

Examples:
  tail -f app.log | zmqkit cat push -c tcp://logs:5555       ship a log
  zmqkit cat pull -b 'tcp://*:5555'                          collect it
  zmqkit cat pub -b 'tcp://*:5556' --wait-for-peer < ticks   publish, lose nothing
  zmqkit cat sub -c tcp://host:5556 -s weather. -s news.     subscribe by prefix
  echo hello | zmqkit cat req -c tcp://host:5557 -t 2000     one request, its reply
  zmqkit cat rep -b 'tcp://*:5557' -e 'tr a-z A-Z'           a server from a command
  printf 'key,value\\n' | zmqkit cat push -c ipc:///tmp/q -d ,  a two-frame message
  zmqkit cat sub -c tcp://host:5556 -f json                  frames as JSON arrays
  zmqkit cat router -b 'tcp://*:5558'                        chat: "<id hex><TAB>text"
  zmqkit cat dealer -c tcp://host:5558 --routing-id alice    ...with a named dealer
  zmqkit cat pull -b tcp://127.0.0.1:0 -v                    any port, show events
  zmqkit cat server -b 'tcp://*:5559'                        "<id hex><TAB>text" both ways
  zmqkit cat dish -b 'tcp://*:5560' -j weather -j news       print "group<TAB>body"
  zmqkit cat radio -c tcp://host:5560 --group weather        each line to "weather"
  zmqkit cat dish -b udp://127.0.0.1:5561 -j weather         the same over udp (dish binds)
  zmqkit cat radio -c udp://127.0.0.1:5561 --group weather   ...and radio connects
  echo hi | zmqkit cat req -c ws://host:8080/zmq             over WebSocket (ZWS 2.0)
`;

export function addCatCommand(program: Command): void {
  const cmd = program
    .command("cat")
    .summary("a socket of any type on stdin/stdout (zmqcat)")
    .description(
      "Open a ZeroMQ socket of TYPE, bind and/or connect it, and wire it to stdin/stdout.\n" +
        `TYPE is one of ${TYPE_NAMES.map((t) => t.toLowerCase()).join(", ")} (any case).`,
    )
    .argument("<type>", "socket type")
    .option("-b, --bind <endpoint>", "bind to an endpoint (repeatable)", collect)
    .option("-c, --connect <endpoint>", "connect to an endpoint (repeatable)", collect)
    .option("-f, --format <format>", `framing of stdin and stdout: ${FORMATS.join(", ")}`)
    .option("--in <format>", "framing of stdin (default: text)")
    .option("--out <format>", "framing of stdout (default: text)")
    .option("-d, --delimiter <str>", "frame delimiter within a line (\\t, \\0, \\xHH escapes)")
    .option("-0, --null", "messages end with NUL instead of a newline")
    .option("-s, --subscribe <prefix>", "sub/xsub: subscribe to a prefix (repeatable)", collect)
    .option("-j, --join <group>", "dish: join a group (repeatable; 0x... for bytes)", collect)
    .option("--group <group>", "radio: send every message to this group")
    .option("--routing-id <id>", "our routing id (0x... for bytes)")
    .option(
      "-e, --exec <cmd>",
      "rep/router/server/peer: answer each request with the output of CMD",
    )
    .option("-n, --count <n>", "stop after N messages received (sent for push/pub)")
    .option("-t, --timeout <ms>", "exit 3 when a message, a send or a peer takes longer")
    .option("--delay <ms>", "wait before the first send")
    .option("--interval <ms>", "wait between sends")
    .option("--wait-for-peer", "hold the first message until a peer is there (pub: subscribed)")
    .option("--linger <ms>", "at the end, wait at most this long for delivery (-1: forever)")
    .option("-o, --option <name=value>", "any socket option, zeromq.js name (repeatable)", collect)
    .option("-v, --verbose", "socket events on stderr; -vv adds frame sizes", increase)
    .option("--events-json", "socket events on stderr as NDJSON")
    .option("--strict", "exit 2 on an input line that does not decode (the default)")
    .option("--skip-bad", "report input lines that do not decode, skip them, count them")
    .option(
      "--on-exec-error <what>",
      "when --exec CMD fails: skip (no reply, the default), reply-empty, exit",
    )
    .option(
      "--max-line <bytes>",
      "longest input line (or msgpack value, or raw input): exit 2 beyond it (default 64MiB)",
    );
  addSecurityOptions(cmd)
    .addHelpText("after", CAT_HELP)
    .action(catAction);
}

const enc = new TextEncoder();

export async function catAction(type: string, flags: CatFlags & SecurityFlags): Promise<void> {
  const cfg = checkConfig(type, flags);
  cfg.security = await securitySettings(flags);
  const out = stdout();
  const err = stderr();
  const run = new CatRun(cfg, {
    stdin: stdinChunks,
    stdout: out,
    log: (line, bare) => void err.write(enc.encode(bare ? `${line}\n` : `zmqkit: ${line}\n`)),
  });
  let interrupted = false;
  const off = onSignals((signal) => {
    if (interrupted) return; // a second signal: the first is already ending the run
    interrupted = true;
    run.fail(new CliError(signal === "SIGINT" ? ExitCode.SIGINT : ExitCode.SIGTERM, ""), true);
  });
  out.onBroken = () => run.fail(new CliError(ExitCode.OK, "")); // the reader left: done
  try {
    await Promise.race([
      (async () => {
        await run.start();
        await MODES[TYPES[cfg.type].mode](run);
        await run.finish();
      })(),
      run.fatal,
    ]);
  } catch (e) {
    await run.abort();
    throw e;
  } finally {
    run.stopCommands();
    off();
    closeStdin();
    const skipped = run.skippedSummary();
    if (skipped !== undefined) err.write(enc.encode(`zmqkit: ${skipped}\n`));
  }
}
