// Clone server, model five (the Guide, chapter 5, "Ephemeral Values" and "Using a Reactor"):
// model four's server with the full kvmsg (five frames: key, sequence, UUID, properties,
// value), values that expire, and deletions: an empty value deletes its key. A change with
// the property ttl=N (seconds) is deleted by the server N seconds later, the deletion then
// published as a change of its own, so every client drops the key as well. The Guide turns
// its poll loop into a reactor here (a handler per socket, a timer for the expiries); that
// reactor is the library's CloneServer: a loop per socket and two timers, the HUGZ heartbeat
// (which comes with model six: model five's clients ignore it) and the expiry check.
// Endpoints: snapshots on a ROUTER bound on tcp://*:5556, changes published on tcp://*:5557,
// clients' changes PUSHed to tcp://*:5558 (a PULL socket, as in the Guide; ./clonesrv6.ts
// takes them on a SUB). Each change is logged with the size and digest of the map after it.
// Run: npx deno run -A examples/ch5/clonesrv5.ts   or   npx bun examples/ch5/clonesrv5.ts
// with one or more ./clonecli5.ts, started when you like; Ctrl-C stops it.
// Arguments: [snapshot=tcp://*:5556] [publisher=tcp://*:5557] [collector=tcp://*:5558]
//            [--ttl-interval ms between expiry checks=1000]
import process from "node:process";
import { parseArgs } from "node:util";
import { CloneServer } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: { "ttl-interval": { type: "string", default: "1000" } },
  allowPositionals: true,
});
const [
  snapshot = "tcp://*:5556",
  publisher = "tcp://*:5557",
  collector = "tcp://*:5558",
] = positionals;

const server: CloneServer = new CloneServer({
  collector: "PULL",
  ttlInterval: Number(values["ttl-interval"]),
  onEvent: (event) => {
    const map = `(map: ${server.size} keys, ${server.digest()})`;
    if (event.type === "publish") {
      const what = event.cause === "expiry" ? "delete" : "update";
      console.log(`I: publishing ${what}=${event.sequence} ${map}`);
    } else if (event.type === "snapshot") {
      console.log(`I: sending snapshot=${event.sequence} (${event.entries} keys)`);
    } else if (event.type === "malformed") console.log(`E: bad message (${event.reason}), ignored`);
    else if (event.type === "snapshot-abandoned") {
      console.log(`W: snapshot abandoned: ${event.reason}`);
    }
  },
});
await server.bind({ snapshot, publisher, collector });
process.once("SIGINT", () => {
  console.log(` Interrupted\n${server.sequence} messages handled`);
  server.close();
});
await server.run();
