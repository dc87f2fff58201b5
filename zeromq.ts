// SPDX-License-Identifier: MIT
/**
 * zmqkit as a drop-in for zeromq.js v6: `import * as zmq from "zmqkit/zeromq"` in place of
 * `"zeromq"`. Everything mod.ts has, but the sockets that receive hand out each frame as a
 * Node `Buffer` over the received memory (no copy), as zeromq.js does, so code written for it
 * (`msg.toString()`, `buf.readUInt32BE()`) runs unchanged. mod.ts gives plain `Uint8Array`s.
 *
 * @example A zeromq.js program, with only its import changed
 * ```ts
 * import * as zmq from "zmqkit/zeromq";
 * import assert from "node:assert/strict";
 * const pull = new zmq.Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * const push = new zmq.Push();
 * push.connect(pull.lastEndpoint!);
 * await push.send("some work");
 * const [msg] = await pull.receive();
 * assert.equal(msg!.toString(), "some work");
 * push.close();
 * pull.close();
 * ```
 * @module
 */
import * as base from "./mod.ts";
import { asBuffers } from "./lib/transports/runtime/buffers.ts";
import type { Buffer } from "node:buffer";

export * from "./mod.ts";

/**
 * What the sockets of this entry that receive add to mod.ts's: receive() and iteration give
 * each frame as a Node `Buffer` over the received memory (no copy).
 */
export interface BufferFrames {
  /** The next whole message, each frame a Buffer. */
  receive(): Promise<Buffer[]>;
  /** `for await (const msg of socket)`: whole messages, each frame a Buffer. */
  [Symbol.asyncIterator](): AsyncGenerator<Buffer[], void, undefined>;
}

/**
 * The class of this entry for one of mod.ts's socket classes `C`: constructed with the same
 * options, its instances are `C`'s with {@linkcode BufferFrames}.
 *
 * @typeParam C A receiving socket class of mod.ts, e.g. `typeof Pull`.
 */
export interface BufferSocketClass<C extends abstract new (...args: never) => unknown> {
  /** Makes the socket, as `C`'s constructor does. */
  new (...args: ConstructorParameters<C>): BufferFrames & InstanceType<C>;
  /** For `instanceof`. */
  readonly prototype: BufferFrames & InstanceType<C>;
}

// deno-lint-ignore no-explicit-any
type Receiving = abstract new (...args: any[]) => {
  receive(): Promise<Uint8Array[]>;
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array[]>;
};

/** `Base` whose receive() and iteration give Buffers. */
function withBuffers<C extends Receiving>(Base: C): BufferSocketClass<C> {
  abstract class WithBuffers extends Base {
    /** The next whole message, each frame a Buffer. */
    override async receive(): Promise<Buffer[]> {
      return asBuffers(await super.receive());
    }
    override async *[Symbol.asyncIterator](): AsyncGenerator<Buffer[], void, undefined> {
      const it = super[Symbol.asyncIterator]();
      for (let r = await it.next(); r.done !== true; r = await it.next()) yield asBuffers(r.value);
    }
  }
  return WithBuffers as unknown as BufferSocketClass<C>;
}

/** PAIR, with Buffer frames. */
export const Pair: BufferSocketClass<typeof base.Pair> = withBuffers(base.Pair);
/** A PAIR socket whose receive() and iteration give Buffer frames. */
export type Pair = BufferFrames & base.Pair;
/** SUB, with Buffer frames. */
export const Subscriber: BufferSocketClass<typeof base.Subscriber> = withBuffers(base.Subscriber);
/** A SUB socket whose receive() and iteration give Buffer frames. */
export type Subscriber = BufferFrames & base.Subscriber;
/** XPUB, with Buffer frames. */
export const XPublisher: BufferSocketClass<typeof base.XPublisher> = withBuffers(base.XPublisher);
/** A XPUB socket whose receive() and iteration give Buffer frames. */
export type XPublisher = BufferFrames & base.XPublisher;
/** XSUB, with Buffer frames. */
export const XSubscriber: BufferSocketClass<typeof base.XSubscriber> = withBuffers(
  base.XSubscriber,
);
/** A XSUB socket whose receive() and iteration give Buffer frames. */
export type XSubscriber = BufferFrames & base.XSubscriber;
/** REQ, with Buffer frames. */
export const Request: BufferSocketClass<typeof base.Request> = withBuffers(base.Request);
/** A REQ socket whose receive() and iteration give Buffer frames. */
export type Request = BufferFrames & base.Request;
/** REP, with Buffer frames. */
export const Reply: BufferSocketClass<typeof base.Reply> = withBuffers(base.Reply);
/** A REP socket whose receive() and iteration give Buffer frames. */
export type Reply = BufferFrames & base.Reply;
/** DEALER, with Buffer frames. */
export const Dealer: BufferSocketClass<typeof base.Dealer> = withBuffers(base.Dealer);
/** A DEALER socket whose receive() and iteration give Buffer frames. */
export type Dealer = BufferFrames & base.Dealer;
/** ROUTER, with Buffer frames. */
export const Router: BufferSocketClass<typeof base.Router> = withBuffers(base.Router);
/** A ROUTER socket whose receive() and iteration give Buffer frames. */
export type Router = BufferFrames & base.Router;
/** PULL, with Buffer frames. */
export const Pull: BufferSocketClass<typeof base.Pull> = withBuffers(base.Pull);
/** A PULL socket whose receive() and iteration give Buffer frames. */
export type Pull = BufferFrames & base.Pull;
/** STREAM, with Buffer frames. */
export const Stream: BufferSocketClass<typeof base.Stream> = withBuffers(base.Stream);
/** A STREAM socket whose receive() and iteration give Buffer frames. */
export type Stream = BufferFrames & base.Stream;
