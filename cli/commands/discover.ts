// SPDX-License-Identifier: MIT
/**
 * `zmqkit discover`: ZRE beacon discovery from the shell (the Guide's chapter 8, udpping
 * grown up): broadcast our beacon on a UDP port, listen on it, and print each other node as
 * it appears (`+ UUID ADDRESS:PORT`) and disappears (`- UUID ADDRESS:PORT REASON`), or as
 * NDJSON. The work is the library's Beacon (lib/discovery/beacons.ts).
 */
import type { Command } from "commander";
import { Beacon, type BeaconEvent, type BeaconStatistics } from "../../mod.ts";
import { stderr, stdout } from "../../lib/internal.ts";
import { CliError, ExitCode, usage } from "../errors.ts";
import { Interrupt } from "../interrupt.ts";
import { parseSeconds } from "./proxy.ts";

const HELP = `
Beacons are ZRE's (RFC 36): 22 bytes, "ZRE", version 1, the node's 16-byte UUID and the TCP
port it accepts ZeroMQ connections on. A node is gone when its beacons stop for --expiry, or at
once when it says goodbye (a beacon with port 0, which zmqkit sends when it stops); a beacon
from a new address or port is the node moving (- then +). Datagrams that are not exactly a
beacon, and our own beacons, are ignored (counted in the statistics printed at the end).

Where beacons go: --loopback sends to 127.255.255.255 (processes on this machine only);
--interface NAME|ADDRESS to that interface's broadcast address ('*': 255.255.255.255). The
default is the first interface that is not loopback, else loopback. Whatever the choice, the
port is bound on every interface with SO_REUSEADDR, so any number of processes on one machine
can listen on it. Without --announce, discover only listens and sends nothing: other nodes do
not see it.

Output: one line per change on stdout, "+ UUID ADDRESS:PORT" and "- UUID ADDRESS:PORT REASON"
(REASON expired, farewell or moved); with --json, NDJSON {"type":"appeared"|"disappeared",
"uuid","address","port","endpoint","reason"?,"time"}, and a last {"type":"statistics",…} line.

Exit codes: 0 ok (--count nodes appeared, at least one by the end of a --timeout without
--count, or the reader of stdout left), 1 runtime failure (cannot bind, or send the first
beacon), 2 usage error (an unknown --interface too), 3 --timeout ran out first, 130/143 on
SIGINT/SIGTERM (after the goodbye beacon and the statistics).

Examples:
  zmqkit discover                                  list the ZRE nodes on the network (port 5670)
  zmqkit discover --announce 5555                  and be one of them, announcing tcp port 5555
  zmqkit discover --loopback --port 9999 --announce 5555   two of these find each other
  zmqkit discover --interface eth0 --announce 5555 --json  NDJSON, broadcasting on eth0
  zmqkit discover --count 1 --timeout 10 --json    wait up to 10 s for the first node
`;

interface DiscoverFlags {
  port?: string;
  interval?: string;
  expiry?: string;
  interface?: string;
  loopback?: boolean;
  uuid?: string;
  announce?: string;
  count?: string;
  timeout?: string;
  json?: boolean;
}

const enc = new TextEncoder();

export function addDiscoverCommand(program: Command): void {
  program
    .command("discover")
    .summary("find ZRE nodes by UDP beacons (and announce this one)")
    .description(
      "Broadcast a ZRE beacon (RFC 36) on a UDP port every interval and listen for other " +
        "nodes' beacons on it; print each node as it appears and disappears.",
    )
    .option("--port <port>", "UDP port to broadcast and listen on", "5670")
    .option("--announce <port>", "the TCP port our beacon announces (default: only listen)")
    .option("--loopback", "broadcast on loopback (127.255.255.255): this machine only")
    .option("--interface <name>", "broadcast on this interface (name or address; '*': all-ones)")
    .option("--interval <ms>", "milliseconds between our beacons", "1000")
    .option("--expiry <ms>", "milliseconds of silence before a node is gone (default 5 intervals)")
    .option("--uuid <hex>", "our UUID, 32 hex digits (default: a random one)")
    .option("--count <n>", "exit once this many nodes have appeared")
    .option("--timeout <seconds>", "stop after this long (exit 3 unless --count nodes appeared)")
    .option("--json", "NDJSON on stdout")
    .addHelpText("after", HELP)
    .action(discoverAction);
}

function integer(name: string, v: string | undefined, min: number, max: number) {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min || n > max) {
    throw usage(`${name}: expected an integer ${min}-${max}, got "${v}"`);
  }
  return n;
}

export async function discoverAction(flags: DiscoverFlags): Promise<void> {
  const port = integer("--port", flags.port, 1, 65535)!;
  const announce = integer("--announce", flags.announce, 1, 65535);
  const interval = integer("--interval", flags.interval, 1, 3_600_000)!;
  const expiry = integer("--expiry", flags.expiry, 1, 86_400_000);
  const count = integer("--count", flags.count, 1, 1_000_000);
  const timeout = parseSeconds("--timeout", flags.timeout);
  if (flags.loopback && flags.interface !== undefined) {
    throw usage("--loopback and --interface: choose one");
  }
  let beacon: Beacon;
  try {
    beacon = new Beacon({
      port,
      interval,
      ...(announce === undefined ? {} : { announce }),
      ...(expiry === undefined ? {} : { expiry }),
      ...(flags.uuid === undefined ? {} : { uuid: flags.uuid }),
      ...(flags.loopback ? { interface: "loopback" } : {}),
      ...(flags.interface === undefined ? {} : { interface: flags.interface }),
    });
  } catch (e) {
    throw usage(`${(e as Error).message.replace(/^Beacon /, "--")}`);
  }

  const interrupt = new Interrupt(); // before the bind: see cli/interrupt.ts
  const json = flags.json ?? false;
  const out = (line: string) => void stdout().write(enc.encode(line + "\n"));
  let appeared = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await beacon.start();
    const what = announce === undefined
      ? "listening only (no --announce)"
      : `announcing tcp port ${announce} every ${beacon.interval} ms to ${beacon.broadcastAddress}`;
    await stderr().write(
      enc.encode(`zmqkit: discover on udp port ${beacon.port} as ${beacon.uuid}, ${what}\n`),
    );
    const timedOut = new Promise<"timeout">((resolve) => {
      if (timeout !== undefined) timer = setTimeout(() => resolve("timeout"), timeout * 1000);
    });
    // the reader went away (`zmqkit discover | head -1`): done, as cat is
    const broken = new Promise<"broken">((resolve) => stdout().onBroken = () => resolve("broken"));
    const events = (async () => {
      for await (const event of beacon) {
        out(json ? JSON.stringify(eventJson(event)) : eventLine(event));
        if (event.type === "appeared" && ++appeared === count) return;
      }
    })();
    const why = await Promise.race([
      events.then(() => "count" as const),
      timedOut,
      broken,
      interrupt.arrived,
    ]);
    await beacon.close();
    await report(beacon.statistics(), json, out);
    await stdout().flush();
    if (interrupt.signal) throw interrupt.error();
    if (why === "timeout" && appeared < (count ?? 1)) {
      throw new CliError(
        ExitCode.TIMEOUT,
        `${appeared} of ${count ?? 1} node${(count ?? 1) === 1 ? "" : "s"} seen in ${timeout} s`,
      );
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    interrupt.dispose();
    await beacon.close();
  }
}

function eventLine(event: BeaconEvent): string {
  const p = event.peer;
  return event.type === "appeared"
    ? `+ ${p.uuid} ${p.address}:${p.port}`
    : `- ${p.uuid} ${p.address}:${p.port} ${event.reason}`;
}

function eventJson(event: BeaconEvent): Record<string, unknown> {
  return {
    type: event.type,
    ...event.peer,
    ...(event.type === "disappeared" ? { reason: event.reason } : {}),
    time: new Date().toISOString(),
  };
}

function report(
  s: BeaconStatistics,
  json: boolean,
  out: (line: string) => void,
): Promise<void> | undefined {
  if (json) return void out(JSON.stringify({ type: "statistics", ...s }));
  const line = `zmqkit: sent ${s.sent} beacons; received ${s.received} datagrams: ` +
    `${s.beacons} beacons from others, ${s.own} our own, ${s.malformed} malformed` +
    (s.overflow ? `, ${s.overflow} past the peer limit` : "") +
    (s.sendErrors ? `; ${s.sendErrors} sends failed` : "") + "\n";
  return stderr().write(enc.encode(line));
}
