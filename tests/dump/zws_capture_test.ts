// SPDX-License-Identifier: MIT
/**
 * `zmqkit dump --pcap` finds ZWS 2.0 streams in a capture by their WebSocket upgrade request
 * (a ZMTP stream is found by its signature), and leaves plain HTTP flows alone. The capture
 * is written with the dump's own pcapng writer and read through the CLI's capture path.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PcapngWriter } from "../../lib/internal.ts";
import type { DumpEvent } from "../../lib/internal.ts";
import { dumpCapture } from "../../cli/dump/modes.ts";
import { MASK, of, ready, request, response, type Step, zws } from "./_zws_bytes.ts";

const te = new TextEncoder();

function capture(flows: Step[][]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const w = new PcapngWriter((b) => chunks.push(b.slice()));
  flows.forEach((steps, i) => {
    const id = i + 1;
    w.open(id, { host: "127.0.0.1", port: 41000 + id }, { host: "127.0.0.1", port: 8080 }, id);
    for (const [from, bytes] of steps) w.data(id, from, bytes, id);
    w.close(id, id);
  });
  return chunks;
}

async function* each(chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const c of chunks) yield c;
}

describe("dump of a capture with ZWS 2.0", () => {
  it("decodes the WebSocket flow and skips a plain HTTP one", async () => {
    const plainHttp: Step[] = [
      ["client", te.encode("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")],
      ["server", te.encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")],
    ];
    const zwsFlow: Step[] = [
      ["client", request("ZWS2.0/NULL,ZWS2.0")],
      ["server", response("ZWS2.0/NULL")],
      ["client", zws(0x02, ready("PUSH"), MASK)],
      ["server", zws(0x02, ready("PULL"))],
      ["client", zws(0x00, te.encode("task 1"), MASK)],
    ];
    const events: DumpEvent[] = [];
    const result = await dumpCapture(
      each(capture([plainHttp, zwsFlow])),
      undefined,
      {},
      (e) => events.push(e),
    );
    assert.deepEqual(result, { streams: 2, zmtp: 1 });
    assert.deepEqual(events.map((e) => e.type), [
      "open",
      "upgrade",
      "upgrade",
      "command",
      "command",
      "message",
      "close",
    ]);
    assert.equal(of(events, "open")[0]!.client, "127.0.0.1:41002");
    assert.equal(of(events, "message")[0]!.frames[0]!.body, "task 1");
    assert.deepEqual(of(events, "error"), []);
  });
});
