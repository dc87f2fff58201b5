// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError, ProtocolErrorCode } from "../../../lib/internal.ts";
import { decodeGreeting, encodeGreeting, GreetingReader, speaks31 } from "../../../lib/internal.ts";
import { chunkings, hex } from "./_chunks.ts";

/** zmtp.md §2.1: the greeting libzmq 4.3.x sends for NULL without a routing id. */
const NULL_GREETING = hex(`
  ff 00 00 00 00 00 00 00 01 7f 03 01 4e 55 4c 4c
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`);

function greetingWith(patch: Record<number, number>, base = NULL_GREETING): Uint8Array {
  const g = base.slice();
  for (const [k, v] of Object.entries(patch)) g[Number(k)] = v;
  return g;
}

/** Feeds chunks to a fresh reader; returns the greeting, or the error and the byte count. */
function read(chunks: Uint8Array[]) {
  const r = new GreetingReader();
  let fed = 0;
  try {
    for (const c of chunks) {
      const used = r.push(c);
      assert.equal(used, Math.min(c.length, 64 - fed));
      fed += used;
    }
  } catch (e) {
    return { error: e, fed };
  }
  return { greeting: r.complete ? r.result() : undefined, fed, needed: r.needed };
}

function assertRefused(bytes: Uint8Array, code: string, atByte: number) {
  for (const [how, chunks] of chunkings(bytes)) {
    const out = read(chunks);
    assert.ok(out.error instanceof ProtocolError, `${how}: expected ProtocolError`);
    assert.equal((out.error as ProtocolError).code, code, how);
  }
  // byte by byte, the refusal comes as soon as byte `atByte` (0-based) is in, not later
  const r = new GreetingReader();
  for (let i = 0; i < atByte; i++) r.push(bytes.subarray(i, i + 1));
  assert.throws(
    () => r.push(bytes.subarray(atByte, atByte + 1)),
    (e) => e instanceof ProtocolError,
  );
}

describe("encodeGreeting", () => {
  it("NULL without routing id equals libzmq's bytes (zmtp.md §2.1)", () => {
    assert.deepEqual(encodeGreeting("NULL"), NULL_GREETING);
  });

  it("padding is routing-id length + 1", () => {
    const g = encodeGreeting("NULL", { routingIdLength: 3 });
    assert.deepEqual(g.subarray(1, 9), hex("00 00 00 00 00 00 00 04"));
    assert.deepEqual(g.subarray(9), NULL_GREETING.subarray(9));
  });

  it("PLAIN and CURVE names, as-server byte", () => {
    assert.deepEqual(encodeGreeting("PLAIN").subarray(12, 18), hex("50 4c 41 49 4e 00"));
    assert.deepEqual(encodeGreeting("CURVE").subarray(12, 18), hex("43 55 52 56 45 00"));
    assert.equal(encodeGreeting("CURVE")[32], 0);
    assert.equal(encodeGreeting("CURVE", { asServer: true })[32], 1);
  });

  it("refuses invalid mechanism names", () => {
    assert.throws(() => encodeGreeting(""), RangeError);
    assert.throws(() => encodeGreeting("null"), RangeError);
    assert.throws(() => encodeGreeting("A".repeat(21)), RangeError);
  });
});

describe("GreetingReader", () => {
  it("reads libzmq's greeting whole, byte by byte and split at every index", () => {
    for (const [how, chunks] of chunkings(NULL_GREETING)) {
      const out = read(chunks);
      assert.equal(out.error, undefined, how);
      assert.deepEqual(
        out.greeting,
        { major: 3, minor: 1, mechanism: "NULL", asServer: false },
        how,
      );
      assert.equal(out.needed, 0, how);
    }
  });

  it("uses only the 64 greeting bytes of a longer chunk", () => {
    const r = new GreetingReader();
    const chunk = new Uint8Array(70);
    chunk.set(NULL_GREETING);
    assert.equal(r.push(chunk), 64);
    assert.ok(r.complete);
    assert.equal(r.push(new Uint8Array(3)), 0);
  });

  it("reports the bytes still needed and refuses result() before completion", () => {
    const r = new GreetingReader();
    assert.equal(r.needed, 64);
    r.push(NULL_GREETING.subarray(0, 20));
    assert.equal(r.needed, 44);
    assert.equal(r.complete, false);
    assert.throws(() => r.result());
  });

  it("accepts 3.0, 3.1 and later versions; 3.0 alone uses 3.0 rules", () => {
    const cases: Array<[number, number, boolean]> = [[3, 0, false], [3, 1, true], [3, 7, true], [
      4,
      0,
      true,
    ]];
    for (const [major, minor, is31] of cases) {
      const out = read([greetingWith({ 10: major, 11: minor })]);
      assert.equal(out.greeting?.major, major);
      assert.equal(out.greeting?.minor, minor);
      assert.equal(speaks31(out.greeting!), is31, `${major}.${minor}`);
    }
  });

  it("ignores the padding value and only checks bit 0 of byte 9", () => {
    const out = read([greetingWith({ 1: 0xaa, 8: 0x55, 9: 0x01 })]);
    assert.equal(out.greeting?.mechanism, "NULL");
  });

  it("keeps non-NUL bytes after the name, so the name no longer matches", () => {
    const out = read([greetingWith({ 17: 0x58 })]);
    assert.equal(out.greeting?.mechanism, "NULL\0X");
    assert.equal(
      read([greetingWith({ 12: 0x50, 13: 0x4c, 14: 0x41, 15: 0x49, 16: 0x4e })]).greeting
        ?.mechanism,
      "PLAIN",
    );
  });

  it("reads as-server", () => {
    assert.equal(read([greetingWith({ 32: 1 })]).greeting?.asServer, true);
  });

  it("refuses a first byte other than 0xFF at the first byte (ZMTP 1.0 / not ZeroMQ)", () => {
    assertRefused(greetingWith({ 0: 0x01 }), ProtocolErrorCode.BAD_SIGNATURE, 0);
    assertRefused(
      new TextEncoder().encode("GET / HTTP/1.1\r\n".repeat(4)),
      ProtocolErrorCode.BAD_SIGNATURE,
      0,
    );
  });

  it("refuses a clear bit 0 in byte 9 at byte 9", () => {
    assertRefused(greetingWith({ 9: 0x7e }), ProtocolErrorCode.BAD_SIGNATURE, 9);
  });

  it("refuses major versions below 3 at byte 10 (ZMTP 2.0, 1.0 with revision)", () => {
    // a ZMTP 2.0 peer sends 12 bytes and waits: the reader must not need more
    const zmtp20 = hex("ff 00 00 00 00 00 00 00 01 7f 01 05");
    const zmtp10r = hex("ff 00 00 00 00 00 00 00 01 7f 00 05");
    assertRefused(zmtp20, ProtocolErrorCode.UNSUPPORTED_VERSION, 10);
    assertRefused(zmtp10r, ProtocolErrorCode.UNSUPPORTED_VERSION, 10);
    assertRefused(greetingWith({ 10: 2 }), ProtocolErrorCode.UNSUPPORTED_VERSION, 10);
  });

  it("does not refuse a valid prefix", () => {
    for (let n = 1; n < 64; n++) {
      const r = new GreetingReader();
      r.push(NULL_GREETING.subarray(0, n));
      assert.equal(r.needed, 64 - n);
    }
  });
});

describe("decodeGreeting", () => {
  it("decodes a whole greeting and validates it like the reader", () => {
    assert.deepEqual(decodeGreeting(NULL_GREETING), {
      major: 3,
      minor: 1,
      mechanism: "NULL",
      asServer: false,
    });
    const refused = (b: Uint8Array, code: string) =>
      assert.throws(() => decodeGreeting(b), (e) => e instanceof ProtocolError && e.code === code);
    refused(NULL_GREETING.subarray(0, 63), ProtocolErrorCode.BAD_SIGNATURE);
    refused(greetingWith({ 0: 0 }), ProtocolErrorCode.BAD_SIGNATURE);
    refused(greetingWith({ 9: 0 }), ProtocolErrorCode.BAD_SIGNATURE);
    refused(greetingWith({ 10: 1 }), ProtocolErrorCode.UNSUPPORTED_VERSION);
  });
});
