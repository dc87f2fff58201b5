// SPDX-License-Identifier: MIT
/**
 * `zmqkit keygen`: a key pair as curve_keygen prints it, or as JSON; `--cert NAME` writes the
 * CZMQ certificate pair (the secret one readable by its owner alone) and never replaces a file.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCertificate } from "../../lib/mechanisms/certificate.ts";
import { curvePublic } from "../../lib/mechanisms/curve_keys.ts";
import { ensureBinary, zmqkit } from "./_cli.ts";

let dir: string;
before(() => {
  ensureBinary();
  dir = mkdtempSync(join(tmpdir(), "zmqkit-keygen-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

describe("zmqkit keygen", () => {
  it("prints a pair as curve_keygen does: the public key is the secret's", async () => {
    const r = await zmqkit(["keygen"]);
    assert.equal(r.code, 0, r.stderr);
    const [h1, pub, h2, sec] = r.stdout.toString().trimEnd().split("\n");
    assert.equal(h1, "== CURVE PUBLIC KEY ==");
    assert.equal(h2, "== CURVE SECRET KEY ==");
    assert.match(pub!, Z85_KEY);
    assert.equal(curvePublic(sec!), pub);
  });

  it("--json", async () => {
    const r = await zmqkit(["keygen", "--json"]);
    const pair = JSON.parse(r.stdout.toString());
    assert.equal(curvePublic(pair.secretKey), pair.publicKey);
  });

  it("--cert NAME writes NAME and NAME_secret (0600), prints the public key", async () => {
    const name = join(dir, "server");
    const r = await zmqkit(["keygen", "--cert", name, "-m", "name=Server"]);
    assert.equal(r.code, 0, r.stderr);
    const pub = parseCertificate(readFileSync(name, "utf8"));
    const sec = parseCertificate(readFileSync(`${name}_secret`, "utf8"));
    assert.equal(r.stdout.toString(), `${pub.publicKey}\n`);
    assert.equal(pub.secretKey, undefined);
    assert.equal(sec.publicKey, pub.publicKey);
    assert.deepEqual(sec.metadata, { name: "Server" });
    assert.equal(statSync(`${name}_secret`).mode & 0o777, 0o600);
    // a second run does not replace them
    const again = await zmqkit(["keygen", "--cert", name]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
    assert.equal(parseCertificate(readFileSync(name, "utf8")).publicKey, pub.publicKey);
  });

  it("usage errors: --meta without --cert, --json with --cert", async () => {
    assert.equal((await zmqkit(["keygen", "-m", "a=b"])).code, 2);
    assert.equal((await zmqkit(["keygen", "--json", "--cert", join(dir, "x")])).code, 2);
  });
});
