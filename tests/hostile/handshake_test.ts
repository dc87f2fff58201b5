// SPDX-License-Identifier: MIT
/**
 * Hostile suite, cases 2, 6 and 7 of issue 11: READY commands a ROUTER must refuse during the
 * handshake, with an event naming what it refused (`handshake:error:protocol`), its memory
 * bounded by what the peers sent, and good clients served during and after:
 * a READY with a huge number of empty properties (from several peers at once), a READY with a
 * huge Identity (routing ids are at most 255 bytes, as in libzmq), a READY with a 1 MB
 * Socket-Type (refused at once, not after the 30 s handshake timeout).
 */
import { after, describe, it } from "node:test";
import {
  bytes,
  command,
  frame,
  greeting,
  MockPeer,
  properties,
  ready,
} from "../_helpers/mock_peer.ts";
import {
  type Attack,
  dealerRoundTrip,
  killAll,
  MiB,
  refusal,
  runCase,
  scaled,
  startTarget,
  stream,
  wait,
} from "./_harness.ts";
import { filled, readyWithEmptyProperties } from "./_wire.ts";

/** Handshake-phase refusal codes (issue 11): a limit, bad metadata or a bad READY. */
const CODES = [
  "ERR_ZMTP_MESSAGE_TOO_LARGE",
  "ERR_ZMTP_INVALID_METADATA",
  "ERR_ZMTP_MALFORMED_COMMAND_READY",
  "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE",
];

/**
 * `peers` raw connections each send a greeting and `readyCmd` at once; good clients run while
 * the READYs are in flight and once they are written; then every peer must be refused with
 * an event whose message matches `names`, and its connection closed by zmqkit.
 */
async function refusedReady(
  name: string,
  peers: number,
  readyCmd: Uint8Array,
  names: RegExp,
): Promise<void> {
  const t = await startTarget("ROUTER");
  const attack = async (a: Attack) => {
    const from = t.child.lines.length;
    const conns = await Promise.all(
      Array.from({ length: peers }, () => MockPeer.connect(t.endpoint)),
    );
    try {
      const payload = bytes(greeting(), readyCmd);
      const writes = conns.map((p, i) =>
        stream(
          p.socket,
          payload,
          payload.length,
          i === 0 ? [{ at: payload.length / 2, fn: () => a.during("mid-READY") }] : [],
        )
      );
      for (const r of await Promise.all(writes)) a.sent += r.sent;
      if (conns.some((p) => !p.isClosed)) a.during("with the READYs written");
      a.sample();
      await Promise.all([
        a.v.step("refusal events", () =>
          refusal(t.child, from, {
            type: "handshake:error:protocol",
            codes: CODES,
            message: names,
            n: peers,
          })),
        a.v.step(
          "hostile connections closed by zmqkit",
          () => Promise.all(conns.map((p) => p.waitClosed(wait()))),
        ),
      ]);
    } finally {
      for (const p of conns) p.destroy();
    }
  };
  await runCase({
    name,
    measured: [{ label: "", child: t.child, held: (sent) => sent }],
    children: [t.child],
    good: () => dealerRoundTrip(t.endpoint, [t.child]),
    attack,
    close: () => t.child.kill(),
  });
}

describe("hostile: READY commands a ROUTER refuses", () => {
  after(killAll);

  it("a READY with very many empty properties, from 5 peers at once", async () => {
    // 6 bytes a property: 500,000 is 3 MB a READY (issue 11: 5,000,000, 30 MB)
    const n = scaled(500_000, 5_000_000);
    await refusedReady(
      "2-ready-properties",
      5,
      readyWithEmptyProperties("DEALER", n),
      /maxHandshakeSize|propert/i,
    );
  });

  it("a READY with a huge Identity", async () => {
    const size = scaled(4 * MiB, 10 * 1000 * 1000);
    await refusedReady(
      "6-ready-identity",
      1,
      ready("DEALER", ["Identity", filled(size)]),
      /Identity|maxHandshakeSize/,
    );
  });

  it("an Identity of 256 bytes is refused by name, one of 255 accepted (libzmq's limit)", async () => {
    const t = await startTarget("ROUTER");
    await runCase({
      name: "6b-ready-identity-256",
      measured: [{ label: "", child: t.child, held: (sent) => sent }],
      children: [t.child],
      good: () => dealerRoundTrip(t.endpoint, [t.child]),
      attack: async (a) => {
        const from = t.child.lines.length;
        const [long, max] = await Promise.all([
          MockPeer.connect(t.endpoint),
          MockPeer.connect(t.endpoint),
        ]);
        try {
          const tooLong = bytes(greeting(), ready("DEALER", ["Identity", filled(256)]));
          const longest = bytes(greeting(), ready("DEALER", ["Identity", filled(255)]));
          long.write(tooLong);
          max.write(longest, frame(0x00, "echo me"));
          a.sent += tooLong.length + longest.length;
          a.during("beside them");
          await Promise.all([
            a.v.step("256 bytes refused, naming Identity", () =>
              refusal(t.child, from, {
                type: "handshake:error:protocol",
                codes: CODES,
                message: /Identity/,
              })),
            a.v.step("256 bytes: connection closed by zmqkit", () => long.waitClosed(wait())),
            a.v.step(
              "255 bytes: accepted and echoed",
              () => max.waitForSequence(new TextEncoder().encode("echo me"), wait()),
            ),
          ]);
        } finally {
          long.destroy();
          max.destroy();
        }
      },
      close: () => t.child.kill(),
    });
  });

  it("a READY with a 1 MB Socket-Type, refused before the handshake timeout", async () => {
    const size = 1000 * 1000;
    await refusedReady(
      "7-ready-socket-type",
      1,
      command("READY", properties(["Socket-Type", filled(size, 0x58)])),
      /Socket-Type|maxHandshakeSize/,
    );
  });
});
