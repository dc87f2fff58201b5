// SPDX-License-Identifier: MIT
/**
 * CZMQ certificate files (zcert): what zmqkit writes reads back; a file as CZMQ's zmakecert
 * writes it (comments, metadata, quoted values) is read; broken files say where they break.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatCertificate, parseCertificate } from "../../../lib/mechanisms/certificate.ts";
import { curveKeyPair } from "../../../lib/mechanisms/curve_keys.ts";
import { curveKeysIn, loadCertificate } from "../../../lib/zap/certificates.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// security.md §6's server test keys
const PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const SECRET = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

describe("certificates", () => {
  it("round-trip: the public file holds no secret, the secret file both keys", () => {
    const pair = curveKeyPair();
    const files = formatCertificate({ ...pair, metadata: { name: "ada", email: "a@b.c" } });
    const pub = parseCertificate(files.public);
    assert.equal(pub.publicKey, pair.publicKey);
    assert.equal(pub.secretKey, undefined);
    assert.deepEqual(pub.metadata, { name: "ada", email: "a@b.c" });
    assert.ok(!files.public.includes(pair.secretKey));
    const sec = parseCertificate(files.secret);
    assert.equal(sec.secretKey, pair.secretKey);
    assert.equal(sec.publicKey, pair.publicKey);
  });

  it("reads a certificate as zmakecert writes it", () => {
    const text = [
      "#   ****  Generated on 2016-01-01 10:00:00 by CZMQ  ****",
      "#   ZeroMQ CURVE **Secret** Certificate",
      "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.",
      "",
      "metadata",
      '    name = "Server"',
      "    organization = zmq",
      "curve",
      `    public-key = "${PUBLIC}"`,
      `    secret-key = "${SECRET}"`,
      "",
    ].join("\n");
    const c = parseCertificate(text);
    assert.deepEqual(c, {
      publicKey: PUBLIC,
      secretKey: SECRET,
      metadata: { name: "Server", organization: "zmq" },
    });
  });

  it("says what is wrong, and where", () => {
    assert.throws(() => parseCertificate("curve\n  oops\n", "f"), /f, line 2: expected name/);
    assert.throws(() => parseCertificate("keys\n", "f"), /line 1: unknown section "keys"/);
    assert.throws(() => parseCertificate("metadata\n", "f"), /f: no curve public-key/);
    assert.throws(
      () => parseCertificate('curve\n    public-key = "short"\n'),
      RangeError,
    );
    const other = curveKeyPair();
    assert.throws(
      () =>
        parseCertificate(
          `curve\n    public-key = "${PUBLIC}"\n    secret-key = "${other.secretKey}"\n`,
        ),
      /does not belong to the public-key/,
    );
  });

  it("a directory of certificates gives its public keys (secret files too, once each)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zmqkit-certs-"));
    try {
      const a = curveKeyPair(), b = curveKeyPair();
      const fa = formatCertificate({ ...a, metadata: {} });
      const fb = formatCertificate({ ...b, metadata: {} });
      writeFileSync(join(dir, "a"), fa.public);
      writeFileSync(join(dir, "a_secret"), fa.secret);
      writeFileSync(join(dir, "b"), fb.public);
      assert.deepEqual((await curveKeysIn(dir)).sort(), [a.publicKey, b.publicKey].sort());
      assert.equal((await loadCertificate(join(dir, "a_secret"))).secretKey, a.secretKey);
      writeFileSync(join(dir, "junk"), "not a certificate\n");
      await assert.rejects(curveKeysIn(dir), /junk, line 1/);
      await assert.rejects(loadCertificate(join(dir, "none")), /cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
