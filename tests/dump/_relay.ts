// SPDX-License-Identifier: MIT
/**
 * Test rig for `zmqkit dump` as a relay: libzmq client → recorder A → dump relay → recorder B
 * → libzmq server. The recorders are plain node:net pass-throughs that keep every byte each
 * way, so a test can check that what left one side of the relay is what entered the other.
 */
import * as net from "node:net";
import { startZmqkit, type ZmqkitProcess } from "../cli/_cli.ts";

export interface Recorder {
  /** Where to connect: tcp://127.0.0.1:port or ipc://path. */
  endpoint: string;
  /** Bytes from the connecting side, then from the far side, over all connections. */
  fromClient: Buffer[];
  fromServer: Buffer[];
  close(): Promise<void>;
}

/** A pass-through recorder listening on `listen` (port 0 or a path), forwarding to `target`. */
export function startRecorder(
  target: { host: string; port: number } | { path: string },
  ipcPath?: string,
): Promise<Recorder> {
  const fromClient: Buffer[] = [];
  const fromServer: Buffer[] = [];
  const socks = new Set<net.Socket>();
  const server = net.createServer((a) => {
    const b = net.connect(target as net.NetConnectOpts);
    socks.add(a).add(b);
    a.on("data", (d: Buffer) => {
      fromClient.push(Buffer.from(d));
      b.write(d);
    });
    b.on("data", (d: Buffer) => {
      fromServer.push(Buffer.from(d));
      a.write(d);
    });
    a.on("error", () => b.destroy());
    b.on("error", () => a.destroy());
    a.on("close", () => b.end());
    b.on("close", () => a.end());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      const addr = server.address();
      const endpoint = typeof addr === "string" ? `ipc://${addr}` : `tcp://127.0.0.1:${addr!.port}`;
      resolve({
        endpoint,
        fromClient,
        fromServer,
        close: () =>
          new Promise<void>((r) => {
            for (const s of socks) s.destroy();
            server.close(() => r());
          }),
      });
    };
    if (ipcPath !== undefined) server.listen(ipcPath, done);
    else server.listen(0, "127.0.0.1", done);
  });
}

export function targetOf(endpoint: string): { host: string; port: number } | { path: string } {
  if (endpoint.startsWith("ipc://")) return { path: endpoint.slice(6) };
  return { host: "127.0.0.1", port: Number(endpoint.slice(endpoint.lastIndexOf(":") + 1)) };
}

/** A running `zmqkit dump --listen … --upstream … --json` and where it listens. */
export interface DumpRelay {
  proc: ZmqkitProcess;
  endpoint: string;
  /** Stops it (SIGTERM) and returns the NDJSON events it printed. */
  stop(): Promise<Record<string, unknown>[]>;
  /** Waits until `n` events match `pred`. */
  until(
    pred: (e: Record<string, unknown>) => boolean,
    n?: number,
  ): Promise<Record<string, unknown>[]>;
}

export async function startDump(
  upstream: string,
  extra: string[] = [],
  listen = "tcp://127.0.0.1:*",
): Promise<DumpRelay> {
  const proc = startZmqkit([
    "dump",
    "--listen",
    listen,
    "--upstream",
    upstream,
    "--json",
    ...extra,
  ]);
  await proc.waitFor(() => /relaying/.test(proc.stderr), "relay to start");
  const m = /\((.*)\) →/.exec(proc.stderr);
  const addr = m![1]!;
  const endpoint = listen.startsWith("ipc://") ? listen : `tcp://${addr}`;
  const events = () =>
    proc.stdout.toString("utf8").split("\n").filter((l) => l.trim() !== "").map((l) =>
      JSON.parse(l) as Record<string, unknown>
    );
  return {
    proc,
    endpoint,
    async stop() {
      proc.child.kill("SIGTERM");
      const r = await proc.done;
      // 143 is the CLI's code for SIGTERM; Deno's child_process reports the signal instead
      if (r.code !== 143 && r.signal !== "SIGTERM") {
        throw new Error(`dump exited ${r.code} ${r.signal}: ${r.stderr}`);
      }
      return events();
    },
    async until(pred, n = 1) {
      await proc.waitFor(() => events().filter(pred).length >= n, "dump events");
      return events();
    },
  };
}
