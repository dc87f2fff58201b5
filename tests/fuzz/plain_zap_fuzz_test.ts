// SPDX-License-Identifier: MIT
/**
 * Property tests for the PLAIN mechanism, the NULL mechanism's ZAP path and the ZAP reply
 * parser: random bytes, and random bytes behind a valid command name, go into the PLAIN
 * client's and server's receive() at every stage, and random frames into parseReply. The
 * result is a step or a ProtocolError, AuthError or HandshakeRefused — never another throw.
 * Fixed seeds, bounded runs.
 */
import { outcome } from "./_outcome.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ProtocolError } from "../../lib/errors.ts";
import { PlainClient, PlainServer } from "../../lib/mechanisms/plain.ts";
import { encodeCommand } from "../../lib/wire/command.ts";
import { parseReply } from "../../lib/zap/inproc_client.ts";
import type { Metadata } from "../../lib/wire/metadata.ts";

const OWN: Metadata = [["Socket-Type", new TextEncoder().encode("DEALER")]];
const params = (seed: number, numRuns = 300) => ({ seed, numRuns, endOnFailure: true });

function commandLike(): fc.Arbitrary<Uint8Array> {
  return fc.tuple(
    fc.constantFrom("", "HELLO", "WELCOME", "INITIATE", "READY", "ERROR"),
    fc.uint8Array({ maxLength: 300 }),
  ).map(([name, data]) => name === "" ? data : encodeCommand(name, data));
}

describe("PLAIN and ZAP decoders never throw anything but protocol outcomes", () => {
  it("PLAIN server: any two commands, with a ZAP handler accepting everyone", async () => {
    await fc.assert(
      fc.asyncProperty(commandLike(), commandLike(), async (a, b) => {
        const server = new PlainServer(
          OWN,
          () => Promise.resolve({ status: 200, statusText: "", userId: "u", metadata: [] }),
        );
        server.start();
        const first = await outcome(() => server.receive(a));
        if (first === "step") await outcome(() => server.receive(b));
      }),
      params(11),
    );
  });

  it("PLAIN client: any two commands after HELLO", async () => {
    await fc.assert(
      fc.asyncProperty(commandLike(), commandLike(), async (a, b) => {
        const client = new PlainClient(OWN, "user", "pass");
        client.start();
        const first = await outcome(() => client.receive(a));
        if (first === "step") await outcome(() => client.receive(b));
      }),
      params(12),
    );
  });

  it("ZAP replies: any frames give a reply or a ZAP protocol error", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 9 }), (frames) => {
        try {
          const r = parseReply(frames);
          assert.ok([200, 300, 400, 500].includes(r.status));
        } catch (e) {
          assert.ok(e instanceof ProtocolError, String(e));
          assert.match(e.code, /^ERR_ZAP_/);
        }
      }),
      params(13, 1000),
    );
  });
});
