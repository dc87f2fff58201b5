// SPDX-License-Identifier: MIT
/**
 * `zmqkit dump` relaying real ZWS 2.0 traffic: libzmq (zeromq.js under Node) on both sides,
 * a `ws://` client → the dump relay (plain TCP both ways) → a `ws://` server. The upgrade,
 * the NULL handshake as COMMAND messages, data both ways, and DISH's JOIN/LEAVE commands.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ensureBinary, killAll } from "../cli/_cli.ts";
import { LibzmqPeer } from "../_helpers/peers.ts";
import { startDump } from "./_relay.ts";

type Ev = Record<string, unknown>;
const te = new TextEncoder();
const str = (f: Uint8Array) => new TextDecoder().decode(f);

let peer: LibzmqPeer;
before(async () => {
  ensureBinary();
  peer = await LibzmqPeer.start();
});
after(async () => {
  await peer?.stop();
  killAll();
});

/** "tcp://127.0.0.1:N" for a "ws://127.0.0.1:N[/path]" endpoint (the relay speaks TCP). */
function tcpOf(ws: string): string {
  return `tcp://127.0.0.1:${/:(\d+)/.exec(ws.slice(5))![1]}`;
}
const wsOf = (tcp: string) => `ws://${tcp.slice("tcp://".length)}`;
const of = (events: Ev[], type: string, from?: string) =>
  events.filter((e) => e.type === type && (from === undefined || e.from === from));

describe("zmqkit dump relays libzmq ZWS 2.0 traffic", () => {
  it("DEALER → ROUTER over ws://: upgrade lines, READY commands, messages both ways", async () => {
    const server = await peer.socket("ROUTER");
    const dump = await startDump(tcpOf(await server.bind("ws://127.0.0.1:*")));
    const client = await peer.socket("DEALER", { routingId: te.encode("cli") });
    await client.connect(wsOf(dump.endpoint));
    await client.send([te.encode("hello"), te.encode("world")]);
    const [id, ...rest] = await server.receive();
    assert.deepEqual(rest.map(str), ["hello", "world"]);
    await server.send([id!, te.encode("back")]);
    assert.deepEqual((await client.receive()).map(str), ["back"]);
    await client.close();
    await dump.until((e) => e.type === "close");
    await server.close();
    const events = await dump.stop();
    assert.deepEqual(of(events, "error"), []);
    const [req, res] = of(events, "upgrade");
    assert.equal(req!.line, "GET / HTTP/1.1");
    assert.deepEqual(req!.protocols, ["ZWS2.0/NULL", "ZWS2.0"]);
    assert.equal(res!.status, 101);
    assert.equal(res!.protocol, "ZWS2.0/NULL");
    const ready = of(events, "command", "client")[0]!;
    assert.equal(ready.name, "READY");
    assert.deepEqual((ready.fields as Ev).metadata, { "Socket-Type": "DEALER", Identity: "cli" });
    const up = of(events, "message", "client")[0]!;
    assert.deepEqual((up.frames as Ev[]).map((f) => f.body), ["hello", "world"]);
    const down = of(events, "message", "server")[0]!;
    assert.deepEqual((down.frames as Ev[]).map((f) => f.body), ["back"]);
  });

  it("DISH → RADIO over ws://: JOIN and LEAVE commands with their groups", async () => {
    const radio = await peer.draftSocket("RADIO");
    const dump = await startDump(tcpOf(await radio.bind("ws://127.0.0.1:*")));
    const dish = await peer.draftSocket("DISH");
    await dish.join(te.encode("weather"));
    await dish.connect(wsOf(dump.endpoint));
    await dump.until((e) => e.type === "command" && e.name === "JOIN");
    await dish.leave(te.encode("weather"));
    await dump.until((e) => e.type === "command" && e.name === "LEAVE");
    await dish.close();
    await radio.close();
    const events = await dump.stop();
    const cmds = of(events, "command", "client").map((c) => [c.name, c.fields]);
    assert.deepEqual(cmds.slice(1), [
      ["JOIN", { group: "weather" }],
      ["LEAVE", { group: "weather" }],
    ]);
    assert.deepEqual(of(events, "error"), []);
  });
});
