// Binary Star server (the Guide, chapter 4, "High-Availability Pair (Binary Star Pattern)",
// its bstarsrv and, as here, bstarsrv2 on the bstar reactor): one of a primary/backup pair
// with the Guide's state machine in the library's BinaryStar class, behind a ROUTER that
// echoes each client request back. -p runs the primary: clients on tcp://*:5001, its state
// published on tcp://*:5003, the backup's read from tcp://localhost:5004; -b the backup:
// 5002, 5004 and 5003. The two publish their state every second; the primary goes active as
// soon as it hears a waiting backup, which goes passive. Only the active one answers; a
// request to the other is dropped, so the client (./bstarcli.ts) times out and tries the
// other server. A passive server takes over only if its peer has been silent for two
// heartbeats AND a client asks it (the client's vote): a peer that merely went quiet, with
// nobody asking, changes nothing — no two actives. A line says each state change and each
// time the peer goes silent or is heard again; -v also prints each request answered or
// refused. Two actives or two passives are fatal: it says so and exits with status 1.
// Run: npx deno run -A examples/ch4/bstarsrv.ts -p   and   … bstarsrv.ts -b   (or npx bun …),
// then ./bstarcli.ts; kill the primary to see the backup take over at the client's next try,
// start it again (it comes back passive), then kill the backup to fail back.
// Arguments: -p | -b  [--frontend tcp://*:5001|5002] [--state-pub tcp://*:5003|5004]
//            [--state-sub tcp://localhost:5004|5003] [--heartbeat ms=1000] [-v]
import process from "node:process";
import { parseArgs } from "node:util";
import { BinaryStar, BinaryStarError, Router } from "../../mod.ts";

const { values } = parseArgs({
  options: {
    p: { type: "boolean", default: false },
    b: { type: "boolean", default: false },
    frontend: { type: "string" },
    "state-pub": { type: "string" },
    "state-sub": { type: "string" },
    heartbeat: { type: "string", default: "1000" },
    v: { type: "boolean", default: false },
  },
});
if (values.p === values.b) {
  console.log("Usage: bstarsrv.ts { -p | -b } [--frontend ep] [--state-pub ep] [--state-sub ep]");
  process.exit(0);
}
const primary = values.p;
const front = values.frontend ?? (primary ? "tcp://*:5001" : "tcp://*:5002");
const local = values["state-pub"] ?? (primary ? "tcp://*:5003" : "tcp://*:5004");
const remote = values["state-sub"] ?? (primary ? "tcp://localhost:5004" : "tcp://localhost:5003");
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

const bstar: BinaryStar = new BinaryStar({
  role: primary ? "primary" : "backup",
  local,
  remote,
  heartbeat: Number(values.heartbeat),
  onStateChange: ({ from, to, reason }) => console.log(`I: ${from} -> ${to} (${reason})`),
  onPeer: (alive) =>
    console.log(alive ? "I: peer is up" : `W: peer is silent (this server is ${bstar.state})`),
});
await using frontend = new Router();
await frontend.bind(front);
console.log(`I: ${primary ? "primary" : "backup"} on ${front}, waiting for its peer`);

// Each request is a vote: the state machine says whether this server answers it. (The class
// can also read the socket itself, with bstar.voter(frontend, handler); reading it here lets
// -v print the refused requests too.)
async function serve(): Promise<void> {
  for await (const request of frontend) { // [client][""][body]
    const body = text(request.at(-1));
    if (await bstar.clientRequest()) {
      await frontend.send(request); // the echo
      if (values.v) console.log(`I: answered request (${body})`);
    } else if (values.v) console.log(`I: refused request (${body}) as ${bstar.state}`);
  }
}

const onSignal = () => {
  console.log("W: interrupted");
  bstar.terminate();
  frontend.close(); // ends serve()
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
try {
  await Promise.race([bstar.run(), serve()]);
} catch (e) {
  if (!(e instanceof BinaryStarError)) throw e;
  console.log(`E: fatal error: ${e.code === "DUAL_ACTIVE" ? "dual actives" : "dual passives"}`);
  process.exitCode = 1;
} finally {
  bstar.terminate();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}
