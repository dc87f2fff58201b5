// SPDX-License-Identifier: MIT
// `zmqkit cat rep|router --exec CMD`: rep prints each request as without --exec; a command that
// fails is reported with its exit code and, by default, answered with no reply
// (--on-exec-error reply-empty|skip|exit); the running command ends when zmqkit ends.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBinary, ipcEndpoint, killAll, lines, startZmqkit, WAIT, zmqkit } from "./_cli.ts";

let dir: string;
before(() => {
  ensureBinary();
  dir = mkdtempSync(join(tmpdir(), "zmqkit-exec-"));
});
after(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** Answers "ok <request>", or fails with exit code 7 for the request "fail". */
const FAIL_ON_FAIL = 'if [ "$ZMQKIT_FRAME_0" = fail ]; then exit 7; fi; echo "ok $ZMQKIT_FRAME_0"';

/** Resolves once `check()` returns a value, polling; fails after `ms` (a bound, not a measure). */
async function until<T>(check: () => T | undefined, what: string, ms = WAIT): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A pid the command wrote to `file`, once it is there. */
function pidIn(file: string): Promise<number> {
  return until(() => {
    if (!existsSync(file)) return undefined;
    const text = readFileSync(file, "utf8").trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  }, `a pid in ${file}`);
}

/** True while `pid` runs (a zombie, which nobody may reap in a container, counts as ended). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return false;
  }
}

describe("zmqkit cat rep --exec", () => {
  it("prints each request, as rep without --exec does", async () => {
    const ep = ipcEndpoint();
    const rep = startZmqkit(["cat", "rep", "-b", ep, "-n", "2", "-e", "tr a-z A-Z"]);
    const req = await zmqkit(["cat", "req", "-c", ep, "-t", String(WAIT)], {
      input: "q1\nq2\n",
    });
    assert.equal(req.code, 0, req.stderr);
    assert.deepEqual(lines(req.stdout), ["Q1", "Q2"]);
    const r = await rep.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ["q1", "q2"]);
  });

  it("sends no reply for a failing command by default, names its exit code, goes on", async () => {
    const ep = ipcEndpoint();
    const rep = startZmqkit(["cat", "rep", "-b", ep, "-n", "2", "-e", FAIL_ON_FAIL]);
    // no reply: the requester waits until its own timeout (exit 3)
    const first = await zmqkit(["cat", "req", "-c", ep, "-t", "1000"], { input: "fail\n" });
    assert.equal(first.code, 3, first.stderr);
    assert.equal(first.stdout.length, 0);
    await rep.waitStderr(/--exec: ".*" failed with exit code 7: no reply sent/);
    // the request was left unanswered: the same rep serves the next one
    const next = await zmqkit(["cat", "req", "-c", ep, "-t", String(WAIT)], { input: "next\n" });
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(lines(next.stdout), ["ok next"]);
    const r = await rep.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ["fail", "next"]);
  });

  it("--on-exec-error reply-empty answers a failing command with an empty frame", async () => {
    const ep = ipcEndpoint();
    const rep = startZmqkit([
      "cat",
      "rep",
      "-b",
      ep,
      "-n",
      "1",
      "-e",
      "exit 7",
      "--on-exec-error",
      "reply-empty",
    ]);
    const req = await zmqkit(["cat", "req", "-c", ep, "-t", String(WAIT), "-f", "json"], {
      input: '["q"]\n',
    });
    assert.equal(req.code, 0, req.stderr);
    assert.deepEqual(lines(req.stdout), ['[""]']);
    const r = await rep.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--exec: "exit 7" failed with exit code 7: sending an empty reply/);
  });

  it("--on-exec-error exit ends zmqkit with exit 1 at a failing command", async () => {
    const ep = ipcEndpoint();
    const rep = startZmqkit([
      "cat",
      "rep",
      "-b",
      ep,
      "-e",
      "zmqkit-no-such-command",
      "--on-exec-error",
      "exit",
    ]);
    const req = startZmqkit(["cat", "req", "-c", ep, "-t", String(WAIT)], { input: "q\n" });
    const r = await rep.done;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^zmqkit: --exec: "zmqkit-no-such-command" failed with exit code 127$/m);
    req.kill();
    const q = await req.done;
    assert.equal(q.stdout.length, 0, "no reply");
  });
});

describe("zmqkit cat router --exec", () => {
  it("sends nothing for a failing command (exit code or signal), answers the rest", async () => {
    const ep = ipcEndpoint();
    const router = startZmqkit([
      "cat",
      "router",
      "-b",
      ep,
      "-n",
      "3",
      "-e",
      `[ "$ZMQKIT_FRAME_0" = kill ] && kill -9 $$; ${FAIL_ON_FAIL}`,
    ]);
    const dealer = await zmqkit(["cat", "dealer", "-c", ep, "-n", "1", "-t", String(WAIT)], {
      input: "fail\nkill\nnext\n",
    });
    assert.equal(dealer.code, 0, dealer.stderr);
    assert.deepEqual(lines(dealer.stdout), ["ok next"]);
    const r = await router.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /failed with exit code 7: no reply sent/);
    assert.match(r.stderr, /failed with signal SIGKILL: no reply sent/);
  });
});

describe("zmqkit cat --exec ends its command with zmqkit", () => {
  const cases: Array<[string, string, NodeJS.Signals]> = [
    ["the command itself (exec)", "echo $$ > FILE; exec sleep 30", "SIGTERM"],
    ["what the shell started", "sleep 30 & echo $! > FILE; wait", "SIGTERM"],
    ["what the shell started, on SIGINT", "sleep 30 & echo $! > FILE; wait", "SIGINT"],
  ];
  let n = 0;
  for (const [what, command, signal] of cases) {
    it(`kills ${what} on ${signal}`, async () => {
      const file = join(dir, `pid-${n++}`);
      const ep = ipcEndpoint();
      const rep = startZmqkit(["cat", "rep", "-b", ep, "-e", command.replace("FILE", file)]);
      const req = startZmqkit(["cat", "req", "-c", ep, "-t", String(2 * WAIT)], {
        input: "q\n",
      });
      const pid = await pidIn(file);
      assert.ok(alive(pid), "the command runs");
      rep.kill(signal);
      const r = await rep.done;
      assert.ok(r.code !== 0, `zmqkit ended by ${signal}: ${r.code} ${r.signal}`);
      await until(() => alive(pid) ? undefined : true, `pid ${pid} to end`);
      req.kill();
      await req.done;
    });
  }
});
