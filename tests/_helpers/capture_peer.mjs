// SPDX-License-Identifier: MIT
/**
 * A libzmq client/server pair for capturing real PLAIN and CURVE handshakes, run under Node
 * (zeromq.js works only there):
 *
 *   node tests/_helpers/capture_peer.mjs '<config json>'
 *
 * config: { mode: "plain" | "plain-deny" | "curve", username?, password?,
 *           serverSecret?, serverPublic?, clientSecret?, clientPublic? (Z85) }
 *
 * 1. Binds a ROUTER server on tcp://127.0.0.1:* (PLAIN server with a ZAP handler that
 *    answers 200, or 400 for "plain-deny"; or CURVE server) and prints
 *    `{"endpoint": "tcp://127.0.0.1:N", "keyPair": {publicKey, secretKey}}` (a fresh
 *    zmq.curveKeyPair(), for cross-checking Z85 and X25519).
 * 2. Reads one line from stdin: the endpoint the DEALER client must connect to (a relay).
 * 3. The DEALER (routing id "cli") sends "hello"; the ROUTER answers "world". For
 *    "plain-deny" it waits for the client's handshake failure instead.
 * 4. Prints `{"done": true, ...}`, closes everything and exits.
 */
import * as zmq from "zeromq";
import { createInterface } from "node:readline";

const config = JSON.parse(process.argv[2] ?? "{}");
const print = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const deadline = setTimeout(() => {
  print({ done: false, error: "capture_peer timed out" });
  process.exit(2);
}, 20000);

async function zapHandler(status) {
  const zap = new zmq.Reply();
  await zap.bind("inproc://zeromq.zap.01");
  (async () => {
    for await (const request of zap) {
      const [version, id] = request;
      await zap.send([version, id, status, status === "200" ? "OK" : "Denied", "user", ""]);
    }
  })().catch(() => {});
  return zap;
}

async function main() {
  const sockets = [];
  const plain = config.mode === "plain" || config.mode === "plain-deny";
  if (plain) sockets.push(await zapHandler(config.mode === "plain-deny" ? "400" : "200"));
  const server = new zmq.Router(
    plain ? { plainServer: true } : { curveServer: true, curveSecretKey: config.serverSecret },
  );
  sockets.push(server);
  await server.bind("tcp://127.0.0.1:*");
  print({ endpoint: server.lastEndpoint, keyPair: zmq.curveKeyPair() });

  const lines = createInterface({ input: process.stdin });
  const relay = await new Promise((resolve) => lines.once("line", resolve));

  const client = new zmq.Dealer(
    plain ? { routingId: "cli", plainUsername: config.username, plainPassword: config.password } : {
      routingId: "cli",
      curveServerKey: config.serverPublic,
      curvePublicKey: config.clientPublic,
      curveSecretKey: config.clientSecret,
    },
  );
  sockets.push(client);
  const failed = new Promise((resolve) => {
    (async () => {
      for await (const event of client.events) {
        if (event.type.startsWith("handshake:error")) {
          resolve({ type: event.type, code: event.error?.code, status: event.error?.status });
          return;
        }
      }
    })().catch(() => {});
  });
  client.connect(relay);

  if (config.mode === "plain-deny") {
    print({ done: true, failure: await failed });
  } else {
    await client.send("hello");
    const [id, request] = await server.receive();
    await server.send([id, "world"]);
    const [reply] = await client.receive();
    print({ done: true, request: request.toString(), reply: reply.toString() });
  }
  for (const s of sockets) s.close();
  lines.close();
  clearTimeout(deadline);
}

main().catch((e) => {
  print({ done: false, error: String(e?.stack ?? e) });
  process.exit(1);
});
