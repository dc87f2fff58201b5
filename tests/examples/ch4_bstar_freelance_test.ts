// SPDX-License-Identifier: MIT
/**
 * The Guide's chapter 4 Binary Star (examples/ch4: bstarsrv, bstarcli) and Freelance
 * (flserver1–3, flclient1–3) programs, each run as a subprocess on the runtime running the
 * tests, on ports the OS hands out. Each test brings about the failure its pattern exists
 * for: the active server of a Binary Star pair killed (SIGKILL), then the other one; a
 * primary that dies with no client asking (the backup must stay passive: no split brain);
 * a Freelance server down, or hung holding a request and then killed. Faults are exact:
 * a kill once an example says where it is, or a server's own --hang-after. What is counted
 * exactly is what the client gets (every reply, once, in order) and which server did what;
 * how many tries a failover took is not, as a slow moment of the machine can cost one more.
 * Intervals are shortened by arguments, with room to spare. libzmq (zeromq.js in a Node
 * child) plays a Lazy Pirate client against bstarsrv, REP servers for flclient1 and
 * flclient2, and an FLP server (a ROUTER whose routing id is its endpoint) for flclient3.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect as tcpConnect } from "node:net";
import {
  type Example,
  example,
  freeEndpoint,
  libzmqScope,
  lines,
  oneTo,
  pirateReplies as replies,
  sleep,
  text,
  utf8,
  WAIT,
} from "./_run.ts";

/** The numbers in a server's "I: answered request (n)" or "I: request (n)" lines. */
const answered = (out: string) =>
  [...out.matchAll(/^I: (?:answered )?request \((\d+)\)$/gm)].map((m) => Number(m[1]));

/** Resolves once something accepts TCP connections on `endpoint` (bounded by WAIT). */
async function listening(endpoint: string): Promise<void> {
  const { hostname, port } = new URL(endpoint.replace("tcp://", "http://"));
  const deadline = Date.now() + WAIT;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(Number(port), hostname, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${endpoint}`);
    await sleep(50);
  }
}

/** Resolves once `test()` holds (checked every 20 ms); rejects after WAIT. */
async function eventually(test: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Kills an example outright (no chance to close anything) and waits for it to be gone. */
async function kill(e: Example): Promise<void> {
  e.child.kill("SIGKILL");
  await e.exited;
}

describe("the Guide, chapter 4, Binary Star and Freelance, as examples", () => {
  const { libzmq, closeAll } = libzmqScope();

  describe("Binary Star: bstarsrv.ts / bstarcli.ts", () => {
    // heartbeat 500 ms: a server is dead to its peer after 1 s of silence. The client waits
    // 1.5 s for a reply and 1.2 s more before its vote on the other server, well past the 1 s.
    const HB = "500";
    /** A pair's endpoints: each server's frontend and state publisher. */
    const pair = async () => ({
      front: [await freeEndpoint(), await freeEndpoint()] as const,
      state: [await freeEndpoint(), await freeEndpoint()] as const,
    });
    type Pair = Awaited<ReturnType<typeof pair>>;
    const server = (p: Pair, primary: boolean) => {
      const [me, peer] = primary ? [0, 1] as const : [1, 0] as const;
      return example(
        "ch4/bstarsrv.ts",
        primary ? "-p" : "-b",
        "-v",
        "--frontend",
        p.front[me],
        "--state-pub",
        p.state[me],
        "--state-sub",
        p.state[peer],
        "--heartbeat",
        HB,
      );
    };

    it("the active server killed: the client's next try makes the other one active and it answers, both ways", async () => {
      try {
        const p = await pair();
        const primary = server(p, true);
        const backup = server(p, false);
        await primary.waitFor(/^I: PRIMARY -> ACTIVE \(the backup is up and waiting\)$/m);
        await backup.waitFor(/^I: BACKUP -> PASSIVE \(the primary is active\)$/m);
        const client = example(
          "ch4/bstarcli.ts",
          p.front[0],
          p.front[1],
          "0",
          "1500",
          "1200",
          "50",
        );
        const got = (n: number) => client.waitFor((out) => replies(out).length >= n);
        await got(3);
        await kill(primary);
        // the client times out on the primary, and its vote on the backup is the failover
        await backup.waitFor(
          /^I: PASSIVE -> ACTIVE \(failover: the peer is silent and a client asked\)$/m,
        );
        await got(replies(client.stdout).length + 3);
        // the primary restarted finds the backup active: it stands by
        const primary2 = server(p, true);
        await primary2.waitFor(/^I: PRIMARY -> PASSIVE \(the backup is already active\)$/m);
        await got(replies(client.stdout).length + 2);
        await kill(backup); // and the client fails back to it
        await primary2.waitFor(
          /^I: PASSIVE -> ACTIVE \(failover: the peer is silent and a client asked\)$/m,
        );
        await got(replies(client.stdout).length + 3);
        await client.stop();

        const all = replies(client.stdout);
        assert.deepEqual(all, oneTo(all.length)); // every reply, once, in order
        assert.ok(lines(client.stdout, /^W: no response from server, failing over$/).length >= 2);
        assert.deepEqual(lines(client.stdout, /^E:/), []);
        // who answered: the primary first, then the backup, then the primary again, and
        // between them every request (one may have been answered twice: a reply lost in a kill)
        const [a, b, c] = [
          answered(primary.stdout),
          answered(backup.stdout),
          answered(primary2.stdout),
        ];
        assert.deepEqual(a, oneTo(a.length));
        assert.ok(Math.max(...a) < Math.min(...b) + 1 && Math.max(...b) < Math.min(...c) + 1);
        // (the last may have been answered after the client printed its last reply, and stopped)
        const served = [...new Set([...a, ...b, ...c])];
        assert.deepEqual(served.slice(0, all.length), all);
        assert.ok(served.length <= all.length + 1);
        assert.deepEqual(lines(primary2.stdout, / -> /), [
          "I: PRIMARY -> PASSIVE (the backup is already active)",
          "I: PASSIVE -> ACTIVE (failover: the peer is silent and a client asked)",
        ]);
        for (const s of [primary, backup, primary2]) assert.deepEqual(lines(s.stdout, /^E:/), []);
      } finally {
        await closeAll();
      }
    });

    it("no split brain: the primary dead and no client asking, the backup stays passive; a libzmq REQ's request then makes it active", async () => {
      try {
        const p = await pair();
        const primary = server(p, true);
        const backup = server(p, false);
        await backup.waitFor(/^I: BACKUP -> PASSIVE \(the primary is active\)$/m);
        // a libzmq REQ asking the backup while the primary lives: dropped, no answer
        let req = await libzmq("REQ");
        await req.connect(p.front[1]);
        await req.send([utf8("1")]);
        await backup.waitFor(/^I: refused request \(1\) as PASSIVE$/m);
        await req.close(); // it waits for a reply that will never come: a new socket (Lazy Pirate)

        await kill(primary);
        await backup.waitFor(/^W: peer is silent \(this server is PASSIVE\)$/m);
        await sleep(3 * Number(HB)); // three more heartbeats without a client: nothing happens
        assert.deepEqual(lines(backup.stdout, /-> ACTIVE/), []);

        req = await libzmq("REQ");
        await req.connect(p.front[1]);
        await req.send([utf8("2")]);
        assert.deepEqual((await req.receive(WAIT)).map(text), ["2"]); // the vote: it took over
        await backup.waitFor(/^I: answered request \(2\)$/m);
        const out = backup.stdout.split("\n");
        assert.deepEqual(out.slice(out.lastIndexOf("W: peer is silent (this server is PASSIVE)")), [
          "W: peer is silent (this server is PASSIVE)",
          "I: PASSIVE -> ACTIVE (failover: the peer is silent and a client asked)",
          "I: answered request (2)",
          "",
        ]);
        assert.deepEqual(lines(backup.stdout, / -> /), [
          "I: BACKUP -> PASSIVE (the primary is active)",
          "I: PASSIVE -> ACTIVE (failover: the peer is silent and a client asked)",
        ]);
        // Ctrl-C ends it cleanly
        backup.signal("SIGINT");
        assert.equal(await backup.exit(), 0);
        assert.match(backup.stdout, /W: interrupted\n$/);
      } finally {
        await closeAll();
      }
    });
  });

  describe("Freelance, model one: flserver1.ts / flclient1.ts", () => {
    it("a server down: the client tries it once, then the next, which answers", async () => {
      try {
        const [down, up] = [await freeEndpoint(), await freeEndpoint()];
        const server = example("ch4/flserver1.ts", up, "-v");
        await listening(up);
        // (2 s for a reply: the live server's must come within it, even on a slow machine)
        const client = example("ch4/flclient1.ts", down, up, "--timeout", "2000");
        assert.equal(await client.exit(), 0);
        assert.equal(
          client.stdout,
          `I: trying echo service at ${down}…\nW: no response from ${down}\n` +
            `I: trying echo service at ${up}…\nI: service is running OK (Hello world)\n`,
        );
        await server.waitFor(/^I: request \(Hello world\)$/m);
        // one server only, and it is down: three tries, then the client gives up
        const alone = example("ch4/flclient1.ts", down, "--timeout", "200", "--retries", "3");
        assert.equal(await alone.exit(), 1);
        assert.equal(lines(alone.stdout, /^W: no response from .*, retrying…$/).length, 3);
        assert.match(alone.stdout, /E: no server answered\n$/);
      } finally {
        await closeAll();
      }
    });

    it("a libzmq REP as the server that answers", async () => {
      try {
        const [down, up] = [await freeEndpoint(), await freeEndpoint()];
        const rep = await libzmq("REP");
        await rep.bind(up);
        // several servers, each tried once: the first answers, the second is never tried
        const client = example("ch4/flclient1.ts", up, down, "--timeout", "5000");
        const request = await rep.receive(WAIT);
        assert.deepEqual(request.map(text), ["Hello world"]);
        await rep.send(request);
        assert.equal(await client.exit(), 0);
        assert.equal(
          client.stdout,
          `I: trying echo service at ${up}…\nI: service is running OK (Hello world)\n`,
        );
      } finally {
        await closeAll();
      }
    });
  });

  describe("Freelance, model two: flserver2.ts / flclient2.ts", () => {
    it("one of three servers hangs holding a request and is killed: every request is answered", async () => {
      try {
        const eps = [await freeEndpoint(), await freeEndpoint(), await freeEndpoint()];
        const a = example("ch4/flserver2.ts", eps[0]!, "-v", "--hang-after", "5");
        const b = example("ch4/flserver2.ts", eps[1]!, "-v");
        const c = example("ch4/flserver2.ts", eps[2]!, "-v");
        for (const ep of eps) await listening(ep);
        const client = example("ch4/flclient2.ts", ...eps, "--requests", "500");
        await a.waitFor(/^I: hanging, holding request \(\d+\)$/m);
        await kill(a);
        assert.equal(await client.exit(), 0);
        assert.match(client.stdout, /^I: 500 replies, average round trip cost: \d+ usec$/m);
        assert.deepEqual(lines(client.stdout, /^E:/), []);
        // A answered five copies and held its sixth; B and C between them answered every request
        assert.equal(answered(a.stdout).length, 5);
        assert.match(a.stdout, /I: hanging, holding request \(\d+\)\n$/);
        const bc = () => new Set([...answered(b.stdout), ...answered(c.stdout)]);
        await eventually(() => oneTo(500).every((n) => bc().has(n)), "B and C to answer 1 to 500");
      } finally {
        await closeAll();
      }
    });

    it("a libzmq REP that answers three requests and goes away, beside one flserver2.ts", async () => {
      try {
        const [theirs, ours] = [await freeEndpoint(), await freeEndpoint()];
        const rep = await libzmq("REP");
        await rep.bind(theirs);
        const server = example("ch4/flserver2.ts", ours);
        await listening(ours);
        const client = example("ch4/flclient2.ts", theirs, ours, "--requests", "20");
        // the libzmq server gets a copy of each request, [sequence][body], in order
        for (const n of ["1", "2", "3"]) {
          const request = await rep.receive(WAIT);
          assert.deepEqual(request.map(text), [n, "random name"]);
          await rep.send([request[0]!, utf8("OK")]);
        }
        await rep.close(); // gone: its copies are lost, ours answers them all
        assert.equal(await client.exit(), 0);
        assert.match(client.stdout, /^I: 20 replies, average round trip cost: \d+ usec$/m);
        assert.deepEqual(lines(server.stdout, /^E:/), []);
      } finally {
        await closeAll();
      }
    });
  });

  describe("Freelance, model three: flserver3.ts / flclient3.ts", () => {
    // pings every 300 ms, a server dead after 1.5 s of silence, a try moved on after 400 ms,
    // a request given up after 5 s
    const TIMING = ["--ping", "300", "--ttl", "1500", "--retry", "400", "--timeout", "5000"];

    it("the server in use hangs holding a request and is killed: the others, up meanwhile, answer the rest", async () => {
      try {
        const eps = [await freeEndpoint(), await freeEndpoint(), await freeEndpoint()];
        // A alone at first, so that it is the one in use, whatever the start-up order
        const a = example("ch4/flserver3.ts", eps[0]!, eps[0]!, "-v", "--hang-after", "3");
        await listening(eps[0]!);
        // (request 4 waits for B or C for up to 10 s: their start-up, on a slow machine)
        const client = example(
          "ch4/flclient3.ts",
          ...eps,
          "--requests",
          "30",
          ...TIMING,
          "--timeout",
          "10000",
        );
        await a.waitFor(/^I: hanging, holding request \(4\)$/m);
        await kill(a); // dead, holding request 4; B and C come up only now
        const b = example("ch4/flserver3.ts", eps[1]!, eps[1]!, "-v");
        const c = example("ch4/flserver3.ts", eps[2]!, eps[2]!, "-v");
        assert.equal(await client.exit(), 0);
        assert.match(client.stdout, /^I: 30 replies, average round trip cost: \d+ usec$/m);
        assert.deepEqual(lines(client.stdout, /^E:/), []);
        // the client saw A go (its connection gone, or silent), and B or C, or both, come up
        assert.deepEqual(lines(client.stdout, new RegExp(`^[IW]: server ${eps[0]} is`)), [
          `I: server ${eps[0]} is up`,
          `W: server ${eps[0]} is down (${
            client.stdout.includes("(silent)") ? "silent" : "disconnected"
          })`,
        ]);
        // A answered 1 to 3; B and C between them 4, the one A held, to 30
        assert.deepEqual(answered(a.stdout), [1, 2, 3]);
        const bc = () => new Set([...answered(b.stdout), ...answered(c.stdout)]);
        await eventually(() => oneTo(30).slice(3).every((n) => bc().has(n)), "4 to 30 answered");
      } finally {
        await closeAll();
      }
    });

    it("a libzmq ROUTER whose routing id is its endpoint, as the only live server", async () => {
      try {
        const [down, theirs] = [await freeEndpoint(), await freeEndpoint()];
        const router = await libzmq("ROUTER", { routingId: utf8(theirs) });
        await router.bind(theirs);
        const client = example("ch4/flclient3.ts", down, theirs, "--requests", "5", ...TIMING);
        // the libzmq side of FLP: PING → PONG, [sequence][body] → [sequence]["OK"]
        const sequences: string[] = [];
        let pings = 0;
        while (sequences.length < 5) {
          const [id, control, ...body] = await router.receive(WAIT);
          if (text(control) === "PING") {
            pings++;
            await router.send([id!, utf8("PONG")]);
          } else {
            assert.deepEqual(body.map(text), ["random name"]);
            sequences.push(text(control));
            await router.send([id!, control!, utf8("OK")]);
          }
        }
        assert.equal(await client.exit(), 0);
        assert.deepEqual(sequences, ["1", "2", "3", "4", "5"]);
        assert.ok(pings >= 1);
        assert.match(client.stdout, /^I: 5 replies, average round trip cost: \d+ usec$/m);
        assert.match(client.stdout, new RegExp(`^I: server ${theirs} is up$`, "m"));
        assert.doesNotMatch(client.stdout, new RegExp(`server ${down} is up`));
      } finally {
        await closeAll();
      }
    });
  });
});
