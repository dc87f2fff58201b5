// SPDX-License-Identifier: MIT
/**
 * `zmqkit cat` is never silent about a connect that does not succeed (issue 13, item 3):
 * without -v, a connect still failing after a few seconds says so once on stderr, and a timeout
 * says that the peer never connected, and why.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { closedPort, ensureBinary, killAll, WAIT, zmqkit, ZmqkitProcess } from "./_cli.ts";

before(() => ensureBinary());
after(() => killAll());

describe("cat: a connect that does not succeed", () => {
  for (const type of ["pull", "push", "req"]) {
    it(`${type} -c to a closed port says so on stderr, once`, async () => {
      const ep = `tcp://127.0.0.1:${await closedPort()}`;
      const z = new ZmqkitProcess(["cat", type, "-c", ep], { keepStdin: true });
      try {
        const m = await z.waitStderr(
          /zmqkit: still connecting to (\S+) \(([^)]*)\), retrying\n/,
          WAIT,
        );
        assert.equal(m[1], ep);
        assert.equal(m[2], "connection refused");
      } finally {
        z.kill("SIGKILL");
        await z.done;
      }
      assert.equal(z.stderr.match(/still connecting/g)?.length, 1, z.stderr);
    });
  }

  it("req -t: the timeout says the peer never connected, and why", async () => {
    const ep = `tcp://127.0.0.1:${await closedPort()}`;
    const r = await zmqkit(["cat", "req", "-c", ep, "-t", "1000"], {
      input: Buffer.from("hello\n"),
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`${ep} never connected \\(connection refused\\)`));
  });

  it("-v shows the retries itself, so there is no extra notice", async () => {
    const ep = `tcp://127.0.0.1:${await closedPort()}`;
    const r = await zmqkit(["cat", "req", "-c", ep, "-t", "1000", "-v"], {
      input: Buffer.from("hello\n"),
    });
    assert.equal(r.code, 3, r.stderr);
    assert.doesNotMatch(r.stderr, /still connecting/);
  });
});
