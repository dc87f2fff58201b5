// SPDX-License-Identifier: MIT
/**
 * Hostile suite over ws://, cases 11 and 12, against a ROUTER target in its own process (its
 * RSS alone is measured: the attackers and the test runner's other files stay in this one):
 * 500 upgrade heads trickled a byte at a time and never finished (each refused with HTTP 408
 * at handshakeInterval), then a frame claiming 1 GiB of which 32 MiB is sent. Bounds as for
 * tcp: 2 × the bytes sent + C, and for the heads 64 KiB a connection as in case 9.
 */
import { after, describe, it } from "node:test";
import { RawClient, ready, upgradeRequest, wsFrame } from "../ws/_raw.ts";
import {
  dealerRoundTrip,
  KiB,
  killAll,
  MiB,
  openFilesLimit,
  runCase,
  startTarget,
  wait,
  waitUntil,
} from "./_harness.ts";

/** What one connection with an unfinished head may cost the target, on top of C (case 9). */
const PER_CONNECTION = 64 * KiB;
const HEADS = 500;
/** Bytes of the 1 GiB frame actually sent. */
const FED = 32 * MiB;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const portOf = (endpoint: string) => Number(/:(\d+)\/?$/.exec(endpoint)![1]);

describe("hostile: ws://", () => {
  after(killAll);

  const fds = openFilesLimit();
  it(
    `${HEADS} upgrade heads trickled a byte at a time are refused with 408 at handshakeInterval`,
    { skip: fds < 2 * HEADS + 512 && `ulimit -n is ${fds}, ${2 * HEADS + 512} needed` },
    async () => {
      const t = await startTarget("ROUTER", { handshakeInterval: 2000 }, "ws://127.0.0.1:0");
      const port = portOf(t.endpoint);
      await runCase({
        name: "11-ws-trickled-heads",
        measured: [{
          label: "",
          child: t.child,
          held: (sent) => sent,
          extra: HEADS * PER_CONNECTION,
        }],
        children: [t.child],
        good: () => dealerRoundTrip(t.endpoint, [t.child]),
        attack: async (a) => {
          const from = t.child.lines.length;
          const refusals = () =>
            t.child.lines.slice(from).filter((l) => l.event === "handshake:error:protocol").length;
          const head = upgradeRequest().slice(0, -2); // without the final CRLF
          const clients = Array.from({ length: HEADS }, () => new RawClient(port));
          try {
            a.during("while heads trickle in");
            for (let at = 0; at < head.length && refusals() === 0; at++) {
              for (const c of clients) c.write(head[at]!);
              a.sent += clients.length;
              a.sample();
              await sleep(1);
            }
            await a.v.step(`${HEADS} refusals (handshake:error:protocol)`, () =>
              t.child.waitCount(
                (l) => l.event === "handshake:error:protocol",
                HEADS,
                "handshake:error:protocol",
                from,
              ));
            a.sample();
            await a.v.step("each head answered with 408 and closed", () =>
              waitUntil(
                () => clients.every((c) => /^HTTP\/1\.1 408 /.test(c.text())) ? true : undefined,
                () =>
                  `${clients.filter((c) => !/^HTTP\/1\.1 408 /.test(c.text())).length} without 408`,
                wait(),
                t.child,
              ));
          } finally {
            for (const c of clients) c.destroy();
          }
        },
        close: () => t.child.kill(),
      });
    },
  );

  it("a frame claiming 1 GiB, fed 32 MiB: held as it comes, the target serving", async () => {
    const t = await startTarget("ROUTER", {}, "ws://127.0.0.1:0");
    const port = portOf(t.endpoint);
    await runCase({
      name: "12-ws-frame-1gib",
      measured: [{ label: "", child: t.child, held: (sent) => sent }],
      children: [t.child],
      good: () => dealerRoundTrip(t.endpoint, [t.child]),
      attack: async (a) => {
        const big = new RawClient(port);
        try {
          big.write(upgradeRequest());
          big.write(ready("DEALER"));
          // the ws header claiming 1 GiB, then the ZMTP flags byte
          big.write(wsFrame(new Uint8Array([0]), { claim: 1n << 30n }).subarray(0, 15));
          await waitUntil(
            () => big.text().startsWith("HTTP/1.1 101 ") ? true : undefined,
            "101 Switching Protocols",
            wait(),
            t.child,
          );
          const chunk = new Uint8Array(64 * KiB).fill(7);
          for (let sent = 0; sent < FED; sent += chunk.length) {
            if (!big.sock.write(chunk)) await new Promise((r) => big.sock.once("drain", r));
            a.sent += chunk.length;
            if (sent % (4 * MiB) === 0) a.sample();
          }
          a.during("with 32 MiB of the frame held");
          await sleep(200);
          a.sample();
        } finally {
          big.destroy();
        }
      },
      close: () => t.child.kill(),
    });
  });
});
