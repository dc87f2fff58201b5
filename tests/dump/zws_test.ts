// SPDX-License-Identifier: MIT
/**
 * `zmqkit dump` on ZWS 2.0 (ZeroMQ over WebSocket): the upgrade request and response as one
 * line each, masked client frames unmasked, the flags byte read (0x02 COMMAND), commands and
 * messages decoded as on tcp, control frames shown; every vector fed whole, byte by byte and
 * split at each index with the same events out.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { textLine } from "../../cli/dump/render.ts";
import {
  command,
  feeds,
  MASK,
  of,
  ready,
  request,
  response,
  run,
  type Step,
  wsFrame,
  zws,
} from "./_zws_bytes.ts";

const te = new TextEncoder();
const text = (s: string) => te.encode(s);

/** A DEALER client and a ROUTER server over ZWS2.0/NULL, then ping, pong and close. */
const conversation: Step[] = [
  ["client", request("ZWS2.0/NULL,ZWS2.0")],
  ["server", response("ZWS2.0/NULL")],
  ["client", zws(0x02, ready("DEALER"), MASK)],
  ["server", zws(0x02, ready("ROUTER"))],
  ["client", zws(0x01, text("hello"), MASK)],
  ["client", zws(0x00, text("world"), MASK)],
  ["client", wsFrame(0x9, new Uint8Array(0), { mask: MASK })],
  ["server", wsFrame(0xa, new Uint8Array(0))],
  ["client", wsFrame(0x8, Uint8Array.of(0x03, 0xe8, ...text("bye")), { mask: MASK })],
  ["server", wsFrame(0x8, Uint8Array.of(0x03, 0xe8, ...text("bye")))],
];

const lines = (steps: Step[]) =>
  run(steps).map((e) => textLine(e, { color: false }).replace(/^\S+ /, ""));

describe("dump of a ZWS 2.0 connection", () => {
  it("shows the upgrade, READY both ways, a 2-frame message and the control frames", () => {
    assert.deepEqual(lines(conversation), [
      "#1   open c → s",
      "#1 → upgrade GET / HTTP/1.1 protocols=ZWS2.0/NULL,ZWS2.0",
      "#1 ← upgrade HTTP/1.1 101 Switching Protocols protocol=ZWS2.0/NULL",
      "#1 → READY metadata{Socket-Type=DEALER}",
      "#1 ← READY metadata{Socket-Type=ROUTER}",
      '#1 → msg 2 frames: [0]"hello" [1]"world"',
      "#1 → ws ping",
      "#1 ← ws pong",
      "#1 → ws close code=1000 reason=bye",
      "#1 ← ws close code=1000 reason=bye",
      `#1   close (client sent ${bytes("client")} B, server ${bytes("server")} B)`,
    ]);
  });

  it("gives the same events however the bytes are chunked", () => {
    const whole = run(conversation);
    for (const feed of feeds(conversation)) {
      assert.deepEqual(run(conversation, feed), whole, `feed ${feed}`);
    }
  });

  it("gives offsets in each side's stream, the upgrade head included", () => {
    const events = run(conversation);
    const head = request("ZWS2.0/NULL,ZWS2.0").length;
    const readyLen = zws(0x02, ready("DEALER"), MASK).length;
    assert.equal(of(events, "command")[0]!.offset, head);
    assert.equal(of(events, "message")[0]!.offset, head + readyLen);
    assert.equal(of(events, "upgrade")[1]!.offset, 0);
  });

  it("reads bare ZWS2.0: no handshake, each side's first message is its routing id", () => {
    const events = run([
      ["client", request("ZWS2.0")],
      ["server", response("ZWS2.0")],
      ["client", zws(0x00, Uint8Array.of(0, 0x80, 0, 0, 0x29), MASK)],
      ["server", zws(0x00, new Uint8Array(0))],
      ["client", zws(0x00, text("job"), MASK)],
    ]);
    const msgs = of(events, "message");
    assert.deepEqual(msgs.map((m) => m.identity ?? false), [true, true, false]);
    assert.equal(msgs[2]!.frames[0]!.body, "job");
    assert.deepEqual(of(events, "error"), []);
  });

  it("takes the first offered protocol when no response was seen (one side's stream)", () => {
    const events = run([["client", request("ZWS2.0/NULL,ZWS2.0")], [
      "client",
      zws(0x02, ready("SUB"), MASK),
    ], ["client", zws(0x00, Uint8Array.of(1, ...text("weather")), MASK)]]);
    assert.equal(of(events, "command")[0]!.name, "READY");
    assert.deepEqual(of(events, "message")[0]!.subscription, { subscribe: true, topic: "weather" });
  });

  it("decodes PLAIN's handshake from the chosen subprotocol, password masked", () => {
    const hello = command("HELLO", Uint8Array.of(5, ...text("admin"), 6, ...text("secret")));
    const events = run([
      ["client", request("ZWS2.0/PLAIN")],
      ["server", response("ZWS2.0/PLAIN")],
      ["client", zws(0x02, hello, MASK)],
    ]);
    const c = of(events, "command")[0]!;
    assert.equal(c.name, "HELLO");
    assert.equal(c.fields.username, "admin");
    assert.equal(c.fields.password, "***");
  });

  it("shows a JOIN command and a close without a reason", () => {
    const events = run([
      ["client", request("ZWS2.0/NULL")],
      ["server", response("ZWS2.0/NULL")],
      ["client", zws(0x02, command("JOIN", text("weather")), MASK)],
      ["server", wsFrame(0x8, new Uint8Array(0))],
    ]);
    assert.deepEqual(of(events, "command")[0]!.fields, { group: "weather" });
    const close = of(events, "control")[0]!;
    assert.equal(close.name, "close");
    assert.equal(close.code, undefined);
  });

  it("keeps only the first holdLimit bytes of a big frame, with its real size", () => {
    const big = new Uint8Array(70_000).fill(0x61);
    const events = run(
      [
        ["server", response("ZWS2.0/NULL")],
        ["server", zws(0x00, big)],
      ],
      "whole",
      { holdLimit: 16 },
    );
    const f = of(events, "message")[0]!.frames[0]!;
    assert.equal(f.size, 70_000);
    assert.equal(f.truncated, true);
    assert.deepEqual(of(events, "error"), []);
  });
});

function bytes(side: "client" | "server"): number {
  return conversation.filter(([s]) => s === side).reduce((n, [, b]) => n + b.length, 0);
}
