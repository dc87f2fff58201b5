// SPDX-License-Identifier: MIT
/**
 * ZAP for NULL sockets against libzmq (zeromq.js in a Node child), both ways: a zmqkit server
 * with a ZAP domain refusing a libzmq client by address, a libzmq server whose handler refuses
 * a zmqkit client; and the User-Id a zmqkit ZAP handler gives a libzmq PLAIN client, read back
 * on its messages.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AuthError, Dealer, messageProperties, Pull, Push, zapPolicy } from "../../mod.ts";
import { bindEndpoint, withDeadline } from "../_helpers/cases.ts";
import { LibzmqPeer, type LibzmqSide } from "../_helpers/peers.ts";

const DEADLINE = 10_000;
const enc = new TextEncoder();

describe("ZAP with libzmq", () => {
  let peer: LibzmqPeer;
  before(async () => {
    peer = await LibzmqPeer.start();
  });
  after(async () => {
    await peer?.stop();
  });

  for (const transport of ["tcp", "ipc"] as const) {
    it(`a zmqkit NULL server with a domain refuses a libzmq client (${transport})`, async () => {
      // tcp peers are denied by address; an ipc peer has none, so is not in the allow list
      const server = new Pull({
        zapDomain: "lab",
        zapHandler: zapPolicy(
          transport === "tcp" ? { deny: ["127.0.0.1"] } : { allow: ["10.0.0.1"] },
        ),
      });
      const refused = new Promise<AuthError>((resolve) =>
        server.events.on("handshake:error:auth", (e) => resolve(e.error))
      );
      const client = await peer.socket("PUSH") as LibzmqSide;
      try {
        await server.bind(bindEndpoint(transport));
        await client.connect(server.lastEndpoint!);
        const e = await withDeadline(refused, DEADLINE, "server auth event");
        assert.equal(e.status, 400);
        await client.event("handshake:error:auth", 5000); // libzmq read our ERROR 400
      } finally {
        server.close();
        await client.close();
      }
    });
  }

  it("a libzmq NULL server with a domain and a refusing handler: AuthError 400 here", async () => {
    await peer.request("zap", { status: "400" });
    const server = await peer.socket("PULL", { options: { zapDomain: "lab" } }) as LibzmqSide;
    const client = new Push();
    const refused = new Promise<AuthError>((resolve) =>
      client.events.on("handshake:error:auth", (e) => resolve(e.error))
    );
    try {
      client.connect(await server.bind("tcp://127.0.0.1:*"));
      const e = await withDeadline(refused, DEADLINE, "client auth event");
      assert.ok(e instanceof AuthError);
      assert.equal(e.status, 400);
    } finally {
      client.close();
      await server.close();
      await peer.request("zap", { status: "200" });
    }
  });

  it("the User-Id a zmqkit ZAP handler gives a libzmq PLAIN client is on its messages", async () => {
    const server = new Dealer({
      plainServer: true,
      zapHandler: zapPolicy({ users: { ada: "lovelace" } }),
    });
    const client = await peer.socket("DEALER", {
      options: { plainUsername: "ada", plainPassword: "lovelace" },
    }) as LibzmqSide;
    try {
      await server.bind("tcp://127.0.0.1:*");
      await client.connect(server.lastEndpoint!);
      await client.send([enc.encode("hello")]);
      const msg = await withDeadline(server.receive(), DEADLINE, "message");
      assert.equal(messageProperties(msg)?.["User-Id"], "ada");
      assert.equal(messageProperties(msg)?.["Socket-Type"], "DEALER");
    } finally {
      server.close();
      await client.close();
    }
  });
});
