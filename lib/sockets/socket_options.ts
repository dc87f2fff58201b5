// SPDX-License-Identifier: MIT
/**
 * The options half of a socket: resolved and validated once at construction, readable and
 * settable by name afterwards (zeromq.js's names), plus the accessors zeromq.js users expect.
 * What a socket tells its peers about itself, drawn from them, is here too.
 */
import type { SessionOptions } from "../engine/session.ts";
import type { SlabPool } from "../util/slab_pool.ts";
import type { SocketType } from "../wire/constants.ts";
import type { Metadata } from "../wire/metadata.ts";
import {
  type OptionName,
  type ResolvedOptions,
  resolveOptions,
  validateOption,
} from "./options.ts";

const enc = new TextEncoder();
const EMPTY = new Uint8Array(0);

export abstract class SocketOptions {
  readonly type: SocketType;
  protected readonly opts: ResolvedOptions;
  #allowed: readonly string[];

  protected constructor(
    type: SocketType,
    options: object | undefined,
    allowed: readonly string[],
    typeDefaults: Partial<ResolvedOptions>,
  ) {
    this.type = type;
    this.#allowed = allowed;
    this.opts = resolveOptions(options, allowed, typeDefaults);
  }

  /** Sets an option by name (validated as in the constructor). Applies to later connections. */
  setOption(name: string, value: unknown): void {
    this.#assertAllowed(name);
    (this.opts as unknown as Record<string, unknown>)[name] = validateOption(
      name as OptionName,
      value,
    );
  }

  getOption(name: string): unknown {
    this.#assertAllowed(name);
    return (this.opts as unknown as Record<string, unknown>)[name];
  }

  get linger(): number {
    return this.opts.linger;
  }
  set linger(v: number) {
    this.setOption("linger", v);
  }
  get sendTimeout(): number {
    return this.opts.sendTimeout;
  }
  set sendTimeout(v: number) {
    this.setOption("sendTimeout", v);
  }
  get receiveTimeout(): number {
    return this.opts.receiveTimeout;
  }
  set receiveTimeout(v: number) {
    this.setOption("receiveTimeout", v);
  }

  #assertAllowed(name: string): void {
    if (!this.#allowed.includes(name)) {
      throw new TypeError(`Unknown option "${name}" for ${this.type}`);
    }
  }

  /** REQ, DEALER and ROUTER announce a routing id (ZMTP "Identity"); the others none. */
  protected get ownIdentity(): Uint8Array | undefined {
    const t = this.type;
    return t === "REQ" || t === "DEALER" || t === "ROUTER"
      ? this.opts.routingId ?? EMPTY
      : undefined;
  }

  /** The READY metadata this socket sends. */
  protected ownMetadata(): Metadata {
    const md: Metadata = [["Socket-Type", enc.encode(this.type)]];
    const id = this.ownIdentity;
    if (id !== undefined) md.push(["Identity", id]);
    return md;
  }

  /** A new connection's session settings, from the options as they are now. */
  protected sessionOptions(
    receivesSubscriptions: boolean,
    recycle: { pool: SlabPool | undefined },
  ): SessionOptions {
    return {
      handshakeInterval: this.opts.handshakeInterval,
      heartbeatInterval: this.opts.heartbeatInterval,
      heartbeatTimeToLive: this.opts.heartbeatTimeToLive,
      heartbeatTimeout: this.opts.heartbeatTimeout,
      maxMessageSize: this.opts.maxMessageSize,
      maxMessageFrames: this.opts.maxMessageFrames,
      maxHandshakeSize: this.opts.maxHandshakeSize,
      routingIdLength: this.ownIdentity?.length ?? 0,
      receivesSubscriptions,
      recycle,
    };
  }
}
