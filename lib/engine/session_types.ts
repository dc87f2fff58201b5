// SPDX-License-Identifier: MIT
/**
 * What a socket and its connection engines (a ZMTP Session, a STREAM's raw session) agree on:
 * the engine's options, what it asks of its socket (SessionHost), and why it closed.
 */
import type { Mechanism } from "../mechanisms/mechanism.ts";
import type { Pipe, PipePeer } from "../pipe.ts";
import type { Connection } from "../transports/connection.ts";
import type { SlabPool } from "../util/slab_pool.ts";
import type { Metadata } from "../wire/metadata.ts";

export type CloseKind = "closed" | "connection" | "timeout" | "protocol" | "auth";

export interface CloseReason {
  kind: CloseKind;
  error?: Error;
  /** True once the handshake had completed. */
  established: boolean;
}

export interface SessionOptions {
  handshakeInterval: number;
  heartbeatInterval: number;
  heartbeatTimeToLive: number;
  heartbeatTimeout: number;
  /** ZMQ_MAXMSGSIZE: bytes of one whole message (and of a command), -1 = no limit. */
  maxMessageSize: number;
  /** Frames of one message, -1 = no limit. */
  maxMessageFrames: number;
  /** Bytes of one handshake command (and so of the peer's metadata). */
  maxHandshakeSize: number;
  routingIdLength: number;
  /** We are PUB/XPUB: `01`/`00` data messages from the peer are subscriptions. */
  receivesSubscriptions: boolean;
  /** We are RADIO: JOIN/LEAVE commands from the peer go to the socket (others ignore them). */
  receivesJoins?: boolean;
  /**
   * The socket's receive pool, shared with its sessions: set once the application releases
   * messages (Socket.release); from then on frames are counted in it and the adapter reads
   * into its slabs.
   */
  recycle?: { pool: SlabPool | undefined };
}

/** What the socket holds of a connection's engine: a ZMTP session, or a raw one (STREAM). */
export interface ConnectionEngine {
  readonly conn: Connection;
  readonly pipe: Pipe | undefined;
  start(): void;
  close(): void;
}

export interface SessionHost {
  ownMetadata(): Metadata;
  /** `closed` is aborted when the connection ends (a ZAP wait stops with it). */
  createMechanism(own: Metadata, closed: AbortSignal): Mechanism;
  /**
   * Settles once createMechanism() can run (CURVE's code loads on first use); undefined when it
   * already can.
   */
  mechanismReady?(): Promise<void> | undefined;
  /** Handshake done: returns the pipe to use, or throws ProtocolError to refuse the peer. */
  attach(session: ConnectionEngine, peer: PipePeer): Pipe;
  /** The pipe is wired to the session and traffic may flow. */
  activated(session: ConnectionEngine, pipe: Pipe): void;
  /** The connection is gone (after attach or not). */
  detached(session: ConnectionEngine, reason: CloseReason): void;
}
