// SPDX-License-Identifier: MIT
/**
 * Socket.release(): received memory handed back is reused (on Deno, whose adapter reads into
 * pool slabs), and nothing the application still holds is ever overwritten — messages kept,
 * messages released twice, bodies spanning reads, multipart messages, small and large mixed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Pull, Push } from "../../mod.ts";
import { socketApi } from "../../lib/internal.ts";
import { receiveSlabs } from "../../lib/internal.ts";
import { bindAddress, closeAll, TRANSPORTS, withTimeout } from "./_util.ts";

/** Sizes cycled through: small runs, medium, bodies spanning reads, one larger than a carve. */
const SIZES = [10, 10, 10, 700, 5000, 40_000, 70_000, 10, 65_536, 300_000, 16_384, 1];
const COUNT = 360;

function fill(i: number, part: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  const seed = (i * 131 + part * 17) & 0xff;
  for (let j = 0; j < size; j++) b[j] = (seed + j * 7) & 0xff;
  return b;
}

function intact(i: number, part: number, frame: Uint8Array, size: number): boolean {
  if (frame.length !== size) return false;
  const seed = (i * 131 + part * 17) & 0xff;
  for (let j = 0; j < size; j++) if (frame[j] !== ((seed + j * 7) & 0xff)) return false;
  return true;
}

/** One body too large to preallocate, assembled from pieces of several slabs. */
const sizeOf = (i: number) => (i === 50 ? 9 * 1024 * 1024 : SIZES[i % SIZES.length]!);
/** Every fifth message has a second frame. */
const partsOf = (i: number) => (i % 5 === 0 ? 2 : 1);

describe("Socket.release", () => {
  const variants = [
    ...TRANSPORTS.map((t) => ({ t, hwm: 1000 })),
    { t: "tcp" as const, hwm: 4 }, // the reader pauses and resumes in the middle of a slab
  ];
  for (const { t, hwm } of variants) {
    it(`keeps what is held intact while released memory is reused (${t}, hwm ${hwm})`, async () => {
      const pull = new Pull({ receiveHighWaterMark: hwm });
      const push = new Push();
      const before = receiveSlabs.reused;
      try {
        await pull.bind(bindAddress(t));
        push.connect(pull.lastEndpoint!);
        const sending = (async () => {
          for (let i = 0; i < COUNT; i++) {
            const frames = [fill(i, 0, sizeOf(i))];
            if (partsOf(i) === 2) frames.push(fill(i, 1, 3000));
            await push.send(frames);
          }
        })();
        const held: Array<[number, Uint8Array[]]> = [];
        for (let i = 0; i < COUNT; i++) {
          const m = await withTimeout(pull.receive(), 10_000, `message ${i}`);
          assert.equal(m.length, partsOf(i), `message ${i} parts`);
          assert.ok(intact(i, 0, m[0]!, sizeOf(i)), `message ${i} on arrival`);
          if (m.length === 2) assert.ok(intact(i, 1, m[1]!, 3000), `message ${i} part 2`);
          if (i % 40 === 3) held.push([i, m]); // kept, never released (pins its slab)
          else {
            pull.release(m);
            if (i % 11 === 0) pull.release(m); // a second release must change nothing
          }
        }
        await sending;
        for (const [i, m] of held) {
          assert.ok(intact(i, 0, m[0]!, sizeOf(i)), `held message ${i} was overwritten`);
          if (m.length === 2) assert.ok(intact(i, 1, m[1]!, 3000), `held message ${i} part 2`);
        }
        if (socketApi === "deno" && t !== "inproc") {
          assert.ok(receiveSlabs.reused > before, "released slabs were read into again");
        }
      } finally {
        closeAll(push, pull);
      }
    });
  }

  it("is harmless on messages that were never received and on send-only sockets", () => {
    const push = new Push();
    try {
      push.release([new Uint8Array(8), new Uint8Array(0)]);
      push.release([]);
    } finally {
      push.close();
    }
  });
});
