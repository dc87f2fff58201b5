// SPDX-License-Identifier: MIT
// The acceptance pipe: `seq 1000000 | zmqkit cat push` into `zmqkit cat pull | wc -l` delivers
// every line, in order. Plus STREAM against plain TCP peers. Runs the built binary.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect, createServer, type Socket as NetSocket } from "node:net";
import { BIN, ensureBinary, ipcEndpoint, killAll, lines, startZmqkit } from "./_cli.ts";

before(() => ensureBinary());
after(() => killAll());

function sh(
  script: string,
  args: string[],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn("sh", ["-c", script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout!.on("data", (d) => out += d);
    p.stderr!.on("data", (d) => err += d);
    const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
    p.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe("zmqkit cat pipe", () => {
  it("seq 1000000 | cat push → cat pull | awk (line count) delivers all 1,000,000 lines in order", async () => {
    const ep = ipcEndpoint();
    const r = await sh(
      `"$0" cat pull -b "$1" -n 1000000 | awk 'END { print NR, $0 }' & p=$!
       seq 1000000 | "$0" cat push -c "$1"; echo "push=$?"; wait $p`,
      [BIN, ep],
    );
    assert.equal(r.err, "");
    assert.deepEqual(r.out.trim().split("\n").sort(), ["1000000 1000000", "push=0"]);
  });
});

describe("zmqkit cat stream", () => {
  it("shows raw TCP clients by id and answers the last one on an empty id", async () => {
    const z = startZmqkit(["cat", "stream", "-b", "tcp://127.0.0.1:0", "-n", "3"]);
    const ep = await z.boundEndpoint();
    const [host, port] = ep.slice("tcp://".length).split(":");
    const client: NetSocket = connect({ host: host!, port: Number(port) });
    let got = "";
    const answered = new Promise<void>((resolve) => {
      client.on("data", (d) => {
        got += d;
        if (got.includes("world")) resolve();
      });
    });
    client.write("hello");
    const [connected, hello] = await z.waitLines(2);
    assert.match(connected!, /^[0-9a-f]{10}\t$/); // the connect notification: id, empty body
    assert.equal(hello, `${connected}hello`);
    z.write("\tworld\n");
    await answered;
    client.end();
    z.endInput();
    const r = await z.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(lines(r.stdout)[2]!, /^[0-9a-f]{10}\t$/); // the disconnect notification
  });

  it("talks raw bytes to a TCP server with -f raw, ending when it hangs up", async () => {
    const server = createServer((s) => {
      let req = "";
      s.on("data", (d) => {
        req += d;
        if (req.endsWith("\r\n\r\n")) s.end(`you said ${JSON.stringify(req)}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const z = startZmqkit(
      ["cat", "stream", "-c", `tcp://127.0.0.1:${port}`, "-f", "raw", "-t", "10000"],
      { input: "GET / HTTP/1.0\r\n\r\n" },
    );
    const r = await z.done;
    server.close();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'you said "GET / HTTP/1.0\\r\\n\\r\\n"');
  });
});
