// SPDX-License-Identifier: MIT
/**
 * The byte-stream adapters against one contract (lib/transports/connection.ts): node:net on
 * every runtime, Deno's own sockets on Deno and Bun's own on Bun.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import type { Connection, Listener } from "../../../lib/internal.ts";
import {
  bunAdapter as bun,
  denoAdapter as deno,
  nodeAdapter as node,
} from "../../../lib/internal.ts";
import { withTimeout } from "../../_helpers/wait.ts";

type Adapter = typeof node;
const adapters: [string, Adapter][] = [["node:net", node]];
if (deno.available) adapters.push(["Deno sockets", deno]);
if (bun.available) adapters.push(["Bun sockets", bun]);

let n = 0;
const ipcPath = () => join(tmpdir(), `zmqkit-adapter-${process.pid}-${n++}.sock`);

/** Listens, dials, and returns both ends (the accepted one with its data handler unset). */
async function pair(
  a: Adapter,
  ipc = false,
): Promise<{ l: Listener; c: Connection; s: Connection }> {
  let accepted: (c: Connection) => void = () => {};
  const got = new Promise<Connection>((r) => accepted = r);
  const path = ipcPath();
  const l = ipc
    ? await a.listenIpc(path, (c) => accepted(c))
    : await a.listenTcp({ host: "127.0.0.1", port: 0 }, (c) => accepted(c));
  const c = ipc
    ? await a.dialIpc(path)
    : await a.dialTcp({ host: "127.0.0.1", port: Number(l.address.split(":").pop()) });
  const s = await withTimeout(got, 5000, "accept");
  return { l, c, s };
}

/** Collects what `conn` receives until `bytes` have come. */
function collect(conn: Connection, bytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let have = 0;
  return withTimeout(
    new Promise((resolve) => {
      conn.onData = (chunk) => {
        parts.push(chunk.slice());
        have += chunk.length;
        if (have >= bytes) {
          const out = new Uint8Array(have);
          let o = 0;
          for (const p of parts) {
            out.set(p, o);
            o += p.length;
          }
          resolve(out);
        }
      };
    }),
    10_000,
    `${bytes} bytes`,
  );
}

/** Writes `data` in 64 KiB pieces, waiting for onDrain whenever write() says so. */
async function send(conn: Connection, data: Uint8Array): Promise<void> {
  for (let o = 0; o < data.length; o += 65536) {
    if (!conn.write([data.subarray(o, o + 65536)])) {
      await withTimeout(new Promise<void>((r) => conn.onDrain = r), 10_000, "drain");
    }
  }
}

const pattern = (size: number, seed: number) => {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

for (const [name, a] of adapters) {
  describe(`transport adapter: ${name}`, () => {
    for (const ipc of [false, true]) {
      it(`moves 4 MiB each way at once, in order, with back-pressure (${ipc ? "ipc" : "tcp"})`, async () => {
        const { l, c, s } = await pair(a, ipc);
        const up = pattern(4 << 20, 1), down = pattern(4 << 20, 2);
        const atServer = collect(s, up.length), atClient = collect(c, down.length);
        await Promise.all([send(c, up), send(s, down)]);
        assert.deepEqual(await atServer, up);
        assert.deepEqual(await atClient, down);
        c.destroy();
        s.destroy();
        await l.close();
      });
    }

    it("keeps data that arrives before the handler is set, and pauses and resumes reading", async () => {
      const { l, c, s } = await pair(a);
      c.write([Uint8Array.of(1, 2, 3)]);
      await new Promise((r) => setTimeout(r, 50));
      s.pause();
      const got = collect(s, 6);
      c.write([Uint8Array.of(4, 5, 6)]);
      s.resume();
      assert.deepEqual(await got, Uint8Array.of(1, 2, 3, 4, 5, 6));
      c.destroy();
      s.destroy();
      await l.close();
    });

    it("end() delivers what was written, then the peer sees the close; destroy() reports no error", async () => {
      const { l, c, s } = await pair(a);
      const data = pattern(1 << 20, 3);
      const got = collect(s, data.length);
      const serverClosed = new Promise<Error | undefined>((r) => s.onClose = r);
      const clientClosed = new Promise<Error | undefined>((r) => c.onClose = r);
      c.write([data]);
      c.end();
      assert.deepEqual(await got, data);
      await withTimeout(serverClosed, 5000, "server close");
      assert.equal(await withTimeout(clientClosed, 5000, "client close"), undefined);
      await l.close();
    });

    it("gives node-style error codes: ECONNREFUSED, EADDRINUSE, ENOENT", async () => {
      const { l, c, s } = await pair(a);
      const port = Number(l.address.split(":").pop());
      c.destroy();
      s.destroy();
      await assert.rejects(a.listenTcp({ host: "127.0.0.1", port }, () => {}), {
        code: "EADDRINUSE",
      });
      await l.close();
      await assert.rejects(a.dialTcp({ host: "127.0.0.1", port }), { code: "ECONNREFUSED" });
      await assert.rejects(a.dialIpc(ipcPath()), { code: "ENOENT" });
    });

    it("replaces a stale ipc file, as libzmq does, and removes it on close", async () => {
      const path = ipcPath();
      writeFileSync(path, "stale");
      const l = await a.listenIpc(path, (conn) => conn.destroy());
      assert.equal(l.address, path);
      const c = await a.dialIpc(path);
      c.destroy();
      await l.close();
      await assert.rejects(a.dialIpc(path), { code: "ENOENT" });
    });
  });
}
