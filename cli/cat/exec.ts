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
 *
 * The command runs in a process group of its own, ended (SIGTERM) when zmqkit ends. A command
 * that fails (a non-zero status, a signal, no shell, or output that does not decode) is
 * reported on standard error, then `--on-exec-error` decides: `skip` (the default) sends no
 * reply, `reply-empty` sends one empty frame, `exit` ends zmqkit with exit 1.
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

/**
 * Runs the command for one request and returns the reply to send, or undefined when the
 * command failed and no reply is to be sent (--on-exec-error skip). Throws (exit 1) when it
 * failed under --on-exec-error exit.
 */
export async function execReply(
  run: CatRun,
  frames: Frames,
  peer?: Uint8Array,
): Promise<Frames | undefined> {
  // a draft SERVER or PEER answers with one frame (RFC 41, 51)
  const single = run.cfg.type === "SERVER" || run.cfg.type === "PEER";
  const cfg = run.cfg;
  const input = encodeMessage(frames, { ...cfg.output, routingIds: false });
  let result;
  try {
    result = await runCommand(cfg.exec!, {
      input,
      env: execEnv(frames, peer),
      signal: run.commandSignal,
    });
  } catch (e) {
    if (run.commandSignal.aborted) return undefined; // zmqkit is ending
    return failed(run, `cannot run "${cfg.exec}": ${(e as Error).message}`);
  }
  if (run.commandSignal.aborted) return undefined; // zmqkit is ending: it was stopped
  if (result.status !== 0) {
    const how = result.status === null ? `signal ${result.signal}` : `exit code ${result.status}`;
    return failed(run, `"${cfg.exec}" failed with ${how}`);
  }
  try {
    const reply = decodeWhole(result.stdout, cfg.input);
    if (single && reply.length !== 1) {
      return failed(
        run,
        `the reply of "${cfg.exec}" is ${reply.length} frames; a ${cfg.type.toLowerCase()} sends one`,
      );
    }
    return reply;
  } catch (e) {
    return failed(run, `cannot read the reply of "${cfg.exec}": ${(e as Error).message}`);
  }
}

/** A failed command: reported, then what --on-exec-error says. */
function failed(run: CatRun, why: string): Frames | undefined {
  switch (run.cfg.onExecError) {
    case "exit":
      throw new CliError(ExitCode.FAILURE, `--exec: ${why}`);
    case "reply-empty":
      run.io.log(`--exec: ${why}: sending an empty reply`);
      return [new Uint8Array(0)];
    case "skip":
      run.io.log(`--exec: ${why}: no reply sent`);
      return undefined;
  }
}
