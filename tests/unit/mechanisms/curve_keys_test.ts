// SPDX-License-Identifier: MIT
/** CURVE key helpers: key pairs, public from secret, and the key forms libzmq accepts. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { curvePublicKey } from "../../../lib/mechanisms/curve_box.ts";
import { curveKey, curveKeyPair, curvePublic } from "../../../lib/mechanisms/curve_keys.ts";
import { z85Decode } from "../../../lib/mechanisms/z85.ts";
import { hex, KEYS, Z85 } from "../../_helpers/curve_vectors.ts";

const bytes = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

describe("curveKeyPair", () => {
  it("makes distinct Z85 pairs whose public key is X25519 of the secret", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const { publicKey, secretKey } = curveKeyPair();
      assert.equal(publicKey.length, 40);
      assert.equal(secretKey.length, 40);
      assert.equal(hex(curvePublicKey(z85Decode(secretKey))), hex(z85Decode(publicKey)));
      assert.equal(curvePublic(secretKey), publicKey);
      assert.ok(!seen.has(secretKey));
      seen.add(secretKey);
    }
  });
});

describe("curvePublic", () => {
  it("derives the §6 public keys from text and from bytes", () => {
    assert.equal(curvePublic(Z85.serverSecret), Z85.serverPublic);
    assert.equal(curvePublic(KEYS.clientSecret), Z85.clientPublic);
  });
  it("rejects a bad secret key", () => {
    assert.throws(() => curvePublic("short"), RangeError);
  });
});

describe("curveKey", () => {
  const expected = hex(KEYS.serverPublic);
  it("accepts 40 Z85 characters, 41 with a NUL, and the same as bytes", () => {
    assert.equal(hex(curveKey(Z85.serverPublic, "k")), expected);
    assert.equal(hex(curveKey(Z85.serverPublic + "\0", "k")), expected);
    assert.equal(hex(curveKey(bytes(Z85.serverPublic), "k")), expected);
    assert.equal(hex(curveKey(bytes(Z85.serverPublic + "\0"), "k")), expected);
  });
  it("accepts 32 raw bytes and returns a copy", () => {
    const raw = KEYS.serverPublic.slice();
    const key = curveKey(raw, "k");
    assert.equal(hex(key), expected);
    key.fill(0);
    assert.equal(hex(raw), expected);
  });
  it("rejects 39 and 41 characters, naming the option", () => {
    assert.throws(
      () => curveKey(Z85.serverPublic.slice(1), "curveServerKey"),
      (e) => e instanceof RangeError && /curveServerKey/.test(e.message) && /39/.test(e.message),
    );
    assert.throws(() => curveKey(Z85.serverPublic + "0", "k"), RangeError);
    assert.throws(() => curveKey(bytes(Z85.serverPublic + "0"), "k"), RangeError);
  });
  it("rejects characters outside the alphabet and groups above 32 bits", () => {
    assert.throws(
      () => curveKey('"' + Z85.serverPublic.slice(1), "curveSecretKey"),
      (e) => e instanceof RangeError && /curveSecretKey is not valid Z85/.test(e.message),
    );
    assert.throws(() => curveKey("#####" + Z85.serverPublic.slice(5), "k"), RangeError);
    assert.throws(() => curveKey(Z85.serverPublic.slice(0, 39) + "é", "k"), RangeError);
  });
  it("rejects 31 and 33 raw bytes, and other types", () => {
    assert.throws(() => curveKey(new Uint8Array(31), "k"), RangeError);
    assert.throws(() => curveKey(new Uint8Array(33), "k"), RangeError);
    assert.throws(() => curveKey(new Uint8Array(41), "k"), RangeError); // 41 bytes, no Z85
    assert.throws(() => curveKey(42 as unknown as string, "k"), TypeError);
    assert.throws(() => curveKey(null as unknown as string, "k"), TypeError);
  });
});
