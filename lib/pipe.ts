// SPDX-License-Identifier: MIT
/**
 * One bounded duplex queue between a socket and one peer (a ZMTP session or an inproc peer).
 * Counts whole messages against the high-water marks, as libzmq does. The socket writes
 * `out` and reads `in`; the engine side takes `out` and delivers `in`.
 */
import { Queue } from "./util/queue.ts";
import { receiveSlabs } from "./util/slab_pool.ts";
import type { Metadata } from "./wire/metadata.ts";

/** One whole message: its frames, in order, each a Uint8Array. */
export type Message = Uint8Array[];

/**
 * Frames an inbound queue may hold before its engine stops reading, whatever RCVHWM says:
 * RCVHWM counts messages, and a message may have many frames, each an object. Reading resumes
 * as the socket reads, as at the HWM; nothing is dropped.
 */
export const IN_FRAMES_BUDGET = 65536;

/** Out-of-band control the socket sends towards the peer (subscriptions). */
export interface PipeCommand {
  /** join/leave: a DISH's JOIN/LEAVE of the group in `topic` (RFC 48). */
  type: "subscribe" | "cancel" | "join" | "leave";
  topic: Uint8Array;
}

/** The socket side, told when the pipe changes. */
export interface PipeOwner {
  pipeReadable(pipe: Pipe): void;
  pipeWritable(pipe: Pipe): void;
  pipeCommand(pipe: Pipe, command: PipeCommand): void;
}

/** The engine side: a ZMTP session or the inproc bridge. */
export interface PipeEngine {
  /** The socket queued something to send. */
  outReady(): void;
  /** The socket read from a full inbound queue: reading may resume. */
  inDrained(): void;
  /** Send a control command to the peer now. */
  command(command: PipeCommand): void;
  /** Drop the connection behind this pipe. */
  close(): void;
  /**
   * Optional: move what the connection takes at once out of the pipe, now; false when it
   * cannot (connection backed up, or already moving). Asked when the pipe is at its HWM.
   */
  drainNow?(): boolean;
}

export interface PipePeer {
  /** The peer's Socket-Type, from its READY. */
  socketType: string;
  /** The peer's Identity property (empty if unset). */
  identity: Uint8Array;
  /** The peer's metadata. */
  metadata: Metadata;
  /** True when the peer follows ZMTP 3.1 (sends SUBSCRIBE/CANCEL commands). */
  zmtp31: boolean;
}

export interface PipeOptions {
  sendHighWaterMark: number;
  receiveHighWaterMark: number;
  conflate: boolean;
}

export class Pipe {
  readonly owner: PipeOwner;
  /** The endpoint this pipe belongs to (bind or connect string), for events. */
  readonly endpoint: string;
  /** Remote address of the current connection. */
  address = "";
  /** The routing id a ROUTER uses for this peer. */
  routingId: Uint8Array | undefined;
  /** Set at each handshake; undefined until the first one. */
  peer: PipePeer | undefined;
  engine: PipeEngine | undefined;
  /** Gone for good: never written to or read from again. */
  terminated = false;
  /** Scratch for routing strategies (e.g. subscription state, "still reading a message"). */
  state: unknown;

  #out = new Queue<Message>();
  #in = new Queue<Message>();
  #inFrames = 0;
  #sndhwm: number;
  #rcvhwm: number;
  #conflate: boolean;

  constructor(owner: PipeOwner, endpoint: string, options: PipeOptions) {
    this.owner = owner;
    this.endpoint = endpoint;
    this.#sndhwm = options.sendHighWaterMark;
    this.#rcvhwm = options.receiveHighWaterMark;
    this.#conflate = options.conflate;
  }

  /** Raise the outbound limit (inproc: sender SNDHWM + receiver RCVHWM, 0 = unlimited). */
  setSendHighWaterMark(hwm: number): void {
    this.#sndhwm = hwm;
  }

  // ---- socket side ----

  canWrite(): boolean {
    if (this.terminated) return false;
    if (this.#conflate || this.#sndhwm === 0 || this.#out.length < this.#sndhwm) return true;
    // at the HWM: let the engine hand what its connection takes now to it, as libzmq's I/O
    // thread drains a pipe while the application fills it; only then is the pipe full
    return this.engine?.drainNow?.() === true && this.#out.length < this.#sndhwm;
  }

  /**
   * Queues a whole message; the caller checked canWrite(). Frames lying in receive slabs stay
   * pinned until the engine that takes the message is done reading them (util/slab_pool.ts).
   */
  write(msg: Message): void {
    receiveSlabs.pin(msg);
    if (this.#conflate) this.#replaceOut(msg);
    else this.#out.push(msg);
    this.engine?.outReady();
  }

  hasIn(): boolean {
    return this.#in.length > 0;
  }

  read(): Message | undefined {
    const wasFull = this.inFull();
    const msg = this.#in.shift();
    if (msg === undefined) return msg;
    if (!this.#conflate) this.#inFrames -= msg.length;
    if (wasFull && !this.inFull()) this.engine?.inDrained();
    return msg;
  }

  get outLength(): number {
    return this.#out.length;
  }

  get inLength(): number {
    return this.#in.length;
  }

  sendCommand(command: PipeCommand): void {
    this.engine?.command(command);
  }

  // ---- engine side ----

  takeOut(): Message | undefined {
    const msg = this.#out.shift();
    if (msg !== undefined && !this.terminated) this.owner.pipeWritable(this);
    return msg;
  }

  /**
   * No send high-water mark (and no conflation): no send ever depends on this pipe's length,
   * so the engine may encode its messages at once, even while the connection is backed up;
   * the bytes wait in the connection instead of one object per message here (statistics then
   * count them as sent, not queued).
   */
  get unboundedOut(): boolean {
    return this.#sndhwm === 0 && !this.#conflate;
  }

  hasOut(): boolean {
    return this.#out.length > 0;
  }

  deliver(msg: Message): void {
    if (this.terminated) return;
    if (this.#conflate) this.#in.replace(msg);
    else {
      this.#in.push(msg);
      this.#inFrames += msg.length;
    }
    this.owner.pipeReadable(this);
  }

  #replaceOut(msg: Message): void {
    const old = this.#out.peek();
    if (old !== undefined) receiveSlabs.unpin(old);
    this.#out.replace(msg);
  }

  /** Empties the outbound queue; nothing reads the dropped messages' frames any more. */
  #dropOut(): void {
    for (const msg of this.#out) receiveSlabs.unpin(msg);
    this.#out.clear();
  }

  deliverCommand(command: PipeCommand): void {
    if (!this.terminated) this.owner.pipeCommand(this, command);
  }

  /** The engine should stop reading until inDrained(). */
  inFull(): boolean {
    return !this.#conflate && this.#rcvhwm !== 0 &&
      (this.#in.length >= this.#rcvhwm || this.#inFrames >= IN_FRAMES_BUDGET);
  }

  /** Drops what is queued for the peer (RFC 28/30: never handed to another peer). */
  clearOut(): void {
    this.#dropOut();
  }

  /** Drops everything queued both ways. */
  clear(): void {
    this.#dropOut();
    this.#in.clear();
    this.#inFrames = 0;
  }
}

/**
 * The in-band form of a subscription that PUB/XPUB must accept from any peer: a message whose
 * first frame starts with `01` (subscribe) or `00` (cancel), followed by the topic.
 */
export function asSubscription(frames: Message): PipeCommand | undefined {
  const first = frames[0];
  if (first === undefined || first.length === 0 || first[0]! > 1) return undefined;
  return { type: first[0] === 1 ? "subscribe" : "cancel", topic: first.subarray(1) };
}
