// SPDX-License-Identifier: MIT
/**
 * The raw-TCP floor: libzmq's perf-tool command lines and printed lines, over plain
 * `node:net` with ZMTP-shaped frames (2- or 9-byte header, no greeting, no handshake). The
 * sender writes ~256 KiB batches; the receiver parses every header but creates no message
 * objects. Runs unchanged on Node, Deno and Bun, so each runtime gets its own floor:
 *
 *   node|deno run -A|bun bench/peers/raw_tcp.mjs local_thr|remote_thr|local_lat|remote_lat <tcp://host:port> <size> <count>
 */
import * as net from "node:net";
import process from "node:process";

const [tool, endpoint, sizeText, countText] = process.argv.slice(2);
const size = Number(sizeText);
const count = Number(countText);
const m = /^tcp:\/\/(.+):(\d+|\*)$/.exec(endpoint ?? "");
if (!m || !Number.isInteger(size) || !Number.isInteger(count) || count < 1) {
  console.error(
    "usage: raw_tcp.mjs local_thr|remote_thr|local_lat|remote_lat tcp://host:port <size> <count>",
  );
  process.exit(1);
}
const host = m[1];
const port = m[2] === "*" ? 0 : Number(m[2]);
const now = () => performance.now();

function frame() {
  const long = size > 255;
  const f = new Uint8Array((long ? 9 : 2) + size);
  if (long) {
    f[0] = 2;
    new DataView(f.buffer).setUint32(5, size);
  } else f[1] = size;
  return f;
}

/** Counts frames in a byte stream, header by header; calls onFrame per complete frame. */
function parser(onFrame) {
  let need = 0; // body bytes still to skip
  const hdr = new Uint8Array(9);
  let have = 0, want = 0;
  return (chunk) => {
    let i = 0;
    const len = chunk.length;
    while (i < len) {
      if (need > 0) {
        const k = Math.min(need, len - i);
        need -= k;
        i += k;
        if (need === 0 && onFrame()) return;
        continue;
      }
      if (have === 0) {
        want = chunk[i] & 2 ? 9 : 2;
        if (len - i >= want) {
          need = want === 2
            ? chunk[i + 1]
            : chunk[i + 5] * 2 ** 24 + (chunk[i + 6] << 16 | chunk[i + 7] << 8 | chunk[i + 8]);
          i += want;
          if (need === 0 && onFrame()) return;
          continue;
        }
      }
      hdr[have++] = chunk[i++];
      if (have === want) {
        need = want === 2 ? hdr[1] : new DataView(hdr.buffer).getUint32(5);
        have = 0;
        if (need === 0 && onFrame()) return;
      }
    }
  };
}

function listen(onConn) {
  const server = net.createServer({ noDelay: true }, (sock) => {
    sock.setNoDelay(true);
    onConn(sock, server);
  });
  server.listen(port, host, () => console.error(`bound tcp://${host}:${server.address().port}`));
}

function connect(onConn) {
  const sock = net.connect({ host, port, noDelay: true }, () => onConn(sock));
  sock.setNoDelay(true);
}

const tools = {
  local_thr: () =>
    listen((sock, server) => {
      let n = 0, start = 0;
      sock.on(
        "data",
        parser(() => {
          if (++n === 1) start = now();
          if (n < count) return false;
          const us = Math.max(1, (now() - start) * 1000);
          const thr = (count / us) * 1e6;
          console.log(`message size: ${size} [B]\nmessage count: ${count}`);
          console.log(`mean throughput: ${Math.trunc(thr)} [msg/s]`);
          console.log(`mean throughput: ${((thr * size * 8) / 1e6).toFixed(3)} [Mb/s]`);
          sock.destroy();
          server.close();
          return true;
        }),
      );
    }),
  remote_thr: () =>
    connect((sock) => {
      const f = frame(size);
      const per = Math.max(1, Math.floor((256 * 1024) / f.length));
      const batch = new Uint8Array(per * f.length);
      for (let k = 0; k < per; k++) batch.set(f, k * f.length);
      let left = count;
      const pump = () => {
        while (left > 0) {
          const k = Math.min(per, left);
          left -= k;
          if (!sock.write(batch.subarray(0, k * f.length))) return void sock.once("drain", pump);
        }
        sock.end();
      };
      pump();
      sock.on("error", () => {});
    }),
  local_lat: () =>
    listen((sock, server) => {
      const f = frame(size);
      let n = 0;
      sock.on(
        "data",
        parser(() => {
          sock.write(f);
          if (++n < count) return false;
          sock.end();
          server.close();
          return true;
        }),
      );
    }),
  remote_lat: () =>
    connect((sock) => {
      const f = frame(size);
      let n = 0;
      const start = now();
      sock.on(
        "data",
        parser(() => {
          if (++n < count) {
            sock.write(f);
            return false;
          }
          const us = (now() - start) * 1000;
          console.log(`message size: ${size} [B]\nroundtrip count: ${count}`);
          console.log(`average latency: ${(us / (2 * count)).toFixed(3)} [us]`);
          sock.destroy();
          return true;
        }),
      );
      sock.write(f);
    }),
};
if (!tools[tool]) {
  console.error(`unknown tool ${tool}`);
  process.exit(1);
}
tools[tool]();
