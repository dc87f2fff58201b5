// SPDX-License-Identifier: MIT
/**
 * The security flags every socket-opening command takes (`cat`, `proxy`, `broker`, `bench`):
 * PLAIN as a client or a server with a users file, CURVE as a client or a server (keys as Z85
 * text or `@FILE`, a CZMQ certificate) with a directory of allowed client certificates, and the
 * ZAP domain. They apply to every socket the command opens. Turned into socket options (zeromq.js names), which the command
 * sets like its other options, so a bad value is reported the same way.
 */
import type { Command } from "commander";
import {
  curveKey,
  curveKeyPair,
  curveKeysIn,
  curvePublic,
  loadCertificate,
  readFileBytes,
  zapPolicy,
} from "../lib/internal.ts";
import { usage } from "./errors.ts";

/** The flags as commander hands them over. */
export interface SecurityFlags {
  plain?: string;
  plainServer?: boolean;
  plainUsers?: string;
  curveServer?: string;
  curveServerkey?: string;
  curveKey?: string;
  curveAllow?: string;
  zapDomain?: string;
}

/** One socket option to set: the flag it came from (for errors), its name and its value. */
export type SecuritySetting = [flag: string, name: string, value: unknown];

/** Adds the security flags to `cmd`. */
export function addSecurityOptions(cmd: Command): Command {
  return cmd
    .option("--plain <user:pass>", "be a PLAIN client with these credentials")
    .option("--plain-server", "be a PLAIN server; --plain-users says who may connect")
    .option("--plain-users <file>", "PLAIN server: the users, one user:password a line")
    .option("--curve-server <key|@cert>", "be a CURVE server with this secret key")
    .option("--curve-serverkey <key|@cert>", "be a CURVE client of the server with this public key")
    .option("--curve-key <key|@cert>", "CURVE client: our secret key (default: a fresh pair)")
    .option("--curve-allow <dir>", "CURVE server: only clients whose certificate is in DIR")
    .option("--zap-domain <domain>", "the ZAP domain of server sockets");
}

/** The socket options the flags ask for (reads the users file). Usage errors for bad input. */
export async function securitySettings(f: SecurityFlags): Promise<SecuritySetting[]> {
  const out: SecuritySetting[] = [];
  if (f.plain !== undefined && f.plainServer) {
    throw usage("--plain (a client) and --plain-server contradict each other");
  }
  if (f.plain !== undefined) {
    const colon = f.plain.indexOf(":");
    if (colon < 1) throw usage(`--plain wants user:password, got "${f.plain}"`);
    const user = f.plain.slice(0, colon), pass = f.plain.slice(colon + 1);
    const enc = new TextEncoder();
    if (enc.encode(user).length > 255 || enc.encode(pass).length > 255) {
      throw usage("--plain: user and password are at most 255 bytes each");
    }
    out.push(["--plain", "plainUsername", user]);
    out.push(["--plain", "plainPassword", pass]);
  }
  if (f.plainServer) {
    if (f.plainUsers === undefined) {
      throw usage(
        "--plain-server needs --plain-users FILE (without users it would refuse everyone)",
      );
    }
    out.push(["--plain-server", "plainServer", true]);
    out.push(["--plain-users", "zapHandler", zapPolicy({ users: await usersFile(f.plainUsers) })]);
  } else if (f.plainUsers !== undefined) {
    throw usage("--plain-users needs --plain-server");
  }
  out.push(...await curveSettings(f));
  if (f.zapDomain !== undefined) out.push(["--zap-domain", "zapDomain", f.zapDomain]);
  return out;
}

async function curveSettings(f: SecurityFlags): Promise<SecuritySetting[]> {
  const plain = f.plain !== undefined || f.plainServer === true;
  const curve = f.curveServer !== undefined || f.curveServerkey !== undefined;
  if (plain && curve) throw usage("PLAIN and CURVE flags contradict each other: choose one");
  if (f.curveServer !== undefined && f.curveServerkey !== undefined) {
    throw usage("--curve-server and --curve-serverkey contradict each other");
  }
  if (f.curveKey !== undefined && f.curveServerkey === undefined) {
    throw usage("--curve-key needs --curve-serverkey (a server's key is --curve-server)");
  }
  if (f.curveAllow !== undefined && f.curveServer === undefined) {
    throw usage("--curve-allow needs --curve-server");
  }
  if (f.curveServer !== undefined) {
    const secret = await keyArg("--curve-server", f.curveServer, "secret");
    const out: SecuritySetting[] = [
      ["--curve-server", "curveServer", true],
      ["--curve-server", "curveSecretKey", secret],
      ["--curve-server", "curvePublicKey", curvePublic(secret)],
    ];
    if (f.curveAllow !== undefined) {
      out.push([
        "--curve-allow",
        "zapHandler",
        zapPolicy({ curveKeys: await allowed(f.curveAllow) }),
      ]);
    }
    return out;
  }
  if (f.curveServerkey === undefined) return [];
  const serverKey = await keyArg("--curve-serverkey", f.curveServerkey, "public");
  const secret = f.curveKey === undefined
    ? curveKeyPair().secretKey
    : await keyArg("--curve-key", f.curveKey, "secret");
  return [
    ["--curve-serverkey", "curveServerKey", serverKey],
    ["--curve-key", "curveSecretKey", secret],
    ["--curve-key", "curvePublicKey", curvePublic(secret)],
  ];
}

/**
 * A key flag's value: 40 Z85 characters, or `@FILE`, a CZMQ certificate whose secret key
 * (`secret`: a NAME_secret file) or public key (`public`) is taken.
 */
async function keyArg(flag: string, value: string, which: "secret" | "public"): Promise<string> {
  if (!value.startsWith("@")) {
    try {
      curveKey(value, flag);
    } catch (e) {
      throw usage(`${flag}: ${(e as Error).message}`);
    }
    return value;
  }
  const path = value.slice(1);
  const cert = await certificate(flag, path);
  if (which === "public") return cert.publicKey;
  if (cert.secretKey === undefined) {
    throw usage(`${flag}: ${path} holds no secret key (give the NAME_secret file)`);
  }
  return cert.secretKey;
}

async function certificate(flag: string, path: string) {
  try {
    return await loadCertificate(path);
  } catch (e) {
    throw usage(`${flag}: ${(e as Error).message}`);
  }
}

/** The public keys of the certificates in `dir` (secret files are read for their public key). */
async function allowed(dir: string): Promise<string[]> {
  let keys: string[];
  try {
    keys = await curveKeysIn(dir);
  } catch (e) {
    throw usage(`--curve-allow: ${(e as Error).message}`);
  }
  if (keys.length === 0) throw usage(`--curve-allow: no certificates in ${dir}`);
  return keys;
}

/** The settings as constructor options, for commands that open sockets from specs. */
export function asOptions(settings: SecuritySetting[]): Record<string, unknown> {
  return Object.fromEntries(settings.map(([, name, value]) => [name, value]));
}

/** Parses a users file: `user:password` a line; blank lines and `#` comments are skipped. */
export function parseUsers(text: string, name: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon < 1) throw usage(`${name}, line ${i + 1}: expected user:password`);
    users.set(line.slice(0, colon), line.slice(colon + 1));
  }
  if (users.size === 0) throw usage(`${name}: no users (one user:password a line)`);
  return users;
}

async function usersFile(path: string): Promise<Map<string, string>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFileBytes(path);
  } catch (e) {
    throw usage(`--plain-users: cannot read "${path}": ${(e as Error).message}`);
  }
  return parseUsers(new TextDecoder().decode(bytes), `--plain-users ${path}`);
}

/**
 * `bench run`'s security: both halves are in this process, so one flag secures the pair —
 * `--plain USER:PASS` (the binding half a PLAIN server accepting that user), `--curve` (a fresh
 * server key pair) or `--curve-server KEY|@CERT`; the connecting half gets the client's side.
 */
export async function pairSecurity(
  f: SecurityFlags & { curve?: boolean },
): Promise<{ bindOptions?: Record<string, unknown>; connectOptions?: Record<string, unknown> }> {
  const oneSided = [
    ["--plain-server", f.plainServer],
    ["--plain-users", f.plainUsers],
    ["--curve-serverkey", f.curveServerkey],
    ["--curve-key", f.curveKey],
    ["--curve-allow", f.curveAllow],
  ].find(([, v]) => v !== undefined && v !== false);
  if (oneSided !== undefined) {
    throw usage(
      `bench run: ${oneSided[0]} is for one half; both halves run here: give --plain USER:PASS, ` +
        "--curve or --curve-server KEY",
    );
  }
  const chosen = [f.plain !== undefined, f.curve === true, f.curveServer !== undefined];
  if (chosen.filter(Boolean).length > 1) {
    throw usage("bench run: --plain, --curve and --curve-server: choose one");
  }
  const domain = f.zapDomain === undefined ? {} : { zapDomain: f.zapDomain };
  if (f.plain !== undefined) {
    const o = asOptions(await securitySettings({ plain: f.plain }));
    const user = o.plainUsername as string, pass = o.plainPassword as string;
    return {
      bindOptions: {
        plainServer: true,
        zapHandler: zapPolicy({ users: { [user]: pass } }),
        ...domain,
      },
      connectOptions: { plainUsername: user, plainPassword: pass },
    };
  }
  if (f.curve || f.curveServer !== undefined) {
    const secret = f.curveServer === undefined
      ? curveKeyPair().secretKey
      : await keyArg("--curve-server", f.curveServer, "secret");
    const client = curveKeyPair();
    return {
      bindOptions: { curveServer: true, curveSecretKey: secret, ...domain },
      connectOptions: {
        curveServerKey: curvePublic(secret),
        curvePublicKey: client.publicKey,
        curveSecretKey: client.secretKey,
      },
    };
  }
  return f.zapDomain === undefined ? {} : { bindOptions: domain };
}
