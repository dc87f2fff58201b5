// SPDX-License-Identifier: MIT
/**
 * ioTurn, the forced yield of tight loops: each turn must poll the runtime's sockets, not only
 * run its timers. A chain of microtasks broken only by ioTurn must let a connection be accepted
 * within a few turns. On Deno an immediate would not do (Tokio polls sockets every 61 ticks
 * while work is ready: ~60 turns for an accept), which is what this test tells apart.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { ioTurn } from "../../../lib/transports/runtime/io_turn.ts";

/** An accept plus the client's connect callback needs a handful of I/O turns, not dozens. */
const MAX_TURNS = 20;
/** Microtasks between two turns: the chain never reaches the event loop by itself. */
const MICROTASKS_PER_TURN = 2_000;

const turn = () => new Promise<void>((resolve) => ioTurn(resolve));

describe("ioTurn", () => {
  it("runs its callback after a turn of the event loop", async () => {
    const order: string[] = [];
    const done = turn().then(() => order.push("turn"));
    await Promise.resolve();
    order.push("microtask");
    await done;
    assert.deepEqual(order, ["microtask", "turn"]);
  });

  it("polls sockets: a connection is accepted within a few forced turns", async () => {
    // the first turn on Deno opens the doorbell; count from when it is in place
    await turn();
    await turn();
    let accepted = false;
    let connected = false;
    const server = net.createServer((s) => {
      accepted = true;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const client = net.connect(port, "127.0.0.1", () => {
      connected = true;
    });
    client.on("error", () => {});
    let turns = 0;
    try {
      while (!(accepted && connected) && turns < 10 * MAX_TURNS) {
        for (let i = 0; i < MICROTASKS_PER_TURN; i++) await Promise.resolve();
        await turn();
        turns++;
      }
      assert.ok(accepted && connected, `not connected after ${turns} turns`);
      assert.ok(turns <= MAX_TURNS, `connected only after ${turns} turns`);
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("lets a timer fire at the next turn after it is due", async () => {
    let fired = false;
    setTimeout(() => fired = true, 1);
    const until = performance.now() + 5;
    while (performance.now() < until) await Promise.resolve();
    // the timer is due; a turn or two (a timer may be polled just after the turn's own task)
    for (let i = 0; i < 3 && !fired; i++) await turn();
    assert.ok(fired);
  });
});
