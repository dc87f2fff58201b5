// SPDX-License-Identifier: MIT
/**
 * `--exec CMD`: answers a request by running CMD with `sh -c`. The request goes to its
 * standard input in the output format (`--out`/`-f`), and every frame is in its environment
 * too; its whole standard output, read in the input format (`--in`/`-f`), is the reply.
 *
 *   ZMQKIT_FRAMES       number of frames
 *   ZMQKIT_FRAME_<i>    frame i (from 0) as text, or as hex when it is not UTF-8 text
 *   ZMQKIT_FRAME_<i>_HEX  frame i in hex
 *   ZMQKIT_PEER         ROUTER: the requester's routing id in hex
 */
import { runCommand } from "../../lib/internal.ts";
import { CliError, ExitCode } from "../errors.ts";
import { asUtf8, type Frames } from "../io/bytes.ts";
import { toHex } from "../io/formats/hex.ts";
import { decodeWhole } from "../io/readers.ts";
import { encodeMessage } from "../io/writers.ts";
import type { CatRun } from "./run.ts";

/** Frames bigger than this are left out of the environment (they are on stdin anyway). */
const ENV_LIMIT = 32 * 1024;

export function execEnv(frames: Frames, peer: Uint8Array | undefined): Record<string, string> {
  const env: Record<string, string> = { ZMQKIT_FRAMES: String(frames.length) };
  frames.forEach((f, i) => {
    if (f.length > ENV_LIMIT) return;
    const hex = toHex(f);
    const text = asUtf8(f);
    env[`ZMQKIT_FRAME_${i}`] = text !== undefined && !text.includes("\0") ? text : hex;
    env[`ZMQKIT_FRAME_${i}_HEX`] = hex;
  });
  if (peer !== undefined) env.ZMQKIT_PEER = toHex(peer);
  return env;
}

/** Runs the command for one request and returns the reply to send. */
export async function execReply(
  run: CatRun,
  frames: Frames,
  peer?: Uint8Array,
): Promise<Frames> {
  const cfg = run.cfg;
  const input = encodeMessage(frames, { ...cfg.output, routingIds: false });
  let result;
  try {
    result = await runCommand(cfg.exec!, { input, env: execEnv(frames, peer) });
  } catch (e) {
    throw new CliError(
      ExitCode.FAILURE,
      `--exec: cannot run "${cfg.exec}": ${(e as Error).message}`,
    );
  }
  if (result.status !== 0) {
    const how = result.status === null ? `signal ${result.signal}` : `status ${result.status}`;
    run.io.log(`--exec: "${cfg.exec}" exited with ${how}`);
  }
  try {
    return decodeWhole(result.stdout, cfg.input);
  } catch (e) {
    run.io.log(`--exec: cannot read the reply (${(e as Error).message}): sending an empty frame`);
    return [new Uint8Array(0)];
  }
}
