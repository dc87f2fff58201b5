// Request-reply combinations (the Guide, chapter 3, "Request-Reply Combinations"): the six
// pairs of request-reply sockets that work, each making one round trip over inproc and
// printing the frames each side receives, so the envelopes show: a REQ adds an empty
// delimiter and a REP takes it off; a DEALER or a ROUTER does neither, so a DEALER talking to
// a REP writes and reads the delimiter itself; a ROUTER puts the sender's routing id in front
// of what it receives and routes what it sends on that first frame. For ROUTER to ROUTER the
// connecting side must know the other's id: the bound one sets its own ("SERVER").
//
// Then the four pairs the Guide calls invalid. zmqkit refuses them when they meet, as libzmq
// does: over tcp (here, on a loopback port) or ipc each side checks the other's socket type in
// the ZMTP handshake and drops the connection, which zmqkit reports as a
// "handshake:error:protocol" event (ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE; libzmq's monitor shows
// only a disconnect); no message moves and neither side tries again. Over inproc, which has
// no handshake, zmqkit refuses the same pairs when they meet, with the same event (what the
// connecting side sends waits in its queue), while libzmq does not check there at all: a REQ
// and a DEALER then do make a round trip, and what the Guide warns of happens with a second
// REQ, whose replies the DEALER cannot address (it has no envelope and deals its sends out in
// turn).
// Run: npx deno run -A examples/ch3/rrcombos.ts   or   npx bun examples/ch3/rrcombos.ts
import { Dealer, Reply, Request, Router, type Socket, type SocketEvent } from "../../mod.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
/** A frame as text in quotes ("" is a delimiter), or in hex if not printable (an id). */
const frame = (f: Uint8Array) =>
  f.every((b) => b >= 32 && b <= 126)
    ? JSON.stringify(text(f))
    : "0x" + Array.from(f, (b) => b.toString(16).padStart(2, "0")).join("");
const show = (message: Uint8Array[]) => `[${message.map(frame).join(", ")}]`;

let endpoints = 0;
/** Binds `server` to a new inproc endpoint and connects `client` to it. */
async function pair(server: Socket, client: Socket): Promise<void> {
  const endpoint = `inproc://combo-${++endpoints}`;
  await server.bind(endpoint);
  client.connect(endpoint);
}

{
  await using rep = new Reply(), req = new Request();
  await pair(rep, req);
  await req.send("Hello"); // goes out as ["", "Hello"]
  const request = await rep.receive(); // REP keeps the envelope, passes on the rest
  await rep.send("World"); // REP puts the envelope back
  console.log(`REQ to REP: REP got ${show(request)}, REQ got ${show(await req.receive())}`);
}
{
  await using rep = new Reply(), dealer = new Dealer();
  await pair(rep, dealer);
  await dealer.send(["", "Hello"]); // the delimiter a REQ would have added
  const request = await rep.receive();
  await rep.send("World");
  const reply = await dealer.receive(); // ["", "World"]: the delimiter is the DEALER's to remove
  console.log(`DEALER to REP: REP got ${show(request)}, DEALER got ${show(reply)}`);
}
{
  await using router = new Router(), req = new Request();
  await pair(router, req);
  await req.send("Hello");
  const [id, ...request] = await router.receive(); // [REQ's id, "", "Hello"]
  await router.send([id!, "", "World"]); // id to route on, then the envelope REQ expects
  const got = show([id!, ...request]);
  console.log(`REQ to ROUTER: ROUTER got ${got}, REQ got ${show(await req.receive())}`);
}
{
  await using router = new Router(), dealer = new Dealer();
  await pair(router, dealer);
  await dealer.send("Hello"); // no envelope: both sides choose the format
  const [id, ...request] = await router.receive();
  await router.send([id!, "World"]);
  const got = show([id!, ...request]);
  console.log(`DEALER to ROUTER: ROUTER got ${got}, DEALER got ${show(await dealer.receive())}`);
}
{
  await using server = new Dealer(), client = new Dealer();
  await pair(server, client);
  await client.send("Hello");
  const request = await server.receive();
  await server.send("World"); // to its only peer: a DEALER cannot choose
  const reply = await client.receive();
  console.log(`DEALER to DEALER: DEALER got ${show(request)}, DEALER got ${show(reply)}`);
}
{
  await using server = new Router({ routingId: "SERVER" });
  await using client = new Router({ mandatory: true }); // an unknown id would be an error
  await pair(server, client);
  await client.send(["SERVER", "Hello"]); // the client speaks first, to the id it knows
  const [id, ...request] = await server.receive();
  await server.send([id!, "World"]);
  const got = show([id!, ...request]);
  console.log(`ROUTER to ROUTER: ROUTER got ${got}, ROUTER got ${show(await client.receive())}`);
}

/** Connects `client` to `server` over tcp and reports how the handshake is refused. */
async function invalid(name: string, client: Socket, server: Socket, why: string): Promise<void> {
  await server.bind("tcp://127.0.0.1:*");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refused = new Promise<SocketEvent | undefined>((resolve) => {
    client.events.on("handshake:error:protocol", resolve);
    timer = setTimeout(() => resolve(undefined), 5000); // not expected: bounded anyway
  });
  client.connect(server.lastEndpoint!);
  const event = await refused;
  clearTimeout(timer);
  const what = event ? `${event.error?.code}: ${event.error?.message}` : "not refused in 5 s";
  console.log(`${name}: refused (${what}); ${why}`);
  client.close();
  server.close();
}

const types = { REQ: Request, REP: Reply, DEALER: Dealer, ROUTER: Router };
const invalidPairs: [keyof typeof types, keyof typeof types, string][] = [
  ["REQ", "REQ", "both would send first"],
  ["REQ", "DEALER", "a DEALER deals its replies out in turn, not to the REQ that asked"],
  ["REP", "REP", "both would wait for the other to start"],
  ["REP", "ROUTER", "the ROUTER would have to speak first, to an id it has not seen"],
];
for (const [a, b, why] of invalidPairs) {
  await invalid(`${a} to ${b}`, new types[a](), new types[b](), why);
}
