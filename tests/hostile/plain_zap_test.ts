// SPDX-License-Identifier: MIT
/**
 * PLAIN and ZAP against hostile peers and faulty handlers (reliability.md item 25): a raw TCP
 * peer sends malformed PLAIN commands (P1–P3) and a ZAP handler answers badly or not at all
 * (P4 and libzmq's test_security_zap faults). Each time the bad connection is closed with the
 * right event, and a good client connecting afterwards is served.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AuthError,
  Dealer,
  ProtocolError,
  Router,
  type SocketEvent,
  ZAP_ENDPOINT,
  type ZapHandler,
} from "../../mod.ts";
import { bytes, command, greeting, MockPeer, properties } from "../_helpers/mock_peer.ts";
import { withTimeout } from "../_helpers/wait.ts";
import { zapRequestsWaiting } from "../../lib/internal.ts";

const WAIT = 5000;

/** PLAIN HELLO data written out by hand: length, username, length, password. */
function hello(user: string, pass: string): Uint8Array {
  return command("HELLO", bytes([user.length], user, [pass.length], pass));
}

/** The next handshake failure event of `socket`. */
function failure(socket: Dealer): Promise<SocketEvent> {
  return new Promise((resolve) => {
    const types = ["handshake:error:protocol", "handshake:error:auth", "handshake:error:other"];
    const on = (e: SocketEvent) => {
      if (!types.includes(e.type)) return;
      socket.events.off(on as never, on);
      resolve(e);
    };
    for (const t of types) socket.events.on(t as "handshake:error:protocol", on);
  });
}

/** A PLAIN server bound on tcp with `handler` (accepting admin/secret by default). */
async function server(handler?: ZapHandler): Promise<Dealer> {
  const s = new Dealer({
    plainServer: true,
    zapHandler: handler ??
      ((r) => {
        const [u, p] = r.credentials.map((c) => new TextDecoder().decode(c));
        return u === "admin" && p === "secret" ? { status: 200 } : { status: 400 };
      }),
    handshakeInterval: 2000,
  });
  await s.bind("tcp://127.0.0.1:*");
  return s;
}

/** A good PLAIN client gets a message through `s` afterwards. */
async function stillServes(s: Dealer): Promise<void> {
  const good = new Dealer({ plainUsername: "admin", plainPassword: "secret" });
  try {
    good.connect(s.lastEndpoint!);
    await good.send("still here?");
    const [m] = await withTimeout(s.receive(), WAIT, "a good client's message");
    assert.equal(new TextDecoder().decode(m), "still here?");
  } finally {
    good.close();
  }
}

describe("PLAIN server vs a hostile client", () => {
  const cases: Array<[string, Uint8Array, string]> = [
    [
      "P1: username length beyond the body",
      command("HELLO", bytes([200], "admin")),
      "ERR_ZMTP_MALFORMED_COMMAND_HELLO",
    ],
    [
      "P2: bytes after the password",
      command("HELLO", bytes([5], "admin", [6], "secret", "extra")),
      "ERR_ZMTP_MALFORMED_COMMAND_HELLO",
    ],
    [
      "P2: password shorter than its length",
      command("HELLO", bytes([5], "admin", [9], "secret")),
      "ERR_ZMTP_MALFORMED_COMMAND_HELLO",
    ],
    ["P3: the client sends WELCOME", command("WELCOME"), "ERR_ZMTP_UNEXPECTED_COMMAND"],
    [
      "P3: the client sends INITIATE first",
      command("INITIATE", properties(["Socket-Type", "DEALER"])),
      "ERR_ZMTP_UNEXPECTED_COMMAND",
    ],
    ["a data frame instead of HELLO", bytes([0, 5], "hello"), "ERR_ZMTP_UNEXPECTED_COMMAND"],
  ];
  for (const [name, bad, code] of cases) {
    it(`${name}: ${code}, and the server serves the next client`, async () => {
      const s = await server();
      const failed = failure(s);
      const peer = await MockPeer.connect(s.lastEndpoint!);
      try {
        peer.write(greeting("PLAIN"), bad);
        const e = await withTimeout(failed, WAIT, "a handshake failure");
        assert.equal(e.type, "handshake:error:protocol");
        assert.ok(e.error instanceof ProtocolError);
        assert.equal(e.error.code, code);
        await peer.waitClosed();
        await stillServes(s);
      } finally {
        peer.destroy();
        s.close();
      }
    });
  }

  for (const together of [false, true]) {
    it(`a client that sends INITIATE before ZAP answered is served after the answer${together ? " (one write)" : ""}`, async () => {
      let answer: (() => void) | undefined;
      const s = await server(() =>
        new Promise((resolve) => answer = () => resolve({ status: 200 }))
      );
      const peer = await MockPeer.connect(s.lastEndpoint!);
      const initiate = command("INITIATE", properties(["Socket-Type", "DEALER"]));
      try {
        if (together) peer.write(greeting("PLAIN"), hello("admin", "secret"), initiate);
        else peer.write(greeting("PLAIN"), hello("admin", "secret"));
        while (answer === undefined) await new Promise((r) => setTimeout(r, 5));
        if (!together) peer.write(initiate);
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(peer.received.length, 64, "nothing but the greeting before ZAP answers");
        answer();
        await peer.waitForSequence(bytes([4, 8, 7], "WELCOME"));
        await peer.waitForSequence(bytes([5], "READY"));
        peer.write(bytes([0, 2], "hi"));
        const [m] = await withTimeout(s.receive(), WAIT, "the client's message");
        assert.equal(new TextDecoder().decode(m), "hi");
      } finally {
        peer.destroy();
        s.close();
      }
    });
  }

  it("a client that sends many commands before ZAP answered is dropped", async () => {
    const s = await server(() => new Promise(() => {}));
    const failed = failure(s);
    const peer = await MockPeer.connect(s.lastEndpoint!);
    try {
      const ping = command("PING", bytes([0, 0]));
      peer.write(greeting("PLAIN"), hello("admin", "secret"), ping, ping, ping, ping, ping);
      const e = await withTimeout(failed, WAIT, "a handshake failure");
      assert.equal(e.error?.code, "ERR_ZMTP_UNEXPECTED_COMMAND");
      await peer.waitClosed();
    } finally {
      peer.destroy();
      s.close();
    }
  });
});

describe("PLAIN server with a faulty ZAP handler", () => {
  it("a handler that throws counts as 500: ERROR 500 to the client, auth event", async () => {
    const s = await server(() => {
      throw new Error("database down");
    });
    const failed = failure(s);
    const client = new Dealer({ plainUsername: "admin", plainPassword: "secret" });
    const refused = failure(client);
    try {
      client.connect(s.lastEndpoint!);
      const e = await withTimeout(failed, WAIT, "server failure");
      assert.ok(e.error instanceof AuthError);
      assert.equal(e.error.status, 500);
      assert.match(e.error.message, /database down/);
      const c = await withTimeout(refused, WAIT, "client failure");
      assert.equal(c.type, "handshake:error:auth");
      assert.equal((c.error as AuthError).status, 500);
    } finally {
      client.close();
      s.close();
    }
  });

  it("300 closes without ERROR: the client is told the likely cause", async () => {
    const s = await server(() => ({ status: 300 }));
    const client = new Dealer({ plainUsername: "admin", plainPassword: "secret" });
    const closed = failure(client);
    try {
      client.connect(s.lastEndpoint!);
      const c = await withTimeout(closed, WAIT, "client failure");
      assert.equal(c.type, "handshake:error:other");
      assert.match(c.error!.message, /closed the connection after HELLO/);
    } finally {
      client.close();
      s.close();
    }
  });

  it("a handler that never answers: the handshake times out, the server serves on", async () => {
    let calls = 0;
    const s = await server((r) => {
      calls++;
      const [u] = r.credentials.map((c) => new TextDecoder().decode(c));
      return u === "silent" ? new Promise(() => {}) : { status: 200 };
    });
    const failed = failure(s);
    const client = new Dealer({ plainUsername: "silent", plainPassword: "x" });
    try {
      client.connect(s.lastEndpoint!);
      const e = await withTimeout(failed, WAIT, "server failure");
      assert.equal(e.type, "handshake:error:other");
      assert.equal(e.error?.code, "ETIMEDOUT");
      client.close();
      await stillServes(s);
      assert.ok(calls >= 2);
    } finally {
      client.close();
      s.close();
    }
  });

  for (
    const [name, reply, code] of [
      ["bad version", ["2.0", "ID", "200", "OK", "", ""], "ERR_ZAP_BAD_VERSION"],
      ["bad status", ["1.0", "ID", "201", "OK", "", ""], "ERR_ZAP_INVALID_STATUS_CODE"],
      ["too many parts", ["1.0", "ID", "200", "OK", "", "", "extra"], "ERR_ZAP_MALFORMED_REPLY"],
      ["too few parts", ["1.0", "ID", "200", "OK"], "ERR_ZAP_MALFORMED_REPLY"],
      ["bad metadata", ["1.0", "ID", "200", "OK", "", "\x05abc"], "ERR_ZAP_INVALID_METADATA"],
    ] as const
  ) {
    it(`an inproc handler's reply with a ${name}: ${code}, client refused, server serves on`, async () => {
      // a ROUTER handler at inproc://zeromq.zap.01 answering the first request badly
      const zap = new Router();
      await zap.bind(ZAP_ENDPOINT);
      let first = true;
      const serving = (async () => {
        for await (const [routing, empty, version, id] of zap) {
          const parts = first
            ? reply.map((p) => p === "ID" ? id! : p)
            : [version!, id!, "200", "OK", "", ""];
          first = false;
          await zap.send([routing!, empty!, ...parts]);
        }
      })();
      const s = new Dealer({ plainServer: true, handshakeInterval: 2000 });
      await s.bind("tcp://127.0.0.1:*");
      const failed = failure(s);
      const client = new Dealer({ plainUsername: "admin", plainPassword: "secret" });
      try {
        client.connect(s.lastEndpoint!);
        const e = await withTimeout(failed, WAIT, "server failure");
        assert.equal(e.type, "handshake:error:protocol");
        assert.equal(e.error?.code, code);
        client.close();
        await stillServes(s);
      } finally {
        client.close();
        s.close();
        zap.close();
        await serving.catch(() => {});
      }
    });
  }

  it("an inproc handler that never answers: peers that time out leave no request waiting", async () => {
    // the handler reads every request and answers none; each server connection's wait for
    // it must end with the connection (before, an entry stayed for the 60 s answer timeout)
    const zap = new Router();
    await zap.bind(ZAP_ENDPOINT);
    let asked = 0;
    const reading = (async () => {
      for await (const _ of zap) asked++;
    })();
    const s = new Dealer({ plainServer: true, handshakeInterval: 300 });
    await s.bind("tcp://127.0.0.1:*");
    const peers: MockPeer[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const peer = await MockPeer.connect(s.lastEndpoint!);
        peer.write(greeting("PLAIN"), hello("admin", "secret"));
        peers.push(peer);
      }
      await Promise.all(peers.map((p) => p.waitClosed(WAIT))); // the handshake timed out
      assert.equal(asked, 10);
      const deadline = Date.now() + WAIT;
      while (zapRequestsWaiting() > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(zapRequestsWaiting(), 0);
    } finally {
      for (const p of peers) p.destroy();
      s.close();
      zap.close();
      await reading.catch(() => {});
    }
  });
});
