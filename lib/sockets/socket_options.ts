// SPDX-License-Identifier: MIT
/**
 * The options half of a socket: resolved and validated once at construction, then readable
 * and settable as typed properties generated from the table in options.ts (zeromq.js's
 * names), or by name with getOption/setOption.
 * What a socket tells its peers about itself, drawn from them, is here too.
 */
import type { SessionOptions } from "../engine/session_types.ts";
import type { SlabPool } from "../util/slab_pool.ts";
import type { SocketType } from "../wire/constants.ts";
import type { Metadata } from "../wire/metadata.ts";
import {
  isLateOption,
  isOptionName,
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
  #inUse = false;

  protected constructor(
    type: SocketType,
    options: object | undefined,
    allowed: readonly string[],
    typeDefaults: Partial<ResolvedOptions> = {},
  ) {
    this.type = type;
    this.#allowed = allowed;
    this.opts = resolveOptions(type, options, allowed, typeDefaults);
  }

  /**
   * Sets an option by name, validated as in the constructor (the properties do the same).
   * Throws a TypeError for a name this type does not accept, and for an option that cannot
   * change once bind()/connect() was called (see options.ts).
   */
  setOption(name: string, value: unknown): void {
    const n = this.#assertAllowed(name);
    if (this.#inUse && !isLateOption(n)) {
      throw new TypeError(
        `Cannot set "${name}" after bind/connect: give it to the constructor or set it before`,
      );
    }
    (this.opts as Record<OptionName, unknown>)[n] = validateOption(n, value);
  }

  /** An option's value, in resolved form (routingId and welcomeMessage as bytes). */
  getOption<K extends OptionName>(name: K): ResolvedOptions[K];
  getOption(name: string): unknown;
  getOption(name: string): unknown {
    return this.opts[this.#assertAllowed(name)];
  }

  /** bind() or connect() was called: options that cannot change afterwards are fixed. */
  protected lockOptions(): void {
    this.#inUse = true;
  }

  #assertAllowed(name: string): OptionName {
    if (!this.#allowed.includes(name) || !isOptionName(name)) {
      throw new TypeError(`Unknown option "${name}" for ${this.type}`);
    }
    return name;
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

/** What defineOptionProperties needs of a class's instances. */
interface OptionHolder {
  getOption(name: string): unknown;
  setOption(name: string, value: unknown): void;
}

/**
 * Defines a property per option named on `cls.prototype`, reading and writing through
 * getOption/setOption (so validated, and refused after bind/connect where the table says).
 * The public Socket gets the common ones; each type's class its `specificOptionNames(type)`.
 */
export function defineOptionProperties(
  cls: { readonly prototype: OptionHolder },
  names: readonly OptionName[],
): void {
  for (const name of names) {
    Object.defineProperty(cls.prototype, name, {
      get(this: OptionHolder): unknown {
        return this.getOption(name);
      },
      set(this: OptionHolder, v: unknown): void {
        this.setOption(name, v);
      },
      configurable: true,
    });
  }
}
