// SPDX-License-Identifier: MIT
/**
 * A jszmq peer (npm `jszmq`, an independent ZWS 2.0 implementation on the `ws` package; it
 * speaks the bare `ZWS2.0` subprotocol) for tests/ws/jszmq_test.ts, run under Node:
 *
 *   node tests/ws/_jszmq_peer.mjs rep-bind PORT          answers each request with
 *                                                       "jszmq:" + request
 *   node tests/ws/_jszmq_peer.mjs req-connect URL N      sends "req 0" … "req N-1", one at a
 *                                                       time, prints "reply <text>" for each
 *   node tests/ws/_jszmq_peer.mjs dealer-connect URL     sends [big, "", "hello"] (big: 70000
 *                                                       bytes, byte i = i % 251), then echoes
 *                                                       every message with "jszmq" appended
 *   node tests/ws/_jszmq_peer.mjs sub-connect URL TOPIC  subscribes to TOPIC, prints each
 *                                                       message received
 *
 * Every role prints "ready" once bound or connecting, and each message it receives as
 * "got <n frames> <sizes, comma separated> <first frame as text, if short>". It runs until
 * killed (stdin closing ends it too).
 */
import { createRequire } from "node:module";
import { Buffer } from "node:buffer";

const require = createRequire(import.meta.url);
const zmq = require("jszmq");

const [role, where, arg] = process.argv.slice(2);
const say = (line) => process.stdout.write(line + "\n");
const describe = (frames) => {
  const first = frames[0] && frames[0].length <= 64 ? ` ${frames[0].toString("utf8")}` : "";
  return `got ${frames.length} ${frames.map((f) => f.length).join(",")}${first}`;
};

/** 70000 bytes (over 65535: a 64-bit WebSocket length), byte i = i % 251. */
export function big() {
  const b = Buffer.alloc(70000);
  for (let i = 0; i < b.length; i++) b[i] = i % 251;
  return b;
}

process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

switch (role) {
  case "rep-bind": {
    const rep = new zmq.Rep();
    rep.bind(`ws://127.0.0.1:${where}`);
    const server = rep.binds[0].server;
    server.on("error", (e) => {
      say(`error ${e.message}`);
      process.exit(1);
    });
    server.on("listening", () => say("ready"));
    rep.on("message", (...frames) => {
      say(describe(frames));
      rep.send(`jszmq:${frames[0].toString("utf8")}`);
    });
    break;
  }
  case "req-connect": {
    const req = new zmq.Req();
    const n = Number(arg);
    let i = 0;
    req.on("message", (...frames) => {
      say(`reply ${frames.map((f) => f.toString("utf8")).join("|")}`);
      if (++i < n) req.send(`req ${i}`);
      else say("done");
    });
    req.connect(where);
    req.send("req 0");
    say("ready");
    break;
  }
  case "dealer-connect": {
    const dealer = new zmq.Dealer();
    dealer.on("message", (...frames) => {
      say(describe(frames));
      dealer.send([...frames, "jszmq"]);
    });
    dealer.connect(where);
    dealer.send([big(), Buffer.alloc(0), "hello"]);
    say("ready");
    break;
  }
  case "sub-connect": {
    const sub = new zmq.Sub();
    sub.on("message", (...frames) => say(describe(frames)));
    sub.connect(where);
    sub.subscribe(arg);
    say("ready");
    break;
  }
  default:
    say(`error unknown role ${role}`);
    process.exit(2);
}
