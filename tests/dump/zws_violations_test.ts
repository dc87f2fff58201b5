// SPDX-License-Identifier: MIT
/**
 * What ZWS 2.0 forbids, as `zmqkit dump` reports it: one error line for the direction that
 * broke the rule, at the offending frame's offset, and no more decoding of that direction,
 * while the other direction carries on. Nothing throws and nothing grows without bound (an
 * over-long HTTP head, a 2^63 length). Each case is fed whole, byte by byte and split.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_HEAD } from "../../lib/internal.ts";
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
const REQ = request("ZWS2.0/NULL");
const RES = response("ZWS2.0/NULL");

interface Case {
  name: string;
  from: "client" | "server";
  bad: Uint8Array;
  reason: RegExp;
}

const cases: Case[] = [
  {
    name: "a text frame",
    from: "client",
    bad: wsFrame(0x1, te.encode("hi"), { mask: MASK }),
    reason: /^text frame/,
  },
  {
    name: "a 2^63 length",
    from: "server",
    bad: wsFrame(0x2, new Uint8Array(0), { length: 1n << 63n }),
    reason: /^frame length 0x8000000000000000 is beyond any sane message$/,
  },
  {
    name: "a fragmented message (FIN clear)",
    from: "client",
    bad: wsFrame(0x2, Uint8Array.of(0, 1), { mask: MASK, bits: 0 }),
    reason: /^fragmented message/,
  },
  {
    name: "a continuation frame",
    from: "server",
    bad: wsFrame(0x0, Uint8Array.of(0, 1)),
    reason: /^continuation frame/,
  },
  {
    name: "a reserved bit",
    from: "server",
    bad: wsFrame(0x2, Uint8Array.of(0, 1), { bits: 0xc0 }),
    reason: /^reserved bits set \(first byte 0xc2\)$/,
  },
  {
    name: "a reserved opcode",
    from: "server",
    bad: wsFrame(0x3, Uint8Array.of(0)),
    reason: /^reserved opcode 0x3$/,
  },
  {
    name: "an unmasked client frame",
    from: "client",
    bad: zws(0x00, te.encode("x")),
    reason: /^unmasked frame from the client/,
  },
  {
    name: "a masked server frame",
    from: "server",
    bad: zws(0x00, te.encode("x"), MASK),
    reason: /^masked frame from the server/,
  },
  {
    name: "a 126-byte ping",
    from: "server",
    bad: wsFrame(0x9, new Uint8Array(126)),
    reason: /^control frame longer than 125 bytes$/,
  },
  {
    name: "a binary message without its flags byte",
    from: "client",
    bad: wsFrame(0x2, new Uint8Array(0), { mask: MASK }),
    reason: /^binary message without its flags byte$/,
  },
  {
    name: "a command with MORE",
    from: "server",
    bad: zws(0x03, command("PING", Uint8Array.of(0, 0))),
    reason: /^command frame with the MORE flag \(flags 0x03\)$/,
  },
];

describe("dump of ZWS 2.0 violations", () => {
  for (const c of cases) {
    it(`reports ${c.name} once and stops that direction only`, () => {
      const mask = c.from === "client" ? MASK : undefined;
      const steps: Step[] = [
        ["client", REQ],
        ["server", RES],
        [c.from, c.bad],
        [c.from, zws(0x00, te.encode("after"), mask)], // never decoded
        [
          c.from === "client" ? "server" : "client",
          zws(0x02, ready("PAIR"), mask ? undefined : MASK),
        ],
      ];
      for (const feed of feeds(steps)) {
        const events = run(steps, feed);
        const errors = of(events, "error");
        assert.equal(errors.length, 1, `feed ${feed}`);
        assert.equal(errors[0]!.from, c.from);
        assert.match(errors[0]!.reason, c.reason);
        assert.equal(errors[0]!.offset, (c.from === "client" ? REQ : RES).length);
        assert.deepEqual(of(events, "message"), [], `feed ${feed}`);
        assert.equal(of(events, "command").length, 1); // the other side's READY
        assert.equal(events.at(-1)!.type, "close");
      }
    });
  }

  it(`reports a header block over ${MAX_HEAD} bytes and holds no more of it`, () => {
    const head = te.encode(`GET / HTTP/1.1\r\nX-Filler: ${"a".repeat(MAX_HEAD)}\r\n\r\n`);
    for (const feed of ["whole", "bytes", 5000] as const) {
      const events = run([["client", head], ["client", zws(0x02, ready("PAIR"), MASK)]], feed);
      const errors = of(events, "error");
      assert.equal(errors.length, 1);
      assert.equal(
        errors[0]!.reason,
        `HTTP header block over ${MAX_HEAD} bytes without its blank line`,
      );
      assert.deepEqual(of(events, "upgrade"), []);
      assert.deepEqual(of(events, "command"), []);
    }
  });

  it("shows a refused upgrade's status line, then stops: no WebSocket follows", () => {
    const events = run([
      ["client", REQ],
      ["server", response("ZWS2.0/NULL", "400 Bad Request")],
      ["server", zws(0x02, ready("PAIR"))],
    ]);
    const line = textLine(of(events, "upgrade")[1]!, { color: false });
    assert.match(line, /← upgrade HTTP\/1\.1 400 Bad Request protocol=ZWS2\.0\/NULL$/);
    assert.equal(of(events, "error")[0]!.reason, "HTTP status 400: no WebSocket follows");
    assert.deepEqual(of(events, "command"), []);
  });

  it("notes a request without the headers libzmq needs, and escapes odd bytes", () => {
    const events = run([["client", te.encode("GET /\x01 HTTP/1.1\r\nUpgrade: WebSocket\r\n\r\n")]]);
    const u = of(events, "upgrade")[0]!;
    assert.equal(u.line, "GET /\\x01 HTTP/1.1");
    assert.equal(u.note, "no Sec-WebSocket-Protocol offered; no Sec-WebSocket-Key");
  });

  it("reports a server that answers an upgrade with something else", () => {
    const events = run([["client", REQ], ["server", Uint8Array.of(0xff, 0, 0, 0)]]);
    assert.equal(of(events, "error")[0]!.reason, "not an HTTP head: it starts with 0xff");
  });

  for (const head of ["GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GEX nonsense"]) {
    it(`leaves ${JSON.stringify(head.slice(0, 5))}… (no WebSocket upgrade) to the ZMTP decoder`, () => {
      for (const feed of ["whole", "bytes", 3] as const) {
        const events = run([["client", te.encode(head)]], feed);
        assert.deepEqual(of(events, "upgrade"), []);
        const errors = of(events, "error");
        assert.equal(errors.length, 1);
        assert.match(errors[0]!.reason, /^not ZMTP: no signature \(first byte 0x47 'G'\)/);
      }
    });
  }
});
