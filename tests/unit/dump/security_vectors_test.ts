// SPDX-License-Identifier: MIT
/**
 * PLAIN and CURVE dump decoding without a live peer: the deterministic CURVE handshake of
 * security.md §8.2 (which boxes open with which secret keys), malformed bodies, hostile
 * metadata, and fast-check fuzzing that nothing ever throws and every result is plain JSON.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { z85Encode } from "../../../lib/internal.ts";
import { boxKey, curvePublicKey } from "../../../lib/internal.ts";
import { CurveDecoder, MAX_SECRET_KEYS } from "../../../lib/internal.ts";
import { describePlain } from "../../../lib/internal.ts";
import { describeMetadata, MAX_VALUE_BYTES } from "../../../lib/internal.ts";
import { toHex as hex } from "../../../lib/internal.ts";
import type { JsonValue, Side } from "../../../lib/internal.ts";

const unhex = (s: string) =>
  new Uint8Array((s.replace(/\s+/g, "").match(/../g) ?? []).map((b) => parseInt(b, 16)));
const ascii = (s: string) => new TextEncoder().encode(s);

// security.md §6 test keys and §8.2 transient keys
const s = unhex("8E0BDD697628B91D8F245587EE95C5B04D48963F79259877B49CD9063AEAD3B7");
const c = unhex("7BB864B489AFA3671FBE69101F94B38972F24816DFB01B51656B3FEC8DFD0888");
const S_Z85 = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const C_Z85 = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const cT = new Uint8Array(32).map((_, i) => i + 0x01);
const sT = new Uint8Array(32).map((_, i) => i + 0x21);

// §8.2 command bodies AFTER the name (HELLO, WELCOME, INITIATE, READY), MESSAGE bodies whole.
const COOKIE = "bb".repeat(16) +
  "fb082b534a0037c3dba40cf9ff463d2f77637e1e5afd7090070a846a1b213388ea83a4c6ed6d0807bc0ede43" +
  "4dc86f75bbd75750bae7559e710ae8c68dcc5ad7c8ecd589007ff5dbebd9f8c379b4b27f";
const HELLO = unhex(
  "0100" + "00".repeat(72) +
    "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c 0000000000000001" +
    "6e3f26f72fe2f05db20de7881ee6a08fc432afe73b138226f5930879c93bdd4d8586425a3a8d6bc5d83598a3" +
    "017e0f1792ff0381360d168b6fe1c5e0bb752b0d365e13ea8e8a29ce1c5052c8c63eced7",
);
const WELCOME = unhex(
  "aa".repeat(16) +
    "3ed8abec0b8696615d33e35cd5f833167b192ebf623fb8ad77921d340ef6bbb9534c6617f9740b98dd61f36a" +
    "bd4c5977476e7f03bbf4417c2a8c1e85efbcd4a4f1776f0c17cfecb487da9c5b30e959cdc43b1ebf99ce3fb0" +
    "55ebe137d834dc5498246681f77f798bb7a81ac091190609aca35b9be8b5fbaccffc1f76227df28cdc67de95" +
    "9fb6b34d885d0c09485a9ab6",
);
const INITIATE = unhex(
  COOKIE + "0000000000000002" +
    "243e6c0f67de51dcd4eccb127a443b24f4b83c445dabfe76b764205b74eeced08560918c380fe1f6615aa969" +
    "26bbfd8bd1fda9426bd040e3f273416b0354f13ccd0fcdf15320ae6150c467ede0986b695cef381f5782f63b" +
    "56cf963f86913c309964471bf2039836f9c66a076ea76c07471a0fd1b1d878cf07930f3bb34f9bf1a2fda22c" +
    "7eb87fd9f27de1fec28ccea57523cdb6612d1dcd2e3c1025f1b8642572653b8096339e6dfabca005b814c15e" +
    "89d3e2",
);
const READY = unhex(
  "0000000000000001" +
    "640086d1ab154a21cf6b4b63c8994a57e5b976c483ec0654f901c19a18bef5ba8a058356adbb7f4fd971d3a3" +
    "f9629bff74d79f",
);
const MESSAGE_C = unhex(
  "074d455353414745 0000000000000003 2392739af151941d8293c3ab21586b77220731a3f5fd",
);
const MESSAGE_S = unhex(
  "074d455353414745 0000000000000002 bf22b2efed212f148027e100e028047620 76eb04f186",
);

function handshake(keys: Uint8Array[]) {
  const d = new CurveDecoder(keys);
  const hello = d.command("client", "HELLO", HELLO);
  const welcome = d.command("server", "WELCOME", WELCOME);
  const initiate = d.command("client", "INITIATE", INITIATE);
  const ready = d.command("server", "READY", READY);
  const mc = d.openMessage("client", MESSAGE_C);
  const ms = d.openMessage("server", MESSAGE_S);
  return { d, hello, welcome, initiate, ready, mc, ms };
}

/** Asserts `v` survives JSON unchanged (no undefined, bigint, NaN, class instances). */
function assertJson(v: Record<string, JsonValue>): void {
  assert.deepEqual(JSON.parse(JSON.stringify(v)), v);
}

describe("CURVE §8.2 deterministic handshake", () => {
  it("derives the test keys' public keys and the transient box key", () => {
    assert.equal(z85Encode(curvePublicKey(s)), S_Z85);
    assert.equal(z85Encode(curvePublicKey(c)), C_Z85);
    assert.equal(
      hex(curvePublicKey(sT)),
      "5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b",
    );
    const k = "ec88f6e13b22bf9f04d480e0d8525c08ac7e2f48e212742bcbcafa104a74b08d";
    assert.equal(hex(boxKey(cT, curvePublicKey(sT))!), k);
    assert.equal(hex(boxKey(sT, curvePublicKey(cT))!), k);
    assert.equal(boxKey(s, new Uint8Array(32)), null); // low-order point
  });

  it("opens HELLO and WELCOME with s, nothing after", () => {
    const r = handshake([s]);
    assert.deepEqual(r.hello, {
      version: "1.0",
      clientTransientKey: z85Encode(curvePublicKey(cT)),
      shortNonce: 1,
      boxSize: 80,
      opened: true,
      serverKey: S_Z85,
      signatureOk: true,
    });
    assert.deepEqual(r.welcome, {
      longNonce: "aa".repeat(16),
      boxSize: 144,
      opened: true,
      serverTransientKey: z85Encode(curvePublicKey(sT)),
      cookieSize: 96,
    });
    assert.equal(r.initiate.cookieMatches, true);
    assert.equal(r.initiate.opened, false);
    assert.equal(r.ready.opened, false);
    assert.equal(r.mc.plaintext, null);
    assert.equal(r.d.canOpenMessages, false);
  });

  it("opens INITIATE, the vouch, READY and MESSAGEs with the server's transient secret", () => {
    const r = handshake([sT]);
    assert.equal(r.hello.opened, false);
    assert.equal(r.welcome.opened, false);
    assert.deepEqual(r.initiate, {
      cookieSize: 96,
      shortNonce: 2,
      boxSize: 179,
      opened: true,
      openedWith: "the server's transient secret key",
      serverTransientKey: z85Encode(curvePublicKey(sT)),
      clientKey: C_Z85,
      vouchNonce: "cc".repeat(16),
      vouchOpened: true,
      vouchTransientOk: true,
      vouchServerKey: S_Z85,
      metadata: { "Socket-Type": "DEALER", Identity: "" },
    });
    assert.deepEqual(r.ready, {
      shortNonce: 1,
      boxSize: 51,
      opened: true,
      metadata: { "Socket-Type": "ROUTER", Identity: "" },
    });
    assert.deepEqual(r.mc.fields, {
      shortNonce: 3,
      boxSize: 22,
      payloadSize: 5,
      opened: true,
      more: false,
      command: false,
    });
    assert.deepEqual(r.mc.plaintext, { more: false, command: false, body: ascii("Hello") });
    assert.deepEqual(r.ms.plaintext?.body, ascii("World"));
    assert.equal(r.d.canOpenMessages, true);
  });

  it("opens everything but the vouch with s and c', the vouch too with c", () => {
    const r = handshake([s, cT]);
    assert.equal(r.welcome.opened, true);
    assert.equal(r.initiate.opened, true);
    assert.equal(r.initiate.openedWith, "the client's transient secret key");
    assert.equal(r.initiate.vouchOpened, false);
    assert.equal(r.ready.opened, true);
    assert.deepEqual(r.ms.plaintext?.body, ascii("World"));
    const all = handshake([s, cT, c]);
    assert.equal(all.initiate.vouchOpened, true);
    assert.equal(all.initiate.vouchTransientOk, true);
  });

  it("opens nothing with c, with c' alone (S' stays unknown), or with c and s", () => {
    for (const keys of [[c], [cT], [c, s]]) {
      const r = handshake(keys);
      assert.equal(r.initiate.opened, false, JSON.stringify(keys.map(hex)));
      assert.equal(r.ready.opened, false);
      assert.equal(r.mc.plaintext, null);
    }
  });

  it("takes the CURVE client to be whichever side sent HELLO", () => {
    const d = new CurveDecoder([sT]);
    d.command("server", "HELLO", HELLO); // the connecting side is the CURVE server here
    d.command("client", "WELCOME", WELCOME);
    assert.equal(d.command("server", "INITIATE", INITIATE).opened, true);
    assert.equal(d.command("client", "READY", READY).opened, true);
    assert.deepEqual(d.openMessage("server", MESSAGE_C).plaintext?.body, ascii("Hello"));
    assert.deepEqual(d.openMessage("client", MESSAGE_S).plaintext?.body, ascii("World"));
  });

  it("flags a MESSAGE whose short nonce does not increase", () => {
    const r = handshake([sT]);
    const again = r.d.message("client", MESSAGE_C);
    assert.equal(again.nonceError, "short nonce 3 is not greater than the previous 3");
    assert.equal(again.opened, true);
  });

  it("rejects bad secret keys in the constructor only", () => {
    assert.throws(() => new CurveDecoder([new Uint8Array(31)]), {
      name: "RangeError",
      message: "CURVE secret key 1 must be 32 bytes, got 31",
    });
    const many = Array.from({ length: MAX_SECRET_KEYS + 1 }, () => new Uint8Array(32));
    assert.throws(() => new CurveDecoder(many), RangeError);
  });
});

describe("malformed bodies", () => {
  const opts = { showSecrets: false };
  it("PLAIN: reasons with data offsets, and what was decoded before the fault", () => {
    assert.deepEqual(describePlain("HELLO", new Uint8Array(0), opts), {
      malformed: "missing username length at data offset 0",
    });
    assert.deepEqual(describePlain("HELLO", unhex("05 61646d696e 09 7878"), opts), {
      username: "admin",
      malformed: "password of 9 bytes overruns the body at data offset 6",
    });
    assert.deepEqual(describePlain("HELLO", unhex("01 61 01 62 ff"), opts), {
      username: "a",
      password: "***",
      passwordLength: 1,
      malformed: "1 unexpected bytes after the password at data offset 4",
    });
    assert.deepEqual(describePlain("WELCOME", unhex("00"), opts), {
      malformed: "WELCOME carries 1 bytes, expected none, at data offset 0",
    });
    assert.deepEqual(describePlain("READY", unhex("04 4e616d65 000000 "), opts), {
      metadata: {},
      malformed: "truncated value length at data offset 5",
    });
    assert.deepEqual(describePlain("PING", unhex("0001"), opts), {
      note: "PING is not a PLAIN handshake command",
    });
  });

  it("CURVE: short and oversized bodies never throw", () => {
    const d = new CurveDecoder([s]);
    assert.deepEqual(d.command("client", "HELLO", unhex("01")), {
      malformed: "missing version at data offset 1",
    });
    const long = d.command("client", "HELLO", new Uint8Array([...HELLO, 0]));
    assert.equal(
      long.malformed,
      "HELLO needs 194 bytes after its name, got 195, at data offset 194",
    );
    assert.equal(long.boxSize, 81);
    assert.deepEqual(d.command("server", "ERROR", unhex("05 7878")), {
      malformed: "reason of 5 bytes overruns the body at data offset 0",
    });
    assert.deepEqual(d.message("server", unhex("074d455353414745 00")), {
      malformed: "missing short nonce at data offset 9",
    });
    assert.deepEqual(d.message("server", ascii("MESSAGE")), {
      malformed: 'body does not start with 07 "MESSAGE" at data offset 0',
    });
  });

  it("metadata: binary and long values, repeated and prototype-polluting names", () => {
    const prop = (name: string, value: Uint8Array) => {
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, value.length);
      return [name.length, ...ascii(name), ...len, ...value];
    };
    const long = new Uint8Array(MAX_VALUE_BYTES + 10).fill(0x41);
    const bytes = new Uint8Array([
      ...prop("__proto__", ascii("x")),
      ...prop("Bin", unhex("00ff")),
      ...prop("Bin", ascii("again")),
      ...prop("Long", long),
    ]);
    const view = describeMetadata(bytes, 0);
    assert.equal(view.error, undefined);
    assert.equal(Object.getPrototypeOf(view.metadata), Object.prototype);
    assert.deepEqual(Object.keys(view.metadata), ["__proto__", "Bin", "Bin (2)", "Long"]);
    assert.equal(Object.getOwnPropertyDescriptor(view.metadata, "__proto__")?.value, "x");
    assert.deepEqual(view.metadata.Bin, { $hex: "00ff" });
    assert.deepEqual(view.metadata.Long, {
      $text: "A".repeat(MAX_VALUE_BYTES),
      $size: long.length,
    });
    assert.deepEqual(describeMetadata(unhex("01 20 00000000"), 7), {
      metadata: {},
      error: "invalid property name at data offset 7",
    });
  });
});

describe("fuzzing (nothing throws, results are plain JSON)", () => {
  const NAMES = ["HELLO", "WELCOME", "INITIATE", "READY", "ERROR", "MESSAGE", "PING", ""];
  const data = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom(HELLO, WELCOME, INITIATE, READY).chain((b) =>
      fc.tuple(fc.nat(b.length), fc.nat(255), fc.nat(b.length)).map(([i, v, cutAt]) => {
        const m = new Uint8Array(b);
        m[i % m.length] = v;
        return m.subarray(0, cutAt);
      })
    ),
  );

  it("describePlain on random bodies", () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), data, fc.boolean(), (name, body, showSecrets) => {
        assertJson(describePlain(name, body, { showSecrets }));
      }),
      { seed: 24, numRuns: 1500 },
    );
  });

  it("CurveDecoder on random and mutated command sequences", () => {
    const step = fc.tuple(
      fc.constantFrom<Side>("client", "server"),
      fc.constantFrom(...NAMES),
      data,
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), fc.boolean(), (steps, valid) => {
        const d = new CurveDecoder([s, sT]);
        if (valid) d.command("client", "HELLO", HELLO);
        for (const [from, name, body] of steps) {
          assertJson(d.command(from, name, body));
          assertJson(d.message(from, new Uint8Array([...MESSAGE_C.subarray(0, 8), ...body])));
          assertJson(d.openMessage(from, body).fields);
        }
      }),
      { seed: 25, numRuns: 300 },
    );
  });

  it("the §8.2 handshake with one byte changed anywhere", () => {
    const parts = [HELLO, WELCOME, INITIATE, READY, MESSAGE_C, MESSAGE_S];
    fc.assert(
      fc.property(fc.nat(5), fc.nat(400), fc.integer({ min: 1, max: 255 }), (p, i, x) => {
        const mutated = parts.map((b) => new Uint8Array(b));
        const target = mutated[p]!;
        target[i % target.length]! ^= x;
        const d = new CurveDecoder([s, sT]);
        assertJson(d.command("client", "HELLO", mutated[0]!));
        assertJson(d.command("server", "WELCOME", mutated[1]!));
        assertJson(d.command("client", "INITIATE", mutated[2]!));
        assertJson(d.command("server", "READY", mutated[3]!));
        assertJson(d.message("client", mutated[4]!));
        assertJson(d.message("server", mutated[5]!));
      }),
      { seed: 26, numRuns: 200 },
    );
  });
});
