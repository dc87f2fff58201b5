// SPDX-License-Identifier: MIT
// `zmqkit bench` for people: short flags that mean the same in every command, a connect that
// says it is still retrying, -t/--timeout, Ctrl-C keeping the partial result, and a size sweep
// printed as one table or CSV.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Command } from "commander";
import { buildProgram } from "../../cli/main.ts";
import { type EventSource, watchConnect } from "../../cli/connect_notice.ts";
import type { SocketEvent } from "../../lib/internal.ts";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BIN,
  closedPort,
  ensureBinary,
  killAll,
  lines,
  startZmqkit,
  WAIT,
  zmqkit,
} from "./_cli.ts";
import { parseSvg, texts } from "./_svg.ts";

before(() => ensureBinary());
after(() => killAll());

function walk(cmd: Command, path: string[], out: Array<{ path: string; cmd: Command }>): void {
  out.push({ path: path.join(" "), cmd });
  for (const sub of cmd.commands) walk(sub, [...path, sub.name()], out);
}

describe("short flags", () => {
  it("each short flag has one meaning (the same long name) across all commands", () => {
    const all: Array<{ path: string; cmd: Command }> = [];
    walk(buildProgram(), [], all);
    const meaning = new Map<string, { long: string; where: string }>();
    const clashes: string[] = [];
    for (const { path, cmd } of all) {
      for (const o of cmd.options) {
        if (o.short === undefined) continue;
        const long = o.long ?? o.short;
        const seen = meaning.get(o.short);
        if (seen === undefined) meaning.set(o.short, { long, where: path });
        else if (seen.long !== long) {
          clashes.push(`${o.short}: ${seen.long} in "${seen.where}", ${long} in "${path}"`);
        }
      }
    }
    assert.deepEqual(clashes, []);
    // what this was written against: bench's -t is cat's timeout, and -s/-d are gone
    assert.equal(meaning.get("-t")?.long, "--timeout");
    assert.equal(meaning.get("-s")?.long, "--subscribe");
    assert.equal(meaning.get("-d")?.long, "--delimiter");
  });

  it("bench no longer takes -s, -d or -t as size, duration or transport", async () => {
    for (const args of [["-s", "64"], ["-d", "1s"], ["-t", "ipc"]]) {
      const r = await zmqkit(["bench", "run", "thr", "-n", "1000", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    }
  });
});

describe("connect notice", () => {
  it("says once, after firstMs, that a connect is still retrying, with the reason", async () => {
    const listeners = new Map<string, Set<(e: SocketEvent) => void>>();
    const source: EventSource = {
      events: {
        on: (t, l) => listeners.set(t, (listeners.get(t) ?? new Set()).add(l)),
        off: (t, l) => listeners.get(t)?.delete(l),
      },
    };
    const emit = (e: Partial<SocketEvent>) => {
      for (const l of listeners.get(e.type!) ?? []) l(e as SocketEvent);
    };
    const written: string[] = [];
    const ep = "tcp://127.0.0.1:1";
    const watch = watchConnect(source, (s) => written.push(s), {
      endpoints: [ep],
      firstMs: 50,
      everyMs: 10_000,
    });
    emit(
      {
        type: "close",
        address: ep,
        error: Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
      } as never,
    );
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(written, [
      `zmqkit: still connecting to ${ep} (connection refused), retrying\n`,
    ]);
    emit({ type: "connect", address: ep } as never);
    assert.deepEqual(watch.waiting(), []);
    watch.stop();
    assert.equal([...listeners.values()].reduce((n, s) => n + s.size, 0), 0);
  });

  for (const half of ["thr", "lat"]) {
    it(`bench ${half} -c to a closed port says so on stderr within a few seconds`, async () => {
      const port = await closedPort();
      const z = startZmqkit(["bench", half, "-c", `tcp://127.0.0.1:${port}`]);
      try {
        const m = await z.waitStderr(
          /zmqkit: still connecting to (\S+) \(([^)]*)\), retrying\n/,
          WAIT,
        );
        assert.equal(m[1], `tcp://127.0.0.1:${port}`);
        assert.equal(m[2], "connection refused");
      } finally {
        z.kill("SIGKILL");
        await z.done;
      }
      assert.equal(z.stderr.match(/still connecting/g)?.length, 1, z.stderr);
    });
  }

  it("-t gives up with exit 3 when the peer is not there", async () => {
    const port = await closedPort();
    const r = await zmqkit(["bench", "lat", "-c", `tcp://127.0.0.1:${port}`, "-t", "300"], {
      timeout: WAIT,
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^zmqkit: no connection to tcp://127\\.0\\.0\\.1:${port} \\(connection refused\\)`,
      ),
    );
    const b = await zmqkit(["bench", "thr", "-b", "tcp://127.0.0.1:*", "-t", "200"], {
      timeout: WAIT,
    });
    assert.equal(b.code, 3, b.stderr);
    assert.match(b.stderr, /after 200 ms \(-t\/--timeout\)\n$/);
  });
});

/**
 * Runs `zmqkit ARGS` in the background of `sh`, sends it SIGINT after `ms`, and resolves with
 * its standard output and the status the shell saw (Deno's child_process hides the exit code
 * of a process it signalled). Bounded: the shell is killed after WAIT.
 */
function interruptAfter(args: string[], ms: number): Promise<{ out: string; status: number }> {
  const script = `"$0" "$@" & p=$!; sleep ${ms / 1000}; kill -INT $p; wait $p; echo "status=$?"`;
  const sh = spawn("sh", ["-c", script, BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  sh.stdout!.on("data", (d) => out += d);
  sh.stderr!.on("data", (d) => err += d);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sh.kill("SIGKILL");
      reject(new Error(`no exit after SIGINT; stderr: ${err}`));
    }, ms + WAIT);
    sh.once("close", () => {
      clearTimeout(timer);
      const m = /status=(\d+)\n$/.exec(out);
      if (!m) return reject(new Error(`no status in ${JSON.stringify(out)}; stderr: ${err}`));
      resolve({ out: out.slice(0, m.index), status: Number(m[1]) });
    });
  });
}

describe("Ctrl-C", () => {
  for (const what of ["thr", "lat"] as const) {
    it(`bench run ${what}: prints the partial result and exits 130`, async () => {
      const r = await interruptAfter(
        ["bench", "run", what, "-n", "1G", "-q", "--no-histogram"],
        1000,
      );
      assert.equal(r.status, 130, r.out);
      const out = r.out;
      const unit = what === "thr" ? "messages" : "round trips";
      const m = out.match(new RegExp(`\\(interrupted after (\\d+) ${unit}\\)\\n$`));
      assert.ok(m, out);
      assert.match(out, what === "thr" ? /message count: \d+\n/ : /roundtrip count: \d+\n/);
    });
  }

  it("bench run --json marks the row partial", async () => {
    const r = await interruptAfter(["bench", "run", "thr", "-n", "1G", "--json"], 1000);
    assert.equal(r.status, 130, r.out);
    const row = JSON.parse(r.out.split("\n")[0]!);
    assert.equal(row.partial, true);
    assert.equal(typeof row.count, "number");
  });
});

describe("bench run --sizes", () => {
  it("prints one table, one row per size", async () => {
    const r = await zmqkit(["bench", "run", "--sizes", "1,64,1KB", "-n", "2000"], {
      timeout: WAIT,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.equal(out[0], "throughput and latency by size (tcp):");
    assert.match(out[1]!, /^\s*size\s+msg\/s\s+MB\/s\s+avg µs\s+p50 µs\s+p99 µs$/);
    assert.deepEqual(out.slice(2).map((l) => l.trim().split(/\s+/)[0]), ["1B", "64B", "1KiB"]);
    for (const l of out.slice(2)) assert.equal(l.trim().split(/\s+/).length, 6, l);
  });

  it("--csv prints the same as CSV", async () => {
    const r = await zmqkit(["bench", "run", "thr", "--sizes", "1,64", "-n", "2000", "--csv"], {
      timeout: WAIT,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.equal(out[0], "size,msgs_per_s,mb_per_s");
    assert.equal(out.length, 3);
    assert.match(out[1]!, /^1,\d+,\d+\.\d{3}$/);
    assert.match(out[2]!, /^64,\d+,\d+\.\d{3}$/);
  });

  it("--plot writes an SVG with the msg/s and MB/s the table prints", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zmqkit-plot-"));
    try {
      const file = join(dir, "x.svg");
      const args = ["bench", "run", "thr", "--sizes", "64,1KB", "--count", "2000", "--plot", file];
      const r = await zmqkit(args, { timeout: WAIT });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stderr.split("\n").includes(`zmqkit: wrote ${file}`), r.stderr);
      const out = lines(r.stdout);
      assert.equal(out[0], "throughput by size (tcp):");
      const table = out.slice(2).map((l) => l.trim().split(/\s+/));
      assert.deepEqual(table.map((c) => c[0]), ["64B", "1KiB"]);
      const labels = texts(parseSvg(readFileSync(file, "utf8")));
      for (const [size, msgs, mb] of table) {
        assert.match(msgs!, /^\d+$/);
        assert.ok(labels.includes(`${msgs} msg/s`), `${size}: ${msgs} msg/s not in ${labels}`);
        assert.ok(labels.includes(`${mb} MB/s`), `${size}: ${mb} MB/s not in ${labels}`);
        assert.ok(labels.includes(size!), `size label ${size}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a bad size list and --size with --sizes", async () => {
    assert.equal((await zmqkit(["bench", "run", "--sizes", "1,x"])).code, 2);
    assert.equal((await zmqkit(["bench", "run", "--sizes", "1", "--size", "2"])).code, 2);
  });
});
