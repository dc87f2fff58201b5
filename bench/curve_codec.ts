// SPDX-License-Identifier: MIT
/**
 * CURVE MESSAGE codec throughput, in process (no sockets): a client codec seals N frames
 * and a server codec opens them, at 64 B and 1 KiB. Rows: seal alone, open alone, seal+open,
 * and the floor under them — @noble's xsalsa20poly1305 encrypt/decrypt with the same sizes,
 * a fresh cipher object per frame as the codec uses it — so what the codec adds on top of the
 * cipher shows as the ratio.
 *
 *   deno run -A bench/curve_codec.ts [COUNT] [--runs N]
 *   bun bench/curve_codec.ts [COUNT] [--runs N]
 *
 * COUNT frames per size and row (default 20000); the median of N runs (default 5) is shown,
 * min and max beside it. Rates are per second of this process's CPU time (user + system),
 * which other load on the machine disturbs less than wall time; the wall-time median is shown
 * too. MB/s counts frame payload bytes (10^6 bytes per MB), per CPU second.
 */
import { cpuUsage } from "node:process";
import { xsalsa20poly1305 } from "@noble/ciphers/salsa.js";
import { CurveCodec } from "../lib/mechanisms/curve_codec.ts";
import { shortNonce } from "../lib/mechanisms/curve_commands.ts";

declare const Bun: unknown;
declare const Deno: { args: string[] } | undefined;
declare const process: { argv: string[] } | undefined;

const argv = typeof Deno !== "undefined" ? Deno.args : process?.argv.slice(2) ?? [];
const flag = argv.indexOf("--runs");
const RUNS = flag >= 0 ? Number(argv[flag + 1]) : 5;
const COUNT = Number(argv.find((a, i) => /^\d+$/.test(a) && argv[i - 1] !== "--runs") ?? 20000);
const RUNTIME = typeof Bun !== "undefined" ? "bun" : typeof Deno !== "undefined" ? "deno" : "node";
const KEY = new Uint8Array(32).map((_, i) => i * 7 + 1);

function codecs(): { client: CurveCodec; server: CurveCodec } {
  return {
    client: new CurveCodec(KEY.slice(), { sender: "client", next: 3, lastReceived: shortNonce(1) }),
    server: new CurveCodec(KEY.slice(), { sender: "server", next: 2, lastReceived: shortNonce(2) }),
  };
}

interface Took {
  wall: number;
  cpu: number;
}

/** Wall and CPU seconds to run `fn` once. */
function time(fn: () => void): Took {
  const c0 = cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = (performance.now() - t0) / 1000;
  const c = cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

type Row = { name: string; run: (size: number) => Took };

const rows: Row[] = [
  {
    name: "seal",
    run: (size) => {
      const { client } = codecs();
      const body = new Uint8Array(size);
      return time(() => {
        for (let i = 0; i < COUNT; i++) client.seal(body, false, false);
      });
    },
  },
  {
    name: "open",
    run: (size) => {
      const { client, server } = codecs();
      const body = new Uint8Array(size);
      const sealed = Array.from({ length: COUNT }, () => client.seal(body, false, false));
      return time(() => {
        for (let i = 0; i < COUNT; i++) server.open(sealed[i]!);
      });
    },
  },
  {
    name: "seal+open",
    run: (size) => {
      const { client, server } = codecs();
      const body = new Uint8Array(size);
      return time(() => {
        for (let i = 0; i < COUNT; i++) server.open(client.seal(body, false, false));
      });
    },
  },
  {
    name: "noble encrypt",
    run: (size) => {
      const plain = new Uint8Array(size + 1);
      const nonce = new Uint8Array(24);
      return time(() => {
        for (let i = 0; i < COUNT; i++) {
          nonce[23] = i & 0xff;
          nonce[22] = i >>> 8 & 0xff;
          nonce[21] = i >>> 16 & 0xff;
          xsalsa20poly1305(KEY, nonce).encrypt(plain);
        }
      });
    },
  },
  {
    name: "noble decrypt",
    run: (size) => {
      const nonce = new Uint8Array(24);
      const box = xsalsa20poly1305(KEY, nonce).encrypt(new Uint8Array(size + 1));
      return time(() => {
        for (let i = 0; i < COUNT; i++) xsalsa20poly1305(KEY, nonce).decrypt(box);
      });
    },
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

console.log(`curve_codec runtime=${RUNTIME} count=${COUNT} runs=${RUNS}`);
console.log(
  "size   row            frames/CPU-s (median)  min–max              MB/CPU-s  frames/s (wall)",
);
for (const size of [64, 1024]) {
  for (const row of rows) row.run(size); // warm-up
  const results = rows.map((row) => ({ row, took: [] as Took[] }));
  for (let r = 0; r < RUNS; r++) for (const res of results) res.took.push(res.row.run(size));
  for (const { row, took } of results) {
    const rates = took.map((t) => COUNT / t.cpu);
    const rate = median(rates);
    const wall = median(took.map((t) => COUNT / t.wall));
    console.log(
      `${String(size).padEnd(6)} ${row.name.padEnd(14)} ${fmt(rate).padStart(21)}   ` +
        `${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))}`.padEnd(21) +
        `${(rate * size / 1e6).toFixed(1).padStart(8)}  ${fmt(wall).padStart(15)}`,
    );
  }
}
