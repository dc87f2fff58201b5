// SPDX-License-Identifier: MIT
/**
 * `zmqkit dump --pcap` reads its capture as a stream: `--pcap -` (stdin) prints what the file
 * prints; packets are shown while the capture is still being written (a live `tcpdump -w -`);
 * and a capture far bigger than memory should allow (200 MB made on the fly) goes through a
 * pipe with the process's VmRSS staying flat.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { ensureBinary, killAll, startZmqkit, watchMemory, zmqkit } from "../cli/_cli.ts";
import { bigCapture, messageCount } from "./_big_capture.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const MiB = 1024 * 1024;

before(() => ensureBinary());
after(() => killAll());

describe("zmqkit dump --pcap as a stream", () => {
  for (const file of ["dump/libzmq.pcap", "pcap/zmtp_req_rep_any_ns.pcap"]) {
    it(`prints the same for ${file} from stdin (--pcap -) as from the file`, async () => {
      const path = join(FIXTURES, file);
      for (const extra of [[], ["--json"]]) {
        const fromFile = await zmqkit(["dump", "--pcap", path, ...extra]);
        const fromStdin = await zmqkit(["dump", "--pcap", "-", ...extra], {
          input: readFileSync(path),
        });
        assert.equal(fromFile.code, 0, fromFile.stderr);
        assert.equal(fromStdin.code, 0, fromStdin.stderr);
        assert.match(fromFile.stdout.toString("utf8"), /greeting/);
        assert.equal(fromStdin.stdout.toString("utf8"), fromFile.stdout.toString("utf8"));
      }
    });
  }

  it("names stdin in its reports", async () => {
    const r = await zmqkit(["dump", "--pcap", "-"], { input: "not a capture at all" });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "zmqkit: stdin: offset 0: not a pcap or pcapng file (magic 0x6e6f7420)\n",
    );
    const cut = readFileSync(join(FIXTURES, "pcap/zmtp_req_rep_lo.pcap"));
    const t = await zmqkit(["dump", "--pcap", "-"], { input: cut.subarray(0, cut.length - 5) });
    assert.equal(t.code, 1);
    assert.match(
      t.stderr,
      /^zmqkit: stdin: offset \d+: truncated packet data \(\d+ of \d+ bytes\)\n$/,
    );
    assert.match(t.stdout.toString("utf8"), /greeting ZMTP 3\.1 NULL/);
  });

  for (const source of ["-", "/dev/stdin"]) {
    it(`shows packets as they arrive, before the capture ends (--pcap ${source})`, async (t) => {
      if (source === "/dev/stdin" && !existsSync(source)) return t.skip("no /dev/stdin here");
      await showsLive(source);
    });
  }

  async function showsLive(source: string): Promise<void> {
    const capture = Buffer.concat([...bigCapture(3 * 60_000)]);
    const fins = 2 * (16 + 54); // the last two records: a FIN each way, no payload
    const z = startZmqkit(["dump", "--pcap", source, "--json"]);
    z.write(capture.subarray(0, capture.length - fins + 7)); // and 7 bytes of the first FIN
    await z.waitLines(1 + 2 * 2 + 3); // open, a greeting and READY each way, three messages
    assert.doesNotMatch(z.stdout.toString("utf8"), /"type":"close"/);
    z.write(capture.subarray(capture.length - fins + 7));
    z.endInput();
    const r = await z.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString("utf8"), /"type":"close".*"reason":"fin"/);
  }

  it("reads a 200 MB capture from a pipe with flat memory", async () => {
    const total = 200 * 1000 * 1000;
    const z = startZmqkit(["dump", "--pcap", "-"], { timeout: 20_000 });
    const memory = watchMemory(z.child.pid!);
    const stdin = z.child.stdin!;
    for (const chunk of bigCapture(total, "pcapng")) {
      if (!stdin.write(chunk)) await new Promise((r) => stdin.once("drain", r));
    }
    z.endInput();
    const r = await z.done;
    const peak = memory?.stop();
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString("utf8");
    assert.equal(text.match(/ → msg /g)?.length, messageCount(total));
    assert.match(text, /close \(client sent \d+ B, server \d+ B\): fin\n$/);
    if (peak === undefined) return; // no /proc here: the memory check is skipped
    assert.ok(peak < 150 * MiB, `peak RSS ${(peak / MiB).toFixed(1)} MiB`);
  });
});
