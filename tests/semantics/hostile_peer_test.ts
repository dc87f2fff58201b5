// SPDX-License-Identifier: MIT
/**
 * Hostile peers against a bound zmqkit socket over tcp: every violation closes that one
 * connection with the right event, nothing reaches user code, and the listener keeps serving
 * well-behaved clients.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, ProtocolErrorCode, Pull, Push, Router } from "../../mod.ts";
import type { SocketEvent } from "../../lib/internal.ts";
import {
  bytes,
  command,
  frame,
  greeting,
  MockPeer,
  properties,
  ready,
} from "../_helpers/mock_peer.ts";
import { waitForEvent, withTimeout } from "../_helpers/wait.ts";

const dec = new TextDecoder();
const text = (m: Uint8Array[]) => m.map((f) => dec.decode(f));
const PROTOCOL_CODES: readonly string[] = Object.values(ProtocolErrorCode);

/** A bound zmqkit socket plus what a good client does with it. */
interface Target {
  name: string;
  peerType: string;
  badType: string;
  create(opts: { maxMessageSize?: number }): Promise<Pull | Router>;
  /** A good client connects and round-trips; `first` is a receive() started before the abuse. */
  roundTrip(sock: Pull | Router, first: Promise<Uint8Array[]>): Promise<void>;
}

const TARGETS: Target[] = [
  {
    name: "Pull",
    peerType: "PUSH",
    badType: "PULL",
    async create(opts) {
      const s = new Pull({ handshakeInterval: 5000, ...opts });
      void s.events;
      await s.bind("tcp://127.0.0.1:*");
      return s;
    },
    async roundTrip(sock, first) {
      const push = new Push({ linger: 0 });
      try {
        push.connect(sock.lastEndpoint!);
        await withTimeout(push.send(["good", "client"]), 5000, "good client send");
        assert.deepEqual(text(await withTimeout(first, 5000, "good message")), ["good", "client"]);
      } finally {
        push.close();
      }
    },
  },
  {
    name: "Router",
    peerType: "DEALER",
    badType: "PUB",
    async create(opts) {
      const s = new Router({ handshakeInterval: 5000, ...opts });
      void s.events;
      await s.bind("tcp://127.0.0.1:*");
      return s;
    },
    async roundTrip(sock, first) {
      const dealer = new Dealer({ linger: 0, routingId: "good" });
      try {
        dealer.connect(sock.lastEndpoint!);
        await withTimeout(dealer.send("ping"), 5000, "good client send");
        const [id, body] = await withTimeout(first, 5000, "good request");
        assert.equal(dec.decode(id), "good");
        assert.equal(dec.decode(body), "ping");
        await (sock as Router).send([id!, "pong"]);
        assert.deepEqual(text(await withTimeout(dealer.receive(), 5000, "good reply")), ["pong"]);
      } finally {
        dealer.close();
      }
    },
  },
];

/**
 * Runs `abuse` from a mock peer, then checks: the event `type` (with `code`, if given), the
 * mock's connection closed by zmqkit, and a good client served by the same listener.
 */
async function expectDropped(
  target: Target,
  abuse: (peer: MockPeer, sock: Pull | Router) => Promise<void> | void,
  type: string,
  code?: string,
  opts: { maxMessageSize?: number } = {},
): Promise<SocketEvent> {
  const sock = await target.create(opts);
  let peer: MockPeer | undefined;
  try {
    const first = sock.receive(); // user code waiting: must not be rejected by the abuse
    first.catch(() => {});
    peer = await MockPeer.connect(sock.lastEndpoint!);
    await abuse(peer, sock);
    const ev = await waitForEvent(sock, type, 5000);
    if (code !== undefined) {
      assert.equal(ev.error?.code, code, `event error: ${ev.error?.message}`);
      assert.ok(PROTOCOL_CODES.includes(code), `${code} is a ProtocolErrorCode`);
    }
    await peer.waitClosed();
    await target.roundTrip(sock, first);
    return ev;
  } finally {
    peer?.destroy();
    sock.close();
  }
}

/** The mock completes a NULL handshake; resolves once zmqkit reports it. */
async function handshake(peer: MockPeer, sock: Pull | Router, type: string): Promise<void> {
  peer.handshake(type);
  await waitForEvent(sock, "handshake", 5000);
}

const P = ProtocolErrorCode;
const G = greeting();
type Case = [name: string, bytes: (t: Target) => Uint8Array, code: string];

const HANDSHAKE_CASES: Case[] = [
  ["wrong signature (first byte 0x00)", () => bytes([0x00], G.subarray(1)), P.BAD_SIGNATURE],
  [
    "garbage greeting (HTTP request)",
    () => bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    P.BAD_SIGNATURE,
  ],
  [
    "signature byte 9 bit 0 clear",
    () => bytes(G.subarray(0, 9), [0x7e], G.subarray(10)),
    P.BAD_SIGNATURE,
  ],
  ["ZMTP 1.0 peer (short identity frame)", () => bytes([0x01, 0x00]), P.BAD_SIGNATURE],
  [
    "ZMTP 2.0 greeting (12 bytes, then waits)",
    () => bytes(G.subarray(0, 10), [0x01, 0x08]),
    P.UNSUPPORTED_VERSION,
  ],
  [
    "ZMTP 1.0-with-revision greeting",
    () => bytes(G.subarray(0, 10), [0x00, 0x08]),
    P.UNSUPPORTED_VERSION,
  ],
  ["mechanism mismatch (PLAIN)", () => greeting("PLAIN"), P.MECHANISM_MISMATCH],
  [
    "mechanism with a stray byte after NULL",
    () => bytes(G.subarray(0, 17), [0x58], G.subarray(18)),
    P.MECHANISM_MISMATCH,
  ],
  [
    "frame length 2^63 in the handshake",
    () => bytes(G, [0x06, 0x80, 0, 0, 0, 0, 0, 0, 0]),
    P.MESSAGE_TOO_LARGE,
  ],
  [
    "command with name length 0",
    () => bytes(G, frame(0x04, bytes([0x00], "READY"))),
    P.MALFORMED_COMMAND_UNSPECIFIED,
  ],
  [
    "command name overrunning the frame",
    () => bytes(G, frame(0x04, bytes([0x09], "REA"))),
    P.MALFORMED_COMMAND_UNSPECIFIED,
  ],
  ["empty command frame", () => bytes(G, [0x04, 0x00]), P.MALFORMED_COMMAND_UNSPECIFIED],
  ["unexpected command instead of READY", () => bytes(G, command("HELLO")), P.UNEXPECTED_COMMAND],
  [
    // (an ERROR whose reason is a ZAP status, "500", is an auth failure: tests/semantics/zap_test.ts)
    "ERROR command from the peer",
    () => bytes(G, command("ERROR", bytes([7], "go away"))),
    P.PEER_ERROR,
  ],
  ["data frame before READY", () => bytes(G, frame(0x00, "hi")), P.UNEXPECTED_COMMAND],
  [
    "data frame before READY, then READY",
    (t) => bytes(G, frame(0x00, "x"), ready(t.peerType)),
    P.UNEXPECTED_COMMAND,
  ],
  [
    "READY metadata truncated",
    (t) => bytes(G, command("READY", properties(["Socket-Type", t.peerType]).subarray(0, 14))),
    P.INVALID_METADATA,
  ],
  [
    "READY metadata with a trailing byte",
    (t) => bytes(G, command("READY", bytes(properties(["Socket-Type", t.peerType]), [0x00]))),
    P.INVALID_METADATA,
  ],
  [
    "READY metadata value length past the end",
    () => bytes(G, command("READY", bytes([11], "Socket-Type", [0x7f, 0xff, 0xff, 0xff], "PUSH"))),
    P.INVALID_METADATA,
  ],
  ["unknown Socket-Type", () => bytes(G, ready("FOO")), P.INCOMPATIBLE_SOCKET_TYPE],
  [
    "Socket-Type in lower case",
    (t) => bytes(G, ready(t.peerType.toLowerCase())),
    P.INCOMPATIBLE_SOCKET_TYPE,
  ],
  ["incompatible Socket-Type", (t) => bytes(G, ready(t.badType)), P.INCOMPATIBLE_SOCKET_TYPE],
];

for (const target of TARGETS) {
  describe(`hostile peer vs a bound ${target.name}: refused during the handshake`, () => {
    for (const [name, make, code] of HANDSHAKE_CASES) {
      it(`${name} → handshake:error:protocol ${code}`, async () => {
        await expectDropped(
          target,
          (peer) => peer.write(make(target)),
          "handshake:error:protocol",
          code,
        );
      });
    }

    it("the same abuse split into single bytes is refused the same way", async () => {
      await expectDropped(
        target,
        async (peer) => {
          for (const b of bytes(G, ready(target.badType))) {
            peer.write([b]);
            await new Promise((r) => setTimeout(r, 0));
          }
        },
        "handshake:error:protocol",
        P.INCOMPATIBLE_SOCKET_TYPE,
      );
    });
  });

  describe(`hostile peer vs a bound ${target.name}: violations after READY`, () => {
    it("a frame length of 2^63 → disconnect MESSAGE_TOO_LARGE", async () => {
      await expectDropped(
        target,
        async (peer, sock) => {
          await handshake(peer, sock, target.peerType);
          peer.write([0x02, 0x80, 0, 0, 0, 0, 0, 0, 0]);
        },
        "disconnect",
        P.MESSAGE_TOO_LARGE,
      );
    });

    it("a frame above maxMessageSize → disconnect MESSAGE_TOO_LARGE (READY and good traffic fit)", async () => {
      await expectDropped(
        target,
        async (peer, sock) => {
          await handshake(peer, sock, target.peerType);
          peer.write(frame(0x00, "x".repeat(200)), frame(0x00, new Uint8Array(101)));
        },
        "disconnect",
        P.MESSAGE_TOO_LARGE,
        { maxMessageSize: 100 },
      );
    });

    it("a malformed command → disconnect MALFORMED_COMMAND_UNSPECIFIED", async () => {
      await expectDropped(
        target,
        async (peer, sock) => {
          await handshake(peer, sock, target.peerType);
          peer.write(frame(0x04, bytes([0x20], "PING")));
        },
        "disconnect",
        P.MALFORMED_COMMAND_UNSPECIFIED,
      );
    });

    it("a PING without its TTL → disconnect MALFORMED_COMMAND_UNSPECIFIED", async () => {
      await expectDropped(
        target,
        async (peer, sock) => {
          await handshake(peer, sock, target.peerType);
          peer.write(command("PING", bytes([0x00])));
        },
        "disconnect",
        P.MALFORMED_COMMAND_UNSPECIFIED,
      );
    });

    it("a truncated frame, then close: disconnect, the partial message is dropped", async () => {
      const ev = await expectDropped(target, async (peer, sock) => {
        await handshake(peer, sock, target.peerType);
        peer.write(frame(0x01, "partial"), [0x00, 0x0a], "abc");
        peer.end();
      }, "disconnect");
      assert.equal(
        PROTOCOL_CODES.includes(ev.error?.code ?? ""),
        false,
        "a plain close is no protocol error",
      );
    });

    // libzmq keeps a dead pipe readable until drained; so do we (socket.ts #terminate)
    it("whole messages received before a truncated frame and a close are still delivered", async () => {
      const sock = await target.create({});
      const peer = await MockPeer.connect(sock.lastEndpoint!);
      try {
        await handshake(peer, sock, target.peerType);
        peer.write(frame(0x00, "whole"), frame(0x01, "partial"), [0x00, 0x0a], "abc");
        peer.end();
        await waitForEvent(sock, "disconnect", 5000);
        const msg = text(
          await withTimeout(sock.receive(), 2000, "the message sent before the close"),
        );
        assert.deepEqual(msg.slice(-1), ["whole"]);
      } finally {
        peer.destroy();
        sock.close();
      }
    });
  });

  describe(`hostile peer vs a bound ${target.name}: tolerated quirks`, () => {
    it("MORE on a PING, unknown commands, reserved flag bits, long size for a small body", async () => {
      const sock = await target.create({});
      const peer = await MockPeer.connect(sock.lastEndpoint!);
      try {
        await handshake(peer, sock, target.peerType);
        peer.write(frame(0x05, bytes([4], "PING", [0, 0], "ctx"))); // PING with MORE set
        await peer.waitForSequence(bytes([0x04, 0x08, 0x04], "PONG", "ctx"));
        peer.write(command("FOO", bytes("bar")), command("READY"));
        const body = target.name === "Router"
          ? [frame(0xf9, ""), frame(0xf8, "hi", true)]
          : [frame(0xf8, "hi", true)];
        peer.write(...body);
        const msg = text(await withTimeout(sock.receive(), 5000, "message from the quirky peer"));
        assert.deepEqual(msg.slice(-1), ["hi"]);
        assert.equal(peer.isClosed, false);
      } finally {
        peer.destroy();
        sock.close();
      }
    });
  });
}

describe("hostile peer: a peer that never finishes its handshake", () => {
  const stalls: Array<[string, (peer: MockPeer) => void]> = [
    ["sends nothing", () => {}],
    ["sends half a greeting", (peer) => peer.write(greeting().subarray(0, 30))],
    ["sends a greeting only", (peer) => peer.write(greeting())],
    ["sends half a READY", (peer) => peer.write(greeting(), ready("PULL").subarray(0, 10))],
  ];
  for (const [name, stall] of stalls) {
    it(`${name}: closed at handshakeInterval (handshake:error:other), never gets messages`, async () => {
      const push = new Push({ handshakeInterval: 200, linger: 0 });
      void push.events;
      await push.bind("tcp://127.0.0.1:*");
      const peer = await MockPeer.connect(push.lastEndpoint!);
      const pull = new Pull();
      try {
        stall(peer);
        await waitForEvent(push, "accept", 5000);
        pull.connect(push.lastEndpoint!);
        for (let i = 0; i < 6; i++) await withTimeout(push.send(`m${i}`), 5000, `send m${i}`);
        const got: string[] = [];
        for (let i = 0; i < 6; i++) {
          got.push(text(await withTimeout(pull.receive(), 5000, `receive m${i}`))[0]!);
        }
        assert.deepEqual(
          got,
          ["m0", "m1", "m2", "m3", "m4", "m5"],
          "the stalled peer took no share",
        );
        const ev = await waitForEvent(push, "handshake:error:other", 5000);
        assert.ok(ev.error instanceof Error);
        await peer.waitClosed();
        await withTimeout(push.send("after"), 5000, "send after the timeout");
        assert.deepEqual(text(await withTimeout(pull.receive(), 5000, "receive after")), ["after"]);
      } finally {
        peer.destroy();
        pull.close();
        push.close();
      }
    });
  }
});
