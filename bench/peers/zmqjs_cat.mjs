// SPDX-License-Identifier: MIT
/**
 * The zeromq.js (libzmq) side of bench/cat_pipe_bench.ts: the same line pipe as
 * `zmqkit cat push|pull`, written plainly on zeromq.js under Node, as the baseline.
 *
 *   seq 1000000 | node bench/peers/zmqjs_cat.mjs push tcp://127.0.0.1:5555
 *   node bench/peers/zmqjs_cat.mjs pull tcp://127.0.0.1:5555 1000000 | wc -l
 *
 * push connects and sends one message per stdin line, then closes (linger: until sent).
 * pull binds, prints each message as a line, and exits after COUNT messages.
 */
import * as zmq from "zeromq";
import { once } from "node:events";

const [mode, endpoint, countText] = process.argv.slice(2);

async function push() {
  const sock = new zmq.Push({ linger: -1 });
  sock.connect(endpoint);
  let carry = null;
  for await (const chunk of process.stdin) {
    let start = 0;
    let i = chunk.indexOf(10);
    if (carry !== null && i >= 0) {
      await sock.send(Buffer.concat([carry, chunk.subarray(0, i)]));
      carry = null;
      start = i + 1;
      i = chunk.indexOf(10, start);
    } else if (carry !== null) {
      carry = Buffer.concat([carry, chunk]);
      continue;
    }
    while (i >= 0) {
      await sock.send(chunk.subarray(start, i));
      start = i + 1;
      i = chunk.indexOf(10, start);
    }
    if (start < chunk.length) carry = chunk.subarray(start);
  }
  if (carry !== null && carry.length > 0) await sock.send(carry);
  sock.close();
}

async function pull() {
  const count = Number(countText);
  const sock = new zmq.Pull();
  await sock.bind(endpoint);
  process.stderr.write(`bind ${sock.lastEndpoint}\n`);
  const nl = Buffer.from("\n");
  let parts = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    const ok = process.stdout.write(Buffer.concat(parts, size));
    parts = [];
    size = 0;
    if (!ok) await once(process.stdout, "drain");
  };
  for (let n = 0; n < count; n++) {
    const [msg] = await sock.receive();
    parts.push(msg, nl);
    size += msg.length + 1;
    if (size >= 65536) await flush();
  }
  await flush();
  sock.close();
}

await (mode === "push" ? push() : pull());
