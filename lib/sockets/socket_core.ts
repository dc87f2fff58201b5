// SPDX-License-Identifier: MIT
/**
 * The engine behind every socket: endpoints, options, pipes, send/receive with blocking and
 * timeouts, events and close with linger. A socket type's core adds its routing through the
 * x* hooks. Internal: applications hold the public classes (socket.ts, capabilities.ts and
 * one file per type), which forward to their core and show none of this.
 */
import { Session } from "../engine/session.ts";
import type {
  CloseReason,
  ConnectionEngine,
  SessionHost,
  SessionOptions,
} from "../engine/session_types.ts";
import { asZmqError, ProtocolError, ProtocolErrorCode, ZmqError } from "../errors.ts";
import { type EngineEvent, SocketEvents, toSocketEvent } from "../events.ts";
import { Closing } from "./closing.ts";
import { checkSecurity, createMechanism, mechanismReady } from "./security.ts";
import { wsSettings } from "./ws_settings.ts";
import { type Message, Pipe, type PipeCommand, type PipeOwner, type PipePeer } from "../pipe.ts";
import type { Connection } from "../transports/connection.ts";
import { closeInprocPipe, type InprocSocket } from "../transports/inproc.ts";
import { type MessageLike, toMessage } from "./message.ts";
import { NOT_YET, Waiters } from "./waiters.ts";
import { later, laterReject, spend } from "../util/yield_budget.ts";
import { holdUntil } from "../transports/runtime/keep_alive.ts";
import { warnIfStillQueued } from "./linger_warning.ts";
import { receiveSlabs, type SlabPool } from "../util/slab_pool.ts";
import type { SocketType } from "../wire/constants.ts";
import { isCompatible } from "./compatibility.ts";
import { Endpoints } from "./endpoints.ts";
import type { UdpCounters } from "../transports/udp.ts";
import type { ResolvedOptions } from "./options.ts";
import { SocketHooks } from "./socket_hooks.ts";

const EMPTY = new Uint8Array(0);
/** What a send that queued at once returns (one settled promise, not one per message). */
const DONE: Promise<void> = Promise.resolve();

export abstract class SocketCore extends SocketHooks implements PipeOwner, InprocSocket {
  /** The endpoint of the last bind, with wildcards resolved (ZMQ_LAST_ENDPOINT). */
  lastEndpoint: string | undefined;
  /** PUB/XPUB: `01`/`00` messages from peers are subscriptions. */
  readonly receivesSubscriptions: boolean = false;
  /** The socket's pipes, one per peer (read by tests and the socket types). */
  readonly pipes = new Set<Pipe>();
  #events: SocketEvents | undefined;
  #endpoints: Endpoints;
  #sends = new Waiters<Message, true>();
  #receives = new Waiters<undefined, Message>();
  #closed = false;
  #lingerCheck: (() => void) | undefined;
  #recycle: { pool: SlabPool | undefined } = { pool: undefined };
  #closing = new Closing();

  protected constructor(
    type: SocketType,
    options: object | undefined,
    allowed: readonly string[],
    typeDefaults: Partial<ResolvedOptions> = {},
  ) {
    super(type, options, allowed, typeDefaults);
    this.#endpoints = new Endpoints({
      inproc: this,
      opts: this.opts,
      isClosed: () => this.#closed,
      emit: (e) => this.emit(e),
      newPipe: (endpoint) => this.#newPipe(endpoint),
      terminate: (pipe, dropInbound) => this.#terminate(pipe, dropInbound),
      startSession: (endpoint, conn, pipe, gone) => this.#startSession(endpoint, conn, pipe, gone),
      udp: () => this.udpTransport(),
      ws: () => wsSettings(this.opts, this.type),
      activate: (pipe, remote) => {
        // udp has no handshake (and libzmq reports none): the pipe is simply ready
        pipe.address = remote;
        this.xready(pipe);
        this.kick();
      },
    });
  }

  // ---------------------------------------------------------------- events

  /**
   * The socket's events (zeromq.js's Observer): `on(type, listener)` / `off`, `receive()`, and
   * `for await`; the queue records from the first access on. Error events carry a ZmqError
   * with a libzmq code (a ProtocolError for protocol failures).
   */
  get events(): SocketEvents {
    return this.#events ??= new SocketEvents();
  }

  protected emit(event: EngineEvent): void {
    this.#events?.push(toSocketEvent(event));
  }

  /** Settles once closed for good (closing.ts); never rejects. */
  get closed(): Promise<void> {
    return this.#closing.promise;
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  // ---------------------------------------------------------------- endpoints

  async bind(endpoint: string): Promise<void> {
    this.#assertOpen();
    checkSecurity(this.opts);
    this.lockOptions();
    const loading = mechanismReady(this.opts); // CURVE's code, the first time
    if (loading !== undefined) {
      await loading;
      this.#assertOpen();
    }
    this.lastEndpoint = await this.#endpoints.bind(endpoint);
  }

  unbind(endpoint: string): Promise<void> {
    return this.#endpoints.unbind(endpoint);
  }

  connect(endpoint: string): void {
    this.#assertOpen();
    checkSecurity(this.opts);
    this.lockOptions();
    mechanismReady(this.opts)?.catch(() => {}); // the session reports a failure to load
    this.#endpoints.connect(endpoint);
  }

  disconnect(endpoint: string): void {
    this.#endpoints.disconnect(endpoint);
  }

  // ---------------------------------------------------------------- sessions

  #startSession(
    endpoint: string,
    conn: Connection,
    pipe: Pipe | undefined,
    gone: (r: CloseReason) => void,
  ): ConnectionEngine {
    const host: SessionHost = {
      ownMetadata: () => this.ownMetadata(),
      createMechanism: (own, closed) =>
        createMechanism(this.opts, own, {
          remoteAddress: conn.remoteAddress,
          identity: this.opts.routingId ?? EMPTY,
          closed,
        }),
      mechanismReady: () => mechanismReady(this.opts),
      attach: (session, peer) => this.#attach(endpoint, session.conn.remoteAddress, peer, pipe),
      activated: (session, active) => this.#activate(endpoint, session.conn.remoteAddress, active),
      detached: (session, reason) => {
        this.#detached(endpoint, session, reason, pipe);
        gone(reason);
      },
    };
    const session = this.createEngine(
      conn,
      host,
      this.sessionOptions(this.receivesSubscriptions, this.#recycle),
    );
    this.#closing.track(conn);
    conn.unref?.(); // only waiting sends and receives keep the process alive (keep_alive.ts)
    session.start();
    return session;
  }

  /**
   * udp:// (draft): RADIO connects, DISH binds (their cores say so, with the peer's type and
   * where the transport counts); other types cannot use it.
   */
  protected udpTransport():
    | { role: "bind" | "connect"; peerType: string; counters: UdpCounters }
    | undefined {
    return undefined;
  }

  /** The engine for a new tcp/ipc connection: ZMTP, unless the type speaks raw bytes. */
  protected createEngine(
    conn: Connection,
    host: SessionHost,
    options: SessionOptions,
  ): ConnectionEngine {
    return new Session(conn, host, options);
  }

  #attach(endpoint: string, remote: string, peer: PipePeer, existing: Pipe | undefined): Pipe {
    if (!isCompatible(this.type, peer.socketType)) {
      throw new ProtocolError(
        ProtocolErrorCode.INCOMPATIBLE_SOCKET_TYPE,
        `${this.type} cannot talk to a ${peer.socketType} peer`,
      );
    }
    const refusal = this.xrefuse(peer, existing);
    if (refusal) throw new ProtocolError(ProtocolErrorCode.UNSPECIFIED, refusal);
    const pipe = existing ?? this.#newPipe(endpoint);
    pipe.peer = peer;
    pipe.address = remote;
    return pipe;
  }

  #activate(endpoint: string, remote: string, pipe: Pipe): void {
    this.xready(pipe);
    this.emit({ type: "handshake", address: endpoint, remote });
    this.kick(); // a send may have been waiting for a peer (bound sockets have none before this)
  }

  #detached(
    endpoint: string,
    session: ConnectionEngine,
    reason: CloseReason,
    persistent: Pipe | undefined,
  ): void {
    const pipe = session.pipe;
    if (reason.established && pipe) {
      this.emit({
        type: "disconnect",
        address: endpoint,
        remote: session.conn.remoteAddress,
        ...errorOf(reason),
      });
      if (pipe !== persistent) this.#terminate(pipe);
      else this.xpeerGone(pipe);
    } else if (reason.kind === "protocol") {
      this.emit({ type: "handshake:error:protocol", address: endpoint, ...errorOf(reason) });
    } else if (reason.kind === "auth") {
      this.emit({ type: "handshake:error:auth", address: endpoint, ...errorOf(reason) });
    } else if (reason.kind !== "closed") {
      this.emit({ type: "handshake:error:other", address: endpoint, ...errorOf(reason) });
    }
  }

  #newPipe(endpoint: string): Pipe {
    const pipe = new Pipe(this, endpoint, {
      sendHighWaterMark: this.opts.sendHighWaterMark,
      receiveHighWaterMark: this.opts.receiveHighWaterMark,
      conflate: this.opts.conflate,
    });
    this.pipes.add(pipe);
    this.xattach(pipe);
    return pipe;
  }

  /**
   * The pipe is gone for good. Messages queued for the peer are dropped; messages the peer
   * delivered before it left stay readable (as libzmq), unless `dropInbound` (disconnect()).
   * (Lead engineer's decision, deliberate: RFC 28/30's "destroy the queue" is kept for what is
   * queued *for* the peer; dropping what a PUSH delivered before it exited would lose the tail
   * of every `cat | push` pipeline. Tests asserting inbound loss must be changed, not this.)
   */
  #terminate(pipe: Pipe, dropInbound = false): void {
    if (pipe.terminated) return;
    pipe.terminated = true;
    pipe.clearOut();
    if (dropInbound) pipe.clear();
    this.pipes.delete(pipe);
    closeInprocPipe(pipe);
    this.xdetach(pipe);
    this.#lingerCheck?.();
  }

  // ---- inproc (InprocSocket) ----

  inprocPeerInfo(): PipePeer {
    return {
      socketType: this.type,
      identity: this.ownIdentity ?? EMPTY,
      metadata: this.ownMetadata(),
      zmtp31: true,
    };
  }

  inprocAttach(endpoint: string, peer: PipePeer, existing: Pipe | undefined): Pipe {
    // capacity is our SNDHWM (out queue) + the peer's RCVHWM (its in queue, which the inproc
    // pump fills eagerly): libzmq's inproc sum, with 0 on either side meaning unlimited
    return this.#attach(endpoint, "inproc", peer, existing);
  }

  inprocActivate(pipe: Pipe): void {
    this.#activate(pipe.endpoint, "inproc", pipe);
  }

  inprocRefused(endpoint: string, error: unknown): void {
    const reason = { kind: "protocol", error: error as Error, established: false } as const;
    this.emit({ type: "handshake:error:protocol", address: endpoint, ...errorOf(reason) });
  }

  inprocDetached(pipe: Pipe): void {
    this.emit({ type: "disconnect", address: pipe.endpoint });
    this.#terminate(pipe);
    this.#endpoints.forget(pipe);
  }

  // ---------------------------------------------------------------- PipeOwner

  pipeReadable(_pipe: Pipe): void {
    if (this.#receives.length > 0) this.#drainReceives();
  }

  pipeWritable(_pipe: Pipe): void {
    if (this.#sends.length > 0) this.#drainSends();
    this.#lingerCheck?.();
  }

  pipeCommand(pipe: Pipe, command: PipeCommand): void {
    this.xcommand(pipe, command);
  }

  /** Wake blocked senders/receivers after a state change only the type knows about. */
  protected kick(): void {
    if (this.#sends.length > 0) this.#drainSends();
    if (this.#receives.length > 0) this.#drainReceives();
  }

  // ---------------------------------------------------------------- send / receive

  _send(msg: MessageLike): Promise<void> {
    if (this.#closed) return Promise.reject(new ZmqError("ETERM", "Socket is closed"));
    let frames: Message;
    try {
      frames = toMessage(msg);
      if (this.#sends.length === 0 && this.xsend(frames)) return spend() ? later(undefined) : DONE;
    } catch (e) {
      return spend() ? laterReject(e) : Promise.reject(e);
    }
    const timeout = this.opts.sendTimeout;
    if (timeout === 0) {
      const e = new ZmqError("EAGAIN", "No peer can accept the message now");
      return spend() ? laterReject(e) : Promise.reject(e);
    }
    return this.#sends.wait(
      frames,
      timeout,
      () => new ZmqError("EAGAIN", `Send timed out after ${timeout} ms`),
      () => this.#drainSends(),
    ) as Promise<unknown> as Promise<void>;
  }

  #trySend = (frames: Message): true | typeof NOT_YET => this.xsend(frames) ? true : NOT_YET;
  #tryReceive = (): Message | typeof NOT_YET => this.xrecv() ?? NOT_YET;

  #drainSends(): void {
    this.#sends.drain(this.#trySend);
  }

  /** Messages queued both ways across all peers, and how many peers are connected now. */
  gauges(): { queued: number; peers: number } {
    let queued = 0;
    let peers = 0;
    for (const p of this.pipes) {
      queued += p.inLength + p.outLength;
      if (p.engine !== undefined) peers++;
    }
    return { queued, peers };
  }

  /**
   * A message if one can be taken right now, else undefined; never waits (for proxies and
   * other loops that drain a socket without a promise per message). Throws as receive() rejects.
   */
  tryReceive(): Message | undefined {
    if (this.#closed || this.#receives.length > 0) return undefined;
    return this.xrecv();
  }

  /** Queues the message if that can be done right now (true), else false; never waits. */
  trySend(msg: Message): boolean {
    if (this.#closed || this.#sends.length > 0) return false;
    return this.xsend(msg);
  }

  _receive(): Promise<Message> {
    if (this.#receives.length === 0) {
      try {
        const m = this.xrecv();
        if (m !== undefined) return spend(true) ? later(m) : Promise.resolve(m);
      } catch (e) {
        return spend(true) ? laterReject(e) : Promise.reject(e);
      }
    }
    if (this.#closed) return Promise.reject(new ZmqError("ETERM", "Socket is closed"));
    const timeout = this.opts.receiveTimeout;
    if (timeout === 0) {
      const e = new ZmqError("EAGAIN", "No message available");
      return spend() ? laterReject(e) : Promise.reject(e);
    }
    return this.#receives.wait(
      undefined,
      timeout,
      () => new ZmqError("EAGAIN", `Receive timed out after ${timeout} ms`),
    );
  }

  #drainReceives(): void {
    this.#receives.drain(this.#tryReceive);
  }

  /**
   * Hands a received message's memory back: call it once you are done with the message, and
   * use none of its frames yourself afterwards. A busy receiver that releases what it has
   * handled reads into warm, reused memory instead of fresh allocations (on Deno; elsewhere
   * the runtime owns the receive memory and this does nothing). Forwarding first is safe: a
   * message queued by `send()` keeps its memory from reuse until it is written or dropped.
   * Releasing twice, or what was never received, does nothing; messages never released are
   * collected as usual.
   */
  release(message: readonly Uint8Array[]): void {
    const pool = this.#recycle.pool ??= receiveSlabs;
    for (let i = 0; i < message.length; i++) pool.release(message[i]!);
  }

  async *_iterate(): AsyncGenerator<Message, void, undefined> {
    while (!this.#closed) {
      try {
        yield await this._receive();
      } catch (e) {
        if (e instanceof ZmqError && e.code === "ETERM") return;
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------- close

  /**
   * Closes the socket. Pending sends and receives reject with ETERM; messages already queued
   * for connected peers are still delivered for up to `linger` ms (-1: until sent).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const err = () => new ZmqError("ETERM", "Socket is closed");
    this.#sends.rejectAll(err);
    this.#receives.rejectAll(err);
    this.#closing.listenersClosing(this.#endpoints.stopListening());
    // until its last bytes are out and its connections closed, a closed socket keeps the
    // process alive (linger -1 and a peer that never comes: for ever, as libzmq's term)
    void holdUntil(this.#closing.promise);
    const linger = this.opts.linger;
    if (linger === 0 || !this.#queuedOut()) return this.#shutdown();
    const timer = linger > 0 ? setTimeout(() => this.#shutdown(), linger) : undefined;
    if (linger < 0) warnIfStillQueued(this.type, this.pipes, () => this.#lingerCheck !== undefined);
    // checked after the current turn, so a session that just took a message can write it
    let queued = false;
    this.#lingerCheck = () => {
      if (queued) return;
      queued = true;
      queueMicrotask(() => {
        queued = false;
        if (this.#lingerCheck && !this.#queuedOut()) {
          if (timer !== undefined) clearTimeout(timer);
          this.#shutdown();
        }
      });
    };
  }

  #shutdown(): void {
    this.#lingerCheck = undefined;
    this.#endpoints.closeAll();
    for (const p of [...this.pipes]) this.#terminate(p);
    this.emit({ type: "end", address: "" });
    this.#events?.stop();
    this.#closing.shutDown();
  }

  #queuedOut(): boolean {
    for (const p of this.pipes) if (p.hasOut()) return true;
    return false;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ZmqError("ETERM", "Socket is closed");
  }
}

/** A connection's end as an event error: timeouts are ETIMEDOUT, a lost connection ECONNRESET. */
function errorOf(reason: CloseReason): { error?: Error } {
  if (!reason.error) return {};
  return {
    error: asZmqError(reason.error, reason.kind === "timeout" ? "ETIMEDOUT" : "ECONNRESET"),
  };
}
