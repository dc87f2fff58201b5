// SPDX-License-Identifier: MIT
/**
 * A program for keep_alive_test.ts, run as a child process: `<mode> [endpoint]`. Each mode
 * ends without calling process.exit, so whether and when it exits is what is tested.
 */
import { Pull, Push, Request } from "../../mod.ts";

const [mode, endpoint] = process.argv.slice(2);
const enc = new TextEncoder();
const dec = new TextDecoder();

if (mode === "idle") {
  // bound, connected, one exchange done, nothing pending, never closed: the process ends
  const pull = new Pull({ heartbeatInterval: 50 });
  await pull.bind("tcp://127.0.0.1:*");
  const push = new Push({ heartbeatInterval: 50, reconnectInterval: 20 });
  push.connect(pull.lastEndpoint!);
  push.connect("tcp://127.0.0.1:1"); // a peer that is not there: retries must not hold either
  await push.send("x");
  await pull.receive();
  console.log("idle: done");
} else if (mode === "waiting") {
  // a receive waiting holds the process until the message comes, then it ends
  const pull = new Pull();
  await pull.bind("tcp://127.0.0.1:*");
  console.log(`bound ${pull.lastEndpoint}`);
  const [m] = await pull.receive();
  console.log(`got ${dec.decode(m)}`);
} else if (mode === "linger") {
  // messages queued at close() are delivered before the process ends
  const push = new Push();
  push.connect(endpoint!);
  for (let i = 0; i < 1000; i++) await push.send(enc.encode(`m${i}`));
  push.close();
  console.log("linger: closed");
} else if (mode === "events") {
  // a listener waiting for an event holds the process, until the socket is closed
  const push = new Push();
  const handshake = new Promise((r) => push.events.on("handshake", r));
  push.connect(endpoint!);
  await handshake;
  console.log("events: handshake");
  push.close();
} else if (mode === "request") {
  // a REQ waiting for its reply holds the process; the reply lets it end
  const req = new Request();
  req.connect(endpoint!);
  await req.send("ping");
  const [reply] = await req.receive();
  console.log(`reply ${dec.decode(reply)}`);
}
