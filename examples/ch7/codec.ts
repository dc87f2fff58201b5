// A hand-written binary codec (the Guide, chapter 7, "Serializing Your Data" and "Handwritten
// Binary Serialization"). For a high-volume data flow the Guide prefers a compact binary
// format written for the data over a general-purpose serializer. Here the format is a
// market quote, written down once in zmqkit's `layout:` language (printed at start): a
// signature and version, a 64-bit sequence number, the symbol, the time as a little-endian
// f64, a count and that many price levels, the venue as NUL-terminated text and a 4-byte tag.
// That one line is the contract and the codec both: encodeLayout writes a quote into a frame
// (the count is left out, and filled in from the levels), decodeLayout reads it back, and
// `zmqkit dump` shows the same frames decoded when it sits between the two sides:
//   zmqkit dump --listen tcp://127.0.0.1:5581 --upstream tcp://127.0.0.1:5580 \
//     --decode 'layout:<the spec printed at start>'
//   codec.ts receive tcp://*:5580   then   codec.ts send tcp://127.0.0.1:5581
// The sender pushes `count` quotes made from --seed (the same ones every time), printing each
// as it encoded it; the receiver pulls and decodes them, printing each as it decoded it, and
// ends after `count`. A frame that does not decode is reported with the field and the byte
// offset where it failed. The sequence numbers start just under 2^53, where JSON numbers stop
// being exact: from there on they are decimal strings, in both directions. `both` runs the two
// sides in one process.
// Run: npx deno run -A examples/ch7/codec.ts   or   npx bun examples/ch7/codec.ts
// Arguments: [both|send|receive] [endpoint=tcp://*:5580] [count=5] [--seed 7]
import process from "node:process";
import { parseArgs } from "node:util";
import {
  decodeLayout,
  encodeLayout,
  type LayoutValue,
  parseLayout,
  Pull,
  Push,
} from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: { seed: { type: "string", default: "7" } },
  allowPositionals: true,
});
const [role = "both", endpoint = "tcp://*:5580", count = "5"] = positionals;

const SPEC = "signature: u16be, version: u8, sequence: u64be, symbol: str8, time: f64le, " +
  "count: u16le, levels: { price: f64le, size: u32le }[count], venue: strz, tag: bytes(4)";
const quote = parseLayout(SPEC);
const SIGNATURE = 0xaaa1; // the first two bytes: "a quote", so a stray frame is caught early

/** A small seeded generator (mulberry32): the same quotes for the same seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The i-th quote, as a value for encodeLayout. */
function makeQuote(i: number, next: () => number): LayoutValue {
  const sequence = 2n ** 53n - 2n + BigInt(i);
  const mid = 100 + Math.floor(next() * 2000) / 100;
  const levels = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, k) => ({
    price: mid - k / 4,
    size: 100 * (1 + Math.floor(next() * 50)),
  }));
  const tag = Array.from({ length: 4 }, () => Math.floor(next() * 256));
  return {
    signature: SIGNATURE,
    version: 1,
    // as JSON would hold it: a number while exact, a decimal string beyond
    sequence: sequence < 2n ** 53n ? Number(sequence) : String(sequence),
    symbol: ["ZMQ", "ZMTP", "CURVE", "ROUTER"][Math.floor(next() * 4)]!,
    time: 1_700_000_000_000 + 250 * i + 0.5, // milliseconds, with a fraction
    levels,
    venue: "XZMQ",
    tag: tag.map((b) => b.toString(16).padStart(2, "0")).join(""),
  };
}

async function send(connectTo: string): Promise<void> {
  await using push = new Push({ linger: 5000 });
  push.connect(connectTo);
  const next = random(Number(values.seed));
  for (let i = 0; i < Number(count); i++) {
    const value = makeQuote(i, next);
    const frame = encodeLayout(quote, value); // throws LayoutEncodeError if it does not fit
    console.log(`sent #${i}, ${frame.length} bytes: ${JSON.stringify(value)}`);
    await push.send(frame);
  }
}

async function receive(pull: Pull): Promise<void> {
  for (let i = 0; i < Number(count); i++) {
    const [frame = new Uint8Array()] = await pull.receive();
    const result = decodeLayout(quote, frame);
    if ("error" in result) console.log(`E: #${i}: ${result.error}`); // names field and offset
    else if ((result.value as { signature?: unknown }).signature !== SIGNATURE) {
      console.log(`E: #${i}: not a quote (signature)`);
    } else console.log(`received #${i}: ${JSON.stringify(result.value)}`);
  }
}

console.log(`I: layout:${SPEC}`);
if (role === "send") {
  await send(endpoint.replace("*", "127.0.0.1"));
} else if (role === "receive" || role === "both") {
  await using pull = new Pull();
  await pull.bind(endpoint);
  if (role === "receive") console.log(`I: receiving on ${pull.lastEndpoint}`);
  const receiving = receive(pull);
  if (role === "both") await send(pull.lastEndpoint!);
  await receiving;
} else {
  console.error(`unknown role "${role}": both, send or receive`);
  process.exit(2);
}
