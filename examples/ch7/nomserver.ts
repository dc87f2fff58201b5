// State machines (the Guide, chapter 7, "State Machines"): a server for the Guide's toy NOM
// protocol, written as an explicit state table instead of as code that remembers where each
// client is. The protocol, in the Guide's ABNF:
//   nom-protocol = open-peering *use-peering
//   open-peering = C:OHAI ( S:OHAI-OK / S:WTF )
//   use-peering  = C:ICANHAZ / S:CHEEZBURGER / C:HUGZ S:HUGZ-OK / S:HUGZ C:HUGZ-OK
// A ROUTER keeps one machine per client (by routing id). A machine is in one state; each
// state lists the events it accepts, and for each the actions to run and the state to go to.
// Upper-case events are commands from the client; lower-case ones are made by the server:
// the "check credentials" action answers OHAI with ok (the name is --user, Joe by default)
// or error; a timer makes "heartbeat" every --heartbeat ms, and "expired" for a client silent
// for three of them. An event its state does not list is ignored (and said so); the
// `defaults` row applies in every state (here: forgetting an expired client). Each event
// handled prints one line: "<id> <state> + <event> -> <next state> [actions]".
// --selftest plays the Guide's self-test against the server on inproc://: OHAI Sleepy gets
// WTF, OHAI Joe gets OHAI-OK, ICANHAZ gets CHEEZBURGER, HUGZ gets HUGZ-OK, then a HUGZ comes
// by itself; it says "selftest: OK" (exit 0) or what went wrong (exit 1).
// Run: npx deno run -A examples/ch7/nomserver.ts   or   npx bun examples/ch7/nomserver.ts
// then talk to it with `zmqkit cat dealer -c tcp://localhost:5670 -d ' '` (type "OHAI Joe").
// Arguments: [endpoint=tcp://*:5670] [--heartbeat 1000] [--user Joe] [--selftest]
import process from "node:process";
import { parseArgs } from "node:util";
import { Dealer, Router } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    heartbeat: { type: "string", default: "1000" },
    user: { type: "string", default: "Joe" },
    selftest: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const [endpoint = values.selftest ? "inproc://nomserver" : "tcp://*:5670"] = positionals;
const heartbeat = Number(values.heartbeat);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

type State = "start" | "authenticated" | "ready";
const COMMANDS = ["OHAI", "ICANHAZ", "HUGZ", "HUGZ-OK"] as const; // external events
type Event = typeof COMMANDS[number] | "ok" | "error" | "heartbeat" | "expired";

/** One client's machine: its state, the next event, what it asked and what to answer. */
interface Client {
  readonly id: Uint8Array;
  state: State;
  next: Event | undefined;
  body: string;
  replies: string[];
  silent: number; // heartbeats since it last said anything
}

/** An action (it runs at once; replies go out after the event); the log shows its name. */
type Action = { name: string; run: (c: Client) => void };
type Row = Partial<Record<Event, { actions: Action[]; next?: State }>>;

const router = new Router();
const clients = new Map<string, Client>();

const send = (command: string): Action => ({
  name: `send ${command}`,
  run: (c) => void c.replies.push(command),
});
const checkCredentials: Action = {
  name: "check credentials",
  run: (c) => void (c.next = c.body === values.user ? "ok" : "error"),
};
const forget: Action = { name: "forget", run: (c) => void clients.delete(hex(c.id)) };

// The whole protocol, as the Guide draws it: state -> event -> actions, next state.
const machine: Record<State | "defaults", Row> = {
  start: {
    OHAI: { actions: [checkCredentials], next: "authenticated" },
  },
  authenticated: {
    ok: { actions: [send("OHAI-OK")], next: "ready" },
    error: { actions: [send("WTF")], next: "start" },
  },
  ready: {
    ICANHAZ: { actions: [send("CHEEZBURGER")] },
    HUGZ: { actions: [send("HUGZ-OK")] },
    "HUGZ-OK": { actions: [] },
    heartbeat: { actions: [send("HUGZ")] },
  },
  defaults: {
    expired: { actions: [forget] },
  },
};

/** Feeds an event to a client's machine, and any event its actions make, until none is left. */
function execute(c: Client, event: Event): void {
  c.next = event;
  while (c.next !== undefined) {
    const e = c.next;
    c.next = undefined;
    const t = machine[c.state][e] ?? machine.defaults[e];
    if (!t) {
      if (e !== "heartbeat") console.log(`${hex(c.id)} ${c.state} + ${e}: ignored`);
      continue;
    }
    for (const a of t.actions) a.run(c);
    const to = t.next ?? c.state;
    const names = t.actions.map((a) => a.name).join(", ");
    console.log(`${hex(c.id)} ${c.state} + ${e} -> ${to}${names ? ` [${names}]` : ""}`);
    c.state = to;
  }
}

/** Runs an event, then sends the replies its actions made. */
async function handle(c: Client, event: Event): Promise<void> {
  execute(c, event);
  for (const reply of c.replies.splice(0)) await router.send([c.id, reply]);
}

async function serve(): Promise<void> {
  for await (const [id, command, body] of router) {
    const key = hex(id!);
    let c = clients.get(key);
    if (!c) {
      c = { id: id!, state: "start", next: undefined, body: "", replies: [], silent: 0 };
      clients.set(key, c);
    }
    c.silent = 0;
    c.body = text(body);
    const name = text(command);
    if ((COMMANDS as readonly string[]).includes(name)) await handle(c, name as Event);
    else console.log(`${key} ${c.state}: not a NOM command, ignored`);
  }
}

const timer = setInterval(async () => {
  for (const c of [...clients.values()]) {
    await handle(c, ++c.silent > 3 ? "expired" : "heartbeat");
  }
}, heartbeat);

/** The Guide's self-test: each step sends a command (or nothing) and expects a reply. */
async function selftest(): Promise<boolean> {
  await using dealer = new Dealer({ receiveTimeout: 3 * heartbeat + 2000 });
  dealer.connect(endpoint);
  const steps: [string[], string][] = [
    [["OHAI", "Sleepy"], "WTF"],
    [["OHAI", values.user], "OHAI-OK"],
    [["ICANHAZ"], "CHEEZBURGER"],
    [["HUGZ"], "HUGZ-OK"],
    [[], "HUGZ"], // the next heartbeat
  ];
  for (const [request, expected] of steps) {
    if (request.length) await dealer.send(request);
    const [reply] = await dealer.receive();
    if (text(reply) !== expected) {
      console.log(`selftest: sent ${request.join(" ")}, expected ${expected}, got ${text(reply)}`);
      return false;
    }
  }
  return true;
}

await router.bind(endpoint);
console.log(`I: NOM server on ${router.lastEndpoint}`);
const stop = () => {
  clearInterval(timer); // no heartbeat may send on a closed socket
  router.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
const serving = serve();
if (values.selftest) {
  const ok = await selftest().catch((e) => (console.log(`selftest: ${e.message}`), false));
  console.log(ok ? "selftest: OK" : "selftest: FAILED");
  process.exitCode = ok ? 0 : 1;
  stop();
}
await serving.catch((e) => {
  if (e.code !== "ETERM") throw e; // closed while answering
});
clearInterval(timer); // if the loop ended otherwise
