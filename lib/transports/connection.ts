// SPDX-License-Identifier: MIT
/** The byte-stream shape every runtime adapter provides, whatever API sits underneath. */
import type { SlabPool } from "../util/slab_pool.ts";

export interface Connection {
  /** Peer address as text (`127.0.0.1:5555`, or the ipc path). */
  readonly remoteAddress: string;
  /** Called with each chunk received; the chunk is not reused by the runtime. */
  onData: (chunk: Uint8Array) => void;
  /** Called once when the connection is gone, with the error if it failed. */
  onClose: (error?: Error) => void;
  /**
   * Optional, for adapters that read into a caller's buffer: asked before each read for a
   * buffer to read the next bytes straight into (a large message body being assembled);
   * bytes read there are reported with onFilled(n) instead of onData.
   */
  readTarget?: () => Uint8Array | undefined;
  onFilled?: (n: number) => void;
  /** True for adapters that can read into slabs of a SlabPool (see `slabs`). */
  readonly slabReader?: boolean;
  /**
   * Set by the engine once it counts every frame it hands on in this pool: from the next read
   * on, the adapter reads into the pool's slabs instead of its own buffer (util/slab_pool.ts).
   */
  slabs?: SlabPool | undefined;
  /**
   * Optional, for adapters that keep written chunks as they are until they go out: bytes
   * passed to write() so far that the adapter no longer refers to (copied into its own buffer
   * or written), counted in write() order. When it grows the adapter calls onConsumed, so the
   * engine can let go of memory it pinned for them (engine/write_holds.ts).
   */
  readonly consumed?: number;
  onConsumed?: () => void;
  /** Called when a write that returned false has drained. */
  onDrain: () => void;
  /** Writes chunks in order; false means "buffer full, wait for onDrain". */
  write(chunks: readonly Uint8Array[]): boolean;
  /** Stop / restart delivering data (TCP back-pressure). */
  pause(): void;
  resume(): void;
  /** Flush what was written, then close. */
  end(): void;
  /** Close at once, dropping unsent bytes. */
  destroy(): void;
  /** Optional: the connection alone does not keep the process alive (runtime/keep_alive.ts). */
  unref?(): void;
  /**
   * Optional, for transports with a liveness check of their own (ws: a WebSocket ping): the
   * session's heartbeat calls it instead of sending a ZMTP PING.
   */
  ping?(): void;
}

export interface Listener {
  /** Bound address: `host:port` for tcp (IPv6 in brackets), the path for ipc. */
  readonly address: string;
  close(): Promise<void>;
  /** Optional: listening alone does not keep the process alive. */
  unref?(): void;
}

export type ConnectionHandler = (conn: Connection) => void;

export interface TcpAddress {
  host: string;
  port: number;
}

/** A host as it appears before `:port` in an address: IPv6 in brackets. */
export function fmtHost(h: string): string {
  return h.includes(":") ? `[${h}]` : h;
}
