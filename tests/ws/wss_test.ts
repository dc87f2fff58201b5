// SPDX-License-Identifier: MIT
/**
 * wss:// — ZWS 2.0 over TLS, with a self-signed certificate made by the `openssl` CLI at the
 * start (skipped without it; libzmq as built for zeromq.js has no wss, so zmqkit talks to
 * itself here). A client that trusts the certificate gets through, by IP address or with
 * `wssHostname: "localhost"`; one that does not trust it, or expects another name, never
 * completes (a `close` event naming the certificate, then `connect:retry`) while the server
 * goes on serving the good client; binding wss:// without a certificate and key is EINVAL.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Reply, Request, type SocketEvent } from "../../mod.ts";
import { until } from "../_helpers/wait.ts";

const WAIT = 10_000;
const opts = { receiveTimeout: WAIT, sendTimeout: WAIT, linger: 0 };
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

const probe = spawnSync("openssl", ["version"], { encoding: "utf8" });
const missing = probe.error !== undefined || probe.status !== 0;
const skip = missing ? "openssl is not on PATH" : false;

describe("wss:// (TLS)", { skip }, () => {
  let dir: string;
  let cert: string;
  let key: string;
  let rep: Reply;
  let endpoint: string;
  let good: Request;
  let served = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "zmqkit-wss-"));
    const r = spawnSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    cert = readFileSync(join(dir, "cert.pem"), "utf8");
    key = readFileSync(join(dir, "key.pem"), "utf8");
    rep = new Reply({ linger: 0, wssCertPem: cert, wssKeyPem: key });
    await rep.bind("wss://127.0.0.1:0");
    endpoint = rep.lastEndpoint!;
    assert.match(endpoint, /^wss:\/\/127\.0\.0\.1:\d+\/$/);
    // answers every request, and counts what it got from whom
    (async () => {
      for (;;) {
        let request: Uint8Array[];
        try {
          request = await rep.receive();
        } catch {
          return; // closed
        }
        served++;
        await rep.send(`tls:${text(request[0])}`).catch(() => {});
      }
    })();
    good = new Request({ ...opts, wssTrustPem: cert });
    good.connect(endpoint);
  });

  after(() => {
    good?.close();
    rep?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function roundTrip(req: Request, body: string): Promise<void> {
    await req.send(body);
    assert.deepEqual((await req.receive()).map(text), [`tls:${body}`]);
  }

  it("a client trusting the certificate (wssTrustPem) gets through, by IP address", async () => {
    for (let i = 0; i < 3; i++) await roundTrip(good, `good ${i}`);
  });

  it('with wssHostname: "localhost" (a name the certificate carries) too', async () => {
    const req = new Request({ ...opts, wssTrustPem: cert, wssHostname: "localhost" });
    try {
      req.connect(endpoint);
      await roundTrip(req, "by name");
    } finally {
      req.close();
    }
  });

  /** A client that must fail: its attempts end on the certificate, nothing gets through. */
  async function refused(options: ConstructorParameters<typeof Request>[0]): Promise<void> {
    const req = new Request({ ...opts, ...options, reconnectInterval: 100 });
    const events: SocketEvent[] = [];
    for (const t of ["connect", "close", "connect:retry", "handshake"] as const) {
      req.events.on(t, (e: SocketEvent) => events.push(e));
    }
    try {
      const start = served;
      req.connect(endpoint);
      await req.send("must not arrive"); // queued on the connect side, waiting for a peer
      // two attempts, each failed (close) and followed by a retry
      await until("two failed attempts, each with a retry", () => {
        const seq = events.map((e) => e.type).filter((t) => t === "close" || t === "connect:retry");
        return seq.join(",").startsWith("close,connect:retry,close,connect:retry");
      });
      for (const close of events.filter((e) => e.type === "close")) {
        assert.ok(close.error, "a close event with its error");
        assert.match(close.error.message, /certificate/i);
      }
      // the server goes on serving the good client, and gets nothing from this one
      for (let i = 0; i < 2; i++) await roundTrip(good, `still ${i}`);
      assert.equal(served, start + 2);
      assert.deepEqual(events.filter((e) => e.type === "connect" || e.type === "handshake"), []);
    } finally {
      req.close();
    }
  }

  it("a client without the trust (system CAs only) never completes", async () => {
    await refused({});
  });

  it('a client expecting another name (wssHostname: "other.example") never completes', async () => {
    await refused({ wssTrustPem: cert, wssHostname: "other.example" });
  });

  it("binding wss:// without wssCertPem and wssKeyPem is EINVAL", async () => {
    for (const o of [{}, { wssCertPem: cert }, { wssKeyPem: key }]) {
      const s = new Reply({ ...opts, ...o });
      try {
        await assert.rejects(s.bind("wss://127.0.0.1:0"), (e: { code?: string }) => {
          assert.equal(e.code, "EINVAL");
          return true;
        });
      } finally {
        s.close();
      }
    }
  });
});
