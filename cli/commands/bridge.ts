// SPDX-License-Identifier: MIT
/**
 * `zmqkit bridge`: a tcp (or ipc) ZeroMQ service made reachable from browsers over ws:// or
 * wss:// (ZWS 2.0). The bridge binds the WebSocket side, connects to the service, and forwards
 * both ways with zmqkit's proxy; the two socket types are chosen from the service's type,
 * given with --type or asked of the service itself (its READY says what it is).
 */
import type { Command } from "commander";
import { Proxy, type Socket } from "../../mod.ts";
import type { ProxySocket } from "../../lib/internal.ts";
import { probeSocketType, readFileBytes } from "../../lib/internal.ts";
import { usage } from "../errors.ts";
import { Interrupt } from "../interrupt.ts";
import {
  addSecurityOptions,
  asOptions,
  type SecurityFlags,
  securitySettings,
} from "../security.ts";
import {
  describeSpec,
  logLine,
  openSpec,
  parseSeconds,
  proxyStats,
  runService,
  type SocketSpec,
} from "./proxy.ts";

/** The service's type → the bridge's [WebSocket side, service side]. */
const SIDES: Record<string, [string, string]> = {
  rep: ["router", "dealer"], // browsers send requests (REQ, DEALER)
  router: ["router", "dealer"],
  dealer: ["dealer", "dealer"],
  req: ["dealer", "router"], // browsers answer the service's requests (REP)
  pub: ["xpub", "xsub"], // browsers subscribe (SUB); their subscriptions go upstream
  xpub: ["xpub", "xsub"],
  sub: ["xsub", "xpub"], // browsers publish to the service
  xsub: ["xsub", "xpub"],
  pull: ["pull", "push"], // browsers push work to the service
  push: ["push", "pull"], // the service pushes work to browsers
  pair: ["pair", "pair"],
};

const BRIDGE_HELP = `
WS is ws://HOST:PORT[/PATH] or wss://… (bound: browsers connect to it); SERVICE is the
tcp:// or ipc:// endpoint of the ZeroMQ service (connected to). The bridge's two socket types
follow from the service's type:

  service       WebSocket side   service side   browsers are
  rep, router   router           dealer         req or dealer clients
  req           dealer           router         rep workers
  pub, xpub     xpub             xsub           sub (subscriptions go upstream)
  sub, xsub     xsub             xpub           pub
  pull          pull             push           push
  push          push             pull           pull
  pair          pair             pair           one pair
  dealer        dealer           dealer         dealer

Without --type the bridge asks the service (a NULL handshake up to its READY, then it hangs
up): the service must be running, without PLAIN or CURVE. A path in WS serves that path only;
none (or /) serves any. wss:// needs --cert and --key (PEM files). Security options
(--curve-server …) apply to both sides.

Any web page a visitor opens can make their browser connect to the bridge: --origin
https://app.example (repeatable) admits only the pages of those origins (others get 403);
clients that are not browsers send no Origin and are admitted.

--stats N prints every N seconds (and at the end) what \`zmqkit proxy\` prints: messages and
bytes each way, queued, dropped and connected peers; on stderr, or NDJSON on stdout with
--json. Exit codes: 1 runtime failure (address in use, service unreachable for --type
detection), 2 usage error, 130/143 on SIGINT/SIGTERM.

Examples:
  zmqkit bridge ws://127.0.0.1:8080 tcp://127.0.0.1:5555            a REP service, asked
  zmqkit bridge 'ws://*:8080/zmq' tcp://10.0.0.5:5556 --type pub    a feed for browsers
  zmqkit bridge wss://0.0.0.0:8443 tcp://127.0.0.1:5555 --cert cert.pem --key key.pem
`;

interface BridgeFlags {
  type?: string;
  origin?: string[];
  cert?: string;
  key?: string;
  stats?: string;
  json?: boolean;
}

export function addBridgeCommand(program: Command): void {
  const cmd = program
    .command("bridge")
    .summary("expose a tcp ZeroMQ service to browsers over ws:// (ZWS 2.0)")
    .description(
      "Bind a WebSocket endpoint (ZWS 2.0, what a browser can open) and forward between it " +
        "and a tcp or ipc ZeroMQ service, both ways where the types allow.",
    )
    .argument("<ws>", "ws://HOST:PORT[/PATH] or wss://… to bind")
    .argument("<service>", "tcp:// or ipc:// endpoint of the service, connected to")
    .option("--type <type>", "the service's socket type (default: ask the service)")
    .option(
      "--origin <url>",
      "accept browsers from this origin only (repeatable; default: any)",
      (v: string, all: string[] = []) => [...all, v],
    )
    .option("--cert <file>", "wss://: certificate (chain), PEM")
    .option("--key <file>", "wss://: private key, PEM")
    .option("--stats <seconds>", "print statistics every N seconds")
    .option("--json", "statistics as NDJSON on stdout");
  addSecurityOptions(cmd).addHelpText("after", BRIDGE_HELP).action(bridgeAction);
}

async function pem(flag: string, path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const bytes = await readFileBytes(path).catch((e: unknown) => {
    throw usage(`${flag}: cannot read "${path}": ${(e as Error).message}`);
  });
  return new TextDecoder().decode(bytes);
}

export async function bridgeAction(
  ws: string,
  service: string,
  flags: BridgeFlags & SecurityFlags,
): Promise<void> {
  if (!/^wss?:\/\/./.test(ws)) {
    throw usage(`WS: expected ws://HOST:PORT[/PATH] or wss://…, got "${ws}"`);
  }
  if (!/^(tcp|ipc):\/\/./.test(service)) {
    throw usage(`SERVICE: expected tcp://HOST:PORT or ipc:///PATH, got "${service}"`);
  }
  const secure = ws.startsWith("wss:");
  if (secure !== (flags.cert !== undefined && flags.key !== undefined)) {
    throw usage(
      secure ? "wss:// needs --cert FILE and --key FILE" : "--cert and --key are for wss://",
    );
  }
  const every = parseSeconds("--stats", flags.stats);
  if (flags.json && !every) throw usage("--json needs --stats SECONDS");
  let type = flags.type?.toLowerCase();
  if (type !== undefined && !(type in SIDES)) {
    throw usage(`--type: "${flags.type}" cannot be bridged (${Object.keys(SIDES).join(", ")})`);
  }
  const options = asOptions(await securitySettings(flags));
  for (const o of flags.origin ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) {
      throw usage(`--origin: expected http(s)://HOST[:PORT] as a browser sends it, got "${o}"`);
    }
  }
  const tls = {
    wssCertPem: await pem("--cert", flags.cert),
    wssKeyPem: await pem("--key", flags.key),
    wsOrigins: flags.origin,
  };
  if (type === undefined) {
    const asked = (await probeSocketType(service)).toLowerCase();
    if (!(asked in SIDES)) {
      throw new Error(
        `the service at ${service} is a ${
          asked.toUpperCase() || "socket of no type"
        }, which cannot be bridged; give --type`,
      );
    }
    type = asked;
    logLine(`service: ${service} is a ${type.toUpperCase()}`);
  }
  const [frontType, backType] = SIDES[type]!;
  const frontSpec: SocketSpec = { type: frontType, bind: true, endpoint: ws };
  const backSpec: SocketSpec = { type: backType, bind: false, endpoint: service };

  const interrupt = new Interrupt(); // before any bind: see cli/interrupt.ts
  const opened: Socket[] = [];
  try {
    const f = await openSpec(frontSpec, { ...options, ...tls });
    opened.push(f);
    logLine(`frontend: ${describeSpec(frontSpec, f)}`);
    const b = await openSpec(backSpec, options);
    opened.push(b);
    logLine(`backend: ${describeSpec(backSpec, b)}`);
    const p = new Proxy(f as ProxySocket, b as ProxySocket);
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
    for (const s of opened) s.close();
  }
}
