// SPDX-License-Identifier: MIT
/**
 * Send batching (lib/engine/send_batching.ts): an `await send()` loop that outlasts the
 * microtask hops streams, written a batch at a time from inside send(), and what is left when
 * it stops is written once the loop yields. The misuse this invites: a sender that stops in
 * the middle of a batch and then only waits, for instance for the reply to what it sent. Its
 * tail must still go out (the test would hang otherwise), whole and in order.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Router } from "../../mod.ts";
import { MAX_SETTLE_HOPS, STREAM_BATCH } from "../../lib/internal.ts";
import { bindAddress, closeAll, STREAM_TRANSPORTS, withTimeout } from "./_util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

for (const t of STREAM_TRANSPORTS) {
  describe(`send batching over ${t}`, () => {
    for (const count of [MAX_SETTLE_HOPS + 3 * STREAM_BATCH + 37, 10_000 + 1]) {
      it(`a loop of ${count} sends that then waits for a reply gets it: all arrived, in order`, async () => {
        const router = new Router();
        const dealer = new Dealer();
        try {
          await router.bind(bindAddress(t));
          dealer.connect(router.lastEndpoint!);
          // connected first: sends queued before the handshake would go out in one write anyway
          await dealer.send("hello");
          const [peer] = await router.receive();
          await router.send([peer!, enc.encode("hello")]);
          await dealer.receive();
          const served = (async () => {
            for (let i = 0; i < count; i++) {
              const [id, a, b] = await router.receive();
              assert.equal(dec.decode(a), String(i), "in order");
              assert.equal(b!.length, i % 3); // multipart, with empty frames too
              if (i === count - 1) await router.send([id!, enc.encode("done")]);
            }
          })();
          for (let i = 0; i < count; i++) {
            await dealer.send([enc.encode(String(i)), new Uint8Array(i % 3)]);
          }
          // nothing but waiting from here on: the last partial batch must go out by itself
          const [reply] = await withTimeout(dealer.receive(), 10_000, "reply to the last send");
          assert.equal(dec.decode(reply), "done");
          await served;
        } finally {
          closeAll(dealer, router);
        }
      });
    }
  });
}
