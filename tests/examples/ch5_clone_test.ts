// SPDX-License-Identifier: MIT
/**
 * The Guide's chapter 5 Clone pattern, all six models (examples/ch5: clonesrv1–6,
 * clonecli1–6), each run as a subprocess on the runtime running the tests, on ports the OS
 * hands out. What each model exists for is made to happen and checked with exact counts:
 * every update reaches a client that was there first (model one); a client that joins late
 * gets the snapshot and then exactly the updates after it (two to five); clients' changes come
 * back in one order, so every map is the same at the same sequence number (three to six);
 * a subtree client holds its subtree only (four); values with a time to live are deleted by
 * the server and by every client (five); and with the primary of a Binary Star pair killed
 * (SIGKILL) mid-run, the clients go on with the backup and end with the same map as it, every
 * change kept (six). Maps are compared by the size and digest each program prints
 * (KvMap.digest()). libzmq (zeromq.js in a Node child) plays a Clone subscriber: a SUB and a
 * DEALER doing the snapshot-then-updates protocol against clonesrv5, reaching the map
 * clonecli5 has. No assertion depends on timing: waits are for lines, each bounded; intervals
 * are shortened by arguments.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { type Example, example, freeEndpoint, libzmqScope, lines, utf8, WAIT } from "./_run.ts";
import { createKvmsg, decodeKvmsg, encodeKvmsg, KvMap } from "../../mod.ts";

/** `[keys, digest]` of the last line matching `re` (whose last groups are those two). */
function mapOf(out: string, re: RegExp): [number, string] {
  const all = [...out.matchAll(new RegExp(re.source, "gm"))];
  const m = all.at(-1);
  assert.ok(m, `no line matching ${re} in:\n${out}`);
  return [Number(m[m.length - 2]), m[m.length - 1]!];
}
const MAP = String.raw`\(map: (\d+) keys, ([0-9a-f]{16})\)`;
/** `[keys, digest]` of a client's last "received update=N" line with N ≤ `upTo`. */
function mapUpTo(out: string, upTo: number): [number, string] {
  const all = [...out.matchAll(new RegExp(`^I: received update=(\\d+) ${MAP}$`, "gm"))]
    .filter((m) => Number(m[1]) <= upTo);
  const m = all.at(-1);
  assert.ok(m, `no update up to ${upTo} in:\n${out}`);
  return [Number(m[2]), m[3]!];
}

/** Three consecutive free ports P, P+1, P+2 (CHP's layout), as `tcp://127.0.0.1:P`. */
async function freeBase(): Promise<string> {
  const listen = (port: number) =>
    new Promise<ReturnType<typeof createServer> | undefined>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(undefined));
      server.listen(port, "127.0.0.1", () => resolve(server));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await listen(0);
    const port = (first!.address() as { port: number }).port;
    const rest = port < 65533 ? [await listen(port + 1), await listen(port + 2)] : [];
    const all = [first, ...rest];
    await Promise.all(all.map((s) => s && new Promise((r) => s.close(r))));
    if (rest.length === 2 && rest.every((s) => s !== undefined)) return `tcp://127.0.0.1:${port}`;
  }
  throw new Error("no three consecutive free ports");
}
async function kill(e: Example): Promise<void> {
  e.child.kill("SIGKILL");
  await e.exited;
}

describe("the Guide, chapter 5, Clone, as examples", () => {
  const { libzmq, closeAll } = libzmqScope();

  it("model one: a client up before the server publishes gets every update", async () => {
    try {
      const ep = await freeEndpoint();
      // publishing starts once one subscription has come in (an XPUB reports them)
      const server = example("ch5/clonesrv1.ts", ep, "--count", "500", "--subscribers", "1");
      const client = example("ch5/clonecli1.ts", ep, "--count", "500");
      assert.equal(await server.exit(), 0);
      assert.equal(await client.exit(), 0);
      const sent = mapOf(server.stdout, new RegExp(`^500 messages out ${MAP}$`));
      assert.deepEqual(mapOf(client.stdout, new RegExp(`^500 messages in ${MAP}$`)), sent);
      assert.ok(sent[0] > 400, "random keys below 10,000: few repeats in 500");
      assert.match(server.stdout, /^I: subscriber 1 of 1$/m);
    } finally {
      await closeAll();
    }
  });

  it("model two: a late joiner gets the snapshot, then exactly the updates after it", async () => {
    try {
      const [snapshot, publisher] = [await freeEndpoint(), await freeEndpoint()];
      const server = example(
        "ch5/clonesrv2.ts",
        snapshot,
        publisher,
        "--count",
        "40",
        "--pause-after",
        "20",
      );
      const early = example("ch5/clonecli2.ts", snapshot, publisher, "--until", "40");
      // the server has published 20 and waits: a client joining now is a late joiner
      await server.waitFor(/^I: stored update=20 /m);
      const at20 = mapOf(server.stdout, new RegExp(`^I: stored update=20 ${MAP}$`));
      const late = example("ch5/clonecli2.ts", snapshot, publisher, "--until", "40");
      await late.waitFor(/^Received snapshot=/m);
      assert.deepEqual(
        mapOf(late.stdout, /^Received snapshot=20 \((\d+) keys, ([0-9a-f]{16})\)$/),
        at20,
      );
      server.write("\n"); // the other 20
      assert.equal(await late.exit(), 0);
      assert.equal(await early.exit(), 0);
      const at40 = mapOf(server.stdout, new RegExp(`^I: stored update=40 ${MAP}$`));
      const final = new RegExp(`^(\\d+) updates applied, sequence=40 ${MAP}$`);
      assert.deepEqual(mapOf(late.stdout, final), at40);
      assert.match(late.stdout, /^20 updates applied, sequence=40 /m); // 21 to 40, each once
      assert.deepEqual(mapOf(early.stdout, final), at40);
      assert.equal(lines(server.stdout, /^I: sending snapshot=/).length, 2);
    } finally {
      await closeAll();
    }
  });

  it("model three: clients' changes come back in one order, and every map agrees; a late joiner too", async () => {
    try {
      const eps = [await freeEndpoint(), await freeEndpoint(), await freeEndpoint()];
      const server = example("ch5/clonesrv3.ts", ...eps);
      const client = (count: number, until: number) =>
        example(
          "ch5/clonecli3.ts",
          ...eps,
          "--count",
          String(count),
          "--interval",
          "20",
          "--until",
          String(until),
        );
      const [a, b] = [client(5, 10), client(5, 10)];
      assert.equal(await a.exit(), 0);
      assert.equal(await b.exit(), 0);
      const at = (n: number) =>
        mapOf(server.stdout, new RegExp(`^I: publishing update=\\s*${n} ${MAP}$`));
      const final = new RegExp(`^I: sequence=10 ${MAP}$`);
      assert.deepEqual(mapOf(a.stdout, final), at(10));
      assert.deepEqual(mapOf(b.stdout, final), at(10));
      // every update each of them applied matches the server's map at that number
      for (const out of [a.stdout, b.stdout]) {
        for (const m of out.matchAll(new RegExp(`^I: received update=(\\d+) ${MAP}$`, "gm"))) {
          assert.deepEqual([Number(m[2]), m[3]], at(Number(m[1])));
        }
      }
      const late = client(2, 12);
      assert.equal(await late.exit(), 0);
      assert.deepEqual(mapOf(late.stdout, new RegExp(`^I: received snapshot=10 ${MAP}$`)), at(10));
      assert.deepEqual(mapOf(late.stdout, new RegExp(`^I: sequence=12 ${MAP}$`)), at(12));
      assert.equal(lines(late.stdout, /^I: received update=/).length, 2);
      assert.equal(lines(server.stdout, /^I: publishing update=/).length, 12);
    } finally {
      await closeAll();
    }
  });

  it("model four: a subtree client gets its subtree only, in the snapshot and in the updates", async () => {
    try {
      const eps = [await freeEndpoint(), await freeEndpoint(), await freeEndpoint()];
      const server = example("ch5/clonesrv4.ts", ...eps);
      const client = (subtree: string, ...more: string[]) =>
        example("ch5/clonecli4.ts", ...eps, "--subtree", subtree, "--interval", "20", ...more);
      const a = client("/a/", "--count", "4");
      const b = client("/b/", "--count", "4");
      await server.waitFor(/^I: publishing update=\s*8 /m);
      for (const c of [a, b]) {
        await c.waitFor((out) => lines(out, /^I: received update=/).length === 4);
      }
      const late = client("/a/", "--count", "2", "--until", "10");
      assert.equal(await late.exit(), 0);
      // the snapshot: /a/'s keys only, the map a had after its four
      assert.deepEqual(
        mapOf(late.stdout, new RegExp(`^I: received snapshot=8 ${MAP}$`)),
        mapUpTo(a.stdout, 8),
      );
      await a.waitFor(/^I: received update=10 /m); // the late one's second change
      assert.deepEqual(
        mapOf(late.stdout, new RegExp(`^I: sequence=10 ${MAP}$`)),
        mapOf(a.stdout, new RegExp(`^I: received update=10 ${MAP}$`)),
      );
      assert.equal(lines(a.stdout, /^I: received update=/).length, 6); // its 4, the late one's 2
      assert.equal(lines(b.stdout, /^I: received update=/).length, 4); // its own only
      a.signal("SIGINT");
      b.signal("SIGINT");
      assert.equal(await a.exit(), 0);
      assert.equal(await b.exit(), 0);
      assert.match(b.stdout, / Interrupted\n/);
    } finally {
      await closeAll();
    }
  });

  it("model five: values with a time to live are deleted by the server and by every client", async () => {
    try {
      const eps = [await freeEndpoint(), await freeEndpoint(), await freeEndpoint()];
      const server = example("ch5/clonesrv5.ts", ...eps, "--ttl-interval", "100");
      const client = (...more: string[]) =>
        example("ch5/clonecli5.ts", ...eps, "--interval", "20", ...more);
      // 4 keys that live a second, 3 for ever: 7 updates, then 4 deletions
      const a = client("--count", "4", "--ttl", "1", "--name", "a", "--until", "11");
      const b = client("--count", "3", "--ttl", "0", "--name", "b", "--until", "11");
      assert.equal(await a.exit(), 0);
      assert.equal(await b.exit(), 0);
      const at11 = mapOf(server.stdout, new RegExp(`^I: publishing (?:update|delete)=11 ${MAP}$`));
      assert.equal(at11[0], 3);
      assert.equal(lines(server.stdout, /^I: publishing delete=/).length, 4);
      for (const c of [a, b]) {
        assert.deepEqual(mapOf(c.stdout, new RegExp(`^I: sequence=11 ${MAP}$`)), at11);
        assert.equal(lines(c.stdout, /^I: received delete=/).length, 4);
      }
      // a late joiner: the three that last, then its own
      const late = client("--count", "1", "--ttl", "0", "--name", "c", "--until", "12");
      assert.equal(await late.exit(), 0);
      assert.deepEqual(mapOf(late.stdout, new RegExp(`^I: received snapshot=11 ${MAP}$`)), at11);
      assert.deepEqual(
        mapOf(late.stdout, new RegExp(`^I: sequence=12 ${MAP}$`)),
        mapOf(server.stdout, new RegExp(`^I: publishing update=12 ${MAP}$`)),
      );
    } finally {
      await closeAll();
    }
  });

  it("model six: the primary killed mid-run, the clients go on with the backup and agree with it", async () => {
    try {
      const [p, b] = [await freeBase(), await freeBase()];
      const [sp, sb] = [await freeEndpoint(), await freeEndpoint()];
      const common = ["--heartbeat", "500", "--ttl-interval", "100"];
      const primary = example(
        "ch5/clonesrv6.ts",
        "-p",
        ...["--bind", p, "--peer", b, "--state-pub", sp, "--state-sub", sb, ...common],
      );
      const backup = example(
        "ch5/clonesrv6.ts",
        "-b",
        ...["--bind", b, "--peer", p, "--state-pub", sb, "--state-sub", sp, ...common],
      );
      await primary.waitFor(/^I: PRIMARY -> ACTIVE /m);
      await backup.waitFor(/^I: received snapshot=0 /m); // passive, following the primary
      // 2 × 20 changes, a key each, none expiring; 3 s of silence is a dead server
      const client = (name: string) =>
        example(
          "ch5/clonecli6.ts",
          p,
          b,
          ...[
            "--count",
            "20",
            "--interval",
            "100",
            "--ttl",
            "0",
            "--name",
            name,
            "--timeout",
            "3000",
          ],
        );
      const [c1, c2] = [client("c1"), client("c2")];
      await primary.waitFor(/^I: publishing update=10 /m);
      await kill(primary);
      // every change ends up at the backup: those the primary published, those it held
      const all = new RegExp(`^I: (?:publishing \\w+|received update)=\\d+ \\(map: 40 keys, `, "m");
      await backup.waitFor(all, 3 * WAIT);
      const fromBackup = new RegExp(`^I: received from ${b} \\w+=\\d+ \\(map: 40 keys, `, "m");
      await c1.waitFor(fromBackup, WAIT);
      await c2.waitFor(fromBackup, WAIT);
      const final = mapOf(
        backup.stdout,
        new RegExp(`^I: (?:publishing \\w+|received update)=\\d+ ${MAP}$`),
      );
      assert.equal(final[0], 40);
      for (const c of [c1, c2]) {
        assert.match(c.stdout, new RegExp(`^I: ${p} is silent, failing over$`, "m"));
        assert.match(c.stdout, new RegExp(`^I: received from ${b} snapshot=\\d+ `, "m"));
        c.signal("SIGINT");
        assert.equal(await c.exit(), 0);
        assert.deepEqual(mapOf(c.stdout, new RegExp(`^I: sequence=\\d+ ${MAP}$`)), final);
      }
      assert.match(backup.stdout, /^I: PASSIVE -> ACTIVE \(failover/m);
      assert.deepEqual(lines(backup.stdout, /^E:/), []);
      backup.signal("SIGINT");
      assert.equal(await backup.exit(), 0);
    } finally {
      await closeAll();
    }
  });

  it("a libzmq SUB and DEALER follow clonesrv5 (snapshot, then updates) to clonecli5's map", async () => {
    try {
      const eps = [await freeEndpoint(), await freeEndpoint(), await freeEndpoint()];
      const [snapshotEp, publisherEp, collectorEp] = eps as [string, string, string];
      const server = example("ch5/clonesrv5.ts", ...eps);
      const client = (...more: string[]) =>
        example("ch5/clonecli5.ts", ...eps, "--interval", "20", "--ttl", "0", ...more);
      const first = client("--count", "3", "--name", "a", "--until", "3");
      assert.equal(await first.exit(), 0);
      const at3 = mapOf(first.stdout, new RegExp(`^I: sequence=3 ${MAP}$`));

      // the libzmq subscriber: subscribe, wait for the connection, then ask for the snapshot
      const sub = await libzmq("SUB");
      await sub.subscribe(utf8("/client/"));
      await sub.connect(publisherEp);
      await sub.handshake(WAIT);
      const dealer = await libzmq("DEALER");
      await dealer.connect(snapshotEp);
      await dealer.send([utf8("ICANHAZ?"), utf8("/client/")]);
      const map = new KvMap("/client/");
      let sequence: number;
      for (;;) {
        const msg = decodeKvmsg(await dealer.receive(WAIT));
        if (msg.key === "KTHXBAI") {
          sequence = msg.sequence;
          assert.equal(new TextDecoder().decode(msg.body), "/client/");
          break;
        }
        map.store(msg);
      }
      assert.equal(sequence, 3);
      assert.deepEqual([map.size, map.digest()], at3);

      // three more from clonecli5, and one of its own through a libzmq PUSH
      const second = client("--count", "3", "--name", "b", "--until", "7");
      await server.waitFor(/^I: publishing update=6 /m);
      const push = await libzmq("PUSH");
      await push.connect(collectorEp);
      await push.send(encodeKvmsg(createKvmsg("/client/libzmq", "hello")));
      while (sequence < 7) {
        const msg = decodeKvmsg(await sub.receive(WAIT));
        if (msg.sequence <= sequence) continue;
        assert.equal(msg.sequence, sequence + 1);
        sequence = msg.sequence;
        map.store(msg);
      }
      assert.equal(await second.exit(), 0);
      assert.deepEqual(mapOf(second.stdout, new RegExp(`^I: sequence=7 ${MAP}$`)), [
        map.size,
        map.digest(),
      ]);
      assert.deepEqual(
        mapOf(server.stdout, new RegExp(`^I: publishing update=7 ${MAP}$`)),
        [map.size, map.digest()],
      );
      assert.equal(map.size, 7);
    } finally {
      await closeAll();
    }
  });
});
