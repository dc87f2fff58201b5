// SPDX-License-Identifier: MIT
/**
 * `zmqkit proxy`: zmqkit's own proxy (lib/proxy.ts, pure TypeScript, no libzmq) from the shell,
 * steered through a control socket that takes the commands of libzmq's zmq_proxy_steerable,
 * with statistics. Also the socket-spec parsing and the run loop (signals, --stats) that
 * `zmqkit broker` shares.
 */
import {
  addSecurityOptions,
  asOptions,
  type SecurityFlags,
  securitySettings,
} from "../security.ts";
import type { Command } from "commander";
import { Proxy, type Socket, socketClasses, socketGauges, type Subscriber } from "../../mod.ts";
import type { ProxySocket } from "../../lib/internal.ts";
import { stderr, stdout } from "../../lib/internal.ts";
import { usage } from "../errors.ts";
import { Interrupt } from "../interrupt.ts";

/** The types a proxy side may be, lower-case as on the command line (all but STREAM). */
const CLASSES: Record<string, new (o?: Record<string, unknown>) => Socket> = Object.fromEntries(
  Object.entries(socketClasses)
    .filter(([name]) => name !== "STREAM")
    .map(([name, cls]) => [name.toLowerCase(), cls as new (o?: Record<string, unknown>) => Socket]),
);

/** A socket to open: `TYPE@[bind:|connect:]ENDPOINT`. */
export interface SocketSpec {
  type: string;
  bind: boolean;
  endpoint: string;
}

/**
 * Parses `TYPE@[bind:|connect:]ENDPOINT` (or `[bind:|connect:]ENDPOINT` when `defaultType` is
 * given). Without `bind:`/`connect:` the endpoint is bound.
 */
export function parseSpec(what: string, text: string, defaultType?: string): SocketSpec {
  let type = defaultType, rest = text;
  const at = text.indexOf("@");
  if (at >= 0 && !text.slice(0, at).includes(":")) {
    type = text.slice(0, at).toLowerCase();
    rest = text.slice(at + 1);
  }
  if (type === undefined) {
    throw usage(`${what}: expected TYPE@ENDPOINT (e.g. router@tcp://*:5559), got "${text}"`);
  }
  if (!(type in CLASSES)) {
    throw usage(`${what}: unknown socket type "${type}" (${Object.keys(CLASSES).join(", ")})`);
  }
  let bind = true;
  if (rest.startsWith("bind:")) rest = rest.slice(5);
  else if (rest.startsWith("connect:")) {
    bind = false;
    rest = rest.slice(8);
  }
  if (!/^(tcp|ipc|inproc|wss?):\/\/./.test(rest)) {
    throw usage(
      `${what}: invalid endpoint "${rest}" (tcp://HOST:PORT, ipc:///PATH, ws://HOST:PORT)`,
    );
  }
  return { type, bind, endpoint: rest };
}

/** Opens the socket of a spec; binds or connects it. A failure closes it and throws. */
export async function openSpec(spec: SocketSpec, options: Record<string, unknown> = {}) {
  const socket = new CLASSES[spec.type]!({ linger: 0, ...options });
  try {
    if (spec.bind) await socket.bind(spec.endpoint);
    else socket.connect(spec.endpoint);
  } catch (e) {
    socket.close();
    throw e;
  }
  if (spec.type === "sub") (socket as Subscriber).subscribe();
  return socket;
}

export function describeSpec(spec: SocketSpec, socket: Socket): string {
  const ep = spec.bind ? socket.lastEndpoint ?? spec.endpoint : spec.endpoint;
  return `${spec.type} ${spec.bind ? "bound to" : "connected to"} ${ep}`;
}

export function parseSeconds(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw usage(`${name}: expected seconds > 0, got "${v}"`);
  return n;
}

const enc = new TextEncoder();
export const logLine = (line: string) => void stderr().write(enc.encode(`zmqkit: ${line}\n`));

/**
 * Runs `done` until it settles or `interrupt` catches a signal (exit 130/143), printing
 * `stats()` every `every` seconds (NDJSON on stdout with `json`, a line on stderr otherwise).
 */
export async function runService(
  done: Promise<void>,
  stop: () => void,
  stats: { line: () => string; json: () => unknown },
  every: number | undefined,
  json: boolean,
  interrupt: Interrupt,
): Promise<void> {
  const print = () => {
    if (json) void stdout().write(enc.encode(JSON.stringify(stats.json()) + "\n"));
    else logLine(stats.line());
  };
  const timer = every ? setInterval(print, every * 1000) : undefined;
  try {
    await Promise.race([done, interrupt.arrived]);
  } finally {
    if (timer !== undefined) clearInterval(timer);
    stop();
  }
  if (every) print();
  await stdout().flush();
  if (interrupt.signal) throw interrupt.error();
}

/** "1.2 MB" */
export function humanBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n, i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

const SHORTCUTS: Record<string, [string, string]> = {
  queue: ["router", "dealer"],
  forwarder: ["xsub", "xpub"],
  streamer: ["pull", "push"],
};

/** The statistics `--stats` prints for a proxy between `f` and `b`: a line, or a JSON value. */
export function proxyStats(p: Proxy, f: Socket, b: Socket) {
  const stats = () => {
    const s = p.statistics();
    const gf = socketGauges(f as ProxySocket), gb = socketGauges(b as ProxySocket);
    return { s, gf, gb };
  };
  return {
    line: () => {
      const { s, gf, gb } = stats();
      return `frontend->backend ${s.frontend.received.messages} msgs ` +
        `${humanBytes(s.frontend.received.bytes)} | backend->frontend ` +
        `${s.backend.received.messages} msgs ${humanBytes(s.backend.received.bytes)} | ` +
        `queued ${gf.queued}/${gb.queued} in flight ${p.inFlight} | ` +
        `dropped ${gf.dropped}/${gb.dropped} | peers ${gf.peers}/${gb.peers}` +
        (p.paused ? " | paused" : "");
    },
    json: () => {
      const { s, gf, gb } = stats();
      return {
        time: new Date().toISOString(),
        paused: p.paused,
        inFlight: p.inFlight,
        frontend: { ...s.frontend, queued: gf.queued, dropped: gf.dropped, peers: gf.peers },
        backend: { ...s.backend, queued: gb.queued, dropped: gb.dropped, peers: gb.peers },
      };
    },
  };
}

export const PROXY_HELP = `
Sockets: TYPE@[bind:|connect:]ENDPOINT, bound unless connect: is given, e.g.
  router@tcp://*:5559   dealer@bind:ipc:///tmp/workers   xsub@connect:tcp://pubhost:5556
TYPE is pair, pub, sub, xpub, xsub, req, rep, dealer, router, push or pull.

Shortcuts (FRONT and BACK are [bind:|connect:]ENDPOINT):
  queue FRONT BACK       router@FRONT, dealer@BACK: REQ clients to REP workers
  forwarder FRONT BACK   xsub@FRONT, xpub@BACK: publishers to subscribers (subscriptions
                         flow back from subscribers to publishers)
  streamer FRONT BACK    pull@FRONT, push@BACK: a pipeline stage

--capture TYPE@ENDPOINT gets a copy of every message, both directions (TYPE defaults to pub,
bound). --control ENDPOINT takes the commands of libzmq's zmq_proxy_steerable, answered the
same way (libzmq after 4.3.5): PAUSE, RESUME, TERMINATE and STATISTICS as one-frame messages
(TYPE defaults to rep, bound; a rep answers every command, STATISTICS with 8 little-endian
uint64 frames: frames and bytes received and sent on the frontend, then on the backend, so
--out hex prints 0500000000000000 for 5; other types get only the STATISTICS answer).
TERMINATE ends the proxy with exit 0.

--stats N prints every N seconds (and at the end): messages and bytes per direction,
messages queued in each socket, messages dropped (pub, xpub, router) and connected peers;
on stderr, or as NDJSON on stdout with --json.

Exit codes: 0 terminated by TERMINATE, 1 runtime failure (address in use), 2 usage error,
130/143 on SIGINT/SIGTERM. (3, timeout, is not used by proxy.)

Examples:
  zmqkit proxy queue 'tcp://*:5559' 'tcp://*:5560'             REQ clients -> REP workers
  zmqkit proxy forwarder 'tcp://*:5556' 'tcp://*:5557' --capture 'pub@tcp://*:5558'
  zmqkit cat sub -c tcp://127.0.0.1:5558                        ...watch the capture
  zmqkit proxy --frontend 'xsub@connect:tcp://feed:5556' --backend 'xpub@tcp://*:6000'
  zmqkit proxy streamer ipc:///tmp/in ipc:///tmp/out --stats 5 --json
  zmqkit proxy queue 'tcp://*:5559' 'tcp://*:5560' --control 'tcp://127.0.0.1:5561'
  echo STATISTICS | zmqkit cat req -c tcp://127.0.0.1:5561 --out hex
`;

interface ProxyFlags {
  frontend?: string;
  backend?: string;
  capture?: string;
  control?: string;
  stats?: string;
  json?: boolean;
}

export function addProxyCommand(program: Command): void {
  const cmd = program
    .command("proxy")
    .summary("a queue, forwarder or streamer between two sockets, with statistics")
    .description(
      "Forward messages between a frontend and a backend socket, both ways where the types " +
        "allow. zmqkit's own proxy, in pure TypeScript (no libzmq inside): it forwards as " +
        "libzmq's zmq_proxy_steerable does, and its --control socket takes the same commands.",
    )
    .argument("[kind]", "queue, forwarder or streamer (or use --frontend/--backend)")
    .argument("[front]", "frontend [bind:|connect:]ENDPOINT, with a kind")
    .argument("[back]", "backend [bind:|connect:]ENDPOINT, with a kind")
    .option("--frontend <spec>", "frontend socket: TYPE@[bind:|connect:]ENDPOINT")
    .option("--backend <spec>", "backend socket: TYPE@[bind:|connect:]ENDPOINT")
    .option("--capture <spec>", "copy every message to this socket (default type: pub)")
    .option("--control <spec>", "steering socket for PAUSE/RESUME/TERMINATE/STATISTICS (rep)")
    .option("--stats <seconds>", "print statistics every N seconds")
    .option("--json", "statistics as NDJSON on stdout");
  addSecurityOptions(cmd)
    .addHelpText("after", PROXY_HELP)
    .action(proxyAction);
}

export async function proxyAction(
  kind: string | undefined,
  front: string | undefined,
  back: string | undefined,
  flags: ProxyFlags & SecurityFlags,
): Promise<void> {
  const secure = asOptions(await securitySettings(flags));
  let frontSpec: SocketSpec, backSpec: SocketSpec;
  if (kind !== undefined) {
    const types = SHORTCUTS[kind];
    if (!types) throw usage(`unknown proxy kind "${kind}" (queue, forwarder, streamer)`);
    if (front === undefined || back === undefined) {
      throw usage(`proxy ${kind} needs FRONT and BACK endpoints`);
    }
    if (flags.frontend || flags.backend) {
      throw usage(`give either a kind with endpoints or --frontend/--backend, not both`);
    }
    frontSpec = parseSpec("frontend", front, types[0]);
    backSpec = parseSpec("backend", back, types[1]);
  } else {
    if (!flags.frontend || !flags.backend) {
      throw usage("give a kind (queue, forwarder, streamer) or both --frontend and --backend");
    }
    frontSpec = parseSpec("--frontend", flags.frontend);
    backSpec = parseSpec("--backend", flags.backend);
  }
  const captureSpec = flags.capture ? parseSpec("--capture", flags.capture, "pub") : undefined;
  const controlSpec = flags.control ? parseSpec("--control", flags.control, "rep") : undefined;
  const every = parseSeconds("--stats", flags.stats);
  if (flags.json && !every) throw usage("--json needs --stats SECONDS");

  const interrupt = new Interrupt(); // before any bind: see cli/interrupt.ts
  const opened: Socket[] = [];
  const closeAll = () => {
    for (const s of opened) s.close();
  };
  try {
    const open = async (spec: SocketSpec, role: string) => {
      const s = await openSpec(spec, secure);
      opened.push(s);
      logLine(`${role}: ${describeSpec(spec, s)}`);
      return s;
    };
    const f = await open(frontSpec, "frontend");
    const b = await open(backSpec, "backend");
    const capture = captureSpec ? await open(captureSpec, "capture") : undefined;
    const control = controlSpec ? await open(controlSpec, "control") : undefined;
    let p: Proxy;
    try {
      p = new Proxy(f as ProxySocket, b as ProxySocket, {
        capture: capture as ProxySocket | undefined,
        control: control as ProxySocket | undefined,
      });
    } catch (e) {
      throw usage((e as Error).message);
    }
    await runService(
      p.run(),
      () => p.terminate(),
      proxyStats(p, f, b),
      every,
      flags.json ?? false,
      interrupt,
    );
  } finally {
    interrupt.dispose();
    closeAll();
  }
}
