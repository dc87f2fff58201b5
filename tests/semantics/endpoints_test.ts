// Transport endpoints as libzmq resolves them: wildcards, ephemeral ports, IPv6 in brackets,
// host names, stale ipc socket files, errors with libzmq's codes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import { Pull, Push, ZmqError } from "../../mod.ts";
import { withTimeout } from "../_helpers/wait.ts";

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

async function roundTrip(
  bindEp: string,
  connectEp?: (resolved: string) => string,
): Promise<string> {
  const pull = new Pull();
  const push = new Push();
  try {
    await pull.bind(bindEp);
    push.connect(connectEp ? connectEp(pull.lastEndpoint!) : pull.lastEndpoint!);
    await push.send("ping");
    const [m] = await withTimeout(pull.receive(), 5000, `receive via ${bindEp}`);
    assert.equal(text(m), "ping");
    return pull.lastEndpoint!;
  } finally {
    push.close();
    pull.close();
  }
}

const port = (ep: string) => Number(ep.slice(ep.lastIndexOf(":") + 1));

describe("endpoints", () => {
  it("tcp://127.0.0.1:* binds an ephemeral port and reports it in lastEndpoint", async () => {
    const ep = await roundTrip("tcp://127.0.0.1:*");
    assert.match(ep, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(port(ep), 0);
  });

  it("tcp://*:0 binds all interfaces; a host name connects to it", async () => {
    const ep = await roundTrip("tcp://*:0", (r) => `tcp://localhost:${port(r)}`);
    assert.match(ep, /^tcp:\/\/0\.0\.0\.0:\d+$/);
  });

  it("IPv6 literals go in brackets, both ways", async () => {
    const ep = await roundTrip("tcp://[::1]:*");
    assert.match(ep, /^tcp:\/\/\[::1\]:\d+$/);
  });

  it("ipc binds over a stale socket file left by a dead process", async () => {
    const path = `/tmp/zmqkit-stale-${process.pid}-${Date.now()}.sock`;
    // a listener that goes away without unlinking its file, as a crashed process would leave it
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(path, () => r()));
    await new Promise<void>((r) => server.close(() => r()));
    fs.writeFileSync(path, ""); // whatever is there, bind replaces it
    await roundTrip(`ipc://${path}`);
    assert.equal(fs.existsSync(path), false, "the socket file is removed on close");
  });

  it("a port in use fails with EADDRINUSE", async () => {
    const a = new Pull();
    const b = new Pull();
    try {
      await a.bind("tcp://127.0.0.1:*");
      await assert.rejects(
        b.bind(a.lastEndpoint!),
        (e: unknown) => e instanceof ZmqError && e.code === "EADDRINUSE",
      );
    } finally {
      a.close();
      b.close();
    }
  });

  it("malformed endpoints and unknown transports are refused at once", () => {
    const s = new Push();
    try {
      assert.throws(() => s.connect("tcp://127.0.0.1"), { code: "EINVAL" });
      assert.throws(() => s.connect("tcp://127.0.0.1:*"), { code: "EINVAL" });
      assert.throws(() => s.connect("tcp://::1:5555"), { code: "EINVAL" });
      assert.throws(() => s.connect("tcp://127.0.0.1:70000"), { code: "EINVAL" });
      assert.throws(() => s.connect("pgm://eth0;239.0.0.1:5555"), { code: "EPROTONOSUPPORT" });
      assert.throws(() => s.connect("nonsense"), { code: "EINVAL" });
    } finally {
      s.close();
    }
  });
});
