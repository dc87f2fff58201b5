// SPDX-License-Identifier: MIT
/**
 * `zmqkit keygen`: a CURVE key pair, printed as libzmq's `curve_keygen` prints it, as JSON, or
 * written as CZMQ certificate files (`--cert NAME`: NAME and NAME_secret, the files
 * `zmakecert` writes and `--curve-key @NAME_secret` / `--curve-allow DIR` read).
 */
import type { Command } from "commander";
import {
  curveKeyPair,
  formatCertificate,
  stderr,
  stdout,
  writeNewTextFile,
} from "../../lib/internal.ts";
import { CliError, ExitCode, usage } from "../errors.ts";

const HELP = `
Examples:
  zmqkit keygen                          print a key pair (as curve_keygen does)
  zmqkit keygen --json                   {"publicKey": …, "secretKey": …}
  zmqkit keygen --cert server            write server (public) and server_secret
  zmqkit keygen --cert client -m name=ada  with metadata in the certificate
`;

interface KeygenFlags {
  json?: boolean;
  cert?: string;
  meta?: string[];
}

const collect = (v: string, all: string[] = []) => [...all, v];
const enc = new TextEncoder();

export function addKeygenCommand(program: Command): void {
  program
    .command("keygen")
    .summary("make a CURVE key pair (Z85), or certificate files")
    .description(
      "Generate a CURVE key pair: 40-character Z85 keys, as libzmq's curve_keygen. With " +
        "--cert NAME, write them as CZMQ certificate files instead: NAME holds the public " +
        "key (give it to peers), NAME_secret both keys (readable by you alone).",
    )
    .option("--json", "print the pair as JSON")
    .option("--cert <name>", "write NAME and NAME_secret (never replaces existing files)")
    .option("-m, --meta <name=value>", "--cert: a metadata property (repeatable)", collect)
    .addHelpText("after", HELP)
    .action(keygenAction);
}

export async function keygenAction(flags: KeygenFlags): Promise<void> {
  if (flags.meta !== undefined && flags.cert === undefined) throw usage("--meta needs --cert NAME");
  if (flags.json && flags.cert !== undefined) throw usage("--json and --cert: choose one");
  const pair = curveKeyPair();
  if (flags.cert !== undefined) {
    const metadata: Record<string, string> = {};
    for (const m of flags.meta ?? []) {
      const eq = m.indexOf("=");
      if (eq < 1 || !/^[A-Za-z0-9$\-_@.&+/]+$/.test(m.slice(0, eq))) {
        throw usage(`--meta wants name=value, got "${m}"`);
      }
      metadata[m.slice(0, eq)] = m.slice(eq + 1);
    }
    const files = formatCertificate({ ...pair, metadata });
    const secretPath = `${flags.cert}_secret`;
    try {
      writeNewTextFile(secretPath, files.secret, 0o600);
      writeNewTextFile(flags.cert, files.public, 0o644);
    } catch (e) {
      throw new CliError(ExitCode.FAILURE, (e as Error).message);
    }
    await stderr().write(enc.encode(`zmqkit: wrote ${flags.cert} and ${secretPath}\n`));
    await stdout().write(enc.encode(`${pair.publicKey}\n`));
    return;
  }
  const text = flags.json
    ? JSON.stringify(pair) + "\n"
    : `== CURVE PUBLIC KEY ==\n${pair.publicKey}\n== CURVE SECRET KEY ==\n${pair.secretKey}\n`;
  await stdout().write(enc.encode(text));
}
