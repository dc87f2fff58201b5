// SPDX-License-Identifier: MIT
/**
 * CURVE handshakes per second on zmqkit (Deno or Bun), for bench/curve_bench.ts: the same
 * loop as handshakes.mjs — a CURVE server DEALER bound, then N clients in turn connect, send
 * one message the server receives, and close — both ends in this one process.
 *
 *   deno run -A bench/peers/handshakes.ts <count>     prints "handshakes: N [1/s]"
 */
import process from "node:process";
import { Dealer } from "../../mod.ts";

// libzmq's published test keys (doc/zmq_curve.txt): a benchmark, not a secret
const SERVER_SECRET = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
const SERVER_PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const CLIENT = {
  curvePublicKey: "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
  curveSecretKey: "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
};

const count = Number(process.argv[2] ?? 200);
const server = new Dealer({ curveServer: true, curveSecretKey: SERVER_SECRET, linger: 0 });
await server.bind("tcp://127.0.0.1:*");
const start = performance.now();
for (let i = 0; i < count; i++) {
  const client = new Dealer({ ...CLIENT, curveServerKey: SERVER_PUBLIC, linger: 0 });
  client.connect(server.lastEndpoint!);
  await client.send("hi"); // queued until the handshake is done
  await server.receive();
  client.close();
}
const secs = (performance.now() - start) / 1000;
console.log(`handshakes: ${Math.round(count / secs)} [1/s]`);
server.close();
process.exit(0);
