// SPDX-License-Identifier: MIT
/**
 * `zmqkit cat` (the built binary) over ws:// and udp:// (issue 17 item 5): a push to a pull over
 * ws://, each bind direction; a radio over udp:// to a dish that joined its group (and not the
 * lines of another group), the two cats alone; and the same dish fed by a libzmq RADIO over udp.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { LibzmqPeer } from "../_helpers/peers.ts";
import { freePort } from "../_helpers/ports.ts";
import { ensureBinary, killAll, startZmqkit, WAIT, zmqkit } from "./_cli.ts";

let peer: LibzmqPeer;
before(async () => {
  ensureBinary();
  peer = await LibzmqPeer.start();
});
after(async () => {
  killAll();
  await peer?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("zmqkit cat over ws:// and udp://", () => {
  for (const pullBinds of [true, false]) {
    it(`push → pull over ws://, the ${pullBinds ? "pull" : "push"} binding`, async () => {
      const ep = `ws://127.0.0.1:${await freePort()}/cat`;
      const input = "one\ntwo\nthree\n";
      const pull = startZmqkit(["cat", "pull", pullBinds ? "-b" : "-c", ep, "-n", "3"]);
      // whichever connects retries until the other has bound
      const push = await zmqkit(["cat", "push", pullBinds ? "-c" : "-b", ep], {
        input,
        timeout: WAIT,
      });
      assert.equal(push.code, 0, push.stderr);
      const r = await pull.done;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), input);
    });
  }

  it("radio --group over udp:// to a dish -j: its group's lines, not another's", async () => {
    const port = await freePort();
    const dish = startZmqkit([
      "cat",
      "dish",
      "-b",
      `udp://127.0.0.1:${port}`,
      "-j",
      "weather",
      "-n",
      "1",
    ]);
    const radio = startZmqkit(["cat", "radio", "-c", `udp://127.0.0.1:${port}`, "-d", ","]);
    // udp has no handshake: repeat until the dish, bound by now or soon, prints one line
    const until = Date.now() + WAIT;
    let i = 0;
    while (dish.stdout.length === 0 && Date.now() < until) {
      radio.write(`sports,goal ${i}\nweather,rain ${i++}\n`);
      await sleep(50);
    }
    const r = await dish.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /^weather\train \d+\n$/);
    radio.endInput();
    assert.equal((await radio.done).code, 0);
  });

  it("dish -j over udp:// from a libzmq RADIO", async () => {
    const port = await freePort();
    const dish = startZmqkit([
      "cat",
      "dish",
      "-b",
      `udp://127.0.0.1:${port}`,
      "-j",
      "news",
      "-n",
      "1",
    ]);
    const radio = await peer.draftSocket("RADIO");
    try {
      await radio.connect(`udp://127.0.0.1:${port}`);
      const until = Date.now() + WAIT;
      while (dish.stdout.length === 0 && Date.now() < until) {
        await radio.send([new Uint8Array(Buffer.from("dry"))], {
          group: new Uint8Array(Buffer.from("news")),
        });
        await sleep(50);
      }
      const r = await dish.done;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "news\tdry\n");
    } finally {
      await radio.close();
    }
  });
});
