// Freelance client, model three (the Guide, chapter 4, "Brokerless Reliability (Freelance
// Pattern)", "Model Three: Complex and Nasty", with its flcliapi): a ROUTER connected to
// several ./flserver3.ts, speaking the Freelance Protocol (RFC 10/FLP). Each server's
// routing id is the endpoint the client connects to, so the client can address any of them.
// The agent below pings every server every 2 s ("PING", answered "PONG") — at once, too, as
// soon as a connection is made — and takes a server for dead after 6 s without a word from
// it. A request goes to the first live server, in the order they were given, with a sequence
// number in front: [server][sequence]["random name"] → [server][sequence]["OK"]. If no reply
// comes within a second it goes to the next live server, and so on; a reply with another
// sequence number is a late one, dropped; a request with no reply in 3 s fails. The ROUTER
// is `mandatory`: a send to a server whose connection is gone fails at once, and that server
// is taken for dead there and then, instead of after the 6 s. It prints when a server goes up
// or down, then runs 10,000 requests and prints the average round trip; if a request fails
// it gives up (exit status 1).
// The Guide runs the agent in a thread behind an inproc pipe; here it is an object whose
// receive loop and one timer (set for whatever is due next, the Guide's "tickless" poll) run
// on the event loop beside the application. (A try that gets no answer also moves the
// request on to the next server here; the Guide's agent resends it to the same first server
// until that one expires, which takes longer than the request may wait.)
// Run: npx deno run -A examples/ch4/flclient3.ts   or   npx bun examples/ch4/flclient3.ts
// with ./flserver3.ts on tcp://*:5555, tcp://*:5556 and tcp://*:5557 (or some of them).
// Arguments: [endpoint…=tcp://localhost:5555 tcp://localhost:5556 tcp://localhost:5557]
//            [--requests 10000] [--timeout ms=3000] [--ping ms=2000] [--ttl ms=6000]
//            [--retry ms=1000]
import process from "node:process";
import { parseArgs } from "node:util";
import { type Message, Router, ZmqError } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    requests: { type: "string", default: "10000" },
    timeout: { type: "string", default: "3000" }, // a request fails after this
    ping: { type: "string", default: "2000" }, // each server pinged this often
    ttl: { type: "string", default: "6000" }, // a server silent this long is dead
    retry: { type: "string", default: "1000" }, // a try unanswered this long: the next server
  },
  allowPositionals: true,
});
const endpoints = positionals.length > 0
  ? positionals
  : ["tcp://localhost:5555", "tcp://localhost:5556", "tcp://localhost:5557"];
const [TIMEOUT, PING, TTL, RETRY] = [values.timeout, values.ping, values.ttl, values.retry]
  .map(Number) as [number, number, number, number];
const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

interface Server {
  endpoint: string; // also its routing id
  alive: boolean;
  pingAt: number; // next ping then
  expires: number; // dead then, unless heard from
}
interface Pending {
  sequence: string;
  body: string;
  deadline: number; // fails then
  retryAt: number; // next try then (Infinity: when a server comes up)
  tries: number;
  resolve: (reply: Message | undefined) => void;
}

/** The Freelance client agent: servers, their pings and expiry, and the one pending request. */
class FreelanceAgent {
  #router = new Router({ mandatory: true, linger: 0 });
  #servers: Server[] = []; // in the order given: the first live one is asked first
  #sequence = 0;
  #pending: Pending | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    // a new connection: ping the servers not known to be up now, rather than at their next ping
    this.#router.events.on("handshake", () => {
      for (const s of this.#servers) if (!s.alive) s.pingAt = 0;
      this.#tick();
    });
    void this.#receive();
  }

  connect(endpoint: string): void {
    console.log(`I: connecting to ${endpoint}…`);
    this.#router.connect(endpoint);
    this.#servers.push({ endpoint, alive: false, pingAt: Date.now() + PING, expires: 0 });
  }

  /** The reply's body, or undefined if no server answered in time. One request at a time. */
  request(body: string): Promise<Message | undefined> {
    if (this.#pending) throw new Error("one request at a time");
    return new Promise((resolve) => {
      const sequence = String(++this.#sequence);
      const now = Date.now();
      this.#pending = { sequence, body, deadline: now + TIMEOUT, retryAt: now, tries: 0, resolve };
      this.#tick();
    });
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#router.close();
  }

  /** Sends to one server; false if its connection is gone (it is dead then) or it is full. */
  #send(server: Server, frames: string[]): boolean {
    try {
      return this.#router.trySend([enc(server.endpoint), ...frames.map(enc)]);
    } catch (e) {
      if (!(e instanceof ZmqError && e.code === "EHOSTUNREACH")) throw e;
      this.#down(server, "disconnected");
      return false;
    }
  }

  #down(server: Server, why: string): void {
    if (!server.alive) return;
    server.alive = false;
    console.log(`W: server ${server.endpoint} is down (${why})`);
  }

  /** Replies and pongs: any message is a sign of life. */
  async #receive(): Promise<void> {
    try {
      for await (const [id, control, ...body] of this.#router) {
        const server = this.#servers.find((s) => s.endpoint === text(id));
        if (server === undefined || control === undefined) continue;
        server.pingAt = Date.now() + PING;
        server.expires = Date.now() + TTL;
        if (!server.alive) {
          server.alive = true;
          console.log(`I: server ${server.endpoint} is up`);
          if (this.#pending?.retryAt === Infinity) this.#pending.retryAt = 0; // it was waiting
        }
        const pending = this.#pending;
        if (pending !== undefined && text(control) === pending.sequence) {
          this.#pending = undefined;
          pending.resolve(body);
        } // else "PONG", or a late reply to an earlier request
        this.#tick();
      }
    } catch (e) {
      if (!(e instanceof ZmqError && e.code === "ETERM")) throw e;
    }
  }

  /** Does whatever is due now, then sets the timer for the next thing due. */
  #tick(): void {
    const now = Date.now();
    for (const s of this.#servers) if (s.alive && now >= s.expires) this.#down(s, "silent");
    for (const s of this.#servers) {
      if (now >= s.pingAt) {
        s.pingAt = now + PING;
        this.#send(s, ["PING"]);
      }
    }
    const p = this.#pending;
    if (p !== undefined && now >= p.deadline) {
      this.#pending = undefined;
      p.resolve(undefined);
    } else if (p !== undefined && now >= p.retryAt) {
      // the first live server, then on each retry the next one
      const live = this.#servers.filter((s) => s.alive);
      p.retryAt = Infinity; // unless it goes out below: then wait for a server to come up
      for (let i = 0; i < live.length; i++) {
        if (this.#send(live[(p.tries + i) % live.length]!, [p.sequence, p.body])) {
          p.tries += i + 1;
          p.retryAt = now + RETRY;
          break;
        }
      }
    }
    let next = Infinity;
    for (const s of this.#servers) next = Math.min(next, s.pingAt, s.alive ? s.expires : next);
    if (this.#pending) next = Math.min(next, this.#pending.deadline, this.#pending.retryAt);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, next - now));
  }
}

const agent = new FreelanceAgent();
for (const endpoint of endpoints) agent.connect(endpoint);
const start = Date.now();
let answered = 0;
for (let n = Number(values.requests); n > 0; n--) {
  const reply = await agent.request("random name");
  if (reply === undefined) {
    console.log("E: name service not available, aborting");
    process.exitCode = 1;
    break;
  }
  answered++;
}
const usec = answered > 0 ? Math.round((Date.now() - start) * 1000 / answered) : 0;
console.log(`I: ${answered} replies, average round trip cost: ${usec} usec`);
agent.close();
