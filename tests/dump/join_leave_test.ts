// SPDX-License-Identifier: MIT
/**
 * `zmqkit dump` shows RADIO/DISH's JOIN and LEAVE commands (RFC 48) as it shows SUBSCRIBE and
 * CANCEL: the name, then the group as text when printable, else as hex. The ZMTP stream is
 * written out by hand and fed whole, byte by byte and split at each index.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { textLine } from "../../cli/dump/render.ts";
import { command, feeds, of, ready, run, type Step } from "./_zws_bytes.ts";

const te = new TextEncoder();

/** A ZMTP 3.1 NULL greeting: signature, version, mechanism, as-server 0, filler. */
function greeting(): Uint8Array {
  const g = new Uint8Array(64);
  g.set([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 1]);
  g.set(te.encode("NULL"), 12);
  return g;
}

/** A ZMTP command frame: flags 0x04 (short) or 0x06 (long), size, body. */
function commandFrame(body: Uint8Array): Uint8Array {
  if (body.length < 256) return Uint8Array.of(0x04, body.length, ...body);
  const n = body.length;
  return Uint8Array.of(
    0x06,
    0,
    0,
    0,
    0,
    n >>> 24,
    (n >> 16) & 0xff,
    (n >> 8) & 0xff,
    n & 0xff,
    ...body,
  );
}

const dish: Step[] = [
  ["client", greeting()],
  ["server", greeting()],
  ["client", commandFrame(ready("DISH"))],
  ["server", commandFrame(ready("RADIO"))],
  ["client", commandFrame(command("JOIN", te.encode("weather")))],
  ["client", commandFrame(command("JOIN", Uint8Array.of(0x00, 0xff)))],
  ["client", commandFrame(command("LEAVE", te.encode("weather")))],
  ["client", commandFrame(command("LEAVE", new Uint8Array(0)))],
];

describe("dump of JOIN and LEAVE", () => {
  it("shows the group as text, or as hex when it is not printable", () => {
    const joins = of(run(dish), "command").slice(2);
    assert.deepEqual(joins.map((c) => [c.name, c.fields]), [
      ["JOIN", { group: "weather" }],
      ["JOIN", { groupHex: "00ff" }],
      ["LEAVE", { group: "weather" }],
      ["LEAVE", { group: "" }],
    ]);
    assert.deepEqual(joins.map((c) => textLine(c, { color: false }).replace(/^\S+ /, "")), [
      "#1 → JOIN group=weather",
      "#1 → JOIN groupHex=00ff",
      "#1 → LEAVE group=weather",
      '#1 → LEAVE group=""',
    ]);
  });

  it("renders them the way SUBSCRIBE and CANCEL are rendered", () => {
    const events = run([
      ...dish.slice(0, 2),
      ["client", commandFrame(command("SUBSCRIBE", te.encode("weather")))],
      ["client", commandFrame(command("JOIN", te.encode("weather")))],
    ]);
    const [sub, join] = of(events, "command").map((c) => textLine(c, { color: false }));
    assert.equal(sub!.replace("SUBSCRIBE topic", "JOIN group"), join);
  });

  it("gives the same events however the bytes are chunked", () => {
    const whole = run(dish);
    for (const feed of feeds(dish)) assert.deepEqual(run(dish, feed), whole, `feed ${feed}`);
  });

  it("notes a group over 255 bytes (libzmq's limit) and still shows it", () => {
    const events = run([
      ...dish.slice(0, 2),
      ["client", commandFrame(command("JOIN", new Uint8Array(300).fill(0x67)))],
    ]);
    const join = of(events, "command")[0]!;
    assert.equal(join.fields.group, "g".repeat(300));
    assert.equal(join.fields.note, "group of 300 bytes (at most 255)");
    assert.deepEqual(of(events, "error"), []);
  });
});
