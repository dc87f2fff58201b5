// Clone client, model one (the Guide, chapter 5, "Representing State as Key-Value Pairs"): a
// SUB socket connected to the server (./clonesrv1.ts, tcp://localhost:5556) and subscribed to
// everything; each update (a "kvsimple" message: key, sequence, value) goes into the client's
// own copy of the map. That is all it takes while every client is up before the server starts
// and none ever restarts: an update missed is missed for good (./clonecli2.ts asks for a
// snapshot instead). A message that is not a kvsimple is reported and skipped.
// "I: connected" says when the connection is made (the subscription goes right after it). The
// last line gives the size and digest of the map, as the server's does.
// Run: npx deno run -A examples/ch5/clonecli1.ts   or   npx bun examples/ch5/clonecli1.ts
// before ./clonesrv1.ts; Ctrl-C stops it.
// Arguments: [endpoint=tcp://localhost:5556] [--count N (updates, then exit; 0 = until Ctrl-C)]
import process from "node:process";
import { parseArgs } from "node:util";
import { decodeKvmsg, KvMap, KvmsgError, Subscriber, ZmqError } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: { count: { type: "string", default: "0" } },
  allowPositionals: true,
});
const [endpoint = "tcp://localhost:5556"] = positionals;
const count = Number(values.count);

const updates = new Subscriber();
updates.subscribe(); // everything
updates.events.on("handshake", (event) => console.log(`I: connected to ${event.address}`));
updates.connect(endpoint);
const onSignal = () => updates.close();
process.on("SIGINT", onSignal);

const kvmap = new KvMap();
let sequence = 0;
try {
  while (count === 0 || sequence < count) {
    const frames = await updates.receive();
    try {
      kvmap.store(decodeKvmsg(frames, "kvsimple"));
      sequence++;
    } catch (e) {
      if (!(e instanceof KvmsgError)) throw e;
      console.log(`E: bad update (${e.message}), skipped`);
    }
  }
} catch (e) {
  if (!(e instanceof ZmqError && e.code === "ETERM")) throw e;
  console.log(" Interrupted");
}
console.log(`${sequence} messages in (map: ${kvmap.size} keys, ${kvmap.digest()})`);
process.off("SIGINT", onSignal);
updates.close();
