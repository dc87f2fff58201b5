// SPDX-License-Identifier: MIT
/**
 * The floor for a relay: node:net sockets piped both ways and nothing else, no decoding.
 * `bun bench/peers/raw_relay.mjs UPSTREAM_PORT` prints "relaying (127.0.0.1:PORT)" on stderr.
 */
import * as net from "node:net";

const upstream = Number(process.argv[2]);
const server = net.createServer({ noDelay: true }, (a) => {
  const b = net.connect({ host: "127.0.0.1", port: upstream, noDelay: true });
  a.pipe(b);
  b.pipe(a);
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
});
server.listen(0, "127.0.0.1", () => {
  process.stderr.write(`relaying (127.0.0.1:${server.address().port}) →\n`);
});
