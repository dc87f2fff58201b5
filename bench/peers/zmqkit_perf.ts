// SPDX-License-Identifier: MIT
/**
 * libzmq's four perf tools' command lines on zmqkit (lib/bench, the code behind
 * `zmqkit bench`), for bench/harness.ts. Runs under Deno and Bun:
 *
 *   deno run -A bench/peers/zmqkit_perf.ts local_thr  <bind-to>    <size> <count>
 *   bun bench/peers/zmqkit_perf.ts          remote_thr <connect-to> <size> <count>
 *   … local_lat | remote_lat, likewise
 *
 * A fifth argument `keep` makes local_thr keep each message instead of releasing it;
 * `radio-dish` makes the throughput halves DISH (joined to "bench") and RADIO (e.g. over
 * udp://): the receiver stops at the count or 500 ms after its last message and adds
 * `messages received: N`, the sender prints `messages sent: N` and what its RADIO dropped.
 * With BENCH_CURVE=1 in the environment, the connection is CURVE: the bound half is the server,
 * with the test keys of libzmq's doc/zmq_curve.txt (the same as zmqjs_perf.mjs).
 *
 * Prints libzmq's lines on stdout; a bound half prints "bound <endpoint>" on stderr.
 *
 * It imports lib/bench itself, not lib/internal.ts as the rest of bench/ does: a measuring
 * process should carry what a program using zmqkit's sockets carries. lib/internal.ts also
 * brings the CLI's dump decoders and patterns, about 2 MB more heap at start on Deno, and in a
 * 0.3 s run that moves the first major GC into the measurement (PUSH→PULL 64 B: 0.89–0.99×
 * against 1.01–1.02× in paired runs; bench/RESULTS.md, 2026-12-02).
 */
import process from "node:process";
import { openLatClient, openLatServer } from "../../lib/bench/lat.ts";
import { openThrReceiver, openThrSender } from "../../lib/bench/thr.ts";
import { latLines, sendLines, thrLines } from "../../lib/bench/report.ts";

const [tool, endpoint, sizeText, countText, ...modes] = process.argv.slice(2);
const size = Number(sizeText);
const count = Number(countText);
if (!tool || !endpoint || !Number.isInteger(size) || !Number.isInteger(count) || count < 1) {
  console.error(
    "usage: zmqkit_perf.ts local_thr|remote_thr|local_lat|remote_lat <endpoint> <size> <count>",
  );
  process.exit(1);
}
const bind = tool.startsWith("local_");
// libzmq's published test keys: a benchmark, not a secret
const CURVE_SERVER = {
  curveServer: true,
  curveSecretKey: "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
};
const CURVE_CLIENT = {
  curveServerKey: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
  curvePublicKey: "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
  curveSecretKey: "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
};
const curve = process.env.BENCH_CURVE === "1";
const socketOptions = curve ? (bind ? CURVE_SERVER : CURVE_CLIENT) : undefined;
const pattern = modes.includes("radio-dish") ? "radio-dish" as const : undefined;
const o = { endpoint, bind, size, count, release: !modes.includes("keep"), socketOptions };
const announce = (ep: string) => bind && console.error(`bound ${ep}`);

switch (tool) {
  case "local_thr": {
    const half = await openThrReceiver({ ...o, pattern });
    announce(half.endpoint);
    console.log(thrLines(await half.run()).join("\n"));
    break;
  }
  case "remote_thr": {
    const r = await (await openThrSender({ ...o, pattern })).run();
    if (pattern) console.log(sendLines(r).join("\n"));
    // the socket has shut down, but the runtime may still hold bytes for the kernel: let
    // the process end by itself once the connection is closed (exiting now could drop them)
    setTimeout(() => process.exit(0), 10_000).unref();
    process.exitCode = 0;
    break;
  }
  case "local_lat": {
    const half = await openLatServer(o);
    announce(half.endpoint);
    await half.run();
    break;
  }
  case "remote_lat":
    console.log(latLines(await (await openLatClient(o)).run(), false).join("\n"));
    break;
  default:
    console.error(`unknown tool ${tool}`);
    process.exit(1);
}
if (tool !== "remote_thr") process.exit(0);
