// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConnectionDecoder } from "../../../lib/internal.ts";
import type { DumpEvent, Side } from "../../../lib/internal.ts";
import { encodeGreeting } from "../../../lib/internal.ts";
import { encodeCommand, encodeReady } from "../../../lib/internal.ts";
import { encodeFrame } from "../../../lib/internal.ts";
import { textLine } from "../../../cli/dump/render.ts";

const te = new TextEncoder();
const ready = (type: string) => encodeFrame(4, encodeReady([["Socket-Type", te.encode(type)]]));

function run(steps: [Side, Uint8Array][]): DumpEvent[] {
  const events: DumpEvent[] = [];
  const d = new ConnectionDecoder(7, (e) => events.push(e));
  d.open("c", "s", 1000);
  for (const [from, bytes] of steps) d.data(from, bytes, 1000);
  d.close(2000);
  return events;
}
const of = <T extends DumpEvent["type"]>(events: DumpEvent[], type: T) =>
  events.filter((e) => e.type === type) as Extract<DumpEvent, { type: T }>[];

describe("ConnectionDecoder", () => {
  it('reads libzmq\'s misencoded PLAIN ERROR ("^RROR") as an ERROR with its reason', () => {
    const quirk = Uint8Array.of(0x5e, ...te.encode("RROR"), 3, ...te.encode("400"));
    const events = run([
      ["client", encodeGreeting("PLAIN")],
      ["server", encodeGreeting("PLAIN")],
      ["server", encodeFrame(4, quirk)],
    ]);
    const err = of(events, "command")[0]!;
    assert.equal(err.name, "ERROR");
    assert.equal(err.fields.reason, "400");
    assert.deepEqual(of(events, "error"), []);
  });

  it("reports a mechanism mismatch, as libzmq would close on it", () => {
    const events = run([["client", encodeGreeting("NULL")], ["server", encodeGreeting("CURVE")]]);
    assert.match(
      of(events, "error")[0]!.reason,
      /mechanism mismatch: CURVE against the peer's NULL/,
    );
  });

  it("shows XSUB subscription messages and leaves other XSUB messages alone", () => {
    const events = run([
      ["client", encodeGreeting("NULL")],
      ["server", encodeGreeting("NULL")],
      ["client", ready("XSUB")],
      ["server", ready("XPUB")],
      ["client", encodeFrame(0, Uint8Array.of(0, ...te.encode("a.b")))],
      ["client", encodeFrame(1, Uint8Array.of(1)), encodeFrame(0, te.encode("x"))],
      ["server", encodeFrame(1, te.encode("a.b")), encodeFrame(0, te.encode("v"))],
    ].flatMap(([from, ...parts]) => parts.map((p) => [from, p] as [Side, Uint8Array])));
    const msgs = of(events, "message");
    assert.deepEqual(msgs[0]!.subscription, { subscribe: false, topic: "a.b" });
    assert.equal(msgs[1]!.subscription, undefined);
    assert.equal(msgs[2]!.topic, "a.b");
  });

  it("takes routing ids up to the first empty frame as the envelope, only for request-reply types", () => {
    const steps: [Side, Uint8Array][] = [
      ["client", encodeGreeting("NULL")],
      ["server", encodeGreeting("NULL")],
      ["client", ready("DEALER")],
      ["server", ready("ROUTER")],
      ["client", encodeFrame(1, Uint8Array.of(0, 0x80, 0, 0x41, 0xa7))],
      ["client", encodeFrame(1, new Uint8Array(0))],
      ["client", encodeFrame(0, te.encode("job"))],
      ["client", encodeFrame(1, new Uint8Array(300))], // a big first frame is no routing id
      ["client", encodeFrame(1, new Uint8Array(0))],
      ["client", encodeFrame(0, te.encode("job"))],
    ];
    const msgs = of(run(steps), "message");
    assert.deepEqual(msgs[0]!.envelope, ["00800041a7"]);
    assert.deepEqual(msgs[0]!.frames.map((f) => f.body), ["job"]);
    assert.equal(msgs[1]!.envelope, undefined);
    assert.equal(msgs[1]!.frames.length, 3);
    const push = of(
      run([
        ["client", encodeGreeting("NULL")],
        ["client", ready("PUSH")],
        ["server", encodeGreeting("NULL")],
        ["server", ready("PULL")],
        ["client", encodeFrame(1, new Uint8Array(0))],
        ["client", encodeFrame(0, te.encode("x"))],
      ]),
      "message",
    );
    assert.equal(push[0]!.envelope, undefined);
  });

  it("sizes CURVE MESSAGE boxes it cannot open and never shows their bytes", () => {
    const box = new Uint8Array(8 + 8 + 17 + 5).fill(0xab);
    box.set(te.encode("\x07MESSAGE"));
    const events = run([
      ["client", encodeGreeting("CURVE")],
      ["server", encodeGreeting("CURVE")],
      ["client", encodeFrame(4, encodeCommand("HELLO", new Uint8Array(194)))],
      ["client", encodeFrame(0, box)],
    ]);
    const m = of(events, "message")[0]!;
    assert.equal(m.encrypted, true);
    assert.equal(m.frames[0]!.size, 5);
    assert.ok(!JSON.stringify(m).includes("abab"));
  });

  it("renders a coloured line only when asked", () => {
    const events = run([["client", encodeGreeting("NULL")]]);
    const g = of(events, "greeting")[0]!;
    assert.ok(textLine(g, { color: true }).includes("\x1b[36mgreeting"));
    assert.ok(!textLine(g, { color: false }).includes("\x1b"));
    assert.match(textLine(g, { color: false }), /#7 → greeting ZMTP 3\.1 NULL$/);
  });

  it("gives binary topics as topicHex, and reads hostile metadata names harmlessly", () => {
    const evil = encodeFrame(
      4,
      encodeReady([["Socket-Type", te.encode("PUB")], ["__proto__", te.encode("x")]]),
    );
    const events = run([
      ["server", encodeGreeting("NULL")],
      ["server", evil],
      ["client", encodeGreeting("NULL")],
      ["client", ready("SUB")],
      ["client", encodeFrame(0, Uint8Array.of(1, 0xff, 0x00))],
      ["server", encodeFrame(0, Uint8Array.of(0xff, 0x00, 0x41))],
    ]);
    const readyEv = of(events, "command")[0]!;
    const meta = readyEv.fields.metadata as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(meta), Object.prototype);
    assert.equal(meta["Socket-Type"], "PUB");
    const [sub, pub] = of(events, "message");
    assert.deepEqual(sub!.subscription, { subscribe: true, topicHex: "ff00" });
    assert.equal(pub!.topicHex, "ff0041");
    assert.match(textLine(pub!, { color: false }), /topic 0xff0041/);
  });
});
