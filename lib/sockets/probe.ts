// SPDX-License-Identifier: MIT
/**
 * Asks a ZeroMQ endpoint what socket type it is, without becoming its peer: dials, sends a
 * NULL greeting, reads the peer's greeting and READY (libzmq sends its READY without waiting
 * for ours), and hangs up before saying what we are. For `zmqkit bridge`, which picks its own
 * socket types from the service it fronts. NULL security only: a PLAIN or CURVE peer answers
 * with its mechanism, which is reported as such.
 */
import { ZmqError } from "../errors.ts";
import { parseEndpoint } from "../transports/endpoint.ts";
import { dialEndpoint } from "../transports/stream.ts";
import { commandName, decodeReady } from "../wire/command.ts";
import { Flag } from "../wire/constants.ts";
import { FrameDecoder } from "../wire/frame_decoder.ts";
import { encodeGreeting, GreetingReader } from "../wire/greeting.ts";
import { getProperty } from "../wire/metadata.ts";
import { latin1 } from "../util/bytes.ts";

/** The Socket-Type the peer at `endpoint` (tcp:// or ipc://) announces; rejects with ZmqError. */
export async function probeSocketType(endpoint: string, timeoutMs = 5000): Promise<string> {
  const ep = parseEndpoint(endpoint, "connect");
  if (ep.transport !== "tcp" && ep.transport !== "ipc") {
    throw new ZmqError(
      "EINVAL",
      `can only ask a tcp:// or ipc:// endpoint its type, not "${endpoint}"`,
    );
  }
  const conn = await dialEndpoint(ep).catch((e: unknown) => {
    throw new ZmqError("ECONNREFUSED", `cannot reach "${endpoint}": ${(e as Error).message}`, {
      address: endpoint,
    });
  });
  return await new Promise<string>((resolve, reject) => {
    let settled = false;
    const fail = (why: string, code: "EPROTO" | "ETIMEDOUT" = "EPROTO") => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      reject(new ZmqError(code, `"${endpoint}": ${why}`, { address: endpoint }));
    };
    const timer = setTimeout(() => fail(`no READY within ${timeoutMs} ms`, "ETIMEDOUT"), timeoutMs);
    const greeting = new GreetingReader();
    const frames = new FrameDecoder((flags, body) => {
      if (!(flags & Flag.COMMAND) || commandName(body) !== "READY") {
        return fail(
          `expected READY, got a ${flags & Flag.COMMAND ? commandName(body) : "message"}`,
        );
      }
      const type = getProperty(decodeReady(body.subarray(1 + body[0]!)), "Socket-Type");
      settled = true;
      clearTimeout(timer);
      resolve(type === undefined ? "" : latin1(type));
      conn.destroy();
    }, 65536);
    conn.onClose = (e) => fail(`closed before its READY${e ? `: ${e.message}` : ""}`);
    conn.onDrain = () => {};
    conn.onData = (chunk) => {
      try {
        if (!greeting.complete) {
          chunk = chunk.subarray(greeting.push(chunk));
          if (!greeting.complete) return;
          const mechanism = greeting.result().mechanism;
          if (mechanism !== "NULL") return fail(`it speaks ${mechanism}, only NULL can be asked`);
        }
        frames.push(chunk);
      } catch (e) {
        fail((e as Error).message);
      }
    };
    conn.write([encodeGreeting("NULL")]);
  });
}
