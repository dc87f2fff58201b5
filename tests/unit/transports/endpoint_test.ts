// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ZmqError } from "../../../lib/internal.ts";
import { parseEndpoint } from "../../../lib/internal.ts";

function refused(ep: string, mode: "bind" | "connect", code = "EINVAL") {
  assert.throws(
    () => parseEndpoint(ep, mode),
    (e) => e instanceof ZmqError && e.code === code && e.address === ep,
    `${mode} ${JSON.stringify(ep)} should fail with ${code}`,
  );
}

describe("parseEndpoint", () => {
  it("tcp host:port for bind and connect", () => {
    for (const mode of ["bind", "connect"] as const) {
      assert.deepEqual(parseEndpoint("tcp://127.0.0.1:5555", mode), {
        transport: "tcp",
        host: "127.0.0.1",
        port: 5555,
      });
      assert.deepEqual(parseEndpoint("tcp://localhost:1", mode), {
        transport: "tcp",
        host: "localhost",
        port: 1,
      });
      assert.deepEqual(parseEndpoint("tcp://h:65535", mode), {
        transport: "tcp",
        host: "h",
        port: 65535,
      });
    }
  });

  it("bind wildcards: tcp://*:* and port 0 mean any interface, any port", () => {
    assert.deepEqual(parseEndpoint("tcp://*:*", "bind"), {
      transport: "tcp",
      host: "0.0.0.0",
      port: 0,
    });
    assert.deepEqual(parseEndpoint("tcp://*:5555", "bind"), {
      transport: "tcp",
      host: "0.0.0.0",
      port: 5555,
    });
    assert.deepEqual(parseEndpoint("tcp://127.0.0.1:0", "bind"), {
      transport: "tcp",
      host: "127.0.0.1",
      port: 0,
    });
  });

  it("connect refuses wildcards and port 0", () => {
    refused("tcp://*:*", "connect");
    refused("tcp://*:5555", "connect");
    refused("tcp://127.0.0.1:*", "connect");
    refused("tcp://127.0.0.1:0", "connect");
  });

  it("IPv6 only in brackets", () => {
    assert.deepEqual(parseEndpoint("tcp://[::1]:5555", "connect"), {
      transport: "tcp",
      host: "::1",
      port: 5555,
    });
    assert.deepEqual(parseEndpoint("tcp://[::1]:*", "bind"), {
      transport: "tcp",
      host: "::1",
      port: 0,
    });
    refused("tcp://::1:5555", "connect");
    refused("tcp://[::1:5555", "connect");
    refused("tcp://[127.0.0.1]:5555", "connect");
    refused("tcp://[]:5555", "bind");
  });

  it("refuses malformed tcp addresses with EINVAL", () => {
    for (
      const ep of [
        "tcp://",
        "tcp://127.0.0.1",
        "tcp://:5555",
        "tcp://127.0.0.1:",
        "tcp://127.0.0.1:abc",
        "tcp://127.0.0.1:65536",
        "tcp://127.0.0.1:123456",
        "tcp://127.0.0.1:-1",
        "tcp://127.0.0.1:5555;127.0.0.1:6666",
        "tcp://bad host:1",
        "tcp://a/b:1",
      ]
    ) {
      refused(ep, "bind");
      refused(ep, "connect");
    }
  });

  it("refuses strings without transport://", () => {
    for (const ep of ["", "127.0.0.1:5555", "://x", "tcp:/x:1", "tcp:127.0.0.1:1"]) {
      refused(ep, "connect");
    }
  });

  it("unknown transports are EPROTONOSUPPORT", () => {
    for (
      const ep of [
        "udp://127.0.0.1:5555",
        "pgm://eth0;239.0.0.1:5555",
        "tipc://x:1",
        "TCP://127.0.0.1:1",
      ]
    ) {
      refused(ep, "connect", "EPROTONOSUPPORT");
    }
  });

  it("ipc paths; refuses ipc://*, abstract names and paths over 107 bytes", () => {
    assert.deepEqual(parseEndpoint("ipc:///tmp/x.sock", "bind"), {
      transport: "ipc",
      path: "/tmp/x.sock",
    });
    assert.deepEqual(parseEndpoint("ipc://rel/x", "connect"), { transport: "ipc", path: "rel/x" });
    assert.deepEqual(parseEndpoint("ipc:///" + "a".repeat(106), "bind"), {
      transport: "ipc",
      path: "/" + "a".repeat(106),
    });
    refused("ipc:///" + "a".repeat(107), "bind");
    refused("ipc:///" + "é".repeat(54), "bind");
    refused("ipc://*", "bind");
    refused("ipc://@abstract", "bind");
    refused("ipc://", "bind");
  });

  it("inproc names", () => {
    assert.deepEqual(parseEndpoint("inproc://a-b/c:*", "bind"), {
      transport: "inproc",
      name: "a-b/c:*",
    });
    refused("inproc://", "connect");
  });

  it("a non-string endpoint is a TypeError", () => {
    assert.throws(() => parseEndpoint(5 as unknown as string, "bind"), TypeError);
  });
});
