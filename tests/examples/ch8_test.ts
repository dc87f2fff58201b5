// SPDX-License-Identifier: MIT
/**
 * The Guide's chapter 8, the Harmony pattern with group messaging (examples/ch8/harmony.ts),
 * three nodes run as subprocesses on the runtime running the tests, on a free UDP port on
 * loopback. They find each other by beacons alone, connect, and exchange group messages: a
 * line shouted to CHAT reaches every other member of CHAT and nobody else; a node that joins
 * CHAT later is told so and gets the shouts from then on; a node that stops says goodbye and
 * the others drop it at once. Each step waits for what the previous one makes certain (a
 * shout is sent only once its sender has printed that the receiver joined), so nothing
 * depends on how long discovery takes; every wait is bounded.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { example, stopAll } from "./_run.ts";

after(stopAll);

/** A UDP port nobody uses right now (bound, learnt, closed). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

describe("the Guide, chapter 8, Harmony: harmony.ts", () => {
  it("three nodes find each other by beacons and exchange group messages", async () => {
    const port = String(await freeUdpPort());
    const start = (name: string, group: string) =>
      example("ch8/harmony.ts", name, group, port, "--loopback", "--interval", "200");
    const ada = start("ada", "CHAT"), bob = start("bob", "CHAT"), cy = start("cy", "OTHER");
    try {
      // discovery and HELLO: ada and bob each see the other in CHAT; cy finds both
      await ada.waitFor(/^I: bob joined CHAT$/m);
      await bob.waitFor(/^I: ada joined CHAT$/m);
      await cy.waitFor((out) =>
        out.split("\n").filter((l) => l.startsWith("I: found ")).length === 2
      );

      ada.write("hello from ada\n");
      bob.write("hello from bob\n");
      await bob.waitFor(/^#CHAT ada: hello from ada$/m);
      await ada.waitFor(/^#CHAT bob: hello from bob$/m);

      // cy joins CHAT: the others are told (JOIN), and from then on cy gets CHAT's shouts
      cy.write("/join CHAT\n");
      await ada.waitFor(/^I: cy joined CHAT$/m);
      await bob.waitFor(/^I: cy joined CHAT$/m);
      ada.write("welcome cy\n");
      await cy.waitFor(/^#CHAT ada: welcome cy$/m);
      await bob.waitFor(/^#CHAT ada: welcome cy$/m);

      // bob leaves (SIGTERM): its goodbye beacon makes the others drop it at once
      bob.signal("SIGTERM");
      assert.equal(await bob.exit(), 0);
      assert.match(bob.stdout, /^I: bob left$/m);
      await ada.waitFor(/^I: bob left \(farewell\)$/m);
      await cy.waitFor(/^I: bob left \(farewell\)$/m);
      for (const e of [ada, cy]) {
        e.signal("SIGTERM");
        assert.equal(await e.exit(), 0, e.stderr);
      }

      // every shout was printed once by each member, never by its sender, and cy got none
      // of those sent before it joined
      const shouts = (out: string) => out.split("\n").filter((l) => l.startsWith("#"));
      assert.deepEqual(shouts(ada.stdout), ["#CHAT bob: hello from bob"]);
      assert.deepEqual(shouts(bob.stdout), ["#CHAT ada: hello from ada", "#CHAT ada: welcome cy"]);
      assert.deepEqual(shouts(cy.stdout), ["#CHAT ada: welcome cy"]);
      for (const e of [ada, bob, cy]) {
        assert.match(
          e.stdout,
          /^I: \w+ \([0-9A-F]{32}\) in (CHAT|OTHER): mailbox on tcp port \d+$/m,
        );
        assert.equal(e.stderr, "");
      }
    } finally {
      await stopAll();
    }
  });
});
