// SPDX-License-Identifier: MIT
/**
 * Property tests for the CURVE mechanism: random bytes, random bytes behind a valid command
 * name, and mutated §8.2 commands go into the client's and the server's receive() at each
 * handshake stage and into the MESSAGE codec. Whatever arrives, the result is a step or a
 * ProtocolError, AuthError or HandshakeRefused, never another throw. Fixed seeds, bounded runs.
 */
import { outcome } from "./_outcome.ts";
import { joinBytes } from "../../lib/util/bytes.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ProtocolError } from "../../lib/errors.ts";
import { CurveCodec } from "../../lib/mechanisms/curve_codec.ts";
import { openBox, PrefixBox, SEAL_SCRATCH, sealBox } from "../../lib/mechanisms/curve_box.ts";
import { CurveServer } from "../../lib/mechanisms/curve_server.ts";
import { shortNonce } from "../../lib/mechanisms/curve_commands.ts";
import { encodeCommand, encodeError } from "../../lib/wire/command.ts";
import type { ZapReply } from "../../lib/zap/zap.ts";
import { mutationsOf } from "../_helpers/mutations.ts";
import {
  HELLO,
  INITIATE,
  KEYS,
  MESSAGE_C,
  MESSAGE_S,
  READY,
  SERVER_METADATA,
  SESSION_KEY,
  vectorClient,
  vectorServer,
  WELCOME,
} from "../_helpers/curve_vectors.ts";

const RUNS = 200;
const params = (seed: number, numRuns = RUNS) => ({ seed, numRuns, endOnFailure: true });

/** Random bytes, possibly behind one of the CURVE command names. */
function commandLike(max: number): fc.Arbitrary<Uint8Array> {
  return fc.tuple(
    fc.constantFrom("", "HELLO", "WELCOME", "INITIATE", "READY", "ERROR", "MESSAGE"),
    fc.uint8Array({ maxLength: max }),
  ).map(([name, data]) => name === "" ? data : encodeCommand(name, data));
}

/** `valid` mutated, then maybe cut short or extended. */
function damaged(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.tuple(
    mutationsOf(valid, 4),
    fc.option(fc.nat(valid.length)),
    fc.uint8Array({ maxLength: 8 }),
  ).map(([b, cut, tail]) => cut === null ? joinBytes(b, tail) : b.subarray(0, cut));
}

const freshServer = () =>
  new CurveServer(SERVER_METADATA, {
    secretKey: KEYS.serverSecret,
    publicKey: KEYS.serverPublic,
  });

async function serverAfterHello(): Promise<CurveServer> {
  const s = vectorServer();
  await s.receive(HELLO);
  return s;
}

function clientAt(stage: "welcome" | "ready") {
  const c = vectorClient();
  c.start();
  if (stage === "ready") c.receive(WELCOME);
  return c;
}

const serverCodec = () =>
  new CurveCodec(SESSION_KEY.slice(), { sender: "server", next: 2, lastReceived: shortNonce(2) });
const clientCodec = () =>
  new CurveCodec(SESSION_KEY.slice(), { sender: "client", next: 3, lastReceived: shortNonce(1) });

describe("fuzz: CURVE server", () => {
  it("anything as the first command", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(commandLike(260), damaged(HELLO)), async (cmd) => {
        await outcome(() => freshServer().receive(cmd));
      }),
      params(0xc0e01),
    );
  });

  it("anything after HELLO", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(commandLike(400), damaged(INITIATE)), async (cmd) => {
        await outcome(async () => (await serverAfterHello()).receive(cmd));
      }),
      params(0xc0e02),
    );
  });

  it("any ZAP answer to a valid or damaged INITIATE", async () => {
    const statuses = fc.constantFrom(200, 300, 400, 500, 0, 201, 999);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(INITIATE), damaged(INITIATE)),
        statuses,
        fc.boolean(),
        async (cmd, status, reject) => {
          const reply: ZapReply = { status, statusText: "", userId: "", metadata: [] };
          const s = vectorServer({
            zap: () =>
              reject
                ? Promise.reject(new ProtocolError("ERR_ZAP_MALFORMED_REPLY", "x"))
                : Promise.resolve(reply),
          });
          await s.receive(HELLO);
          const got = await outcome(() => s.receive(cmd));
          if (cmd === INITIATE && !reject) {
            const want = status === 200
              ? "step"
              : [300, 400, 500].includes(status)
              ? "refused"
              : "ERR_ZAP_INVALID_STATUS_CODE";
            assert.equal(got, want);
          }
        },
      ),
      params(0xc0e03, 100),
    );
  });
});

describe("fuzz: CURVE client", () => {
  it("anything after HELLO", async () => {
    const inputs = fc.oneof(commandLike(200), damaged(WELCOME), damaged(encodeError("400")));
    await fc.assert(
      fc.asyncProperty(inputs, async (cmd) => {
        await outcome(() => clientAt("welcome").receive(cmd));
      }),
      params(0xc0e04),
    );
  });

  it("anything after INITIATE", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(commandLike(200), damaged(READY)), async (cmd) => {
        await outcome(() => clientAt("ready").receive(cmd));
      }),
      params(0xc0e05),
    );
  });
});

describe("fuzz: CURVE MESSAGE codec", () => {
  it("anything into open(), on both sides; a failed open leaves the codec usable", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(commandLike(100), damaged(MESSAGE_C), damaged(MESSAGE_S)),
        async (msg) => {
          const s = serverCodec();
          const c = clientCodec();
          const a = await outcome(() => s.open(msg));
          await outcome(() => c.open(msg));
          if (a !== "step") assert.equal(s.open(MESSAGE_C).body.length, 5);
        },
      ),
      params(0xc0e06, 400),
    );
  });

  it("seal then open round-trips any frame and flags", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.boolean(), fc.boolean()), {
          maxLength: 6,
        }),
        (frames) => {
          const c = clientCodec();
          const s = serverCodec();
          for (const [body, more, command] of frames) {
            assert.deepEqual(s.open(c.seal(body, more, command)), { body, more, command });
          }
        },
      ),
      params(0xc0e07),
    );
  });
});

describe("fuzz: PrefixBox", () => {
  it("seals and opens exactly as sealBox/openBox with the full nonce", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(215),
        (key, nonce, plain, flipAt) => {
          const box = new PrefixBox(key, nonce.subarray(0, 16));
          const buffer = new Uint8Array(SEAL_SCRATCH + plain.length);
          buffer.set(plain, SEAL_SCRATCH);
          const sealed = box.sealInPlace(nonce.subarray(16), buffer);
          const reference = sealBox(key, nonce, plain);
          assert.deepEqual(sealed, reference);
          assert.deepEqual(box.open(nonce.subarray(16), reference), plain);
          const bad = reference.slice();
          bad[flipAt % bad.length] = bad[flipAt % bad.length]! ^ 0x80;
          assert.equal(box.open(nonce.subarray(16), bad), null);
          assert.equal(openBox(key, nonce, bad), null);
        },
      ),
      params(0xc0e08),
    );
  });
});
