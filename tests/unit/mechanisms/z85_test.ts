// SPDX-License-Identifier: MIT
/** Z85 (RFC 32): the RFC and libzmq test vectors, strictness, and a round-trip property. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { z85Decode, z85Encode } from "../../../lib/internal.ts";

function unhex(s: string): Uint8Array {
  return new Uint8Array((s.match(/../g) ?? []).map((b) => parseInt(b, 16)));
}

/** Binary (hex) ↔ Z85, from RFC 32 and libzmq's doc/zmq_curve.txt (security.md §6). */
const VECTORS: Array<[string, string]> = [
  ["864fd26fb559f75b", "HelloWorld"],
  [
    "8e0bdd697628b91d8f245587ee95c5b04d48963f79259877b49cd9063aead3b7",
    "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
  ],
  [
    "bb88471d65e2659b30c55a5321cebb5aab2b70a398645c26dca2b2fcb43fc518",
    "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
  ],
  [
    "7bb864b489afa3671fbe69101f94b38972f24816dfb01b51656b3fec8dfd0888",
    "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
  ],
  [
    "54fcba24e93249969316fb617c872bb0c1d1ff14800427c594cbfacf1bc2d652",
    "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
  ],
  ["00000000", "00000"],
  ["ffffffff", "%nSc0"],
];

describe("z85Encode / z85Decode", () => {
  it("match the RFC 32 and libzmq vectors both ways", () => {
    for (const [bin, text] of VECTORS) {
      assert.equal(z85Encode(unhex(bin)), text);
      assert.deepEqual(z85Decode(text), unhex(bin));
    }
  });

  it("encode and decode the empty input as empty", () => {
    assert.equal(z85Encode(new Uint8Array(0)), "");
    assert.deepEqual(z85Decode(""), new Uint8Array(0));
  });

  it("reject an encode input whose length is not a multiple of 4", () => {
    for (const n of [1, 2, 3, 5, 31, 33]) {
      assert.throws(() => z85Encode(new Uint8Array(n)), {
        name: "RangeError",
        message: `Z85 input length ${n} is not a multiple of 4`,
      });
    }
  });

  it("reject text whose length is not a multiple of 5", () => {
    assert.throws(() => z85Decode("Hello"[0]!.repeat(4)), {
      name: "RangeError",
      message: "Z85 text length 4 is not a multiple of 5",
    });
    assert.throws(() => z85Decode("HelloWorl"), RangeError);
  });

  it("reject characters outside the alphabet, naming the position", () => {
    for (const [text, pos] of [["Hello Worl", 5], ['HelloWorl"', 9], ["~ello", 0]] as const) {
      assert.throws(() => z85Decode(text), {
        name: "RangeError",
        message: `Invalid Z85 character at position ${pos}`,
      });
    }
    assert.throws(() => z85Decode("Hell\u00e9"), {
      message: "Invalid Z85 character at position 4",
    });
    assert.throws(() => z85Decode("Hell\u{1F600}"), RangeError); // length 6 (surrogates)
    assert.throws(() => z85Decode("abcd\u{1F600}abcd"), {
      message: "Invalid Z85 character at position 4",
    });
  });

  it("reject a group above 0xFFFFFFFF, as libzmq does", () => {
    assert.throws(() => z85Decode("HelloWorld#####"), {
      name: "RangeError",
      message: "Z85 group at position 10 exceeds 32 bits",
    });
    assert.throws(() => z85Decode("%nSc1"), RangeError); // 0xFFFFFFFF + 1
  });

  it("round-trip any byte string of a multiple of 4 bytes (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }).chain((n) =>
          fc.uint8Array({ minLength: n * 4, maxLength: n * 4 })
        ),
        (bytes) => {
          const text = z85Encode(bytes);
          assert.equal(text.length, bytes.length / 4 * 5);
          assert.deepEqual(z85Decode(text), bytes);
        },
      ),
      { seed: 85, numRuns: 500 },
    );
  });

  it("either decode or throw RangeError for any string (property)", () => {
    const alphabet = fc.constantFrom(
      ...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$# ~"',
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: alphabet, maxLength: 40 }), fc.string()), (text) => {
        try {
          const bytes = z85Decode(text);
          assert.equal(z85Encode(bytes), text);
        } catch (e) {
          assert.ok(e instanceof RangeError, String(e));
        }
      }),
      { seed: 32, numRuns: 1000 },
    );
  });
});
