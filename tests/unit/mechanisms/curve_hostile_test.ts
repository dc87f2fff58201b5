// SPDX-License-Identifier: MIT
/**
 * CURVE against hostile and malformed input: every case ends in the ProtocolError code libzmq
 * would report (or AuthError / HandshakeRefused where ZAP says no), never in another throw.
 * Boxes are forged where needed with the §8.2 keys, which the test knows.
 */
import { joinBytes } from "../../../lib/util/bytes.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../../lib/errors.ts";
import { AuthError, HandshakeRefused } from "../../../lib/mechanisms/mechanism.ts";
import type { HandshakeStep, Mechanism } from "../../../lib/mechanisms/mechanism.ts";
import { boxKey, openBox, sealBox } from "../../../lib/mechanisms/curve_box.ts";
import { CurveClient } from "../../../lib/mechanisms/curve_client.ts";
import { CurveCodec } from "../../../lib/mechanisms/curve_codec.ts";
import { CurveServer } from "../../../lib/mechanisms/curve_server.ts";
import { nonceOf, NoncePrefix, shortNonce } from "../../../lib/mechanisms/curve_commands.ts";
import { encodeCommand, encodeError } from "../../../lib/wire/command.ts";
import { encodeMetadata } from "../../../lib/wire/metadata.ts";
import type { ZapReply } from "../../../lib/zap/zap.ts";
import {
  CLIENT_METADATA,
  CLIENT_TRANSIENT_PUBLIC,
  CLIENT_TRANSIENT_SECRET,
  handshake,
  HELLO,
  INITIATE,
  KEYS,
  MESSAGE_C,
  READY,
  scripted,
  SERVER_METADATA,
  SERVER_TRANSIENT_PUBLIC,
  SESSION_KEY,
  unhex,
  vectorClient,
  vectorServer,
  WELCOME,
} from "../../_helpers/curve_vectors.ts";

const ascii = (s: string) => new TextEncoder().encode(s);

/** Runs `fn`, expecting a ProtocolError with `code` (and `match` in its message). */
async function rejects(
  fn: () => unknown,
  code: string,
  match?: RegExp,
): Promise<ProtocolError> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ProtocolError, `expected ProtocolError ${code}, got ${error}`);
  assert.equal(error.code, code, error.message);
  if (match) assert.match(error.message, match);
  return error;
}

function flip(b: Uint8Array, i: number): Uint8Array {
  const c = b.slice();
  c[i] = c[i]! ^ 0x01;
  return c;
}

/** A server that has answered the §8.2 HELLO. */
async function serverAfterHello(): Promise<CurveServer> {
  const s = vectorServer();
  await s.receive(HELLO);
  return s;
}

/** A client that has sent the §8.2 HELLO (and, with `welcome`, received the WELCOME). */
function client(welcome = false): CurveClient {
  const c = vectorClient();
  c.start();
  if (welcome) c.receive(WELCOME);
  return c;
}

/** The §8.2 INITIATE with its box's plaintext rewritten and resealed under k(C', S'). */
function reseal(mutate: (plain: Uint8Array) => Uint8Array): Uint8Array {
  const nonce = nonceOf(NoncePrefix.INITIATE, INITIATE.subarray(105, 113));
  const plain = openBox(SESSION_KEY, nonce, INITIATE.subarray(113))!;
  return joinBytes(INITIATE.subarray(0, 113), sealBox(SESSION_KEY, nonce, mutate(plain.slice())));
}

/** A vouch for `transient` and `server`, sealed with the client's long-term secret. */
function vouchFor(transient: Uint8Array, server: Uint8Array): Uint8Array {
  const key = boxKey(KEYS.clientSecret, SERVER_TRANSIENT_PUBLIC)!;
  return sealBox(
    key,
    nonceOf(NoncePrefix.VOUCH, new Uint8Array(16).fill(0xcc)),
    joinBytes(transient, server),
  );
}

/** A READY with `metadata` sealed under k(C', S'), short nonce `n`. */
function readyWith(metadata: Uint8Array, n = 1): Uint8Array {
  const nonce = shortNonce(n);
  return joinBytes(
    encodeCommand("READY"),
    nonce,
    sealBox(SESSION_KEY, nonceOf(NoncePrefix.READY, nonce), metadata),
  );
}

/** Curve25519 points of small order (libsodium's blacklist), and the same with bit 255 set. */
const LOW_ORDER = [
  "00".repeat(32),
  "01" + "00".repeat(31),
  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
  "ec" + "ff".repeat(30) + "7f",
  "ed" + "ff".repeat(30) + "7f",
  "ee" + "ff".repeat(30) + "7f",
  "00".repeat(31) + "80",
  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
  "ee" + "ff".repeat(31),
].map(unhex);

describe("CURVE server: HELLO", () => {
  for (const size of [199, 201, 6]) {
    it(`rejects a HELLO of ${size} bytes`, async () => {
      const hello = size <= 200 ? HELLO.slice(0, size) : joinBytes(HELLO, new Uint8Array(1));
      await rejects(() => vectorServer().receive(hello), "ERR_ZMTP_MALFORMED_COMMAND_HELLO");
    });
  }
  for (const [major, minor] of [[2, 0], [1, 1], [0, 0]]) {
    it(`rejects version ${major}.${minor}`, async () => {
      const hello = HELLO.slice();
      hello[6] = major!;
      hello[7] = minor!;
      await rejects(
        () => vectorServer().receive(hello),
        "ERR_ZMTP_MALFORMED_COMMAND_HELLO",
        /1\.0/,
      );
    });
  }
  it("does not check the padding (libzmq doesn't)", async () => {
    const hello = HELLO.slice();
    hello.fill(0x77, 8, 80);
    assert.equal((await vectorServer().receive(hello)).send.length, 1);
  });
  it("rejects a HELLO boxed for another server key, naming curveServerKey", async () => {
    const other = new CurveServer(SERVER_METADATA, { secretKey: new Uint8Array(32).fill(9) });
    await rejects(() => other.receive(HELLO), "ERR_ZMTP_CRYPTOGRAPHIC", /curveServerKey/);
  });
  it("rejects a flipped HELLO box or nonce byte", async () => {
    await rejects(() => vectorServer().receive(flip(HELLO, 150)), "ERR_ZMTP_CRYPTOGRAPHIC");
    await rejects(() => vectorServer().receive(flip(HELLO, 119)), "ERR_ZMTP_CRYPTOGRAPHIC");
  });
  for (const point of LOW_ORDER) {
    it(`rejects the low-order C' ${[...point.subarray(0, 4)]}…`, async () => {
      const hello = HELLO.slice();
      hello.set(point, 80);
      await rejects(() => vectorServer().receive(hello), "ERR_ZMTP_CRYPTOGRAPHIC");
    });
  }
  it("rejects another command first, and everything after a failure", async () => {
    await rejects(() => vectorServer().receive(INITIATE), "ERR_ZMTP_UNEXPECTED_COMMAND");
    await rejects(() => vectorServer().receive(READY), "ERR_ZMTP_UNEXPECTED_COMMAND");
    await rejects(
      () => vectorServer().receive(new Uint8Array([9, 1])),
      "ERR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED",
    );
    const s = vectorServer();
    await rejects(() => s.receive(HELLO.slice(0, 100)), "ERR_ZMTP_MALFORMED_COMMAND_HELLO");
    await rejects(() => s.receive(HELLO), "ERR_ZMTP_UNEXPECTED_COMMAND");
  });
  it("rejects a second HELLO", async () => {
    await rejects(
      async () => (await serverAfterHello()).receive(HELLO),
      "ERR_ZMTP_UNEXPECTED_COMMAND",
    );
  });
});

describe("CURVE server: INITIATE", () => {
  it("rejects 256 bytes", async () => {
    const s = await serverAfterHello();
    await rejects(() => s.receive(INITIATE.slice(0, 256)), "ERR_ZMTP_MALFORMED_COMMAND_INITIATE");
  });
  for (
    const [where, i] of [["cookie nonce", 12], ["cookie box", 60], ["short nonce", 112], [
      "box",
      200,
    ]] as const
  ) {
    it(`rejects a flipped ${where} byte`, async () => {
      const s = await serverAfterHello();
      await rejects(() => s.receive(flip(INITIATE, i)), "ERR_ZMTP_CRYPTOGRAPHIC");
    });
  }
  it("rejects a cookie from another connection (another cookie key)", async () => {
    const s = new CurveServer(SERVER_METADATA, { secretKey: KEYS.serverSecret });
    await s.receive(HELLO); // fresh random cookie key
    await rejects(() => s.receive(INITIATE), "ERR_ZMTP_CRYPTOGRAPHIC", /cookie/);
  });
  it("rejects a cookie that opens but holds another connection's keys", async () => {
    // same cookie key and nonce as §8.2, another s'
    const fill = (n: number, v: number) => new Uint8Array(n).fill(v);
    const s = new CurveServer(SERVER_METADATA, { secretKey: KEYS.serverSecret }, {
      random: scripted([fill(32, 0x42), fill(16, 0xbb), fill(32, 0x55), fill(16, 0xaa)]),
    });
    await s.receive(HELLO);
    await rejects(() => s.receive(INITIATE), "ERR_ZMTP_CRYPTOGRAPHIC", /transient keys/);
  });
  it("rejects a flipped vouch byte", async () => {
    const s = await serverAfterHello();
    const initiate = reseal((p) => flip(p, 100));
    await rejects(() => s.receive(initiate), "ERR_ZMTP_CRYPTOGRAPHIC", /vouch/);
  });
  it("rejects a vouch for another client's transient key", async () => {
    const s = await serverAfterHello();
    const other = new Uint8Array(32).fill(3);
    const initiate = reseal((p) => (p.set(vouchFor(other, KEYS.serverPublic), 48), p));
    await rejects(() => s.receive(initiate), "ERR_ZMTP_KEY_EXCHANGE", /transient/);
  });
  it("rejects a vouch for another server key", async () => {
    const s = await serverAfterHello();
    const initiate = reseal((
      p,
    ) => (p.set(vouchFor(CLIENT_TRANSIENT_PUBLIC, KEYS.clientPublic), 48), p));
    await rejects(() => s.receive(initiate), "ERR_ZMTP_KEY_EXCHANGE", /server key/);
  });
  it("accepts the §8.2 vouch resealed unchanged (the forging helper is sound)", async () => {
    const s = await serverAfterHello();
    const initiate = reseal((
      p,
    ) => (p.set(vouchFor(CLIENT_TRANSIENT_PUBLIC, KEYS.serverPublic), 48), p));
    assert.equal((await s.receive(initiate)).ready, true);
  });
  it("rejects a vouch that C does not match (key pair mismatch)", async () => {
    const s = await serverAfterHello();
    const initiate = reseal((p) => (p.set(new Uint8Array(32).fill(5), 0), p));
    await rejects(() => s.receive(initiate), "ERR_ZMTP_CRYPTOGRAPHIC", /curvePublicKey/);
  });
  for (const point of LOW_ORDER.slice(0, 3)) {
    it(`rejects the low-order long-term key ${[...point.subarray(0, 4)]}… in INITIATE`, async () => {
      const s = await serverAfterHello();
      const initiate = reseal((p) => (p.set(point, 0), p));
      await rejects(() => s.receive(initiate), "ERR_ZMTP_CRYPTOGRAPHIC", /low-order/);
    });
  }
  it("rejects garbage metadata", async () => {
    const s = await serverAfterHello();
    const initiate = reseal((p) => joinBytes(p.subarray(0, 128), new Uint8Array([0, 1, 2])));
    await rejects(() => s.receive(initiate), "ERR_ZMTP_INVALID_METADATA");
  });
  it("bounds oversized metadata: a 4 GiB value claim, and too many properties", async () => {
    const claim = joinBytes(new Uint8Array([1, 0x41, 0xff, 0xff, 0xff, 0xff]), new Uint8Array(8));
    const s = await serverAfterHello();
    await rejects(
      () => s.receive(reseal((p) => joinBytes(p.subarray(0, 128), claim))),
      "ERR_ZMTP_INVALID_METADATA",
    );
    const many = encodeMetadata(
      Array.from({ length: 300 }, (_, i) => [`p${i}`, new Uint8Array(0)]),
    );
    const s2 = await serverAfterHello();
    await rejects(
      () => s2.receive(reseal((p) => joinBytes(p.subarray(0, 128), many))),
      "ERR_ZMTP_INVALID_METADATA",
    );
  });
  it("rejects a second INITIATE and any command once ready", async () => {
    const s = await serverAfterHello();
    await s.receive(INITIATE);
    await rejects(() => s.receive(INITIATE), "ERR_ZMTP_UNEXPECTED_COMMAND");
    await rejects(() => s.receive(MESSAGE_C), "ERR_ZMTP_UNEXPECTED_COMMAND");
  });
});

describe("CURVE server: ZAP", () => {
  const reply = (status: number, statusText = ""): ZapReply => ({
    status,
    statusText,
    userId: "u",
    metadata: [],
  });
  async function refused(status: number): Promise<HandshakeRefused> {
    const s = await serverWith(() => Promise.resolve(reply(status, "no")));
    try {
      await s.receive(INITIATE);
    } catch (e) {
      assert.ok(e instanceof HandshakeRefused, String(e));
      assert.ok(e.error instanceof AuthError);
      assert.equal(e.error.status, status);
      return e;
    }
    assert.fail("not refused");
  }
  async function serverWith(zap: () => Promise<ZapReply>): Promise<CurveServer> {
    const s = vectorServer({ zap });
    await s.receive(HELLO);
    return s;
  }
  it("200: READY with the user id", async () => {
    const s = await serverWith(() => Promise.resolve(reply(200)));
    const step = s.receive(INITIATE);
    assert.ok(step instanceof Promise);
    const ready = await step;
    assert.equal(ready.auth?.userId, "u");
    assert.deepEqual(ready.send, [READY]);
  });
  it("400: refused with ERROR 400", async () => {
    assert.deepEqual((await refused(400)).send, [encodeError("400")]);
    assert.deepEqual([...encodeError("400")], [5, ...ascii("ERROR"), 3, ...ascii("400")]);
  });
  it("500: refused with ERROR 500", async () => {
    assert.deepEqual((await refused(500)).send, [encodeError("500")]);
  });
  it("300: refused without sending anything", async () => {
    assert.deepEqual((await refused(300)).send, []);
  });
  it("an invalid status is a ZAP protocol error", async () => {
    const s = await serverWith(() => Promise.resolve(reply(201)));
    await rejects(() => s.receive(INITIATE), "ERR_ZAP_INVALID_STATUS_CODE");
  });
  it("a rejecting ZAP client's error propagates", async () => {
    const boom = new ProtocolError("ERR_ZAP_MALFORMED_REPLY", "bad reply");
    const s = await serverWith(() => Promise.reject(boom));
    await assert.rejects(Promise.resolve(s.receive(INITIATE)), (e) => e === boom);
    await rejects(() => s.receive(INITIATE), "ERR_ZMTP_UNEXPECTED_COMMAND");
  });
  it("a command while ZAP decides fails the handshake", async () => {
    let answer!: (r: ZapReply) => void;
    const s = await serverWith(() => new Promise((resolve) => (answer = resolve)));
    const pending = Promise.resolve(s.receive(INITIATE));
    await rejects(() => s.receive(MESSAGE_C), "ERR_ZMTP_UNEXPECTED_COMMAND");
    answer(reply(200));
    await rejects(() => pending, "ERR_ZMTP_UNSPECIFIED");
    assert.equal(s.codec, undefined);
  });
});

describe("CURVE client", () => {
  it("rejects a low-order server key at start", async () => {
    const c = new CurveClient(CLIENT_METADATA, {
      publicKey: KEYS.clientPublic,
      secretKey: KEYS.clientSecret,
      serverKey: LOW_ORDER[0]!,
    }, { random: scripted([CLIENT_TRANSIENT_SECRET]) });
    await rejects(() => c.start(), "ERR_ZMTP_KEY_EXCHANGE", /curveServerKey/);
  });
  for (const size of [167, 169]) {
    it(`rejects a WELCOME of ${size} bytes`, async () => {
      const w = size < 168 ? WELCOME.slice(0, size) : joinBytes(WELCOME, new Uint8Array(1));
      await rejects(() => client().receive(w), "ERR_ZMTP_MALFORMED_COMMAND_WELCOME");
    });
  }
  for (const i of [10, 30, 167]) {
    it(`rejects a WELCOME with byte ${i} flipped`, async () => {
      await rejects(() => client().receive(flip(WELCOME, i)), "ERR_ZMTP_CRYPTOGRAPHIC");
    });
  }
  it("rejects a WELCOME with a low-order S'", async () => {
    const key = boxKey(CLIENT_TRANSIENT_SECRET, KEYS.serverPublic)!;
    const nonce = nonceOf(NoncePrefix.WELCOME, WELCOME.subarray(8, 24));
    const plain = openBox(key, nonce, WELCOME.subarray(24))!;
    plain.set(LOW_ORDER[2]!, 0);
    const w = joinBytes(WELCOME.subarray(0, 24), sealBox(key, nonce, plain));
    await rejects(() => client().receive(w), "ERR_ZMTP_KEY_EXCHANGE", /low-order/);
  });
  it("rejects READY before WELCOME, a second WELCOME, and commands once ready", async () => {
    await rejects(() => client().receive(READY), "ERR_ZMTP_UNEXPECTED_COMMAND");
    await rejects(() => client(true).receive(WELCOME), "ERR_ZMTP_UNEXPECTED_COMMAND");
    await rejects(() => client(true).receive(HELLO), "ERR_ZMTP_UNEXPECTED_COMMAND");
    const c = client(true);
    c.receive(READY);
    await rejects(() => c.receive(READY), "ERR_ZMTP_UNEXPECTED_COMMAND");
  });
  it("rejects a READY of 29 bytes, and a tampered one", async () => {
    await rejects(
      () => client(true).receive(READY.slice(0, 29)),
      "ERR_ZMTP_MALFORMED_COMMAND_READY",
    );
    await rejects(() => client(true).receive(flip(READY, 40)), "ERR_ZMTP_CRYPTOGRAPHIC");
    await rejects(() => client(true).receive(flip(READY, 13)), "ERR_ZMTP_CRYPTOGRAPHIC");
  });
  it("accepts a 30-byte READY (no metadata) and rejects garbage metadata", async () => {
    assert.equal(client(true).receive(readyWith(new Uint8Array(0))).ready, true);
    await rejects(
      () => client(true).receive(readyWith(new Uint8Array([5, 0]))),
      "ERR_ZMTP_INVALID_METADATA",
    );
  });
  for (const status of [300, 400, 500] as const) {
    it(`turns ERROR "${status}" into AuthError ${status}, after HELLO and after INITIATE`, () => {
      for (const c of [client(), client(true)]) {
        assert.throws(
          () => c.receive(encodeError(String(status))),
          (e) => e instanceof AuthError && e.status === status && /ZAP/.test(e.message),
        );
      }
    });
  }
  it("turns another ERROR reason into PEER_ERROR, and a malformed one into MALFORMED_COMMAND_ERROR", async () => {
    await rejects(() => client().receive(encodeError("4000")), "ERR_ZMTP_PEER_ERROR", /4000/);
    await rejects(() => client().receive(encodeError("")), "ERR_ZMTP_PEER_ERROR");
    for (const reason of ["constructor", "__proto__", "toString", "400 "]) {
      await rejects(() => client().receive(encodeError(reason)), "ERR_ZMTP_PEER_ERROR");
    }
    await rejects(
      () => client().receive(encodeCommand("ERROR", new Uint8Array([5, 0x34]))),
      "ERR_ZMTP_MALFORMED_COMMAND_ERROR",
    );
    await rejects(
      () => client().receive(encodeCommand("ERROR")),
      "ERR_ZMTP_MALFORMED_COMMAND_ERROR",
    );
  });
  it("explains an early close after HELLO and after INITIATE", () => {
    assert.match(client().closedEarly()!, /after HELLO.*curveServerKey/);
    assert.match(client(true).closedEarly()!, /after INITIATE.*ZAP 300/);
    const fresh = vectorClient();
    assert.equal(fresh.closedEarly(), undefined);
  });
});

/** A codec pair on the §8.2 session key, as after the handshake (server last saw nonce 2). */
function codecs(lastFromClient = shortNonce(2)): { client: CurveCodec; server: CurveCodec } {
  return {
    client: new CurveCodec(SESSION_KEY.slice(), {
      sender: "client",
      next: 3,
      lastReceived: shortNonce(1),
    }),
    server: new CurveCodec(SESSION_KEY.slice(), {
      sender: "server",
      next: 2,
      lastReceived: lastFromClient,
    }),
  };
}

/** A client MESSAGE with short nonce `n` (8 bytes) carrying `body`. */
function messageWithNonce(n: Uint8Array, body = ascii("x")): Uint8Array {
  const nonce = nonceOf(NoncePrefix.MESSAGE_FROM_CLIENT, n);
  return joinBytes(
    encodeCommand("MESSAGE"),
    n,
    sealBox(SESSION_KEY, nonce, joinBytes(new Uint8Array(1), body)),
  );
}

describe("CURVE MESSAGE codec", () => {
  it("opens the §8.2 MESSAGE and rejects it replayed", async () => {
    const { server } = codecs();
    assert.deepEqual(server.open(MESSAGE_C).body, ascii("Hello"));
    await rejects(() => server.open(MESSAGE_C), "ERR_ZMTP_INVALID_SEQUENCE");
  });
  it("rejects a nonce equal to INITIATE's, and a decreasing one", async () => {
    await rejects(
      () => codecs().server.open(messageWithNonce(shortNonce(2))),
      "ERR_ZMTP_INVALID_SEQUENCE",
    );
    const { server } = codecs();
    server.open(messageWithNonce(shortNonce(10)));
    await rejects(() => server.open(messageWithNonce(shortNonce(9))), "ERR_ZMTP_INVALID_SEQUENCE");
    await rejects(() => server.open(messageWithNonce(shortNonce(10))), "ERR_ZMTP_INVALID_SEQUENCE");
  });
  it("accepts gaps", () => {
    const { server } = codecs();
    for (const n of [3, 10, 11, 1000]) server.open(messageWithNonce(shortNonce(n)));
  });
  it("compares 64-bit nonces exactly, above 2^53", async () => {
    const big = (h: string) => unhex(h);
    const { server } = codecs(big("0020000000000001")); // 2^53 + 1
    await rejects(
      () => server.open(messageWithNonce(big("0020000000000001"))),
      "ERR_ZMTP_INVALID_SEQUENCE",
    );
    await rejects(
      () => server.open(messageWithNonce(big("001fffffffffffff"))),
      "ERR_ZMTP_INVALID_SEQUENCE",
    );
    server.open(messageWithNonce(big("0020000000000002")));
    server.open(messageWithNonce(big("ffffffff00000000")));
    await rejects(
      () => server.open(messageWithNonce(big("fffffffeffffffff"))),
      "ERR_ZMTP_INVALID_SEQUENCE",
      /18446744069414584320/,
    );
    server.open(messageWithNonce(big("ffffffffffffffff")));
  });
  it("carries the low short-nonce word into the high one when sealing", () => {
    const c = new CurveCodec(SESSION_KEY.slice(), {
      sender: "client",
      next: 0xffffffff,
      lastReceived: shortNonce(1),
    });
    const a = c.seal(ascii("a"), false, false);
    const b = c.seal(ascii("b"), false, false);
    assert.deepEqual([...a.subarray(8, 16)], [0, 0, 0, 0, 255, 255, 255, 255]);
    assert.deepEqual([...b.subarray(8, 16)], [0, 0, 0, 1, 0, 0, 0, 0]);
    const { server } = codecs();
    assert.deepEqual(server.open(a).body, ascii("a"));
    assert.deepEqual(server.open(b).body, ascii("b"));
  });
  it("rejects short bodies and a wrong name", async () => {
    const { server } = codecs();
    await rejects(() => server.open(MESSAGE_C.slice(0, 32)), "ERR_ZMTP_MALFORMED_COMMAND_MESSAGE");
    await rejects(() => server.open(MESSAGE_C.slice(0, 16)), "ERR_ZMTP_MALFORMED_COMMAND_MESSAGE");
    await rejects(() => server.open(MESSAGE_C.slice(0, 5)), "ERR_ZMTP_UNEXPECTED_COMMAND");
    await rejects(() => server.open(new Uint8Array(0)), "ERR_ZMTP_UNEXPECTED_COMMAND");
    await rejects(() => server.open(flip(MESSAGE_C, 3)), "ERR_ZMTP_UNEXPECTED_COMMAND");
  });
  it("rejects a flipped byte without advancing the nonce", async () => {
    const { server } = codecs();
    for (const i of [16, 31, 32, 37]) {
      await rejects(() => server.open(flip(MESSAGE_C, i)), "ERR_ZMTP_CRYPTOGRAPHIC");
    }
    assert.deepEqual(server.open(MESSAGE_C).body, ascii("Hello"));
  });
  it("rejects a MESSAGE sealed in the other direction", async () => {
    const { client } = codecs();
    const own = codecs().client.seal(ascii("x"), false, false);
    await rejects(() => client.open(own), "ERR_ZMTP_CRYPTOGRAPHIC");
  });
  it("reads MORE and COMMAND and ignores the other flag bits", () => {
    const { server } = codecs();
    const n = shortNonce(5);
    const nonce = nonceOf(NoncePrefix.MESSAGE_FROM_CLIENT, n);
    const m = joinBytes(
      encodeCommand("MESSAGE"),
      n,
      sealBox(SESSION_KEY, nonce, new Uint8Array([0xff, 1])),
    );
    assert.deepEqual(server.open(m), { body: new Uint8Array([1]), more: true, command: true });
  });
});

describe("CURVE: no state shared between connections", () => {
  it("a full handshake still works after the hostile cases (no shared state)", async () => {
    const [ready, done] = await handshake(vectorClient(), vectorServer());
    assert.ok((ready as HandshakeStep).ready && (done as HandshakeStep).ready);
    const m: Mechanism = vectorServer();
    assert.equal(m.name, "CURVE");
  });
});
