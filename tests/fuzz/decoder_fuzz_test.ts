// SPDX-License-Identifier: MIT
/**
 * Property tests for the pure wire decoders: whatever bytes arrive, in whatever chunks, they
 * throw nothing but ProtocolError, and chunking never changes the outcome. Fixed seeds and
 * bounded runs, so the file is fast and reproducible.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ProtocolError } from "../../lib/internal.ts";
import { decodeCommand, decodeError, decodePing } from "../../lib/internal.ts";
import { FrameDecoder } from "../../lib/internal.ts";
import { GreetingReader } from "../../lib/internal.ts";
import { decodeMetadata } from "../../lib/internal.ts";
import { bytes, frame, greeting, properties } from "../_helpers/mock_peer.ts";

const RUNS = 2000;
const params = (seed: number, numRuns = RUNS) => ({ seed, numRuns, endOnFailure: true });

/** Splits `data` into chunks whose sizes cycle through `sizes` (all ≥ 1). */
function split(data: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  for (let k = 0; o < data.length; k++) {
    const n = sizes.length === 0 ? data.length : sizes[k % sizes.length]!;
    out.push(data.slice(o, o + n));
    o += n;
  }
  return out;
}

/** Runs `fn`; returns the ProtocolError code if it threw one, rethrows anything else. */
function protocolOutcome(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
  return undefined;
}

interface Decoded {
  frames: Array<[number, number[]]>;
  error: string | undefined;
  idle: boolean;
}

function decodeFrames(chunks: Uint8Array[], maxSize: number): Decoded {
  const frames: Array<[number, number[]]> = [];
  const d = new FrameDecoder((f, b) => frames.push([f, Array.from(b)]), maxSize);
  const error = protocolOutcome(() => {
    for (const c of chunks) d.push(c);
  });
  // after an error the decoder is stopped and its idle state means nothing
  return { frames, error, idle: error === undefined && d.idle };
}

interface Greeted {
  error: string | undefined;
  used: number;
  result: unknown;
}

function readGreeting(chunks: Uint8Array[]): Greeted {
  const r = new GreetingReader();
  let used = 0;
  const error = protocolOutcome(() => {
    for (const c of chunks) {
      used += r.push(c);
      if (r.complete) break;
    }
  });
  return { error, used: error ? -1 : used, result: r.complete && !error ? r.result() : undefined };
}

// ---- arbitraries ----

const chunkSizes = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 12 });
const maxSizes = fc.constantFrom(-1, 0, 10, 255, 300, 1000);

const frameSpec = fc.record({
  flags: fc.constantFrom(0x00, 0x01, 0x04, 0x05, 0xf8, 0xf9),
  long: fc.boolean(),
  body: fc.uint8Array({ maxLength: 300 }),
});
const validStream = fc.array(frameSpec, { maxLength: 8 }).map((fs) => ({
  specs: fs,
  data: bytes(...fs.map((f) => frame(f.flags, f.body, f.long))),
}));

const mutation = fc.record({
  overwrite: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
  insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 9 }))),
  cut: fc.option(fc.nat()),
});

function mutate(
  data: Uint8Array,
  m: {
    overwrite: Array<[number, number]>;
    insert: [number, Uint8Array] | null;
    cut: number | null;
  },
) {
  let out: Uint8Array = data.slice();
  if (out.length > 0) { for (const [at, v] of m.overwrite) out[at % out.length] = v; }
  if (m.insert) {
    const at = m.insert[0] % (out.length + 1);
    out = bytes(out.subarray(0, at), m.insert[1], out.subarray(at));
  }
  if (m.cut !== null && out.length > 0) out = out.subarray(0, m.cut % out.length);
  return out;
}

const GREETING = greeting();

// ---- properties ----

describe("fuzz: FrameDecoder", () => {
  it("random bytes in random chunks: only ProtocolError, and the outcome does not depend on chunking", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), chunkSizes, maxSizes, (data, sizes, max) => {
        const whole = decodeFrames([data], max);
        assert.deepEqual(decodeFrames(split(data, sizes), max), whole);
      }),
      params(0x5eed01),
    );
  });

  it("random bytes after a LONG flag: refused or accepted by the header alone", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.constantFrom(0x02, 0x03, 0x06, 0x07),
        (size, flags) => {
          const out = decodeFrames([bytes([flags], size)], -1);
          const big = size.subarray(0, 4).some((b) => b !== 0);
          assert.equal(out.error !== undefined, big);
        },
      ),
      params(0x5eed02),
    );
  });

  it("valid streams decode to their frames under any chunking", () => {
    fc.assert(
      fc.property(validStream, chunkSizes, ({ specs, data }, sizes) => {
        const expected = specs.map((
          f,
        ) => [f.flags | (f.long || f.body.length > 255 ? 0x02 : 0), Array.from(f.body)]);
        for (const chunks of [[data], split(data, sizes), split(data, [1])]) {
          assert.deepEqual(decodeFrames(chunks, -1), {
            frames: expected,
            error: undefined,
            idle: true,
          });
        }
      }),
      params(0x5eed03, 500),
    );
  });

  it("mutated valid streams: only ProtocolError, same outcome under any chunking", () => {
    fc.assert(
      fc.property(validStream, mutation, chunkSizes, maxSizes, ({ data }, m, sizes, max) => {
        const bad = mutate(data, m);
        assert.deepEqual(decodeFrames(split(bad, sizes), max), decodeFrames([bad], max));
      }),
      params(0x5eed04),
    );
  });
});

describe("fuzz: GreetingReader", () => {
  it("random bytes in random chunks: only ProtocolError, same outcome under any chunking", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), chunkSizes, (data, sizes) => {
        assert.deepEqual(readGreeting(split(data, sizes)), readGreeting([data]));
      }),
      params(0x5eed05),
    );
  });

  it("mutated greetings: only ProtocolError, same outcome under any chunking", () => {
    fc.assert(
      fc.property(mutation, chunkSizes, fc.uint8Array({ maxLength: 20 }), (m, sizes, tail) => {
        const g = bytes(mutate(GREETING, m), tail);
        const whole = readGreeting([g]);
        assert.deepEqual(readGreeting(split(g, sizes)), whole);
        assert.deepEqual(readGreeting(split(g, [1])), whole);
      }),
      params(0x5eed06),
    );
  });

  it("a valid greeting followed by anything reads the same under any chunking", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 255 }),
        fc.nat(255),
        fc.uint8Array({ maxLength: 30 }),
        chunkSizes,
        (major, minor, tail, sizes) => {
          const g = bytes(greeting("NULL", major, minor), tail);
          const out = readGreeting(split(g, sizes));
          assert.deepEqual(out, {
            error: undefined,
            used: 64,
            result: { major, minor, mechanism: "NULL", asServer: false },
          });
        },
      ),
      params(0x5eed07, 500),
    );
  });
});

describe("fuzz: command and metadata bodies", () => {
  const ready = bytes(
    [5],
    "READY",
    properties(["Socket-Type", "DEALER"], ["Identity", ""], ["X-K", "v"]),
  );

  it("random bodies: decoders throw only ProtocolError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (body) => {
        protocolOutcome(() => decodeCommand(body));
        protocolOutcome(() => decodeMetadata(body));
        protocolOutcome(() => decodePing(body));
        protocolOutcome(() => decodeError(body));
      }),
      params(0x5eed08, 3000),
    );
  });

  it("mutated READY bodies: only ProtocolError; metadata parses to well-formed properties", () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const body = mutate(ready, m);
        protocolOutcome(() => {
          const { data } = decodeCommand(body);
          for (const [name, value] of decodeMetadata(data)) {
            assert.match(name, /^[A-Za-z0-9.+_-]{1,255}$/);
            assert.ok(value instanceof Uint8Array);
          }
        });
      }),
      params(0x5eed09, 3000),
    );
  });
});
