// SPDX-License-Identifier: MIT
/**
 * The ZRE beacon codec (lib/discovery/beacon.ts): the exact 22-byte layout of RFC 36, and a
 * strict decoder that takes nothing else: every other length, header and version is not a
 * beacon, and no input makes it throw.
 */
import { randomUuid } from "../../../lib/util/bytes.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BEACON_SIZE,
  decodeBeacon,
  encodeBeacon,
  uuidBytes,
  uuidHex,
  ZRE_DISCOVERY_PORT,
} from "../../../lib/discovery/beacon.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const bytes = (h: string) => Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
const UUID = Uint8Array.from({ length: 16 }, (_, i) => i * 17); // 00 11 22 … ff
const UUID_HEX = "00112233445566778899AABBCCDDEEFF";

describe("ZRE beacon codec", () => {
  it("lays a beacon out as RFC 36 says: ZRE, version 1, UUID, port big-endian", () => {
    assert.equal(BEACON_SIZE, 22);
    assert.equal(ZRE_DISCOVERY_PORT, 5670);
    const b = encodeBeacon(UUID, 0xc0de);
    assert.equal(b.length, 22);
    assert.equal(hex(b), "5a524501" + UUID_HEX.toLowerCase() + "c0de");
    assert.deepEqual(encodeBeacon(UUID_HEX.toLowerCase(), 0xc0de), b);
  });

  it("decodes what it encodes, port 0 (goodbye) and 65535 included", () => {
    for (const port of [0, 1, 255, 256, 5670, 49152, 65535]) {
      assert.deepEqual(decodeBeacon(encodeBeacon(UUID, port)), { uuid: UUID_HEX, port });
    }
    // a beacon written by hand, as another implementation would send it
    assert.deepEqual(decodeBeacon(bytes("5a524501" + "ab".repeat(16) + "1626")), {
      uuid: "AB".repeat(16),
      port: 5670,
    });
  });

  it("decodes a beacon lying inside a larger buffer (a view)", () => {
    const big = new Uint8Array(40);
    big.set(encodeBeacon(UUID, 7), 9);
    assert.deepEqual(decodeBeacon(big.subarray(9, 31)), { uuid: UUID_HEX, port: 7 });
  });

  it("ignores every other length: empty, truncated, one byte long, oversize", () => {
    const good = encodeBeacon(UUID, 5555);
    for (let n = 0; n < 22; n++) assert.equal(decodeBeacon(good.subarray(0, n)), undefined, `${n}`);
    const longer = (extra: number) => {
      const b = new Uint8Array(22 + extra);
      b.set(good);
      return b;
    };
    for (const extra of [1, 2, 10, 1478, 65485]) {
      assert.equal(decodeBeacon(longer(extra)), undefined, `22 + ${extra} bytes`);
    }
  });

  it("ignores a wrong header or version, byte by byte", () => {
    const good = encodeBeacon(UUID, 5555);
    for (let i = 0; i < 4; i++) {
      for (const v of [0x00, 0x01, 0x02, 0x7a, 0x72, 0x65, 0xff]) {
        if (v === good[i]) continue;
        const bad = good.slice();
        bad[i] = v;
        assert.equal(decodeBeacon(bad), undefined, `byte ${i} = ${v}`);
      }
    }
    // lower-case "zre", and the Guide's udpping's one-byte ping, are not beacons either
    assert.equal(decodeBeacon(bytes("7a726501" + "00".repeat(18))), undefined);
    assert.equal(decodeBeacon(Uint8Array.of(0x21)), undefined);
  });

  it("takes any UUID bytes and any port as they are (the body has no invalid values)", () => {
    for (const fill of [0x00, 0xff]) {
      const b = encodeBeacon(new Uint8Array(16).fill(fill), 0xffff);
      assert.deepEqual(decodeBeacon(b), {
        uuid: uuidHex(new Uint8Array(16).fill(fill)),
        port: 65535,
      });
    }
  });

  it("never throws on random datagrams, and decodes only well-headed 22-byte ones", () => {
    let seed = 20261202;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 5000; i++) {
      const len = i % 3 === 0 ? 22 : Math.floor(rand() * 64);
      const d = Uint8Array.from({ length: len }, () => Math.floor(rand() * 256));
      if (i % 5 === 0 && len >= 4) d.set([0x5a, 0x52, 0x45, 0x01]);
      const r = decodeBeacon(d);
      const valid = len === 22 && d[0] === 0x5a && d[1] === 0x52 && d[2] === 0x45 && d[3] === 1;
      assert.equal(r !== undefined, valid);
      if (r) assert.deepEqual(encodeBeacon(r.uuid, r.port), d);
    }
  });

  it("encodes only a 16-byte UUID and a port 0-65535", () => {
    assert.throws(() => encodeBeacon(new Uint8Array(15), 1), RangeError);
    assert.throws(() => encodeBeacon(new Uint8Array(17), 1), RangeError);
    assert.throws(() => encodeBeacon("abc", 1), RangeError);
    for (const port of [-1, 65536, 1.5, NaN]) {
      assert.throws(() => encodeBeacon(UUID, port), RangeError, `${port}`);
    }
  });

  it("UUIDs: hex either case, dashes allowed; random ones are version 4", () => {
    assert.deepEqual(uuidBytes(UUID_HEX.toLowerCase()), UUID);
    assert.deepEqual(uuidBytes("00112233-4455-6677-8899-aabbccddeeff"), UUID);
    for (const bad of ["", "00", UUID_HEX + "00", UUID_HEX.slice(0, 31) + "g"]) {
      assert.throws(() => uuidBytes(bad), RangeError, bad);
    }
    const r = randomUuid();
    assert.equal(r.length, 16);
    assert.equal(r[6]! >> 4, 4);
    assert.equal(r[8]! >> 6, 2);
    assert.notDeepEqual(randomUuid(), r);
  });
});
