// SPDX-License-Identifier: MIT
/**
 * `zmqkit dump` from the shell: the raw-stream sources (--stdin, --hex), body decoders chosen
 * per frame, every usage error as one line with exit code 2, and the relay's exit on signals.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pack } from "msgpackr";
import { ensureBinary, killAll, statusAfterSignal, zmqkit } from "../cli/_cli.ts";
import { encodeGreeting } from "../../lib/internal.ts";
import { encodePing, encodeReady } from "../../lib/internal.ts";
import { encodeFrame } from "../../lib/internal.ts";
import { concatBytes } from "../../lib/internal.ts";

const te = new TextEncoder();
let dir: string;
before(() => {
  ensureBinary();
  dir = mkdtempSync(join(tmpdir(), "zmqkit-dump-cli-"));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  killAll();
});

const cat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts).slice();
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** A DEALER's side of a NULL conversation: READY, a PING, a 3-frame message. */
const stream = cat(
  encodeGreeting("NULL"),
  encodeFrame(4, encodeReady([["Socket-Type", te.encode("DEALER")]])),
  encodeFrame(4, encodePing(50, Uint8Array.of(1, 2))),
  encodeFrame(1, te.encode("sensor-7")),
  encodeFrame(1, pack({ temp: 21.5, ok: true })),
  encodeFrame(0, Uint8Array.of(0, 0, 0, 42, 0x41, 0xa8, 0, 0)),
);
const events = (out: Buffer) =>
  out.toString("utf8").split("\n").filter((l) => l !== "").map((l) =>
    JSON.parse(l) as Record<string, unknown>
  );

describe("zmqkit dump --stdin and --hex", () => {
  it("decodes one raw stream from stdin, with per-frame decoders and a layout", async () => {
    const r = await zmqkit([
      "dump",
      "--stdin",
      "--json",
      "--decode",
      "0=text,1=msgpack,2=layout:id: u32be, value: f32be",
    ], { input: stream });
    assert.equal(r.code, 0, r.stderr);
    const ev = events(r.stdout);
    assert.deepEqual(ev.map((e) => e.type), [
      "open",
      "greeting",
      "command",
      "command",
      "message",
      "close",
    ]);
    assert.deepEqual(ev[3]!.fields as Record<string, unknown>, { ttl: 5, context: "0102" });
    const m = ev[4]!;
    assert.deepEqual((m.frames as Record<string, unknown>[]).map((f) => [f.as, f.body]), [
      ["text", "sensor-7"],
      ["msgpack", { temp: 21.5, ok: true }],
      ["layout", { id: 42, value: 21 }],
    ]);
    assert.equal((ev[5]!.bytes as Record<string, number>).client, stream.length);
  });

  it("reads xxd, hexdump -C and plain hex dumps, and the server side with --from", async () => {
    const plain = join(dir, "plain.txt");
    writeFileSync(plain, `# a comment\n${hex(stream).replace(/(..)/g, "$1 ")}\n`);
    const a = await zmqkit(["dump", "--hex", plain, "--json", "--from", "server"]);
    assert.equal(a.code, 0, a.stderr);
    const ev = events(a.stdout);
    assert.ok(
      ev.filter((e) => e.type !== "open" && e.type !== "close").every((e) => e.from === "server"),
    );
    const xxd = join(dir, "xxd.txt");
    let lines = "";
    for (let o = 0; o < stream.length; o += 16) {
      const row = stream.subarray(o, o + 16);
      const groups = hex(row).match(/.{1,4}/g)!.join(" ");
      lines += `${o.toString(16).padStart(8, "0")}: ${groups.padEnd(39)}  ${
        ".".repeat(row.length)
      }\n`;
    }
    writeFileSync(xxd, lines);
    const b = await zmqkit(["dump", "--hex", xxd, "--json"]);
    assert.equal(b.code, 0, b.stderr);
    const dumpC = join(dir, "c.txt");
    let c = "";
    for (let o = 0; o < stream.length; o += 16) {
      const row = stream.subarray(o, o + 16);
      c += `${o.toString(16).padStart(8, "0")}  ${hex(row).replace(/(..)/g, "$1 ").padEnd(48)} |${
        ".".repeat(row.length)
      }|\n`;
    }
    c += `${stream.length.toString(16).padStart(8, "0")}\n`;
    writeFileSync(dumpC, c);
    const d = await zmqkit(["dump", "--hex", dumpC, "--json"]);
    assert.equal(d.code, 0, d.stderr);
    const strip = (out: Buffer) =>
      events(out).filter((e) => e.type !== "open").map(({ time: _t, ...e }) => e);
    assert.deepEqual(strip(b.stdout), strip(d.stdout));
    assert.equal(events(d.stdout).filter((e) => e.type === "message").length, 1);
  });

  it("reports where a stream goes bad, and still exits 0 at its end", async () => {
    const bad = cat(encodeGreeting("NULL"), Uint8Array.of(0x05, 0x01, 0x00));
    const r = await zmqkit(["dump", "--stdin"], { input: bad });
    assert.equal(r.code, 0);
    assert.match(
      r.stdout.toString("utf8"),
      /! at byte 64: command frame with the MORE flag \(flags 0x05\)/,
    );
  });

  it("truncates long bodies at --max-bytes", async () => {
    const big = cat(encodeGreeting("NULL"), encodeFrame(2, te.encode("x".repeat(5000))));
    const r = await zmqkit(["dump", "--stdin", "--json", "--max-bytes", "10"], { input: big });
    const f =
      (events(r.stdout).find((e) => e.type === "message")!.frames as Record<string, unknown>[])[0]!;
    assert.deepEqual([f.size, f.body, f.truncated], [5000, "xxxxxxxxxx", true]);
  });
});

describe("zmqkit dump usage errors", () => {
  const cases: [string[], RegExp][] = [
    [["dump"], /give one source/],
    [["dump", "--stdin", "--pcap", "x"], /give one source/],
    [["dump", "--listen", "tcp://127.0.0.1:*"], /--listen needs --upstream/],
    [["dump", "--stdin", "--pcap-out", "x"], /--pcap-out works with the relay/],
    [["dump", "--stdin", "--port", "5"], /--port works with --pcap/],
    [["dump", "--stdin", "--from", "middle"], /--from: expected client or server/],
    [["dump", "--stdin", "--decode", "yaml"], /--decode: .*unknown decoder "yaml"/],
    [["dump", "--stdin", "--decode", "layout:x: u24le"], /--decode: .*column/],
    [["dump", "--stdin", "--max-bytes", "-1"], /--max-bytes/],
    [["dump", "--stdin", "--curve-secret", "short"], /--curve-secret/],
    [["dump", "--pcap", "x", "--port", "99999"], /--port: "99999" is not a port number/],
    [
      ["dump", "--listen", "tcp://127.0.0.1:*", "--upstream", "inproc://x"],
      /tcp:\/\/ and ipc:\/\//,
    ],
  ];
  for (const [args, re] of cases) {
    it(`${args.slice(1).join(" ") || "(no source)"} → exit 2, one line`, async () => {
      const r = await zmqkit(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    });
  }

  it("a hex dump with a stray character → exit 2 naming line and column", async () => {
    const f = join(dir, "bad.txt");
    writeFileSync(f, "ff 00\n00 zz\n");
    const r = await zmqkit(["dump", "--hex", f]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /line 2, column 4: "z" is not a hex digit/);
  });

  it("an address in use → exit 1", async () => {
    const net = await import("node:net");
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    const r = await zmqkit([
      "dump",
      "--listen",
      `tcp://127.0.0.1:${port}`,
      "--upstream",
      "tcp://127.0.0.1:1",
    ]);
    srv.close();
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /in use/);
  });

  it("the relay ends on SIGINT with 130 and on SIGTERM with 143, even right after listening", async () => {
    for (const [signal, code] of [["INT", 130], ["TERM", 143]] as const) {
      const path = join(dir, `sig-${signal}.ipc`);
      const args = ["dump", "--listen", `ipc://${path}`, "--upstream", `ipc://${path}-up`];
      assert.equal(await statusAfterSignal(args, path, signal), `status=${code}`);
    }
  });
});
