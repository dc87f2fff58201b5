// SPDX-License-Identifier: MIT
/**
 * CURVE handshakes per second on zeromq.js (libzmq 4.3.5), for bench/curve_bench.ts: one
 * process binds a CURVE server DEALER, then, N times in turn, a client DEALER connects and
 * sends one message, which the server receives (so the handshake is done), and closes. Both ends' cryptography runs in this process, as in
 * handshakes.ts for zmqkit.
 *
 *   node bench/peers/handshakes.mjs <count>      prints "handshakes: N [1/s]"
 */
import * as zmq from "zeromq";

// libzmq's published test keys (doc/zmq_curve.txt): a benchmark, not a secret
const SERVER_SECRET = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
const SERVER_PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const CLIENT = {
  curvePublicKey: "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
  curveSecretKey: "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
};

const count = Number(process.argv[2] ?? 200);
const server = new zmq.Dealer({ curveServer: true, curveSecretKey: SERVER_SECRET, linger: 0 });
await server.bind("tcp://127.0.0.1:*");
const start = process.hrtime.bigint();
for (let i = 0; i < count; i++) {
  const client = new zmq.Dealer({ ...CLIENT, curveServerKey: SERVER_PUBLIC, linger: 0 });
  client.connect(server.lastEndpoint);
  await client.send("hi"); // queued until the handshake is done
  await server.receive();
  client.close();
}
const secs = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`handshakes: ${Math.round(count / secs)} [1/s]`);
server.close();
