// Clone server, model six (the Guide, chapter 5, "Adding the Binary Star Pattern for
// Reliability"): two Clone servers, a primary and a backup, so that the map survives the loss
// of one. The pair runs the Binary Star state machine (the library's BinaryStar; their states
// go over tcp://*:5003 and tcp://*:5004), and the clients' snapshot requests are the votes:
// only the active server answers them, and a passive one takes over when a client asks and
// its peer has been silent for two heartbeats. Clients send each change to both servers (PUB
// to the collectors, SUB sockets here), with a UUID. The passive server follows the active one
// as a client would (a snapshot, then its published changes) and holds each client change
// until the active one has published it too; when it takes over, it publishes what it still
// holds, as new changes. The primary uses ports 5556 (snapshots), 5557 (changes published,
// HUGZ heartbeats once a second) and 5558 (collector); the backup 5566, 5567 and 5568. The
// library's CloneServer does the rest (model five's expiries, subtrees and snapshots).
// Lines: each state change, each change published ("update", "delete" when expired, "pending"
// when published at takeover) or followed, with the size and digest of the map after it.
// Two actives or two passives are fatal: it says so and exits with status 1.
// Run: npx deno run -A examples/ch5/clonesrv6.ts -p   and   … clonesrv6.ts -b   (or npx bun …),
// then a few ./clonecli6.ts; kill the primary and the clients go on with the backup.
// Arguments: -p | -b  [--bind tcp://*:5556|5566 (P; P+1 and P+2 follow)]
//            [--peer tcp://localhost:5566|5556] [--state-pub tcp://*:5003|5004]
//            [--state-sub tcp://localhost:5004|5003] [--heartbeat ms=1000]
//            [--ttl-interval ms=1000]
import process from "node:process";
import { parseArgs } from "node:util";
import { BinaryStar, BinaryStarError, CloneServer } from "../../mod.ts";

const { values } = parseArgs({
  options: {
    p: { type: "boolean", default: false },
    b: { type: "boolean", default: false },
    bind: { type: "string" },
    peer: { type: "string" },
    "state-pub": { type: "string" },
    "state-sub": { type: "string" },
    heartbeat: { type: "string", default: "1000" },
    "ttl-interval": { type: "string", default: "1000" },
  },
});
if (values.p === values.b) {
  console.log("Usage: clonesrv6.ts { -p | -b } [--bind ep] [--peer ep] [--state-pub ep] …");
  process.exit(0);
}
const primary = values.p;
const bind = values.bind ?? (primary ? "tcp://*:5556" : "tcp://*:5566");
const peer = values.peer ?? (primary ? "tcp://localhost:5566" : "tcp://localhost:5556");
const heartbeat = Number(values.heartbeat);

const server: CloneServer = new CloneServer({
  active: false, // until the pair decides
  heartbeat,
  ttlInterval: Number(values["ttl-interval"]),
  vote: () => bstar.clientRequest(), // a snapshot request is a client's vote
  onEvent: (event) => {
    const map = `(map: ${server.size} keys, ${server.digest()})`;
    switch (event.type) {
      case "publish": {
        const what = { update: "update", expiry: "delete", pending: "pending" }[event.cause];
        return console.log(`I: publishing ${what}=${event.sequence} ${map}`);
      }
      case "snapshot":
        return console.log(`I: sending snapshot=${event.sequence} (${event.entries} keys)`);
      case "refused":
        return console.log("I: snapshot request refused (not active)");
      case "syncing":
        return console.log(`I: asking for snapshot from: ${event.peer}`);
      case "synced":
        return console.log(`I: received snapshot=${event.sequence} ${map}`);
      case "sync-failed":
        return console.log(`W: no snapshot from ${event.peer} (${event.reason})`);
      case "follow":
        return console.log(`I: received update=${event.sequence} ${map}`);
      case "malformed":
        return console.log(`E: bad message on the ${event.source} socket (${event.reason})`);
      case "snapshot-abandoned":
        return console.log(`W: snapshot abandoned: ${event.reason}`);
    }
  },
});
const bstar: BinaryStar = new BinaryStar({
  role: primary ? "primary" : "backup",
  local: values["state-pub"] ?? (primary ? "tcp://*:5003" : "tcp://*:5004"),
  remote: values["state-sub"] ?? (primary ? "tcp://localhost:5004" : "tcp://localhost:5003"),
  heartbeat,
  onStateChange: ({ from, to, reason }) => console.log(`I: ${from} -> ${to} (${reason})`),
  onActive: () => server.activate(),
  onPassive: () => server.follow(peer), // a fresh copy from the peer
});

await server.bind(bind);
console.log(`I: ${primary ? "primary" : "backup"} on ${bind}, waiting for its peer`);
process.once("SIGINT", () => {
  console.log(" Interrupted");
  bstar.terminate();
});
const serving = server.run();
try {
  await bstar.run();
} catch (e) {
  if (!(e instanceof BinaryStarError)) throw e;
  console.log(`E: ${e.message}, aborting`);
  process.exitCode = 1;
} finally {
  server.close();
  await serving;
}
