// ROUTER error handling (the Guide, chapter 3, "ROUTER Error Handling"): what a ROUTER does
// with a message whose first frame names no peer it knows. By default it drops the message
// without a word (zmqkit counts it in `dropped`); with the `mandatory` option (libzmq's
// ZMQ_ROUTER_MANDATORY) the send fails with EHOSTUNREACH instead, a ZmqError to catch. A
// mandatory ROUTER still sends to a peer it knows: here a DEALER with the routing id "PEER1"
// says hello and is answered; once it has gone, its id is unknown again.
// The Guide describes the option without a program; this one is zmqkit's.
// Run: npx deno run -A examples/ch3/mandatory.ts   or   npx bun examples/ch3/mandatory.ts
// Arguments: [endpoint=inproc://mandatory] [peers started here=1]
// With 0 peers (and a tcp endpoint) it waits for a DEALER from elsewhere to say hello.
import process from "node:process";
import { Dealer, Router, ZmqError } from "../../mod.ts";

const [endpoint = "inproc://mandatory", peers = "1"] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
/** A routing id as text, or in hex if it is not printable (a generated one). */
const show = (id: Uint8Array) =>
  id.every((b) => b >= 32 && b <= 126)
    ? `"${text(id)}"`
    : "0x" + Array.from(id, (b) => b.toString(16).padStart(2, "0")).join("");

/** Sends `message` and says what happened: sent, dropped, or the error (EHOSTUNREACH) caught. */
async function trySend(router: Router, label: string, id: Uint8Array, body: string) {
  const before = router.dropped;
  try {
    await router.send([id, body]);
    const dropped = router.dropped > before;
    console.log(`${label}: send to ${show(id)} ${dropped ? "returned, message dropped" : "ok"}`);
  } catch (e) {
    if (!(e instanceof ZmqError)) throw e;
    console.log(`${label}: send to ${show(id)} failed: ${e.code} (${e.message})`);
  }
}
const nobody = new TextEncoder().encode("NOBODY");

/** The peer: says hello, prints the answer, leaves. */
async function peer(): Promise<void> {
  await using dealer = new Dealer({ routingId: "PEER1" });
  dealer.connect(endpoint.replace("*", "localhost"));
  await dealer.send("Hello");
  const [answer] = await dealer.receive();
  console.log(`PEER1: got "${text(answer)}"`);
}

// By default an unknown routing id loses the message, and nothing says so
await using lenient = new Router();
await trySend(lenient, "ROUTER", nobody, "Are you there?");

// With mandatory, the same send fails
await using router = new Router({ mandatory: true });
await router.bind(endpoint);
await trySend(router, "ROUTER (mandatory)", nobody, "Are you there?");

// A peer it knows, from the routing id its first message came with
const peerGone = new Promise<void>((resolve) => router.events.on("disconnect", () => resolve()));
const peering = Number(peers) > 0 ? peer() : Promise.resolve();
const [id, greeting] = await router.receive();
console.log(`ROUTER (mandatory): ${show(id!)} says "${text(greeting)}"`);
await trySend(router, "ROUTER (mandatory)", id!, "Welcome");
await peering;

// Once that peer has disconnected, its id names nobody again
await peerGone;
await trySend(router, "ROUTER (mandatory)", id!, "Still there?");
