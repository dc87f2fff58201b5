// Freelance client, model two (the Guide, chapter 4, "Brokerless Reliability (Freelance
// Pattern)", "Model Two: Brutal Shotgun Massacre"): one DEALER connected to every
// ./flserver2.ts given, and each request fired at all of them at once — as many copies as
// there are servers, which the DEALER deals one to each connection — and the first reply
// with the request's sequence number taken; the other replies, late, are dropped. A server
// that is down costs nothing: its copy is lost, the others answer. The request goes out as
// [""][sequence]["random name"] (the empty frame is the envelope a REP expects), and comes
// back as [""][sequence]["OK"]. It runs 10,000 requests and prints the average round trip;
// if no reply comes within 2.5 s it gives up (exit status 1).
// Run: npx deno run -A examples/ch4/flclient2.ts tcp://localhost:5555 tcp://localhost:5556
// (or npx bun …) with ./flserver2.ts on each endpoint, or on some of them.
// Arguments: endpoint… [--requests 10000] [--timeout ms=2500]
import process from "node:process";
import { parseArgs } from "node:util";
import { Dealer, type Message, ZmqError } from "../../mod.ts";

const { values, positionals: endpoints } = parseArgs({
  options: {
    requests: { type: "string", default: "10000" },
    timeout: { type: "string", default: "2500" },
  },
  allowPositionals: true,
});
if (endpoints.length === 0) {
  console.log("I: syntax: flclient2.ts <endpoint> …");
  process.exit(0);
}
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

/** The Guide's flclient: connect to servers, then request() fires at all of them. */
class FreelanceClient {
  #socket = new Dealer({ linger: 0 });
  #servers = 0;
  #sequence = 0;

  connect(endpoint: string): void {
    this.#socket.connect(endpoint);
    this.#servers++;
  }

  /** The body of the first matching reply, or undefined if none came within the timeout. */
  async request(body: string): Promise<Message | undefined> {
    const sequence = String(++this.#sequence);
    for (let i = 0; i < this.#servers; i++) await this.#socket.send(["", sequence, body]);
    const deadline = Date.now() + Number(values.timeout);
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      this.#socket.receiveTimeout = left;
      let reply: Message;
      try {
        reply = await this.#socket.receive();
      } catch (e) {
        if (e instanceof ZmqError && e.code === "EAGAIN") return undefined;
        throw e;
      }
      // [""][sequence][OK]; another sequence is a late answer to an earlier request
      if (reply.length === 3 && text(reply[1]) === sequence) return reply.slice(2);
    }
  }

  close(): void {
    this.#socket.close();
  }
}

const client = new FreelanceClient();
for (const endpoint of endpoints) client.connect(endpoint);
const start = Date.now();
let answered = 0;
for (let n = Number(values.requests); n > 0; n--) {
  const reply = await client.request("random name");
  if (reply === undefined) {
    console.log("E: name service not available, aborting");
    process.exitCode = 1;
    break;
  }
  answered++;
}
const usec = answered > 0 ? Math.round((Date.now() - start) * 1000 / answered) : 0;
console.log(`I: ${answered} replies, average round trip cost: ${usec} usec`);
client.close();
