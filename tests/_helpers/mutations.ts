// SPDX-License-Identifier: MIT
/** fast-check inputs for decoder fuzzing: a valid byte vector with a few bytes changed. */
import fc from "fast-check";

/** `valid` with up to `max` bytes set to random values (a fresh copy each time). */
export function mutationsOf(valid: Uint8Array, max = 6): fc.Arbitrary<Uint8Array> {
  return fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
    maxLength: max,
  }).map((muts) => {
    const b = valid.slice();
    for (const [i, v] of muts) b[i] = v;
    return b;
  });
}
