// SPDX-License-Identifier: MIT
/** `zmqkit broker lb|mdp`: the guide's load-balancing and Majordomo brokers. */
import {
  addSecurityOptions,
  asOptions,
  type SecurityFlags,
  securitySettings,
} from "../security.ts";
import type { Command } from "commander";
import { LoadBalancingBroker, MajordomoBroker, type Router, type Socket } from "../../mod.ts";
import { usage } from "../errors.ts";
import { Interrupt } from "../interrupt.ts";
import {
  describeSpec,
  logLine,
  openSpec,
  parseSeconds,
  parseSpec,
  runService,
  type SocketSpec,
} from "./proxy.ts";

export const BROKER_HELP = `
Brokers (endpoints are [bind:|connect:]ENDPOINT, bound unless connect: is given):
  lb FRONT BACK    the load-balancing broker: REQ clients connect to FRONT, REQ workers to
                   BACK; a worker first sends one frame (e.g. "READY"), then gets
                   [client][""][request...] and answers [client][""][reply...]
  mdp ENDPOINT     a Majordomo (MDP/0.1) broker: clients send [MDPC01][service][body...]
                   from REQ, workers register with READY; mmi.service answers 200 or 404.
                   Workers silent for --liveness heartbeats of --heartbeat ms are dropped.

Exit codes: 0 ok, 1 runtime failure (address in use), 2 usage error, 130/143 on signals.

Examples:
  zmqkit broker lb 'tcp://*:5672' 'tcp://*:5673'
  zmqkit broker mdp 'tcp://*:5555' --stats 10
  printf 'MDPC01\\tmmi.service\\techo\\n' | zmqkit cat req -c tcp://127.0.0.1:5555 -d '\\t'
  printf 'MDPC01\\techo\\thello\\n' | zmqkit cat req -c tcp://127.0.0.1:5555 -d '\\t'
`;

interface BrokerFlags {
  heartbeat?: string;
  liveness?: string;
  stats?: string;
  json?: boolean;
}

export function addBrokerCommand(program: Command): void {
  const cmd = program
    .command("broker")
    .summary("the guide's brokers: lb (load balancing), mdp (Majordomo)")
    .description("Run a load-balancing (lb) or Majordomo 0.1 (mdp) broker.")
    .argument("<kind>", "lb or mdp")
    .argument("<endpoints...>", "lb: FRONT BACK; mdp: ENDPOINT")
    .option("--heartbeat <ms>", "mdp: heartbeat interval in ms (default 2500)")
    .option("--liveness <n>", "mdp: heartbeats missed before a worker is dead (default 3)")
    .option("--stats <seconds>", "print statistics every N seconds")
    .option("--json", "statistics as NDJSON on stdout");
  addSecurityOptions(cmd)
    .addHelpText("after", BROKER_HELP)
    .action(brokerAction);
}

function positive(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw usage(`${name}: expected a whole number > 0`);
  return n;
}

export async function brokerAction(
  kind: string,
  endpoints: string[],
  flags: BrokerFlags & SecurityFlags,
): Promise<void> {
  const secure = asOptions(await securitySettings(flags));
  const every = parseSeconds("--stats", flags.stats);
  if (flags.json && !every) throw usage("--json needs --stats SECONDS");
  let specs: SocketSpec[];
  if (kind === "lb") {
    if (endpoints.length !== 2) throw usage("broker lb needs FRONT and BACK endpoints");
    specs = endpoints.map((e, i) => parseSpec(i === 0 ? "FRONT" : "BACK", e, "router"));
  } else if (kind === "mdp") {
    if (endpoints.length !== 1) throw usage("broker mdp needs one ENDPOINT");
    specs = [parseSpec("ENDPOINT", endpoints[0]!, "router")];
  } else throw usage(`unknown broker "${kind}" (lb, mdp)`);
  for (const s of specs) if (s.type !== "router") throw usage("broker sockets are routers");
  const heartbeat = positive("--heartbeat", flags.heartbeat, 2500);
  const liveness = positive("--liveness", flags.liveness, 3);

  const interrupt = new Interrupt(); // before any bind: see cli/interrupt.ts
  const opened: Socket[] = [];
  try {
    for (const [i, spec] of specs.entries()) {
      const s = await openSpec(spec, secure);
      opened.push(s);
      const role = kind === "mdp" ? "broker" : i === 0 ? "clients" : "workers";
      logLine(`${role}: ${describeSpec(spec, s)}`);
    }
    if (kind === "lb") {
      const b = new LoadBalancingBroker(opened[0] as Router, opened[1] as Router);
      await runService(
        b.run(),
        () => b.terminate(),
        {
          line: () => {
            const s = b.statistics();
            return `requests ${s.requests} | replies ${s.replies} | idle workers ` +
              `${s.idleWorkers} | workers seen ${s.workersSeen}`;
          },
          json: () => ({ time: new Date().toISOString(), ...b.statistics() }),
        },
        every,
        flags.json ?? false,
        interrupt,
      );
    } else {
      const b = new MajordomoBroker(opened[0] as Router, {
        heartbeatInterval: heartbeat,
        liveness,
      });
      await runService(
        b.run(),
        () => b.terminate(),
        {
          line: () => {
            const s = b.statistics();
            const services = s.services.map((x) =>
              `${x.name}: ${x.workers} workers, ${x.waiting} idle, ${x.queued} queued`
            ).join("; ");
            return `requests ${s.requests} | replies ${s.replies} | workers ${s.workers} | ` +
              `expired ${s.expired}${services ? ` | ${services}` : ""}`;
          },
          json: () => ({ time: new Date().toISOString(), ...b.statistics() }),
        },
        every,
        flags.json ?? false,
        interrupt,
      );
    }
  } finally {
    interrupt.dispose();
    for (const s of opened) s.close();
  }
}
