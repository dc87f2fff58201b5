// Titanic client (the Guide, chapter 4, "Disconnected Reliability (Titanic Pattern)"): hands
// a request ("Hello world" for the "echo" service) to Titanic (./titanic.ts) through the
// broker at tcp://localhost:5555 (./mdbroker.ts), and collects the reply whenever it exists,
// speaking the Titanic Service Protocol (RFC 9) over Majordomo: `titanic.request` takes the
// request and gives back a UUID ("I: request UUID …"); `titanic.reply` is then asked every
// 5 s ("I: no reply yet, trying again…" while it answers "300"), until it gives the reply
// ("Reply: Hello world"); `titanic.close` lets Titanic forget both. Every call is a
// MajordomoClient request() (2.5 s, three tries); if one goes unanswered, the client gives up
// with exit status 1, and the ticket lives on: `--resume UUID` starts at the polling, with
// the UUID printed earlier, from this or any other process. "400" (unknown UUID) is fatal
// (exit 1); "500" (Titanic could not store something) is tried again later.
// Run: npx deno run -A examples/ch4/ticlient.ts   or   npx bun examples/ch4/ticlient.ts
// with ./mdbroker.ts and ./titanic.ts, and sooner or later ./mdworker.ts.
// Arguments: [broker=tcp://localhost:5555] [--resume UUID] [--service echo]
//            [--body "Hello world"] [--poll ms=5000] [--timeout ms=2500] [--retries 3]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { MajordomoClient, type Message } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    resume: { type: "string" },
    service: { type: "string", default: "echo" },
    body: { type: "string", default: "Hello world" },
    poll: { type: "string", default: "5000" },
    timeout: { type: "string", default: "2500" },
    retries: { type: "string", default: "3" },
  },
  allowPositionals: true,
});
const [broker = "tcp://localhost:5555"] = positionals;
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

const client = new MajordomoClient(broker, {
  timeout: Number(values.timeout),
  retries: Number(values.retries),
  log: console.log,
});

/** A reason to stop: printed, and the exit status is 1. */
class Fatal extends Error {}
let ticket = values.resume;

/** Calls a Titanic service: the reply's frames after a "200", undefined after "300"/"500". */
async function call(service: string, body: string[]): Promise<Message | undefined> {
  const reply = await client.request(service, body);
  if (reply === undefined) {
    throw new Fatal(
      `E: no answer from ${service}` + (ticket ? `, resume with --resume ${ticket}` : ""),
    );
  }
  const status = text(reply[0]).slice(0, 3);
  if (status === "200") return reply.slice(1);
  if (status === "400") throw new Fatal(`E: ${service} answered 400 (unknown request), aborting`);
  if (status === "500") console.log(`W: ${service} answered 500 (a server error)`);
  return undefined; // 300 (pending) or 500: later
}

try {
  // 1. The request, handed to Titanic: from now on it is on Titanic's disk.
  if (ticket === undefined) {
    let stored: Message | undefined;
    while ((stored = await call("titanic.request", [values.service, values.body])) === undefined) {
      await sleep(Number(values.poll));
    }
    ticket = text(stored[0]);
    console.log(`I: request UUID ${ticket}`);
  }

  // 2. The reply, whenever there is one.
  for (;;) {
    await sleep(100);
    const reply = await call("titanic.reply", [ticket]);
    if (reply !== undefined) {
      console.log(`Reply: ${text(reply.at(-1))}`);
      break;
    }
    console.log("I: no reply yet, trying again…");
    await sleep(Number(values.poll));
  }

  // 3. Done with it: Titanic may forget the request and its reply.
  await call("titanic.close", [ticket]);
} catch (e) {
  if (!(e instanceof Fatal)) throw e;
  console.log(e.message);
  process.exitCode = 1;
} finally {
  client.close();
}
