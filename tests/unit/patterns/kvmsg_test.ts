// SPDX-License-Identifier: MIT
/**
 * The kvmsg codec (five frames, and the three-frame kvsimple) and KvMap: round trips, the
 * exact wire layout, every bound (key length, sequence range, uuid size, property block size
 * and syntax) from both sides, and hostile input — random frames and mutations of valid
 * messages, with a fixed seed — which must decode to a message that re-encodes to the same
 * frames, or be refused with a KvmsgError, and nothing else.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createKvmsg,
  decodeKvmsg,
  encodeKvmsg,
  KvMap,
  type Kvmsg,
  KVMSG_MAX_KEY,
  KVMSG_MAX_PROPERTIES,
  KvmsgError,
  type KvmsgFormat,
  newUuid,
} from "../../../mod.ts";

const enc = new TextEncoder();
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (...b: number[]) => new Uint8Array(b);
const E = new Uint8Array(0);
const seq8 = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n);
  return b;
};
/** A deterministic PRNG (mulberry32), so that a failure can be replayed: an integer below n. */
function prng(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
const refused = (frames: Uint8Array[], format?: KvmsgFormat, why?: RegExp) =>
  assert.throws(() => decodeKvmsg(frames, format), (e) => {
    assert.ok(e instanceof KvmsgError, `not a KvmsgError: ${e}`);
    if (why) assert.match(e.message, why);
    return true;
  });

describe("kvmsg codec", () => {
  it("encodes the five frames: key, 8-byte big-endian sequence, uuid, properties, body", () => {
    const uuid = newUuid();
    const msg = createKvmsg("/client/42", "value", {
      sequence: 0x0102030405,
      uuid,
      properties: { ttl: "30", origin: "a=b" },
    });
    const frames = encodeKvmsg(msg);
    assert.deepEqual(frames.map((f) => f.length), [10, 8, 16, 18, 5]);
    assert.equal(text(frames[0]!), "/client/42");
    assert.deepEqual([...frames[1]!], [0, 0, 0, 1, 2, 3, 4, 5]);
    assert.equal(frames[2], uuid);
    assert.equal(text(frames[3]!), "ttl=30\norigin=a=b\n");
    assert.equal(text(frames[4]!), "value");
    const back = decodeKvmsg(frames);
    assert.equal(back.key, "/client/42");
    assert.equal(back.sequence, 0x0102030405);
    assert.deepEqual(back.uuid, uuid);
    assert.deepEqual([...back.properties], [["ttl", "30"], ["origin", "a=b"]]);
    assert.equal(text(back.body), "value");
  });

  it("encodes no uuid and no properties as empty frames", () => {
    const frames = encodeKvmsg(createKvmsg("HUGZ", E, { sequence: 7 }));
    assert.deepEqual(frames.map((f) => f.length), [4, 8, 0, 0, 0]);
    const back = decodeKvmsg(frames);
    assert.equal(back.uuid.length, 0);
    assert.equal(back.properties.size, 0);
    assert.equal(back.body.length, 0);
  });

  it("kvsimple: three frames, key, sequence, body; uuid and properties are not sent", () => {
    const msg = createKvmsg("1234", "567", {
      sequence: 9,
      uuid: newUuid(),
      properties: { a: "b" },
    });
    const frames = encodeKvmsg(msg, "kvsimple");
    assert.deepEqual(frames.map(text), ["1234", "\0\0\0\0\0\0\0\t", "567"]);
    const back = decodeKvmsg(frames, "kvsimple");
    assert.deepEqual([back.key, back.sequence, text(back.body)], ["1234", 9, "567"]);
    assert.equal(back.uuid.length, 0);
    assert.equal(back.properties.size, 0);
  });

  it("decodes without copying: the body and uuid are views of the frames", () => {
    const frames = encodeKvmsg(createKvmsg("k", "body", { uuid: newUuid() }));
    const back = decodeKvmsg(frames);
    assert.equal(back.body, frames[4]);
    assert.equal(back.uuid, frames[2]);
  });

  it("carries every safe sequence number, and refuses the others both ways", () => {
    for (const n of [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const frames = encodeKvmsg(createKvmsg("k", "v", { sequence: n }));
      assert.deepEqual(frames[1], seq8(BigInt(n)));
      assert.equal(decodeKvmsg(frames).sequence, n);
    }
    for (const n of [-1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1]) {
      assert.throws(() => encodeKvmsg(createKvmsg("k", "v", { sequence: n })), RangeError);
    }
    const frames = encodeKvmsg(createKvmsg("k", "v"));
    for (const big of [2n ** 53n, 2n ** 63n, 2n ** 64n - 1n]) { // ≥ 2^53, or negative as int64
      refused([frames[0]!, seq8(big), E, E, frames[4]!], undefined, /sequence/);
    }
    for (const size of [0, 7, 9]) {
      refused([frames[0]!, new Uint8Array(size), E, E, E], undefined, /sequence of/);
    }
  });

  it("refuses a message with the wrong number of frames", () => {
    const five = encodeKvmsg(createKvmsg("k", "v"));
    for (const n of [0, 1, 2, 3, 4, 6, 10]) {
      const frames = Array.from({ length: n }, (_, i) => five[i % 5]!);
      refused(frames, "kvmsg", /frames/);
    }
    refused(five, "kvsimple", /frames/);
    refused(five.slice(0, 2), "kvsimple", /frames/);
  });

  it("keys: up to 255 bytes of UTF-8", () => {
    const longest = "k".repeat(KVMSG_MAX_KEY);
    assert.equal(decodeKvmsg(encodeKvmsg(createKvmsg(longest, "v"))).key, longest);
    const multibyte = "é".repeat(127); // 254 bytes
    assert.equal(decodeKvmsg(encodeKvmsg(createKvmsg(multibyte, "v"))).key, multibyte);
    assert.throws(() => encodeKvmsg(createKvmsg("k".repeat(256), "v")), RangeError);
    assert.throws(() => encodeKvmsg(createKvmsg("é".repeat(128), "v")), RangeError);
    const frames = encodeKvmsg(createKvmsg("k", "v"));
    refused([new Uint8Array(256).fill(0x6b), ...frames.slice(1)], undefined, /key of 256/);
    refused([bytes(0xff, 0xfe), ...frames.slice(1)], undefined, /key is not valid UTF-8/);
    refused([bytes(0xc3), ...frames.slice(1)], undefined, /UTF-8/); // cut in a character
    assert.equal(decodeKvmsg([E, ...frames.slice(1)]).key, ""); // empty: allowed
  });

  it("uuids: 16 bytes or none", () => {
    const frames = encodeKvmsg(createKvmsg("k", "v"));
    for (const size of [1, 15, 17, 32]) {
      refused([frames[0]!, frames[1]!, new Uint8Array(size), E, E], undefined, /uuid of/);
      assert.throws(
        () => encodeKvmsg(createKvmsg("k", "v", { uuid: new Uint8Array(size) })),
        RangeError,
      );
    }
    const uuid = newUuid();
    assert.equal(uuid.length, 16);
    assert.equal(uuid[6]! >> 4, 4); // version 4
    assert.equal(uuid[8]! >> 6, 2); // RFC 4122 variant
    assert.notDeepEqual(newUuid(), uuid);
  });

  it("properties: name=value lines, each ending in a newline, in a bounded block", () => {
    const frames = encodeKvmsg(createKvmsg("k", "v"));
    const props = (s: string | Uint8Array) =>
      decodeKvmsg([frames[0]!, frames[1]!, E, typeof s === "string" ? enc.encode(s) : s, E])
        .properties;
    assert.deepEqual([...props("ttl=5\n")], [["ttl", "5"]]);
    assert.deepEqual([...props("a=\nb=x=y\n")], [["a", ""], ["b", "x=y"]]);
    assert.deepEqual([...props("é=ü\n")], [["é", "ü"]]);
    const bad = (s: string | Uint8Array, why: RegExp) =>
      refused(
        [frames[0]!, frames[1]!, E, typeof s === "string" ? enc.encode(s) : s, E],
        undefined,
        why,
      );
    bad("ttl=5", /newline/);
    bad("ttl=5\nx", /newline/);
    bad("ttl\n", /not name=value/);
    bad("=5\n", /not name=value/);
    bad("\n", /not name=value/);
    bad("a=1\na=2\n", /twice/);
    bad(bytes(0x61, 0x3d, 0xff, 0x0a), /UTF-8/);
    // the block's bound: exactly the limit is fine, one byte more is not
    const fill = (n: number) => `p=${"x".repeat(n - 3)}\n`;
    assert.equal(props(fill(KVMSG_MAX_PROPERTIES)).get("p")!.length, KVMSG_MAX_PROPERTIES - 3);
    bad(fill(KVMSG_MAX_PROPERTIES + 1), /properties frame of 4097 bytes/);
    bad("a=1\n".repeat(10_000), /properties frame of/); // many small ones: refused unparsed
  });

  it("refuses to encode properties that could not be decoded", () => {
    for (const [name, value] of [["", "v"], ["a=b", "v"], ["a\nb", "v"], ["a", "v\nw"]]) {
      assert.throws(
        () => encodeKvmsg(createKvmsg("k", "v", { properties: { [name!]: value! } })),
        TypeError,
      );
    }
    const big = { p: "x".repeat(KVMSG_MAX_PROPERTIES) };
    assert.throws(() => encodeKvmsg(createKvmsg("k", "v", { properties: big })), RangeError);
  });

  it("createKvmsg copies the properties it is given", () => {
    const given = new Map([["ttl", "1"]]);
    const msg = createKvmsg("k", "v", { properties: given });
    given.set("ttl", "2");
    assert.equal(msg.properties.get("ttl"), "1");
    // a name such as __proto__ is an ordinary property
    const odd = createKvmsg("k", "v", { properties: new Map([["__proto__", "x"]]) });
    assert.equal(decodeKvmsg(encodeKvmsg(odd)).properties.get("__proto__"), "x");
  });

  it("hostile input: random frames decode to a message that re-encodes the same, or are refused", () => {
    const rand = prng(20260116);
    let decoded = 0;
    for (let round = 0; round < 20_000; round++) {
      const format: KvmsgFormat = rand(4) === 0 ? "kvsimple" : "kvmsg";
      const count = rand(8) === 0 ? rand(8) : format === "kvsimple" ? 3 : 5;
      const frames = Array.from({ length: count }, (_, i) => {
        // mostly plausible sizes for each position, sometimes anything
        const size = rand(10) === 0
          ? rand(300)
          : [rand(12), 8, rand(3) * 8, rand(12), rand(6)][i % 5]!;
        const frame = new Uint8Array(size);
        for (let j = 0; j < size; j++) {
          frame[j] = rand(3) === 0 ? rand(256) : [0x61, 0x3d, 0x0a, 0x00][rand(4)]!;
        }
        // a sequence: mostly in range (its top 11 bits clear)
        if (i === 1 && size === 8 && rand(4) !== 0) frame.fill(0, 0, 3);
        return frame;
      });
      let msg: Kvmsg;
      try {
        msg = decodeKvmsg(frames, format);
      } catch (e) {
        assert.ok(e instanceof KvmsgError, `round ${round}: ${e}`);
        continue;
      }
      decoded++;
      assert.deepEqual(encodeKvmsg(msg, format), frames, `round ${round}`);
    }
    assert.ok(decoded > 1000, `only ${decoded} decoded: the generator is too hostile to test much`);
  });

  it("hostile input: every single-byte mutation of a valid message is decoded exactly or refused", () => {
    const msg = createKvmsg("/client/7", "body", {
      sequence: 123456789,
      uuid: newUuid(),
      properties: { ttl: "30", x: "y" },
    });
    const frames = encodeKvmsg(msg);
    const rand = prng(7);
    for (let f = 0; f < 5; f++) {
      for (let i = 0; i < frames[f]!.length; i++) {
        for (const value of [0x00, 0x0a, 0x3d, 0x80, 0xff, rand(256)]) {
          const mutated = frames.map((x) => x.slice());
          mutated[f]![i] = value;
          try {
            assert.deepEqual(encodeKvmsg(decodeKvmsg(mutated)), mutated);
          } catch (e) {
            assert.ok(e instanceof KvmsgError, `frame ${f} byte ${i} = ${value}: ${e}`);
          }
        }
      }
    }
  });
});

describe("KvMap", () => {
  const kv = (key: string, value: string) => createKvmsg(key, value);

  it("stores, replaces and deletes (an empty value deletes)", () => {
    const map = new KvMap();
    assert.equal(map.digest(), "0000000000000000");
    map.store(kv("a", "1"));
    map.store(kv("b", "2"));
    map.store(kv("a", "3"));
    assert.equal(map.size, 2);
    assert.equal(text(map.get("a")!.body), "3");
    assert.equal(map.store(kv("a", "")), true);
    assert.equal(map.get("a"), undefined);
    assert.equal(map.size, 1);
    map.store(kv("nothing", "")); // deleting a key that is not there
    assert.equal(map.size, 1);
    assert.deepEqual([...map].map((m) => m.key), ["b"]);
    assert.equal(map.delete("b"), true);
    assert.equal(map.delete("b"), false);
    assert.equal(map.digest(), "0000000000000000");
  });

  it("keeps a received body by itself, not the larger buffer it is a view of", () => {
    const chunk = new Uint8Array(65536).fill(0x61); // as a read buffer holding many frames
    const msg = decodeKvmsg([chunk.subarray(0, 3), seq8(1n), E, E, chunk.subarray(100, 105)]);
    const map = new KvMap();
    map.store(msg);
    const kept = map.get("aaa")!;
    assert.equal(text(kept.body), "aaaaa");
    assert.equal(kept.body.buffer.byteLength, 5);
    const own = createKvmsg("b", "owned");
    map.store(own);
    assert.equal(map.get("b"), own); // already compact: kept as it is
  });

  it("keeps only the keys of its subtree", () => {
    const map = new KvMap("/client/");
    assert.equal(map.store(kv("/client/1", "x")), true);
    assert.equal(map.store(kv("/other/1", "x")), false);
    assert.equal(map.store(kv("/client", "x")), false);
    assert.deepEqual([...map.values()].map((m) => m.key), ["/client/1"]);
  });

  it("digest: the same contents give the same digest, whatever the order and history", () => {
    const rand = prng(99);
    const ops = Array.from(
      { length: 2000 },
      () => kv(`k${rand(200)}`, rand(5) === 0 ? "" : `v${rand(50)}`),
    );
    const a = new KvMap();
    for (const op of ops) a.store(op);
    // b: the final contents only, in another order
    const b = new KvMap();
    for (const m of [...a].reverse()) b.store(kv(m.key, text(m.body)));
    assert.equal(a.size, b.size);
    assert.equal(a.digest(), b.digest());
    assert.match(a.digest(), /^[0-9a-f]{16}$/);
    // one value different, one key more, one key less: all show
    const one = [...a][0]!;
    b.store(kv(one.key, text(one.body) + "!"));
    assert.notEqual(b.digest(), a.digest());
    b.store(kv(one.key, text(one.body)));
    assert.equal(b.digest(), a.digest());
    b.store(kv("extra", "1"));
    assert.notEqual(b.digest(), a.digest());
    b.delete("extra");
    b.delete(one.key);
    assert.notEqual(b.digest(), a.digest());
    b.clear();
    assert.equal(b.digest(), "0000000000000000");
  });

  it("digest: a key's bytes and its value's are not confused", () => {
    const a = new KvMap();
    a.store(kv("ab", "c"));
    const b = new KvMap();
    b.store(kv("a", "bc"));
    assert.notEqual(a.digest(), b.digest());
    // many maps of one entry: no two digests alike
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const m = new KvMap();
      m.store(kv(String(i % 100), String(Math.floor(i / 100))));
      seen.add(m.digest());
    }
    assert.equal(seen.size, 5000);
  });
});
