// SPDX-License-Identifier: MIT
/**
 * A zmqkit PULL that releases what it has handled, fed by a libzmq PUSH (zeromq.js), both
 * ways round, over tcp and ipc: every message arrives whole, and those kept stay intact while
 * the memory of the released ones is read into again (tests/semantics/release_test.ts is the
 * zmqkit-only version).
 */
import assert from "node:assert/strict";
import { Pull } from "../../mod.ts";
import { bindEndpoint, type Transport } from "../_helpers/cases.ts";
import { createSide, type LibzmqPeer } from "../_helpers/peers.ts";
import { libzmqSuite } from "./pair_flows.ts";

/** Sizes cycled through: runs of small frames, bodies spanning reads, one over a carve. */
const SIZES = [7, 7, 900, 12_000, 65_536, 7, 70_001, 300_000, 20_000];
const COUNT = 120;
const sizeOf = (i: number) => SIZES[i % SIZES.length]!;

function pattern(i: number, part: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  const seed = (i * 37 + part * 101) & 0xff;
  for (let j = 0; j < size; j++) b[j] = (seed + j * 13) & 0xff;
  return b;
}

function assertIntact(i: number, part: number, frame: Uint8Array, size: number, when: string) {
  assert.equal(frame.length, size, `message ${i} frame ${part} size (${when})`);
  const seed = (i * 37 + part * 101) & 0xff;
  for (let j = 0; j < size; j++) {
    if (frame[j] !== ((seed + j * 13) & 0xff)) {
      assert.fail(`message ${i} frame ${part} differs at byte ${j} (${when})`);
    }
  }
}

interface Case {
  name: string;
  transport: Transport;
  zmqkitBinds: boolean;
}

const cases: Case[] = [];
for (const transport of ["tcp", "ipc"] as const) {
  for (const zmqkitBinds of [true, false]) {
    cases.push({
      name: `libzmq PUSH → releasing zmqkit PULL, ${transport}, zmqkit ${
        zmqkitBinds ? "binds" : "connects"
      }`,
      transport,
      zmqkitBinds,
    });
  }
}

async function run(peer: LibzmqPeer, c: Case): Promise<void> {
  const pull = new Pull();
  const push = await createSide("libzmq", peer, "PUSH");
  try {
    if (c.zmqkitBinds) {
      await pull.bind(bindEndpoint(c.transport));
      await push.connect(pull.lastEndpoint!);
    } else {
      const ep = await push.bind(bindEndpoint(c.transport));
      pull.connect(ep);
    }
    const sending = (async () => {
      for (let i = 0; i < COUNT; i++) {
        const frames = [pattern(i, 0, sizeOf(i))];
        if (i % 4 === 1) frames.push(pattern(i, 1, 5000));
        await push.send(frames);
      }
    })();
    const held: Array<[number, Uint8Array[]]> = [];
    for (let i = 0; i < COUNT; i++) {
      const m = await pull.receive();
      assert.equal(m.length, i % 4 === 1 ? 2 : 1, `message ${i} parts`);
      assertIntact(i, 0, m[0]!, sizeOf(i), "on arrival");
      if (m.length === 2) assertIntact(i, 1, m[1]!, 5000, "on arrival");
      if (i % 30 === 2) held.push([i, m]);
      else pull.release(m);
    }
    await sending;
    for (const [i, m] of held) {
      assertIntact(i, 0, m[0]!, sizeOf(i), "held to the end");
      if (m.length === 2) assertIntact(i, 1, m[1]!, 5000, "held to the end");
    }
  } finally {
    pull.close();
    await push.close();
  }
}

libzmqSuite("interop with libzmq: Socket.release on a receiving PULL", cases, run);
