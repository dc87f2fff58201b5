// SPDX-License-Identifier: MIT
/**
 * A real capture: tcpdump records a node:net exchange on the loopback interface, and the
 * file, read with readCapture → parseTcpPacket → TcpReassembler, gives back exactly the
 * bytes each side sent. Needs tcpdump and the right to capture (root); skipped otherwise.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCapture } from "../../../lib/internal.ts";
import { parseTcpPacket } from "../../../lib/internal.ts";
import { type StreamSide, TcpReassembler } from "../../../lib/internal.ts";
import { withTimeout } from "../../_helpers/wait.ts";
import { cat } from "../../fixtures/pcap/build.ts";

/** Why the live capture cannot run here, or undefined if it can. */
function cannotCapture(): string | undefined {
  const probe = spawnSync("tcpdump", ["-i", "lo", "-d", "tcp"], { encoding: "utf8" });
  if (probe.error !== undefined) return "tcpdump is not on PATH";
  if (probe.status !== 0) {
    return `tcpdump cannot open lo (needs root): ${probe.stderr.trim().split("\n").pop()}`;
  }
  return undefined;
}

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 8) + seed) & 0xff;
  return out;
}

interface Reassembled {
  opens: string[];
  closes: string[];
  gaps: number;
  data: Map<StreamSide, Uint8Array[]>;
}

function reassemble(file: string, port: number): Reassembled {
  const out: Reassembled = { opens: [], closes: [], gaps: 0, data: new Map() };
  const r = new TcpReassembler({
    onOpen: (_id, client, server) => out.opens.push(`${client} ${server}`),
    onData: (_id, from, bytes) => out.data.set(from, [...(out.data.get(from) ?? []), bytes]),
    onGap: () => out.gaps++,
    onClose: (_id, _t, reason) => out.closes.push(reason),
  }, { ports: [port] });
  // A packet being written as we read shows up as a truncated last block: ignore it.
  for (const p of readCapture(readFileSync(file)).packets) {
    const s = parseTcpPacket(p.linkType, p.data);
    if (s !== undefined) r.push(s, p.time);
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("live capture with tcpdump", () => {
  const reason = cannotCapture();
  const dir = mkdtempSync(join(tmpdir(), "zmqkit-live-"));
  let tcpdump: ChildProcess | undefined;
  let server: Server | undefined;
  after(async () => {
    if (server?.listening) await new Promise((resolve) => server!.close(resolve));
    if (tcpdump !== undefined && tcpdump.exitCode === null && tcpdump.signalCode === null) {
      const exited = new Promise((resolve) => tcpdump!.once("exit", resolve));
      tcpdump.kill("SIGINT");
      await withTimeout(exited, 5000, "tcpdump exit");
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("reassembles both directions of a loopback TCP exchange", {
    skip: reason ?? false,
  }, async () => {
    const fromClient = pattern(300_000, 1);
    const fromServer = pattern(120_000, 2);
    const received: Uint8Array[] = [];
    server = createServer((sock: Socket) => {
      sock.on("data", () => {}); // drain what the client sends
      sock.on("end", () => sock.end(fromServer));
      sock.on("error", () => {});
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === "object");
    const port = address.port;

    const file = join(dir, "live.pcap");
    tcpdump = spawn("tcpdump", [
      "-i",
      "lo",
      "-w",
      file,
      "-U",
      "--immediate-mode",
      // a 32 MiB kernel buffer: a tcpdump starved of CPU by a loaded machine (the suites run in
      // parallel) must not drop packets, the FIN least of all
      "-B",
      "32768",
      "-nn",
      "tcp",
      "port",
      String(port),
    ], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const listening = new Promise<void>((resolve, reject) => {
      tcpdump!.stderr!.on("data", (chunk: Uint8Array) => {
        stderr += new TextDecoder().decode(chunk);
        if (stderr.includes("listening on")) resolve();
      });
      tcpdump!.once("exit", (code) => reject(new Error(`tcpdump exited (${code}): ${stderr}`)));
    });
    await withTimeout(listening, 30_000, "tcpdump to start listening");

    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const sock = createConnection({ host: "127.0.0.1", port }, () => sock.end(fromClient));
        sock.on("data", (b: Uint8Array) => received.push(new Uint8Array(b)));
        sock.on("error", reject);
        sock.on("close", () => resolve());
      }),
      30_000,
      "the TCP exchange",
    );
    assert.deepEqual(cat(...received), fromServer, "the exchange itself worked");

    // Poll the file until the capture holds the whole connection, up to a deadline.
    const deadline = Date.now() + 30_000; // generous: other test files may load the machine
    let got = existsSync(file) ? reassemble(file, port) : undefined;
    while (got?.closes[0] !== "fin" && Date.now() < deadline) {
      await sleep(50);
      got = existsSync(file) ? reassemble(file, port) : undefined;
    }
    assert.ok(got, "tcpdump wrote a file");
    assert.deepEqual(got.closes, ["fin"], `capture complete (tcpdump: ${stderr})`);
    assert.equal(got.opens.length, 1);
    assert.match(got.opens[0]!, new RegExp(`^127\\.0\\.0\\.1:\\d+ 127\\.0\\.0\\.1:${port}$`));
    assert.equal(got.gaps, 0);
    assert.deepEqual(cat(...(got.data.get("client") ?? [])), fromClient);
    assert.deepEqual(cat(...(got.data.get("server") ?? [])), fromServer);
  });
});
