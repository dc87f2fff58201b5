// SPDX-License-Identifier: MIT
/**
 * PLAIN (RFC 24) with ZAP (RFC 27) against libzmq (zeromq.js in a Node child): zmqkit as the
 * PLAIN server (its ZAP handler a callback, or a REP bound at inproc://zeromq.zap.01) and as
 * the client, each binding and connecting, over tcp, ipc and ws. Good credentials carry multipart
 * messages both ways; a bad password fails on both sides with `handshake:error:auth`, and the
 * server goes on serving good clients.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AuthError, Dealer, Reply, ZAP_ENDPOINT } from "../../mod.ts";
import { libReceive, nextEvent, text, wire } from "./_security.ts";
import { bindEndpoint, withDeadline } from "../_helpers/cases.ts";
import { LibzmqPeer, type LibzmqSide } from "../_helpers/peers.ts";

const enc = new TextEncoder();
const USERS: Record<string, string> = { admin: "secret" };
const DEADLINE = 20_000;

/** A multipart message each way between a zmqkit Dealer and a libzmq DEALER. */
async function exchange(zmqkit: Dealer, lib: LibzmqSide): Promise<void> {
  await zmqkit.send(["from", "zmqkit", ""]);
  assert.deepEqual(text(await libReceive(lib, DEADLINE)), ["from", "zmqkit", ""]);
  await lib.send([enc.encode("from"), enc.encode("libzmq")]);
  assert.deepEqual(text(await zmqkit.receive()), ["from", "libzmq"]);
}

describe("PLAIN with libzmq", () => {
  let peer: LibzmqPeer;
  let zapSocket: Reply | undefined;
  before(async () => {
    peer = await LibzmqPeer.start();
    await peer.request("zap", { users: USERS }); // libzmq's own ZAP handler, for its servers
  });
  after(async () => {
    zapSocket?.close();
    await peer?.stop();
  });

  for (const transport of ["tcp", "ipc", "ws"] as const) {
    for (const binder of ["server", "client"] as const) {
      it(`zmqkit server (zapHandler), libzmq client, ${transport}, ${binder} binds`, async () => {
        const requests: string[] = [];
        const server = new Dealer({
          plainServer: true,
          zapDomain: "test",
          zapHandler: (r) => {
            const [user, pass] = text(r.credentials);
            requests.push(`${r.domain} ${r.mechanism} ${user}`);
            return USERS[user!] === pass ? { status: 200, userId: user } : { status: 400 };
          },
        });
        const client = await peer.socket("DEALER", {
          options: { plainUsername: "admin", plainPassword: "secret" },
        }) as LibzmqSide;
        try {
          await wire(binder, transport, server, "server", client);
          await withDeadline(exchange(server, client), DEADLINE, "exchange");
          assert.deepEqual(requests, ["test PLAIN admin"]);
        } finally {
          server.close();
          await client.close();
        }
      });

      it(`libzmq server, zmqkit client, ${transport}, ${binder} binds`, async () => {
        const server = await peer.socket("DEALER", {
          options: { plainServer: true },
        }) as LibzmqSide;
        const client = new Dealer({ plainUsername: "admin", plainPassword: "secret" });
        try {
          await wire(binder, transport, client, "client", server);
          await withDeadline(exchange(client, server), DEADLINE, "exchange");
        } finally {
          client.close();
          await server.close();
        }
      });
    }

    it(`a bad password fails on both sides; the zmqkit server serves the next client (${transport})`, async () => {
      const server = new Dealer({
        plainServer: true,
        zapHandler: (r) => {
          const [user, pass] = text(r.credentials);
          return USERS[user!] === pass
            ? { status: 200 }
            : { status: 400, statusText: "bad password" };
        },
      });
      const refused = nextEvent(server, "handshake:error:auth");
      await server.bind(bindEndpoint(transport));
      const bad = await peer.socket("DEALER", {
        options: { plainUsername: "admin", plainPassword: "wrong" },
      }) as LibzmqSide;
      const good = await peer.socket("DEALER", {
        options: { plainUsername: "admin", plainPassword: "secret" },
      }) as LibzmqSide;
      try {
        await bad.connect(server.lastEndpoint!);
        const e = await withDeadline(refused, DEADLINE, "server auth event");
        assert.ok(e.error instanceof AuthError);
        assert.equal(e.error.status, 400);
        assert.match(e.error.message, /bad password/);
        // the RFC's ERROR 400: a libzmq PLAIN client reads only libzmq's own misspelt ERROR
        // (security.md §3.3), so it reports a protocol error, and gives up all the same
        await bad.event("handshake:error:protocol", 5000);
        await good.connect(server.lastEndpoint!);
        await withDeadline(exchange(server, good), DEADLINE, "exchange after a refusal");
      } finally {
        server.close();
        await bad.close();
        await good.close();
      }
    });

    it(`libzmq's refusal (its malformed PLAIN ERROR) reaches the zmqkit client as AuthError 400 (${transport})`, async () => {
      const server = await peer.socket("DEALER", { options: { plainServer: true } }) as LibzmqSide;
      const client = new Dealer({ plainUsername: "admin", plainPassword: "wrong" });
      const refused = nextEvent(client, "handshake:error:auth");
      try {
        client.connect(await server.bind(bindEndpoint(transport)));
        const e = await withDeadline(refused, DEADLINE, "client auth event");
        assert.ok(e.error instanceof AuthError);
        assert.equal(e.error.status, 400);
        await server.event("handshake:error:auth", 5000);
      } finally {
        client.close();
        await server.close();
      }
    });
  }

  it("a zmqkit PLAIN server asks a REP bound at inproc://zeromq.zap.01", async () => {
    const seen: string[][] = [];
    zapSocket = new Reply();
    await zapSocket.bind(ZAP_ENDPOINT);
    void (async () => {
      for await (const request of zapSocket!) {
        const [version, id, domain, address, , mechanism, user, pass] = text(request);
        seen.push([version!, domain!, address!, mechanism!, user!]);
        const ok = USERS[user!] === pass;
        await zapSocket!.send([version!, id!, ok ? "200" : "400", ok ? "OK" : "no", user!, ""]);
      }
    })();
    const server = new Dealer({ plainServer: true, zapDomain: "global" });
    const client = await peer.socket("DEALER", {
      options: { plainUsername: "admin", plainPassword: "secret" },
    }) as LibzmqSide;
    try {
      await server.bind("tcp://127.0.0.1:*");
      await client.connect(server.lastEndpoint!);
      await withDeadline(exchange(server, client), DEADLINE, "exchange");
      assert.deepEqual(seen, [["1.0", "global", "127.0.0.1", "PLAIN", "admin"]]);
    } finally {
      server.close();
      await client.close();
      zapSocket.close();
      zapSocket = undefined;
    }
  });

  it("a zmqkit PLAIN server without any ZAP handler refuses, saying why", async () => {
    const server = new Dealer({ plainServer: true });
    const refused = nextEvent(server, "handshake:error:auth");
    const client = await peer.socket("DEALER", {
      options: { plainUsername: "admin", plainPassword: "secret" },
    }) as LibzmqSide;
    try {
      await server.bind("tcp://127.0.0.1:*");
      await client.connect(server.lastEndpoint!);
      const e = await withDeadline(refused, DEADLINE, "server auth event");
      assert.match(e.error.message, /no ZAP handler/);
    } finally {
      server.close();
      await client.close();
    }
  });
});
