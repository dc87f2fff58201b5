// SPDX-License-Identifier: MIT
/**
 * CURVE mechanism against the deterministic handshake of security.md §8.2: with scripted
 * randomness the client and the server produce every command body byte for byte, and each
 * accepts the other's; then full in-memory handshakes (scripted and random) with MESSAGEs
 * both ways, and the test keys of §6.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { boxKey, curvePublicKey, openBox } from "../../../lib/mechanisms/curve_box.ts";
import { curveKey, curveKeyPair, curvePublic } from "../../../lib/mechanisms/curve_keys.ts";
import { CurveClient } from "../../../lib/mechanisms/curve_client.ts";
import { CurveServer } from "../../../lib/mechanisms/curve_server.ts";
import { nonceOf, NoncePrefix } from "../../../lib/mechanisms/curve_commands.ts";
import type { HandshakeStep } from "../../../lib/mechanisms/mechanism.ts";
import type { Metadata } from "../../../lib/wire/metadata.ts";
import {
  CLIENT_METADATA,
  CLIENT_TRANSIENT_PUBLIC,
  CLIENT_TRANSIENT_SECRET,
  COOKIE,
  handshake,
  HELLO,
  hex,
  INITIATE,
  KEYS,
  MESSAGE_C,
  MESSAGE_S,
  READY,
  SERVER_METADATA,
  SERVER_TRANSIENT_PUBLIC,
  SERVER_TRANSIENT_SECRET,
  SESSION_KEY,
  unhex,
  vectorClient,
  vectorServer,
  VOUCH,
  WELCOME,
  Z85,
} from "../../_helpers/curve_vectors.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function one(step: HandshakeStep): Uint8Array {
  assert.equal(step.send.length, 1);
  return step.send[0]!;
}

function metadataText(m: Metadata | undefined): Array<[string, string]> {
  return (m ?? []).map(([n, v]) => [n, text(v)]);
}

describe("CURVE §8.2 vectors", () => {
  it("derives the transient public keys and the session key", () => {
    assert.equal(hex(curvePublicKey(CLIENT_TRANSIENT_SECRET)), hex(CLIENT_TRANSIENT_PUBLIC));
    assert.equal(hex(curvePublicKey(SERVER_TRANSIENT_SECRET)), hex(SERVER_TRANSIENT_PUBLIC));
    assert.equal(hex(boxKey(CLIENT_TRANSIENT_SECRET, SERVER_TRANSIENT_PUBLIC)!), hex(SESSION_KEY));
    assert.equal(hex(boxKey(SERVER_TRANSIENT_SECRET, CLIENT_TRANSIENT_PUBLIC)!), hex(SESSION_KEY));
  });

  it("client HELLO, server WELCOME, client INITIATE, server READY are byte-exact", async () => {
    const client = vectorClient();
    const server = vectorServer();
    assert.equal(client.name, "CURVE");
    assert.equal(client.asServer, false);
    assert.equal(server.asServer, true);
    assert.deepEqual(server.start(), { send: [], ready: false });

    const hello = one(client.start());
    assert.equal(hex(hello), hex(HELLO));

    const welcomeStep = await server.receive(hello);
    assert.equal(welcomeStep.ready, false);
    const welcome = one(welcomeStep);
    assert.equal(hex(welcome), hex(WELCOME));

    const initiateStep = await client.receive(welcome);
    assert.equal(initiateStep.ready, false);
    const initiate = one(initiateStep);
    assert.equal(hex(initiate), hex(INITIATE));
    assert.equal(hex(initiate.subarray(9, 105)), hex(COOKIE));

    const readyStep = await server.receive(initiate);
    assert.equal(readyStep.ready, true);
    assert.equal(readyStep.auth, undefined);
    assert.deepEqual(metadataText(readyStep.peer), [["Socket-Type", "DEALER"], ["Identity", ""]]);
    const ready = one(readyStep);
    assert.equal(hex(ready), hex(READY));

    const done = await client.receive(ready);
    assert.equal(done.ready, true);
    assert.deepEqual(done.send, []);
    assert.deepEqual(metadataText(done.peer), [["Socket-Type", "ROUTER"], ["Identity", ""]]);

    // MESSAGE C→S nonce 3, S→C nonce 2
    assert.equal(hex(client.codec!.seal(ascii("Hello"), false, false)), hex(MESSAGE_C));
    assert.equal(hex(server.codec!.seal(ascii("World"), false, false)), hex(MESSAGE_S));
    assert.equal(server.closedEarly(), undefined);
    assert.equal(client.closedEarly(), undefined);
  });

  it("the INITIATE box holds C, the vouch nonce, the §8.2 vouch and the metadata", () => {
    const plain = openBox(
      SESSION_KEY,
      nonceOf(NoncePrefix.INITIATE, INITIATE.subarray(105, 113)),
      INITIATE.subarray(113),
    )!;
    assert.equal(hex(plain.subarray(0, 32)), hex(KEYS.clientPublic));
    assert.equal(hex(plain.subarray(32, 48)), "cc".repeat(16));
    assert.equal(hex(plain.subarray(48, 128)), hex(VOUCH));
  });

  it("each side accepts the §8.2 commands of the other", async () => {
    const server = vectorServer();
    assert.equal(hex(one(await server.receive(HELLO))), hex(WELCOME));
    const step = await server.receive(INITIATE);
    assert.equal(hex(one(step)), hex(READY));
    const fromClient = server.codec!.open(MESSAGE_C);
    assert.deepEqual(fromClient, { body: ascii("Hello"), more: false, command: false });

    const client = vectorClient();
    client.start();
    assert.equal(hex(one(client.receive(WELCOME))), hex(INITIATE));
    assert.equal(client.receive(READY).ready, true);
    assert.deepEqual(client.codec!.open(MESSAGE_S), {
      body: ascii("World"),
      more: false,
      command: false,
    });
  });
});

describe("CURVE handshake in memory", () => {
  it("completes with random keys and seals/opens frames both ways", async () => {
    const serverPair = curveKeyPair();
    const clientPair = curveKeyPair();
    const client = new CurveClient(CLIENT_METADATA, {
      publicKey: curveKey(clientPair.publicKey, "curvePublicKey"),
      secretKey: curveKey(clientPair.secretKey, "curveSecretKey"),
      serverKey: curveKey(serverPair.publicKey, "curveServerKey"),
    });
    const server = new CurveServer(SERVER_METADATA, {
      secretKey: curveKey(serverPair.secretKey, "curveSecretKey"),
    });
    const [ready, done] = await handshake(client, server);
    assert.ok(ready!.ready && done!.ready);
    const c = client.codec!;
    const s = server.codec!;
    for (let i = 0; i < 5; i++) {
      const body = new Uint8Array(i * 100).map((_, k) => k * 7 + i);
      const more = i % 2 === 0;
      const command = i === 3;
      assert.deepEqual(s.open(c.seal(body, more, command)), { body, more, command });
      assert.deepEqual(c.open(s.seal(body, !more, command)), { body, more: !more, command });
    }
    // a 64 KiB frame, and an empty one (33-byte MESSAGE)
    const big = new Uint8Array(65536).fill(0x5a);
    assert.deepEqual(s.open(c.seal(big, false, false)).body, big);
    const empty = c.seal(new Uint8Array(0), false, false);
    assert.equal(empty.length, 33);
    assert.equal(s.open(empty).body.length, 0);
  });

  it("carries ZAP's user id and metadata in the ready step", async () => {
    const asked: Array<[string, string[]]> = [];
    const server = vectorServer({
      zap: (mechanism, credentials) => {
        asked.push([mechanism, credentials.map(hex)]);
        return Promise.resolve({
          status: 200,
          statusText: "OK",
          userId: "alice",
          metadata: [["Hello", ascii("World")]],
        });
      },
    });
    const [ready] = await handshake(vectorClient(), server);
    assert.deepEqual(asked, [["CURVE", [hex(KEYS.clientPublic)]]]);
    assert.equal(ready!.auth?.userId, "alice");
    assert.deepEqual(metadataText(ready!.auth?.metadata), [["Hello", "World"]]);
    assert.equal(hex(one(ready!)), hex(READY));
  });
});

describe("CURVE test keys (security.md §6)", () => {
  it("Z85 and hex agree, and each public key derives from its secret", () => {
    for (const k of ["clientPublic", "clientSecret", "serverPublic", "serverSecret"] as const) {
      assert.equal(hex(curveKey(Z85[k], k)), hex(KEYS[k]));
    }
    assert.equal(curvePublic(Z85.clientSecret), Z85.clientPublic);
    assert.equal(curvePublic(KEYS.serverSecret), Z85.serverPublic);
    assert.equal(hex(curvePublicKey(KEYS.serverSecret)), hex(KEYS.serverPublic));
    assert.equal(hex(unhex(hex(KEYS.clientPublic))), hex(KEYS.clientPublic));
  });
});
