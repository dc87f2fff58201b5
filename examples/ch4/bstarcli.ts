// Binary Star client (the Guide, chapter 4, "High-Availability Pair (Binary Star Pattern)"):
// a Lazy Pirate client that knows both servers of a ./bstarsrv.ts pair, the primary on
// tcp://localhost:5001 and the backup on tcp://localhost:5002. It sends numbered requests
// ("1", "2", …) on a REQ socket, one a second, to the server it is on, and waits a second
// for each reply. On a timeout it throws the socket away (a REQ that sent a request accepts
// nothing but its reply), waits two seconds — the servers' failover time, so that the other
// one has seen its peer silent by then — and sends the same request again to the other
// server. That request is its vote: it is what makes a passive backup take over. It never
// gives up; each reply must carry the number of its request.
// Run: npx deno run -A examples/ch4/bstarcli.ts   or   npx bun examples/ch4/bstarcli.ts
// with ./bstarsrv.ts -p and ./bstarsrv.ts -b.
// Arguments: [primary=tcp://localhost:5001] [backup=tcp://localhost:5002]
//            [requests, then exit=0 (for ever)] [reply timeout ms=1000]
//            [settle delay before failing over ms=2000] [pause between requests ms=1000]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Request, ZmqError } from "../../mod.ts";

const [
  primary = "tcp://localhost:5001",
  backup = "tcp://localhost:5002",
  requests = "0",
  timeoutMs = "1000",
  settleMs = "2000",
  pauseMs = "1000",
] = process.argv.slice(2);
const servers = [primary, backup];
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

let current = 0; // which server: 0 the primary, 1 the backup
/** A fresh REQ on the current server: receive() gives up after the timeout. */
function connect(): Request {
  console.log(`I: connecting to server at ${servers[current]}…`);
  const socket = new Request({ receiveTimeout: Number(timeoutMs), linger: 0 });
  socket.connect(servers[current]!);
  return socket;
}

let client = connect();
for (let sequence = 1; sequence <= Number(requests) || requests === "0"; sequence++) {
  const request = String(sequence);
  await client.send(request);
  for (;;) {
    try {
      const [reply] = await client.receive();
      if (text(reply) === request) {
        console.log(`I: server replied OK (${request})`);
        break;
      }
      console.log(`E: bad reply from server: ${text(reply)}`);
      continue; // keep waiting for the right one
    } catch (e) {
      if (!(e instanceof ZmqError && e.code === "EAGAIN")) throw e; // EAGAIN: the timeout
    }
    console.log("W: no response from server, failing over");
    client.close(); // stuck waiting for its reply: a new socket, on the other server
    current = 1 - current;
    await sleep(Number(settleMs));
    client = connect();
    await client.send(request); // the same request: the vote
  }
  if (sequence !== Number(requests)) await sleep(Number(pauseMs));
}
client.close();
