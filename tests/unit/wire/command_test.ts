// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError, ProtocolErrorCode } from "../../../lib/internal.ts";
import {
  commandName,
  decodeCommand,
  decodeError,
  decodePing,
  decodeReady,
  encodeCancel,
  encodeCommand,
  encodeError,
  encodePing,
  encodePong,
  encodeReady,
  encodeSubscribe,
  encodeSubscriptionMessage,
} from "../../../lib/internal.ts";
import { Flag } from "../../../lib/internal.ts";
import { encodeFrame } from "../../../lib/internal.ts";
import { ascii, concat, hex } from "./_chunks.ts";

const cmd = (body: Uint8Array) => encodeFrame(Flag.COMMAND, body);
const refusedWith = (code: string) => (e: unknown) => e instanceof ProtocolError && e.code === code;

describe("commands: zmtp.md byte vectors", () => {
  it("SUBSCRIBE / CANCEL 'topic' (3.1, §5.4)", () => {
    assert.deepEqual(
      cmd(encodeSubscribe(ascii("topic"))),
      hex("04 0f 09 53 55 42 53 43 52 49 42 45 74 6f 70 69 63"),
    );
    assert.deepEqual(
      cmd(encodeCancel(ascii("topic"))),
      hex("04 0c 06 43 41 4e 43 45 4c 74 6f 70 69 63"),
    );
  });

  it("3.0 subscribe / cancel data frames (§5.4)", () => {
    assert.deepEqual(
      encodeFrame(0, encodeSubscriptionMessage(true, ascii("topic"))),
      hex("00 06 01 74 6f 70 69 63"),
    );
    assert.deepEqual(
      encodeFrame(0, encodeSubscriptionMessage(false, ascii("topic"))),
      hex("00 06 00 74 6f 70 69 63"),
    );
  });

  it("READY for DEALER, ROUTER, SUB, and REQ with Identity 'abc' (§6)", () => {
    const idEmpty: [string, Uint8Array] = ["Identity", new Uint8Array(0)];
    assert.deepEqual(
      cmd(encodeReady([["Socket-Type", ascii("DEALER")], idEmpty])),
      hex(`04 29 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 06 44 45 41 4c 45 52
        08 49 64 65 6e 74 69 74 79 00 00 00 00`),
    );
    assert.deepEqual(
      cmd(encodeReady([["Socket-Type", ascii("ROUTER")], idEmpty])),
      concat(
        hex("04 29 05"),
        ascii("READY"),
        hex("0b"),
        ascii("Socket-Type"),
        hex("00 00 00 06"),
        ascii("ROUTER"),
        hex("08"),
        ascii("Identity"),
        hex("00 00 00 00"),
      ),
    );
    assert.deepEqual(
      cmd(encodeReady([["Socket-Type", ascii("SUB")]])),
      hex("04 19 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 03 53 55 42"),
    );
    const req = cmd(encodeReady([["Socket-Type", ascii("REQ")], ["Identity", ascii("abc")]]));
    assert.equal(req[1], 0x29 - 3 + 3); // REQ is 3 bytes shorter than DEALER, "abc" adds 3
    assert.deepEqual(req.subarray(req.length - 7), hex("00 00 00 03 61 62 63"));
  });

  it("PING ttl 20 ds and PONG 'CTX' (§8)", () => {
    assert.deepEqual(cmd(encodePing(20)), hex("04 07 04 50 49 4e 47 00 14"));
    assert.deepEqual(cmd(encodePong(ascii("CTX"))), hex("04 08 04 50 4f 4e 47 43 54 58"));
    assert.deepEqual(encodePing(655).subarray(5), hex("02 8f"));
  });

  it("PING / PONG context is cut at 16 bytes", () => {
    const ctx = new Uint8Array(20).fill(0x41);
    assert.equal(encodePing(1, ctx).length, 5 + 2 + 16);
    assert.equal(encodePong(ctx).length, 5 + 16);
  });
});

describe("command decoding", () => {
  it("splits name and data", () => {
    const c = decodeCommand(encodeSubscribe(ascii("topic")));
    assert.equal(c.name, "SUBSCRIBE");
    assert.deepEqual(c.data, ascii("topic"));
    assert.deepEqual(decodeCommand(hex("04 50 4f 4e 47")), {
      name: "PONG",
      data: new Uint8Array(0),
    });
  });

  it("refuses an empty body, a zero name length, a name overrunning the body", () => {
    const code = ProtocolErrorCode.MALFORMED_COMMAND_UNSPECIFIED;
    assert.throws(() => decodeCommand(new Uint8Array(0)), refusedWith(code));
    assert.throws(() => decodeCommand(hex("00 41 42")), refusedWith(code));
    assert.throws(() => decodeCommand(hex("05 52 45 41 44")), refusedWith(code));
    assert.throws(() => decodeCommand(hex("ff")), refusedWith(code));
  });

  it("PING: ttl and context; refuses a PING without the 2 TTL bytes", () => {
    const p = decodePing(decodeCommand(encodePing(20, ascii("ctx"))).data);
    assert.equal(p.ttl, 20);
    assert.deepEqual(p.context, ascii("ctx"));
    assert.equal(decodePing(hex("ff ff")).ttl, 65535);
    assert.equal(decodePing(concat(hex("00 01"), new Uint8Array(20))).context.length, 16);
    assert.throws(
      () => decodePing(hex("00")),
      refusedWith(ProtocolErrorCode.MALFORMED_COMMAND_UNSPECIFIED),
    );
  });

  it("ERROR: round trip, reason cut at 255 bytes, malformed refused", () => {
    const e = decodeCommand(encodeError("400"));
    assert.equal(e.name, "ERROR");
    assert.equal(decodeError(e.data), "400");
    assert.deepEqual(encodeError("x"), concat(hex("05"), ascii("ERROR"), hex("01 78")));
    assert.equal(decodeError(decodeCommand(encodeError("r".repeat(300))).data).length, 255);
    assert.equal(decodeError(hex("00")), "");
    const code = ProtocolErrorCode.MALFORMED_COMMAND_ERROR;
    assert.throws(() => decodeError(new Uint8Array(0)), refusedWith(code));
    assert.throws(() => decodeError(hex("05 61 62")), refusedWith(code));
  });

  it("READY round trip", () => {
    const md: Array<[string, Uint8Array]> = [["Socket-Type", ascii("PUSH")], [
      "X-Foo",
      ascii("bar"),
    ]];
    const c = decodeCommand(encodeReady(md));
    assert.equal(c.name, "READY");
    assert.deepEqual(decodeReady(c.data), md);
  });

  it("encodeCommand refuses empty or over-long names", () => {
    assert.throws(() => encodeCommand(""), RangeError);
    assert.throws(() => encodeCommand("A".repeat(256)), RangeError);
    assert.deepEqual(encodeCommand("A".repeat(255)).subarray(0, 1), hex("ff"));
  });
});

describe("commandName", () => {
  it("names known and unknown commands as decodeCommand does, and refuses the same bodies", () => {
    const e = new TextEncoder();
    for (
      const name of ["SUBSCRIBE", "CANCEL", "PING", "PONG", "READY", "ERROR", "X", "SUBSCRIBEX"]
    ) {
      const body = Uint8Array.of(name.length, ...e.encode(name), 1, 2);
      assert.equal(commandName(body), decodeCommand(body).name);
    }
    for (const bad of [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(5, 0x50)]) {
      assert.throws(() => commandName(bad), ProtocolError);
    }
  });
});
