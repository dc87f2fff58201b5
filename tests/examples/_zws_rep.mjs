// SPDX-License-Identifier: MIT
/**
 * A libzmq REP (zeromq.js, so Node only) bound on ws:// for tests/examples/browser_test.ts:
 *
 *   node tests/examples/_zws_rep.mjs 5555
 *
 * binds ws://127.0.0.1:<port>, prints "listening <endpoint>" once bound, and answers each
 * request with "reply:" + the request's frames joined by spaces. Ends on SIGTERM/SIGINT or
 * when its standard input closes.
 */
import process from "node:process";
import { Reply } from "zeromq";

const port = Number(process.argv[2] ?? 0);
const rep = new Reply({ linger: 0 });
await rep.bind(`ws://127.0.0.1:${port}`);
console.log(`listening ${rep.lastEndpoint}`);

const stop = () => {
  rep.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();

for await (const frames of rep) {
  await rep.send(`reply:${frames.map((f) => f.toString()).join(" ")}`);
}
