// SPDX-License-Identifier: MIT
/**
 * CURVE against a hostile client over a real connection (reliability.md item 26): a raw TCP
 * peer does a genuine handshake with a zmqkit CURVE server (zmqkit's own CurveClient makes the
 * commands), then misbehaves — a replayed MESSAGE, an older nonce, a flipped byte, a MESSAGE
 * shorter than 33 bytes, a plaintext frame. Each time the server closes that connection with
 * the right protocol error and sends no ERROR (RFC 26), and a good client is served afterwards.
 * Also: a HELLO boxed for another server key gets no WELCOME, and an INITIATE with 64 KiB of
 * metadata (CVE-2019-13132) is refused by size.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Pull, Push, type SocketEvent } from "../../mod.ts";
import { CurveClient } from "../../lib/mechanisms/curve_client.ts";
import { curveKeyPair } from "../../lib/mechanisms/curve_keys.ts";
import { z85Decode } from "../../lib/mechanisms/z85.ts";
import { FrameDecoder } from "../../lib/wire/frame_decoder.ts";
import type { Metadata } from "../../lib/wire/metadata.ts";
import { bytes, frame, greeting, MockPeer } from "../_helpers/mock_peer.ts";
import { withTimeout } from "../_helpers/wait.ts";

const WAIT = 5000;
const SERVER = curveKeyPair();
const CLIENT = curveKeyPair();
const OWN: Metadata = [["Socket-Type", new TextEncoder().encode("PUSH")]];

/** The command frames (flags 4/6) and data frames the server sent after its greeting. */
function framesOf(received: Uint8Array): Array<[flags: number, body: Uint8Array]> {
  const out: Array<[number, Uint8Array]> = [];
  if (received.length <= 64) return out;
  const d = new FrameDecoder((flags, body) => void out.push([flags, body.slice()]));
  d.push(received.subarray(64));
  return out;
}

const command = (body: Uint8Array) => frame(0x04, body, body.length > 255);

/** A raw client that has completed a CURVE handshake with `server`; returns it and the client. */
async function handshaken(server: Pull): Promise<{ peer: MockPeer; client: CurveClient }> {
  const client = new CurveClient(OWN, {
    publicKey: z85Decode(CLIENT.publicKey),
    secretKey: z85Decode(CLIENT.secretKey),
    serverKey: z85Decode(SERVER.publicKey),
  });
  const peer = await MockPeer.connect(server.lastEndpoint!);
  const start = client.start() as { send: Uint8Array[] };
  peer.write(greeting("CURVE"), ...start.send.map(command));
  await peer.waitFor((r) => framesOf(r).length >= 1, WAIT, "WELCOME");
  const welcome = framesOf(peer.received)[0]![1];
  const initiate = client.receive(welcome) as { send: Uint8Array[] };
  peer.write(...initiate.send.map(command));
  await peer.waitFor((r) => framesOf(r).length >= 2, WAIT, "READY");
  const step = client.receive(framesOf(peer.received)[1]![1]) as { ready: boolean };
  assert.ok(step.ready);
  return { peer, client };
}

function failure(socket: Pull): Promise<SocketEvent> {
  return new Promise((resolve) => {
    const on = (e: SocketEvent) => resolve(e);
    socket.events.on("disconnect", on);
    socket.events.on("handshake:error:protocol", on);
  });
}

async function server(): Promise<Pull> {
  const s = new Pull({ curveServer: true, curveSecretKey: SERVER.secretKey });
  await s.bind("tcp://127.0.0.1:*");
  return s;
}

async function stillServes(s: Pull): Promise<void> {
  await using push = new Push({
    curveServerKey: SERVER.publicKey,
    curvePublicKey: CLIENT.publicKey,
    curveSecretKey: CLIENT.secretKey,
  });
  push.connect(s.lastEndpoint!);
  await push.send("still here?");
  const [m] = await withTimeout(s.receive(), WAIT, "a good client's message");
  assert.equal(new TextDecoder().decode(m), "still here?");
}

describe("CURVE server vs a hostile client after the handshake", () => {
  // [name, what the client sends, the error, the messages delivered before it (kept, as libzmq)]
  const cases: Array<
    [string, (seal: (s: string) => Uint8Array) => Uint8Array[], string, string[]]
  > = [
    [
      "a replayed MESSAGE",
      (seal) => {
        const m = seal("once");
        return [m, m];
      },
      "ERR_ZMTP_INVALID_SEQUENCE",
      ["once"],
    ],
    [
      "a MESSAGE with an older nonce",
      (seal) => {
        const a = seal("a"), b = seal("b");
        return [b, a];
      },
      "ERR_ZMTP_INVALID_SEQUENCE",
      ["b"],
    ],
    [
      "a flipped byte in the box",
      (seal) => {
        const m = seal("tampered");
        m[m.length - 1]! ^= 1;
        return [m];
      },
      "ERR_ZMTP_CRYPTOGRAPHIC",
      [],
    ],
    [
      "a MESSAGE of 32 bytes",
      (seal) => [seal("x").subarray(0, 32)],
      "ERR_ZMTP_MALFORMED_COMMAND_MESSAGE",
      [],
    ],
  ];
  for (const [name, make, code, delivered] of cases) {
    it(`${name}: ${code}, no ERROR sent, the server serves on`, async () => {
      const s = await server();
      const failed = failure(s);
      const { peer, client } = await handshaken(s);
      try {
        const seal = (text: string) =>
          client.codec!.seal(new TextEncoder().encode(text), false, false);
        const sent = make(seal);
        const before = framesOf(peer.received).length;
        peer.write(...sent.map((m) => frame(0x00, m, m.length > 255)));
        const e = await withTimeout(failed, WAIT, "the server's event");
        assert.equal(e.error?.code, code, e.error?.message ?? e.type);
        await peer.waitClosed();
        assert.equal(
          framesOf(peer.received).length,
          before,
          "the server sent something (an ERROR?)",
        );
        for (const want of delivered) {
          const [m] = await withTimeout(s.receive(), WAIT, "a message sealed before the bad one");
          assert.equal(new TextDecoder().decode(m), want);
        }
        await stillServes(s);
      } finally {
        peer.destroy();
        s.close();
      }
    });
  }

  it("a plaintext data frame after the handshake is refused", async () => {
    const s = await server();
    const failed = failure(s);
    const { peer } = await handshaken(s);
    try {
      peer.write(frame(0x00, "in clear"));
      const e = await withTimeout(failed, WAIT, "the server's event");
      assert.ok(e.error?.code?.startsWith("ERR_ZMTP_"), e.error?.message ?? e.type);
      await peer.waitClosed();
    } finally {
      peer.destroy();
      s.close();
    }
  });
});

describe("CURVE server vs a hostile client during the handshake", () => {
  it("a HELLO for another server key: no WELCOME, the connection is closed", async () => {
    const s = await server();
    const failed = failure(s);
    const other = curveKeyPair();
    const client = new CurveClient(OWN, {
      publicKey: z85Decode(CLIENT.publicKey),
      secretKey: z85Decode(CLIENT.secretKey),
      serverKey: z85Decode(other.publicKey),
    });
    const peer = await MockPeer.connect(s.lastEndpoint!);
    try {
      const start = client.start() as { send: Uint8Array[] };
      peer.write(greeting("CURVE"), ...start.send.map(command));
      const e = await withTimeout(failed, WAIT, "the server's event");
      assert.equal(e.error?.code, "ERR_ZMTP_CRYPTOGRAPHIC");
      await peer.waitClosed();
      assert.equal(framesOf(peer.received).length, 0);
      await stillServes(s);
    } finally {
      peer.destroy();
      s.close();
    }
  });

  it("an INITIATE with 64 KiB of metadata is refused by size", async () => {
    const s = await server();
    const failed = failure(s);
    const peer = await MockPeer.connect(s.lastEndpoint!);
    try {
      // any body: the size is checked before anything in it is read
      const huge = bytes([8], "INITIATE", new Uint8Array(65_536 + 300));
      peer.write(greeting("CURVE"), frame(0x04, huge, true));
      const e = await withTimeout(failed, WAIT, "the server's event");
      assert.equal(e.error?.code, "ERR_ZMTP_MESSAGE_TOO_LARGE");
      await peer.waitClosed();
    } finally {
      peer.destroy();
      s.close();
    }
  });
});
