// Lazy Pirate client (the Guide, chapter 4, "Client-Side Reliability (Lazy Pirate Pattern)"):
// reliable request-reply done by the client alone. It sends numbered requests ("1", "2", …) on
// a REQ socket to tcp://localhost:5555 and waits for each reply for at most 2.5 seconds. On a
// timeout the socket is thrown away, since a REQ that sent a request will only ever accept its
// reply, and a new one connects and sends the same request again; after three tries without an
// answer the client gives up (exit status 1). Every reply must carry the number of the request
// it answers, so a lost, repeated or late reply would show. The server is ./lpserver.ts, or the
// queues ./spqueue.ts and ./ppqueue.ts with their workers (then connect to their frontend).
// Run: npx deno run -A examples/ch4/lpclient.ts   or   npx bun examples/ch4/lpclient.ts
// Arguments: [endpoint=tcp://localhost:5555] [requests, then exit=0 (for ever)]
//            [reply timeout ms=2500] [tries before abandoning=3]
import process from "node:process";
import { Request, ZmqError } from "../../mod.ts";

const [endpoint = "tcp://localhost:5555", requests = "0", timeoutMs = "2500", tries = "3"] = process
  .argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

/** A fresh REQ: receive() gives up after the timeout, close() drops what is still queued. */
function connect(): Request {
  const socket = new Request({ receiveTimeout: Number(timeoutMs), linger: 0 });
  socket.connect(endpoint);
  return socket;
}

console.log("I: connecting to server…");
let client = connect();
let triesLeft = Number(tries);
for (let sequence = 1; sequence <= Number(requests) || requests === "0"; sequence++) {
  const request = String(sequence);
  await client.send(request);
  for (;;) {
    try {
      const [reply] = await client.receive();
      if (text(reply) === request) {
        console.log(`I: server replied OK (${text(reply)})`);
        triesLeft = Number(tries);
        break;
      }
      console.log(`E: malformed reply from server: ${text(reply)}`);
      continue; // and keep waiting for the right one
    } catch (e) {
      if (!(e instanceof ZmqError && e.code === "EAGAIN")) throw e; // EAGAIN: the timeout
    }
    if (--triesLeft === 0) break;
    console.log("W: no response from server, retrying…");
    client.close(); // the old socket is stuck waiting for its reply: drop it
    console.log("I: reconnecting to server…");
    client = connect();
    await client.send(request); // the same request, again
  }
  if (triesLeft === 0) {
    console.log("E: server seems to be offline, abandoning");
    process.exitCode = 1;
    break;
  }
}
client.close();
