// SPDX-License-Identifier: MIT
/**
 * One ZMTP connection: greeting → mechanism handshake → traffic, with heartbeats and the
 * handshake timeout. Bytes come from a Connection; messages go to and from a Pipe the socket
 * hands over when the handshake completes. A protocol violation closes this connection only.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import {
  AuthError,
  type FrameCodec,
  HandshakeRefused,
  type HandshakeStep,
  type Mechanism,
} from "../mechanisms/mechanism.ts";
import {
  asSubscription,
  type Message,
  type Pipe,
  type PipeCommand,
  type PipeEngine,
} from "../pipe.ts";
import type { Connection } from "../transports/connection.ts";
import {
  commandName,
  decodePing,
  encodeCancel,
  encodeJoin,
  encodeLeave,
  encodePing,
  encodePong,
  encodeSubscribe,
  encodeSubscriptionMessage,
} from "../wire/command.ts";
import { Flag, GROUP_MAX_LENGTH } from "../wire/constants.ts";
import { FrameDecoder } from "../wire/frame_decoder.ts";
import { encodeGreeting, GreetingReader, speaks31 } from "../wire/greeting.ts";
import type { Metadata } from "../wire/metadata.ts";
import { Heartbeat } from "./heartbeat.ts";
import { authProperties, type MessageProperties, tagFrames } from "./properties.ts";
import { MessageAssembly } from "./message_assembly.ts";
import { peerOf } from "./peer.ts";
import { OutputBatch } from "./output.ts";
import { SendBatching } from "./send_batching.ts";
import { SlabCounting } from "./slab_counting.ts";
import { WriteHolds } from "./write_holds.ts";
import { unrefTimer } from "../transports/runtime/keep_alive.ts";
import type { CloseKind, ConnectionEngine, SessionHost, SessionOptions } from "./session_types.ts";

const P_GREETING = 0, P_HANDSHAKE = 1, P_TRAFFIC = 2, P_CLOSED = 3;
const HIGH_WATER_BYTES = 256 * 1024;
/** Body remainders at least this large are read in place when the adapter can. */
const DIRECT_READ_MIN = 16 * 1024;
/** Frames a peer may send ahead while the handshake waits for the ZAP handler. */
const MAX_DEFERRED = 4;
/** CURVE's MESSAGE command around one frame: name (8), nonce (8), tag (16), flags (1). */
const SEALED_OVERHEAD = 33;

export class Session implements PipeEngine, ConnectionEngine {
  readonly conn: Connection;
  pipe: Pipe | undefined;
  #host: SessionHost;
  #opts: SessionOptions;
  #phase = P_GREETING;
  #greeting = new GreetingReader();
  #mechanism: Mechanism | undefined;
  #decoder: FrameDecoder;
  #out = new OutputBatch();
  #holds: WriteHolds;
  #writable = true;
  #batching = new SendBatching(() => this.pipe?.outLength ?? 0, () => this.#pump());
  #paused = false;
  #zmtp31 = true;
  #frames = new MessageAssembly();
  #beat: Heartbeat;
  /** Set once the application releases messages (Socket.release). */
  #slabs: SlabCounting | undefined;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  /** An encrypting mechanism's codec (CURVE), once in traffic. */
  #codec: FrameCodec | undefined;
  /** Aborted at teardown: what the mechanism still waits for (ZAP) is dropped. */
  #closing: AbortController | undefined;
  /** Inner frames and bytes of the message being received, counted when #codec is set. */
  #innerFrames = 0;
  #innerBytes = 0;
  /**
   * Set while the mechanism awaits its ZAP handler: frames that arrive meanwhile (a client
   * that does not wait for our answer) are kept here, a few at most, and read after it.
   */
  #deferred: Array<[flags: number, body: Uint8Array]> | undefined;
  /** The properties of a peer a ZAP handler accepted, given to each message it sends. */
  #props: MessageProperties | undefined;

  constructor(conn: Connection, host: SessionHost, options: SessionOptions) {
    this.conn = conn;
    this.#host = host;
    this.#opts = options;
    this.#holds = new WriteHolds(conn);
    this.#decoder = new FrameDecoder((f, b) => this.#onFrame(f, b));
    const h = options.maxHandshakeSize;
    this.#decoder.setLimits({
      message: h,
      frames: 1,
      command: h,
      messageName: "maxHandshakeSize",
      commandName: "maxHandshakeSize",
    });
    this.#beat = new Heartbeat(options, {
      ping: (ttl) => {
        if (conn.ping) return conn.ping();
        this.#out.command(encodePing(ttl));
        this.#scheduleFlush();
      },
      dead: (why) => this.#fail("timeout", new Error(why)),
    });
    conn.onClose = (err) => this.#closedByPeer(err);
    conn.onDrain = () => {
      this.#writable = true;
      this.outReady();
    };
  }

  get established(): boolean {
    return this.#phase === P_TRAFFIC;
  }

  get closed(): boolean {
    return this.#phase === P_CLOSED;
  }

  start(): void {
    const loading = this.#host.mechanismReady?.();
    if (loading !== undefined) {
      // what the peer sends meanwhile waits in the connection (onData is not set yet)
      loading.then(
        () => {
          if (this.#phase === P_GREETING && this.#closing === undefined) this.start();
        },
        (e: Error) => this.#fail("connection", e),
      );
      return;
    }
    const own = this.#host.ownMetadata();
    this.#closing = new AbortController();
    this.#mechanism = this.#host.createMechanism(own, this.#closing.signal);
    this.#out.raw(
      encodeGreeting(this.#mechanism.name, {
        asServer: this.#mechanism.asServer,
        routingIdLength: this.#opts.routingIdLength,
      }),
    );
    this.#flush();
    if (this.#opts.handshakeInterval > 0) {
      this.#handshakeTimer = setTimeout(
        () =>
          this.#fail(
            "timeout",
            new Error(`handshake not done within ${this.#opts.handshakeInterval} ms`),
          ),
        this.#opts.handshakeInterval,
      );
      unrefTimer(this.#handshakeTimer);
    }
    // large bodies can be read in place by adapters that support it
    this.conn.readTarget = () =>
      this.#phase === P_TRAFFIC ? this.#decoder.bodyTarget(DIRECT_READ_MIN) : undefined;
    this.conn.onFilled = (n) => this.#onFilled(n);
    // only now: the connection may replay data that arrived before a handler was set
    this.conn.onData = (chunk) => this.#onData(chunk);
  }

  /** Close from our side: flush what is written, then end the connection. */
  close(): void {
    if (this.#phase === P_CLOSED) return;
    if (this.pipe && this.#phase === P_TRAFFIC) this.#pump();
    this.#teardown();
    this.conn.end();
    this.#host.detached(this, { kind: "closed", established: this.pipe !== undefined });
  }

  // ---- PipeEngine ----

  outReady(): void {
    if (this.#phase !== P_TRAFFIC) return;
    if (!this.#writable && !this.pipe?.unboundedOut) return;
    this.#batching.ready();
  }

  inDrained(): void {
    if (this.#paused && this.#phase !== P_CLOSED) {
      this.#paused = false;
      this.conn.resume();
    }
  }

  command(cmd: PipeCommand): void {
    if (this.#phase !== P_TRAFFIC) return;
    const subscribe = cmd.type === "subscribe";
    if (!subscribe && cmd.type !== "cancel") { // a DISH's JOIN/LEAVE: commands on any version
      this.#out.command(cmd.type === "join" ? encodeJoin(cmd.topic) : encodeLeave(cmd.topic));
      return this.#scheduleFlush();
    }
    if (this.#zmtp31) {
      this.#out.command(subscribe ? encodeSubscribe(cmd.topic) : encodeCancel(cmd.topic));
    } else this.#out.frame(0, encodeSubscriptionMessage(subscribe, cmd.topic));
    this.#scheduleFlush();
  }

  // ---- reading ----

  #onData(chunk: Uint8Array): void {
    this.#beat.received++;
    // once the application releases messages (Socket.release), count frames and let an
    // adapter that can read into pool slabs do so; only in traffic: handshake frames are not
    // counted, and the mechanism keeps views of them
    const pool = this.#slabs === undefined && this.conn.slabReader === true &&
        this.#codec === undefined // decrypted frames are fresh memory, never slab views
      ? this.#opts.recycle?.pool
      : undefined;
    if (pool !== undefined && this.#phase === P_TRAFFIC) {
      this.#slabs = new SlabCounting(pool, this.conn, this.#decoder);
    }
    try {
      if (this.#phase === P_GREETING) {
        const used = this.#greeting.push(chunk);
        if (!this.#greeting.complete) return;
        this.#greetingDone();
        chunk = chunk.subarray(used);
        if (chunk.length === 0) return;
      }
      if (this.#phase === P_CLOSED) return;
      if (this.#slabs === undefined) this.#decoder.push(chunk);
      else this.#slabs.push(chunk);
    } catch (e) {
      this.#failOn(e);
    }
  }

  /** Bytes an adapter read straight into the body the decoder is assembling. */
  #onFilled(n: number): void {
    this.#beat.received++;
    try {
      if (this.#phase !== P_CLOSED) this.#decoder.filled(n);
    } catch (e) {
      this.#failOn(e);
    }
  }

  /**
   * Whatever goes wrong on the receive path ends this connection with an event, on every
   * runtime (an adapter's data callback may swallow what it throws): a peer must not leave a
   * connection half-open, nor reach the process.
   */
  #failOn(e: unknown): void {
    if (e instanceof ProtocolError) return this.#fail("protocol", e);
    if (e instanceof AuthError) return this.#fail("auth", e);
    if (e instanceof HandshakeRefused) return this.#refuse(e);
    const err = new ProtocolError(
      ProtocolErrorCode.UNSPECIFIED,
      `receive failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
    );
    this.#fail("protocol", err);
  }

  #greetingDone(): void {
    const g = this.#greeting.result();
    const mech = this.#mechanism!;
    if (g.mechanism !== mech.name) {
      throw new ProtocolError(
        ProtocolErrorCode.MECHANISM_MISMATCH,
        `the peer speaks ${JSON.stringify(g.mechanism)}, we speak ${mech.name}: the two ` +
          "sides' security options do not match",
      );
    }
    this.#zmtp31 = speaks31(g);
    this.#phase = P_HANDSHAKE;
    const first = mech.start();
    if (first instanceof Promise) this.#await(first);
    else this.#step(first);
  }

  #onFrame(flags: number, body: Uint8Array): void {
    if (this.#phase === P_TRAFFIC) {
      if (this.#codec !== undefined) return this.#sealedFrame(flags, body);
      if (this.#slabs !== undefined) this.#slabs.frame(body);
      if (flags & Flag.COMMAND) this.#trafficCommand(body);
      else if (flags & Flag.MORE) this.#frames.push(body);
      else this.#message(this.#frames.finish(body));
      return;
    }
    if (this.#phase !== P_HANDSHAKE) return;
    if (!(flags & Flag.COMMAND)) {
      throw new ProtocolError(
        ProtocolErrorCode.UNEXPECTED_COMMAND,
        "data frame before the handshake completed",
      );
    }
    if (this.#deferred !== undefined) {
      if (this.#deferred.length === MAX_DEFERRED) {
        throw new ProtocolError(
          ProtocolErrorCode.UNEXPECTED_COMMAND,
          `more than ${MAX_DEFERRED} commands sent before the server answered`,
        );
      }
      this.#deferred.push([flags, body.slice()]);
      return;
    }
    const step = this.#mechanism!.receive(body);
    if (step instanceof Promise) this.#await(step);
    else this.#step(step);
  }

  #step(step: HandshakeStep): void {
    this.#sendCommands(step.send);
    if (step.ready) this.#ready(step.peer ?? [], step.auth);
  }

  /** The mechanism asked its ZAP handler: read nothing more from the peer until it answers. */
  #await(pending: Promise<HandshakeStep>): void {
    this.#deferred = [];
    this.conn.pause();
    pending.then(
      (step) => {
        if (this.#phase === P_CLOSED) return;
        const early = this.#deferred!;
        this.#deferred = undefined;
        try {
          this.#step(step);
          for (const [flags, body] of early) {
            if (this.#phase === P_CLOSED) return;
            // a frame replayed here may have started another wait: keep the order
            const again = this.#deferred as typeof early | undefined;
            if (again !== undefined) again.push([flags, body]);
            else this.#onFrame(flags, body);
          }
        } catch (e) {
          return this.#failOn(e);
        }
        const again = this.#deferred as typeof early | undefined;
        if (this.#phase !== P_CLOSED && again === undefined) this.conn.resume();
      },
      (e) => this.#failOn(e),
    );
  }

  /**
   * One frame of an encrypting mechanism: a MESSAGE to open, whose inner flags say what it
   * is. The limits on messages apply to what is inside (every frame on the wire is alone).
   */
  #sealedFrame(flags: number, sealed: Uint8Array): void {
    const { body, more, command } = this.#codec!.open(sealed);
    // libzmq ORs the outer flags in: a MESSAGE sent as a command frame is a command
    if (command || (flags & Flag.COMMAND)) return this.#trafficCommand(body);
    const o = this.#opts;
    this.#innerFrames++;
    this.#innerBytes += body.length;
    if (o.maxMessageFrames >= 0 && this.#innerFrames > o.maxMessageFrames) {
      this.#tooLarge(`message of more than ${o.maxMessageFrames} frames`, "maxMessageFrames");
    }
    if (o.maxMessageSize >= 0 && this.#innerBytes > o.maxMessageSize) {
      this.#tooLarge(`message of ${this.#innerBytes} bytes or more`, "maxMessageSize");
    }
    if (more) return this.#frames.push(body);
    this.#innerFrames = this.#innerBytes = 0;
    this.#message(this.#frames.finish(body));
  }

  #tooLarge(what: string, option: string): never {
    const limit = option === "maxMessageFrames"
      ? this.#opts.maxMessageFrames
      : this.#opts.maxMessageSize;
    throw new ProtocolError(
      ProtocolErrorCode.MESSAGE_TOO_LARGE,
      `${what} exceeds ${option} ${limit}`,
    );
  }

  #ready(metadata: Metadata, auth?: HandshakeStep["auth"]): void {
    const peer = peerOf(metadata, this.#zmtp31);
    if (auth !== undefined) {
      this.#props = authProperties(auth, peer.socketType, this.conn.remoteAddress);
    }
    const pipe = this.#host.attach(this, peer); // throws ProtocolError when incompatible
    const o = this.#opts;
    const codec = this.#mechanism!.codec;
    if (codec === undefined) {
      this.#decoder.setLimits({
        message: o.maxMessageSize,
        frames: o.maxMessageFrames,
        command: o.maxMessageSize,
      });
    } else {
      // each sealed frame travels alone: the decoder bounds one (the body and the MESSAGE
      // overhead), #sealedFrame the message made of them
      const one = o.maxMessageSize < 0 ? -1 : o.maxMessageSize + SEALED_OVERHEAD;
      this.#decoder.setLimits({ message: one, frames: -1, command: one });
      this.#codec = codec;
      this.#out.seal = (body, more, command) => codec.seal(body, more, command);
    }
    if (this.#handshakeTimer !== undefined) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
    this.pipe = pipe;
    this.#phase = P_TRAFFIC;
    pipe.engine = this;
    this.#host.activated(this, pipe);
    this.#beat.start();
    if (pipe.hasOut()) this.outReady();
  }

  #message(frames: Message): void {
    const pipe = this.pipe!;
    if (this.#opts.receivesSubscriptions) {
      const sub = asSubscription(frames);
      if (sub) return pipe.deliverCommand(sub);
    }
    if (this.#props !== undefined) tagFrames(frames, this.#props);
    pipe.deliver(frames);
    if (!this.#paused && pipe.inFull()) {
      this.#paused = true;
      this.conn.pause();
    }
  }

  #trafficCommand(body: Uint8Array): void {
    const name = commandName(body);
    const data = body.subarray(1 + body[0]!);
    switch (name) {
      case "PING": {
        const { ttl, context } = decodePing(data);
        this.#out.command(encodePong(context));
        this.#scheduleFlush();
        if (ttl > 0) this.#beat.peerTtl(ttl * 100);
        break;
      }
      case "SUBSCRIBE":
      case "CANCEL":
        if (this.#opts.receivesSubscriptions) {
          this.pipe!.deliverCommand({
            type: name === "SUBSCRIBE" ? "subscribe" : "cancel",
            topic: data,
          });
        }
        break;
      case "JOIN":
      case "LEAVE":
        if (this.#opts.receivesJoins) {
          if (data.length > GROUP_MAX_LENGTH) {
            throw new ProtocolError(
              ProtocolErrorCode.MALFORMED_COMMAND_UNSPECIFIED,
              `${name} of a ${data.length}-byte group: at most ${GROUP_MAX_LENGTH} bytes`,
            );
          }
          this.pipe!.deliverCommand({ type: name === "JOIN" ? "join" : "leave", topic: data });
        }
        break;
      default: // PONG and unknown commands: liveness only (libzmq ignores unknown ones)
    }
  }

  // ---- writing ----

  #sendCommands(bodies: Uint8Array[]): void {
    if (bodies.length === 0) return;
    for (const b of bodies) this.#out.command(b);
    this.#flush();
  }

  drainNow(): boolean {
    if (this.#pumping || !this.#writable || this.#phase !== P_TRAFFIC) return false;
    this.#pump();
    return true;
  }

  #pumping = false;
  #pump(): void {
    this.#batching.pumped();
    const pipe = this.pipe;
    if (!pipe || this.#phase !== P_TRAFFIC || this.#pumping) return;
    this.#pumping = true;
    try {
      const eager = pipe.unboundedOut;
      while (this.#writable || eager) {
        const msg = pipe.takeOut();
        if (msg === undefined) break;
        this.#out.message(msg);
        this.#holds.encoded(msg, this.#out.pending);
        if (this.#out.pending >= HIGH_WATER_BYTES) this.#flush();
      }
      this.#flush();
    } finally {
      this.#pumping = false;
    }
  }

  #flushScheduled = false;
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#out.pending === 0 || this.#phase === P_CLOSED) return;
    this.#holds.handed(this.#out.pending);
    if (!this.conn.write(this.#out.take())) this.#writable = false;
  }

  // ---- closing ----

  #teardown(): void {
    this.#phase = P_CLOSED;
    this.#decoder.stop();
    if (this.#handshakeTimer !== undefined) clearTimeout(this.#handshakeTimer);
    this.#beat.stop();
    if (this.pipe?.engine === this) this.pipe.engine = undefined;
    this.#frames.clear();
    this.#slabs?.close();
    this.#codec?.destroy?.();
    this.#closing?.abort();
  }

  /** The peer closed the connection: before the handshake completed, say why if we can tell. */
  #closedByPeer(err: Error | undefined): void {
    // a transport that checks framing of its own (ws) ends with what the peer got wrong
    if (err instanceof ProtocolError) return this.#fail("protocol", err);
    if (this.#phase === P_HANDSHAKE && err === undefined) {
      const hint = this.#mechanism?.closedEarly?.();
      if (hint !== undefined) return this.#fail("connection", new Error(hint));
    }
    this.#fail("connection", err ?? new Error("connection closed by peer"));
  }

  /** Sends what a refusing mechanism has to say (an ERROR), then closes, reporting why. */
  #refuse(r: HandshakeRefused): void {
    if (this.#phase === P_CLOSED) return;
    for (const b of r.send) this.#out.command(b);
    this.#flush();
    const established = this.pipe !== undefined;
    this.#teardown();
    this.conn.end(); // after what is written
    // read on (into nothing) until the peer closes its side: a ZAP wait had paused reading
    this.conn.resume();
    const kind = r.error instanceof AuthError ? "auth" : "protocol";
    this.#host.detached(this, { kind, error: r.error, established });
  }

  #fail(kind: CloseKind, error: Error): void {
    if (this.#phase === P_CLOSED) return;
    const established = this.pipe !== undefined;
    this.#teardown();
    this.conn.destroy();
    this.#host.detached(this, { kind, error, established });
  }
}
