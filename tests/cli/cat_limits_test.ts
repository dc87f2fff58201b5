// SPDX-License-Identifier: MIT
/**
 * `zmqkit cat` input is bounded: a line that never ends (`< /dev/zero`) stops the run with one
 * line on stderr and exit 2 once it passes --max-line, with the process's memory held to about
 * the limit while it reads (VmRSS sampled from /proc); the lines before it still go out; the
 * same bound covers `--in raw` (all of stdin is one message) and msgpack values.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ensureBinary,
  feed,
  ipcEndpoint,
  killAll,
  type Result,
  startZmqkit,
  watchMemory,
  zmqkit,
} from "./_cli.ts";

before(() => ensureBinary());
after(() => killAll());

const MiB = 1024 * 1024;

function oneLine(r: Result, code: number, line: string): void {
  assert.equal(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.equal(r.stderr, `zmqkit: ${line}\n`);
}

/** Runs `cat push` fed `total` bytes of "x" and no newline; returns its result and peak memory. */
async function endlessLine(args: string[], total: number) {
  const z = startZmqkit(["cat", "push", "-c", ipcEndpoint(), ...args], { timeout: 20_000 });
  const memory = watchMemory(z.child.pid!);
  const sent = await feed(z, new Uint8Array(MiB).fill(0x78), total);
  const r = await z.done;
  return { r, sent, peak: memory?.stop() };
}

describe("zmqkit cat --max-line", () => {
  it("stops an endless line at the limit, holding about that much memory", async () => {
    const { r, sent, peak } = await endlessLine(["--max-line", "1MiB"], 80 * MiB);
    oneLine(r, 2, "line 1 is longer than --max-line 1048576 bytes");
    assert.ok(sent < 80 * MiB, `it stopped reading early (${sent} bytes written)`);
    if (peak === undefined) return; // no /proc here: the memory check is skipped
    assert.ok(peak < 100 * MiB, `peak RSS ${(peak / MiB).toFixed(1)} MiB`);
  });

  it("defaults to 64 MiB", async () => {
    const { r, peak } = await endlessLine([], 80 * MiB);
    oneLine(r, 2, "line 1 is longer than --max-line 67108864 bytes");
    if (peak === undefined) return;
    assert.ok(peak < 64 * MiB + 100 * MiB, `peak RSS ${(peak / MiB).toFixed(1)} MiB`);
  });

  it("names the line: the ones before it pass, one of exactly the limit too", async () => {
    const r = await zmqkit(["cat", "push", "-c", ipcEndpoint(), "--max-line", "1KiB"], {
      input: `a\nb\n${"y".repeat(1024)}\n${"z".repeat(1025)}\nnever\n`,
    });
    oneLine(r, 2, "line 4 is longer than --max-line 1024 bytes");
  });

  it("counts lines the same way with -0 and in every line format", async () => {
    for (const [format, input] of [["hex", "6869\0aabbccdd"], ["json", '"a"\0["aa"]']]) {
      const r = await zmqkit(
        ["cat", "push", "-c", ipcEndpoint(), "--in", format!, "-0", "--max-line", "5"],
        { input: input! },
      );
      oneLine(r, 2, "line 2 is longer than --max-line 5 bytes");
    }
  });

  it("bounds all of stdin with --in raw, and each msgpack value", async () => {
    const raw = await zmqkit([
      "cat",
      "push",
      "-c",
      ipcEndpoint(),
      "--in",
      "raw",
      "--max-line",
      "1KB",
    ], {
      input: new Uint8Array(2048),
    });
    oneLine(
      raw,
      2,
      "input is longer than --max-line 1024 bytes (--in raw sends all of stdin as one message)",
    );
    // one small value, then an array holding a bin32 frame of 1 MiB that never completes
    const msgpack = Uint8Array.of(
      0x91,
      0xa2,
      0x68,
      0x69,
      0x91,
      0xc6,
      0,
      0x10,
      0,
      0,
      ...new Uint8Array(3000),
    );
    const r = await zmqkit([
      "cat",
      "push",
      "-c",
      ipcEndpoint(),
      "--in",
      "msgpack",
      "--max-line",
      "1000",
    ], {
      input: msgpack,
    });
    oneLine(r, 2, "message 2 is longer than --max-line 1000 bytes");
  });
});
