// SPDX-License-Identifier: MIT
/**
 * CZMQ certificate files from disk: one certificate, or the public keys of a directory of
 * them — the allowed clients of a CURVE server, as CZMQ's zauth and pyzmq's
 * `zmq.auth.CurveConfig` read a directory (`zapPolicy({ curveKeys: await curveKeysIn(dir) })`).
 */
import { type Certificate, parseCertificate } from "../mechanisms/certificate.ts";
import { listFiles, readFileBytes } from "../transports/runtime/files.ts";

/**
 * Reads the certificate file at `path` (`NAME` for the public key, `NAME_secret` for both).
 * Rejects with an Error naming the path for a file that cannot be read or is no certificate.
 */
export async function loadCertificate(path: string): Promise<Certificate> {
  const text = new TextDecoder().decode(await readFileBytes(path));
  return parseCertificate(text, path);
}

/**
 * The public keys (Z85) of every certificate in `dir` (secret files give their public key);
 * rejects when the directory cannot be listed or a file in it is no certificate.
 */
export async function curveKeysIn(dir: string): Promise<string[]> {
  const keys = new Set<string>();
  for (const path of listFiles(dir)) keys.add((await loadCertificate(path)).publicKey);
  return [...keys];
}
