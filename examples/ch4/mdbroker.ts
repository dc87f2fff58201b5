// Majordomo broker (the Guide, chapter 4, "Service-Oriented Reliable Queuing (Majordomo
// Pattern)"): one ROUTER bound on tcp://*:5555 for clients and workers alike, speaking the
// Majordomo Protocol (MDP/0.1, RFC 7) and its management interface (MMI, RFC 8). Workers
// (./mdworker.ts) register a service by name with READY; clients (./mdclient.ts,
// ./mdclient2.ts) send [MDPC01][service][body…] and get the reply from a worker of that
// service, the one free longest. Requests for a service wait here until one of its workers is
// free. The broker and each worker heartbeat each other every 2.5 s; a worker silent for 3
// intervals, busy or idle, is forgotten, and a line says so (the request it held is lost: the
// client's retry goes to another worker). `mmi.service` answers "200" when the service named
// in the request has a worker, else "404" (./mmiecho.ts). The broker is zmqkit's
// MajordomoBroker; from a shell, `zmqkit broker mdp 'tcp://*:5555'` is the same broker.
// Run: npx deno run -A examples/ch4/mdbroker.ts   or   npx bun examples/ch4/mdbroker.ts
// with ./mdworker.ts and ./mdclient.ts, in any order; it runs until Ctrl-C.
// Arguments: [endpoint=tcp://*:5555] [--heartbeat ms=2500] [--liveness 3]
import process from "node:process";
import { parseArgs } from "node:util";
import { MajordomoBroker, Router } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    heartbeat: { type: "string", default: "2500" },
    liveness: { type: "string", default: "3" },
  },
  allowPositionals: true,
});
const [endpoint = "tcp://*:5555"] = positionals;
const heartbeatInterval = Number(values.heartbeat);

const router = new Router();
await router.bind(endpoint);
const broker = new MajordomoBroker(router, {
  heartbeatInterval,
  liveness: Number(values.liveness),
});
console.log(`I: MDP broker/0.1 is active at ${endpoint}`);

// The broker keeps its own books; once per heartbeat we read them and say what changed.
let { expired, workers } = broker.statistics();
const watch = setInterval(() => {
  const now = broker.statistics();
  if (now.expired > expired) {
    console.log(`W: ${now.expired - expired} worker(s) expired, ${now.workers} left`);
  } else if (now.workers !== workers) console.log(`I: ${now.workers} worker(s) now`);
  ({ expired, workers } = now);
}, heartbeatInterval);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.log("W: interrupted, shutting down…");
    broker.terminate();
  });
}
await broker.run();
clearInterval(watch);
router.close();
