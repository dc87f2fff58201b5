// SPDX-License-Identifier: MIT
/**
 * Majordomo (MDP/0.1) client and worker on libzmq (zeromq.js, under Node), for the broker
 * tests. Each prints JSON lines on stdout.
 *
 *   node mdp_peer.mjs worker ENDPOINT SERVICE NAME HEARTBEAT_MS [hang]
 *     DEALER worker: READY, then answers each request with its body plus a last frame NAME.
 *     Heartbeats every HEARTBEAT_MS; reconnects (new socket, READY) after 3 silent intervals
 *     or on DISCONNECT. With "hang" it takes a request and never answers it.
 *     Prints {"event":"ready"} after each READY, {"event":"request","body":[...]} per request.
 *   node mdp_peer.mjs client ENDPOINT SERVICE TIMEOUT_MS RETRIES BODY...
 *     REQ client, Lazy Pirate: on timeout a new socket and a resend, up to RETRIES times.
 *     Prints {"event":"attempt","n":N} per try, then {"reply":[...],"attempts":N} and exits 0,
 *     or exits 3 when every try timed out.
 */
import * as zmq from "zeromq";

const MDPC = "MDPC01";
const MDPW = "MDPW01";
const [role, endpoint, service, ...rest] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const str = (f) => Buffer.from(f).toString("utf8");

function worker(name, heartbeatMs, hang) {
  let sock;
  let chain = Promise.resolve();
  let lastHeard = Date.now();
  const send = (frames) => {
    const s = sock;
    chain = chain.then(() => s.send(frames)).catch(() => {});
    return chain;
  };
  const connect = () => {
    if (sock) sock.close();
    sock = new zmq.Dealer({ linger: 0 });
    sock.connect(endpoint);
    lastHeard = Date.now();
    const mine = sock;
    send(["", MDPW, Buffer.from([1]), service]).then(() => out({ event: "ready" }));
    (async () => {
      try {
        for await (const msg of mine) {
          lastHeard = Date.now();
          if (msg.length < 3 || str(msg[1]) !== MDPW) continue;
          const command = msg[2][0];
          if (command === 2) {
            const client = msg[3];
            const body = msg.slice(5);
            out({ event: "request", body: body.map(str) });
            if (!hang) await send(["", MDPW, Buffer.from([3]), client, "", ...body, name]);
          } else if (command === 5) {
            out({ event: "disconnected" });
            setImmediate(connect);
            return;
          }
        }
      } catch {
        // the socket was replaced
      }
    })();
  };
  connect();
  setInterval(() => {
    if (Date.now() - lastHeard > 3 * heartbeatMs) {
      out({ event: "reconnect" });
      connect();
    } else send(["", MDPW, Buffer.from([4])]);
  }, heartbeatMs);
}

async function client(timeout, retries, body) {
  for (let n = 1; n <= retries; n++) {
    out({ event: "attempt", n });
    const sock = new zmq.Request({ linger: 0, receiveTimeout: timeout });
    sock.connect(endpoint);
    try {
      await sock.send([MDPC, service, ...body]);
      const reply = await sock.receive();
      sock.close();
      // [MDPC01][service][body…]
      out({ reply: reply.map(str), attempts: n });
      process.exit(0);
    } catch (e) {
      sock.close();
      if (e.code !== "EAGAIN") throw e;
    }
  }
  process.exit(3);
}

if (role === "worker") worker(rest[0], Number(rest[1]), rest[2] === "hang");
else if (role === "client") client(Number(rest[0]), Number(rest[1]), rest.slice(2));
else {
  process.stderr.write("usage: mdp_peer.mjs worker|client ...\n");
  process.exit(2);
}
