// SPDX-License-Identifier: MIT
/**
 * The security flags every socket-opening command takes (`cat`, `proxy`, `broker`, `bench`):
 * PLAIN as a client or a server with a users file, and the ZAP domain. They apply to every
 * socket the command opens. Turned into socket options (zeromq.js names), which the command
 * sets like its other options, so a bad value is reported the same way.
 */
import type { Command } from "commander";
import { readFileBytes, zapPolicy } from "../lib/internal.ts";
import { usage } from "./errors.ts";

/** The flags as commander hands them over. */
export interface SecurityFlags {
  plain?: string;
  plainServer?: boolean;
  plainUsers?: string;
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
  if (f.zapDomain !== undefined) out.push(["--zap-domain", "zapDomain", f.zapDomain]);
  return out;
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
