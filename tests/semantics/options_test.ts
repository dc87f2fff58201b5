// SPDX-License-Identifier: MIT
/**
 * Socket options (libzmq test_setsockopt, test_sockopt_hwm; zeromq.js option validation):
 * unknown names are TypeErrors, values of the wrong type TypeErrors, out-of-range values
 * RangeErrors; defaults are libzmq's; setOption/getOption round-trip.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  XPublisher,
  XSubscriber,
} from "../../mod.ts";

// deno-lint-ignore no-explicit-any
type AnyOptions = any;

describe("options", () => {
  it("defaults are libzmq's", () => {
    const d = new Dealer();
    try {
      const want: Record<string, unknown> = {
        sendHighWaterMark: 1000,
        receiveHighWaterMark: 1000,
        sendTimeout: -1,
        receiveTimeout: -1,
        linger: -1,
        routingId: undefined,
        reconnectInterval: 100,
        reconnectMaxInterval: 0,
        heartbeatInterval: 0,
        heartbeatTimeout: -1,
        handshakeInterval: 30000,
        maxMessageSize: -1,
        immediate: false,
        conflate: false,
        probeRouter: false,
      };
      for (const [name, value] of Object.entries(want)) {
        assert.equal(d.getOption(name), value, name);
      }
      assert.equal(d.linger, -1);
      assert.equal(d.sendTimeout, -1);
      assert.equal(d.receiveTimeout, -1);
    } finally {
      d.close();
    }
  });

  it("SUB and XSUB linger defaults to 0, as in libzmq", () => {
    const sockets = [new Subscriber(), new XSubscriber()];
    try {
      for (const s of sockets) assert.equal(s.getOption("linger"), 0);
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it("type-specific defaults", () => {
    const r = new Router();
    const q = new Request();
    const x = new XPublisher();
    const p = new Publisher();
    try {
      assert.deepEqual([
        r.getOption("mandatory"),
        r.getOption("handover"),
        r.getOption("probeRouter"),
      ], [false, false, false]);
      assert.deepEqual([q.getOption("correlate"), q.getOption("relaxed")], [false, false]);
      assert.deepEqual(
        [
          x.getOption("verbosity"),
          x.getOption("manual"),
          x.getOption("welcomeMessage"),
          x.getOption("noDrop"),
        ],
        [null, false, undefined, false],
      );
      assert.deepEqual([p.getOption("invertMatching"), p.getOption("noDrop")], [false, false]);
    } finally {
      for (const s of [r, q, x, p]) s.close();
    }
  });

  it("unknown option names are TypeErrors (constructor, setOption, getOption)", () => {
    assert.throws(() => new Dealer({ bogus: 1 } as AnyOptions), TypeError);
    const d = new Dealer();
    try {
      assert.throws(() => d.setOption("bogus", 1), TypeError);
      assert.throws(() => d.getOption("bogus"), TypeError);
    } finally {
      d.close();
    }
  });

  it("options of another socket type are unknown", () => {
    assert.throws(() => new Push({ mandatory: true } as AnyOptions), TypeError);
    assert.throws(() => new Pull({ correlate: true } as AnyOptions), TypeError);
    assert.throws(() => new Dealer({ verbosity: "allSubs" } as AnyOptions), TypeError);
    assert.throws(() => new Subscriber({ noDrop: true } as AnyOptions), TypeError);
    assert.throws(() => new Pair({ probeRouter: true } as AnyOptions), TypeError);
    assert.throws(() => new Reply({ relaxed: true } as AnyOptions), TypeError);
    const p = new Push();
    try {
      assert.throws(() => p.setOption("handover", true), TypeError);
    } finally {
      p.close();
    }
  });

  it("values of the wrong type are TypeErrors", () => {
    const bad: Array<[string, unknown]> = [
      ["sendHighWaterMark", "10"],
      ["sendHighWaterMark", 1.5],
      ["receiveTimeout", null],
      ["linger", true],
      ["immediate", 1],
      ["conflate", "yes"],
      ["routingId", 42],
      ["heartbeatInterval", Number.NaN],
    ];
    for (const [name, value] of bad) {
      assert.throws(
        () => new Dealer({ [name]: value } as AnyOptions),
        TypeError,
        `${name}=${String(value)}`,
      );
    }
    const x = new XPublisher();
    try {
      assert.throws(() => x.setOption("manual", "true"), TypeError);
      assert.throws(() => x.setOption("welcomeMessage", 7), TypeError);
    } finally {
      x.close();
    }
  });

  it("values out of range are RangeErrors", () => {
    const bad: Array<[string, unknown]> = [
      ["sendHighWaterMark", -1],
      ["receiveHighWaterMark", 2 ** 31],
      ["sendTimeout", -2],
      ["linger", -5],
      ["reconnectInterval", -2],
      ["reconnectMaxInterval", -1],
      ["handshakeInterval", -1],
      ["routingId", ""],
      ["routingId", "\u0000starts-with-zero"],
      ["routingId", "x".repeat(256)],
      ["heartbeatTimeToLive", 6553600], // libzmq: at most 6553599 ms (deciseconds in 16 bits)
    ];
    for (const [name, value] of bad) {
      assert.throws(
        () => new Dealer({ [name]: value } as AnyOptions),
        RangeError,
        `${name}=${String(value)}`,
      );
    }
    assert.throws(() => new XPublisher({ verbosity: "loud" } as AnyOptions), RangeError);
    const r = new Router();
    try {
      assert.throws(() => (r.connectRoutingId = ""), RangeError);
    } finally {
      r.close();
    }
  });

  it("heartbeatTimeToLive accepts libzmq's maximum, 6553599 ms", () => {
    const d = new Dealer({ heartbeatTimeToLive: 6553599 });
    try {
      assert.equal(d.getOption("heartbeatTimeToLive"), 6553599);
    } finally {
      d.close();
    }
  });

  it("setOption/getOption round-trip, and routingId bytes", () => {
    const d = new Dealer({ routingId: "abc" });
    try {
      assert.deepEqual([...(d.getOption("routingId") as Uint8Array)], [0x61, 0x62, 0x63]);
      d.setOption("sendHighWaterMark", 0);
      assert.equal(d.getOption("sendHighWaterMark"), 0);
      d.sendTimeout = 250;
      assert.equal(d.getOption("sendTimeout"), 250);
      d.linger = 0;
      assert.equal(d.linger, 0);
      assert.throws(() => (d.receiveTimeout = -3), RangeError);
      assert.equal(d.receiveTimeout, -1, "a rejected value changes nothing");
      d.setOption("routingId", Uint8Array.of(1, 2, 3));
      assert.deepEqual([...(d.getOption("routingId") as Uint8Array)], [1, 2, 3]);
    } finally {
      d.close();
    }
  });

  it("an undefined option value leaves the default", () => {
    const d = new Dealer({ sendHighWaterMark: undefined, linger: undefined } as AnyOptions);
    try {
      assert.equal(d.getOption("sendHighWaterMark"), 1000);
      assert.equal(d.getOption("linger"), -1);
    } finally {
      d.close();
    }
  });
});
