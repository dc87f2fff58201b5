// SPDX-License-Identifier: MIT
/**
 * CURVE certificates in CZMQ's `zcert` text form, the files `zmakecert` writes and pyzmq's
 * `zmq.auth.load_certificate` reads: ZPL (ZeroMQ RFC 4) with a `metadata` section and a
 * `curve` section holding `public-key` and, in the secret file, `secret-key` (Z85, quoted).
 * `NAME` holds the public key only, `NAME_secret` both. Pure text in, text out.
 */
import { curveKey, curvePublic } from "./curve_keys.ts";

/** A certificate: the key pair (Z85), the secret key absent from a public certificate. */
export interface Certificate {
  /** The public key, 40 Z85 characters. */
  publicKey: string;
  /** The secret key, 40 Z85 characters; absent from a public certificate. */
  secretKey?: string | undefined;
  /** The `metadata` section's properties. */
  metadata: Record<string, string>;
}

const PUBLIC_HEADER = [
  "ZeroMQ CURVE Public Certificate",
  "Exchange securely, or use a secure mechanism to verify the contents",
  "of this file after exchange. Store public certificates in your home",
  "directory, in the .curve subdirectory.",
];
const SECRET_HEADER = [
  "ZeroMQ CURVE **Secret** Certificate",
  "DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.",
];

/** A ZPL value, quoted as CZMQ writes every value. */
function zplValue(v: string): string {
  if (v.includes('"') || v.includes("\n")) {
    throw new RangeError(`certificate values may not hold quotes or newlines: ${v}`);
  }
  return `"${v}"`;
}

/** The two files of a certificate: `public` (for NAME) and `secret` (for NAME_secret). */
export function formatCertificate(
  cert: Certificate,
  generated: Date = new Date(),
): { public: string; secret: string } {
  const stamp = generated.toISOString().replace("T", " ").slice(0, 19);
  const meta = Object.entries(cert.metadata).map(([k, v]) => `    ${k} = ${zplValue(v)}\n`)
    .join("");
  const file = (header: string[], keys: string) =>
    `#   ****  Generated on ${stamp} by zmqkit  ****\n` +
    header.map((l) => `#   ${l}\n`).join("") + "\nmetadata\n" + meta + "curve\n" + keys;
  const pub = `    public-key = ${zplValue(cert.publicKey)}\n`;
  if (cert.secretKey === undefined) throw new TypeError("formatCertificate needs a secret key");
  return {
    public: file(PUBLIC_HEADER, pub),
    secret: file(SECRET_HEADER, pub + `    secret-key = ${zplValue(cert.secretKey)}\n`),
  };
}

/**
 * Reads a certificate file's text. Throws SyntaxError (with the line number) for text that is
 * not such a certificate, RangeError for a key that is not valid, or a secret key whose public
 * key is not the one given.
 */
export function parseCertificate(text: string, name = "certificate"): Certificate {
  const metadata: Record<string, string> = {};
  const curve: Record<string, string> = {};
  let section: Record<string, string> | undefined;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/\s+$/, "");
    if (line === "" || /^\s*#/.test(line)) continue;
    const where = `${name}, line ${i + 1}`;
    if (!/^\s/.test(line)) {
      section = line === "metadata" ? metadata : line === "curve" ? curve : undefined;
      if (section === undefined) throw new SyntaxError(`${where}: unknown section "${line}"`);
      continue;
    }
    const m = /^\s+([A-Za-z0-9$\-_@.&+/]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S*))\s*(#.*)?$/.exec(
      line,
    );
    if (m === null || section === undefined) {
      throw new SyntaxError(`${where}: expected name = "value" inside a section`);
    }
    section[m[1]!] = m[2] ?? m[3] ?? m[4] ?? "";
  }
  const publicKey = curve["public-key"];
  if (publicKey === undefined) throw new SyntaxError(`${name}: no curve public-key`);
  curveKey(publicKey, `${name}: public-key`); // throws RangeError when not a key
  const secretKey = curve["secret-key"];
  if (secretKey !== undefined && curvePublic(secretKey) !== publicKey) {
    throw new RangeError(`${name}: the secret-key does not belong to the public-key`);
  }
  return { publicKey, secretKey, metadata };
}
