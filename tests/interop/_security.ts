// SPDX-License-Identifier: MIT
/** What the PLAIN, CURVE and ZAP interop tests share: events, placing the two sides, text. */
import type { Socket, SocketEvent } from "../../mod.ts";
import { bindEndpoint } from "../_helpers/cases.ts";
import type { LibzmqSide } from "../_helpers/peers.ts";

/** Frames as text. */
export const text = (frames: Uint8Array[]): string[] =>
  frames.map((f) => new TextDecoder().decode(f));

/** The first `type` event of a zmqkit socket (listening from now on). */
export function nextEvent<T extends SocketEvent["type"]>(
  socket: Socket,
  type: T,
): Promise<Extract<SocketEvent, { type: T }>> {
  return new Promise((resolve) => {
    const on = (e: Extract<SocketEvent, { type: T }>) => {
      socket.events.off(type, on);
      resolve(e);
    };
    socket.events.on(type, on);
  });
}

/** Places a zmqkit socket and a libzmq one on one endpoint, the side in role `binder` binding. */
export async function wire(
  binder: "server" | "client",
  transport: "tcp" | "ipc" | "ws",
  zmqkit: Socket,
  zmqkitRole: "server" | "client",
  lib: LibzmqSide,
): Promise<void> {
  if (binder === zmqkitRole) {
    await zmqkit.bind(bindEndpoint(transport));
    await lib.connect(zmqkit.lastEndpoint!);
  } else {
    zmqkit.connect(await lib.bind(bindEndpoint(transport)));
  }
}

/**
 * A libzmq receive that retries an early EAGAIN: right after a peer's handshake was refused,
 * zeromq.js sometimes wakes for a message that is not there and reports EAGAIN at once
 * (seen with a refused CURVE client on the same libzmq DEALER); the deadline still holds.
 */
export async function libReceive(lib: LibzmqSide, ms: number): Promise<Uint8Array[]> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await lib.receive(Math.max(1, end - Date.now()));
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN" || Date.now() >= end) throw e;
    }
  }
}
