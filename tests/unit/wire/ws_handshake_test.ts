// SPDX-License-Identifier: MIT
/** The ZWS upgrade codec: RFC 6455's example key, the checks each side makes, the bounds. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { sha1 } from "../../../lib/util/sha1.ts";
import {
  acceptValue,
  checkRequest,
  checkResponse,
  formatRefusal,
  formatRequest,
  formatResponse,
  headEnd,
  newKey,
  offeredProtocols,
  parseHead,
  UpgradeRefused,
} from "../../../lib/wire/ws_handshake.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const head = (s: string) => parseHead(enc(s));
const refusal = (status: number, why: RegExp) => (e: unknown) =>
  e instanceof UpgradeRefused && e.status === status && why.test(e.message);

describe("sha1", () => {
  it("matches node:crypto on every padding boundary", () => {
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 1000]) {
      const d = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
      assert.equal(
        Buffer.from(sha1(d)).toString("hex"),
        createHash("sha1").update(d).digest("hex"),
      );
    }
  });
});

describe("ZWS upgrade", () => {
  it("computes RFC 6455's example accept value", () => {
    assert.equal(acceptValue("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("offers what libzmq offers, per mechanism", () => {
    assert.deepEqual(offeredProtocols("NULL"), ["ZWS2.0/NULL", "ZWS2.0"]);
    assert.deepEqual(offeredProtocols("CURVE"), ["ZWS2.0/CURVE"]);
  });

  it("round-trips a request and its answer", () => {
    const key = newKey();
    const req = dec(formatRequest("127.0.0.1:5555", "/zmq", key, offeredProtocols("NULL")));
    assert.equal(headEnd(enc(req)), req.length);
    assert.match(req, /^GET \/zmq HTTP\/1\.1\r\nHost: 127\.0\.0\.1:5555\r\n/);
    assert.match(req, /Sec-WebSocket-Protocol: ZWS2\.0\/NULL,ZWS2\.0\r\n/);
    const accepted = checkRequest(head(req), ["ZWS2.0/NULL", "ZWS2.0"], "/zmq");
    assert.equal(accepted.protocol, "ZWS2.0/NULL");
    const res = dec(formatResponse(accepted));
    assert.equal(checkResponse(head(res), key, offeredProtocols("NULL")), "ZWS2.0/NULL");
  });

  it("chooses in the client's order, and bare ZWS2.0 when that is all it offers", () => {
    const req = (p: string) => dec(formatRequest("h", "/", newKey(), [p]));
    assert.equal(
      checkRequest(head(req("ZWS2.0")), ["ZWS2.0/NULL", "ZWS2.0"], "/").protocol,
      "ZWS2.0",
    );
    const both = dec(formatRequest("h", "/", newKey(), ["ZWS2.0", "ZWS2.0/NULL"]));
    assert.equal(checkRequest(head(both), ["ZWS2.0/NULL", "ZWS2.0"], "/").protocol, "ZWS2.0");
  });

  it("a socket bound at / serves any path; one bound at a path serves only it", () => {
    const r = head(dec(formatRequest("h", "/any?x=1", newKey(), ["ZWS2.0"])));
    assert.equal(checkRequest(r, ["ZWS2.0"], "/").path, "/any?x=1");
    assert.throws(() => checkRequest(r, ["ZWS2.0"], "/zmq"), refusal(404, /\/any/));
  });

  it("refuses what is not a ZWS upgrade", () => {
    const ok = dec(formatRequest("h", "/", "dGhlIHNhbXBsZSBub25jZQ==", ["ZWS2.0/NULL"]));
    const cases: Array<[string, number, RegExp]> = [
      [ok.replace("GET", "POST"), 400, /not a WebSocket upgrade/],
      [ok.replace("HTTP/1.1", "HTTP/1.0"), 400, /not a WebSocket upgrade/],
      [ok.replace("Upgrade: websocket", "Upgrade: h2c"), 426, /Upgrade: websocket/],
      [ok.replace("Connection: Upgrade", "Connection: close"), 426, /Upgrade: websocket/],
      [ok.replace("dGhlIHNhbXBsZSBub25jZQ==", "short"), 400, /Sec-WebSocket-Key/],
      [ok.replace("ZWS2.0/NULL", "ZWS2.0/PLAIN"), 400, /no subprotocol in common/],
    ];
    for (const [text, status, why] of cases) {
      assert.throws(
        () => checkRequest(head(text), ["ZWS2.0/NULL", "ZWS2.0"], "/"),
        refusal(status, why),
      );
    }
  });

  it("with origins, refuses a browser of another origin (403), not a client without one", () => {
    const req = dec(formatRequest("h", "/", newKey(), ["ZWS2.0"]));
    const from = (origin: string) => head(req.replace("\r\n\r\n", `\r\nOrigin: ${origin}\r\n\r\n`));
    const allowed = ["https://app.example"];
    assert.equal(
      checkRequest(from("https://app.example"), ["ZWS2.0"], "/", allowed).protocol,
      "ZWS2.0",
    );
    assert.equal(checkRequest(head(req), ["ZWS2.0"], "/", allowed).protocol, "ZWS2.0");
    assert.throws(
      () => checkRequest(from("https://evil.example"), ["ZWS2.0"], "/", allowed),
      refusal(403, /evil\.example/),
    );
    assert.equal(checkRequest(from("https://evil.example"), ["ZWS2.0"], "/").protocol, "ZWS2.0");
  });

  it("bounds the head: size, header count, malformed lines", () => {
    const big = `GET / HTTP/1.1\r\nX: ${"a".repeat(9000)}\r\n\r\n`;
    assert.throws(() => head(big), refusal(431, /8192/));
    const many = `GET / HTTP/1.1\r\n${"X-A: 1\r\n".repeat(65)}\r\n`;
    assert.throws(() => head(many), refusal(431, /64 header/));
    assert.throws(() => head("GET / HTTP/1.1\r\nno colon\r\n\r\n"), refusal(400, /malformed/));
    assert.throws(() => head("GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n"), refusal(400, /control/));
  });

  it("joins repeated headers as one list", () => {
    const h = head(
      "GET / HTTP/1.1\r\nSec-WebSocket-Protocol: a\r\nsec-websocket-protocol: ZWS2.0\r\n\r\n",
    );
    assert.equal(h.headers.get("sec-websocket-protocol"), "a, ZWS2.0");
  });

  it("the client refuses a wrong answer", () => {
    const key = newKey();
    const good = dec(
      formatResponse({ path: "/", protocol: "ZWS2.0/NULL", accept: acceptValue(key) }),
    );
    const offered = offeredProtocols("NULL");
    assert.throws(
      () =>
        checkResponse(head(good.replace("101 Switching Protocols", "404 Not Found")), key, offered),
      refusal(404, /404/),
    );
    assert.throws(() => checkResponse(head(good), newKey(), offered), refusal(0, /Accept/));
    assert.throws(
      () => checkResponse(head(good.replace("ZWS2.0/NULL", "chat")), key, offered),
      refusal(0, /chat/),
    );
  });

  it("writes a refusal a browser or curl can read", () => {
    const text = dec(formatRefusal(new UpgradeRefused(426, "not an upgrade")));
    assert.match(text, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(text, /Sec-WebSocket-Version: 13\r\n/);
    assert.match(text, /\r\n\r\nnot an upgrade\n$/);
  });
});
