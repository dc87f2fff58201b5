// SPDX-License-Identifier: MIT
/**
 * Both ends of an interop test behind one interface (`Side`): a zmqkit socket in this process,
 * or a libzmq socket (zeromq.js) in a Node child process driven over libzmq_peer.mjs's line
 * protocol (`LibzmqPeer`). Scenarios are written once against `Side` and run either way round.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Buffer } from "node:buffer";
import { fileURLToPath } from "node:url";
import { type Socket, socketClasses, type SocketEvent } from "../../mod.ts";

export type SocketTypeName =
  | "PAIR"
  | "PUB"
  | "SUB"
  | "XPUB"
  | "XSUB"
  | "REQ"
  | "REP"
  | "DEALER"
  | "ROUTER"
  | "PUSH"
  | "PULL";
/** The draft types libzmq_peer.mjs makes (zeromq.js's "zeromq/draft", PEER and CHANNEL). */
export type DraftTypeName =
  | "SERVER"
  | "CLIENT"
  | "RADIO"
  | "DISH"
  | "GATHER"
  | "SCATTER"
  | "PEER"
  | "CHANNEL";
export type Impl = "zmqkit" | "libzmq";
export type Frames = Uint8Array[];

/** Default bound on any single wait (a receive, an event, a peer reply), ms. */
export const WAIT_MS = 5000;

/** An error with a libzmq-style code, as both sides report them. */
export class PeerError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

/** One socket in an interop scenario, zmqkit's or libzmq's. */
export interface Side {
  readonly impl: Impl;
  readonly type: SocketTypeName;
  /** Binds; resolves with the resolved endpoint (wildcard port filled in). */
  bind(endpoint: string): Promise<string>;
  connect(endpoint: string): Promise<void>;
  send(frames: Frames): Promise<void>;
  /** The next message; rejects with code EAGAIN after `timeout` ms. */
  receive(timeout?: number): Promise<Frames>;
  /** SUB only. */
  subscribe(...topics: Uint8Array[]): Promise<void>;
  unsubscribe(...topics: Uint8Array[]): Promise<void>;
  /** Resolves on the first "handshake" event (past or future) not yet consumed. */
  handshake(timeout?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SideOptions {
  routingId?: Uint8Array | undefined;
  /** ROUTER: fail sends to unknown ids with EHOSTUNREACH instead of dropping them. */
  mandatory?: boolean | undefined;
  /** More zeromq.js constructor options for a libzmq side (PLAIN, CURVE, heartbeats…). */
  options?: Record<string, unknown> | undefined;
}

const toB64 = (u: Uint8Array): string =>
  Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString("base64");
const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));

// ------------------------------------------------------------------ libzmq, in a Node child

interface PeerReply {
  id: number;
  ok: boolean;
  error?: { code: string; message: string };
  [key: string]: unknown;
}

/** A Node child process running tests/_helpers/libzmq_peer.mjs. One per test file. */
export class LibzmqPeer {
  #child: ChildProcess;
  #pending = new Map<number, { resolve: (r: PeerReply) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #buffer = "";
  #exited: Promise<void>;
  #gone: Error | undefined;
  /** The libzmq version the peer runs, e.g. "4.3.5". */
  version = "";

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.#gone = new Error(`libzmq peer exited (code ${code}, signal ${signal})`);
        for (const p of this.#pending.values()) p.reject(this.#gone);
        this.#pending.clear();
        resolve();
      });
    });
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => this.#onData(chunk));
  }

  /** Spawns the peer (`node`, or $ZMQKIT_NODE) and waits for its ready line. */
  static async start(): Promise<LibzmqPeer> {
    const script = fileURLToPath(new URL("./libzmq_peer.mjs", import.meta.url));
    const node = process.env.ZMQKIT_NODE ?? "node";
    const child = spawn(node, [script], { stdio: ["pipe", "pipe", "inherit"] });
    const peer = new LibzmqPeer(child);
    const ready = await peer.#wait(0, 15_000, "startup");
    peer.version = String(ready.version);
    return peer;
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf("\n")) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      if (line.trim() === "") continue;
      const reply = JSON.parse(line) as PeerReply;
      const p = this.#pending.get(reply.id);
      if (!p) continue;
      this.#pending.delete(reply.id);
      p.resolve(reply);
    }
  }

  #wait(id: number, timeout: number, what: string): Promise<PeerReply> {
    if (this.#gone) return Promise.reject(this.#gone);
    return new Promise<PeerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`libzmq peer: no reply to ${what} within ${timeout} ms`));
      }, timeout);
      this.#pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          if (r.ok) resolve(r);
          else reject(new PeerError(r.error!.code, `libzmq ${what}: ${r.error!.message}`));
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** Sends one command; resolves with its reply, rejects with a PeerError on `ok: false`. */
  request(
    op: string,
    fields: Record<string, unknown> = {},
    timeout = WAIT_MS * 2,
  ): Promise<PeerReply> {
    const id = this.#nextId++;
    const reply = this.#wait(id, timeout, op);
    this.#child.stdin!.write(JSON.stringify({ id, op, ...fields }) + "\n");
    return reply;
  }

  async socket(type: SocketTypeName, opts: SideOptions = {}): Promise<Side> {
    const options: Record<string, unknown> = { ...opts.options };
    if (opts.mandatory) options.mandatory = true;
    const r = await this.request("socket", {
      type,
      options,
      ...(opts.routingId ? { routingId: toB64(opts.routingId) } : {}),
    });
    return new LibzmqSide(this, type, r.sock as number);
  }

  /** A libzmq socket of a draft type: one-frame messages with a routing id or a group. */
  async draftSocket(
    type: DraftTypeName,
    options: Record<string, unknown> = {},
  ): Promise<LibzmqDraftSide> {
    const r = await this.request("socket", { type, options });
    return new LibzmqDraftSide(this, type, r.sock as number);
  }

  /** Ends the child: closes its stdin (it exits on EOF), then kills it if it lingers. */
  async stop(): Promise<void> {
    if (!this.#gone) {
      this.#child.stdin!.end();
      const timer = setTimeout(() => this.#child.kill("SIGKILL"), 3000);
      await this.#exited;
      clearTimeout(timer);
    }
    this.#child.stdout!.destroy();
  }
}

export class LibzmqSide implements Side {
  readonly impl = "libzmq" as const;
  readonly type: SocketTypeName;
  private peer: LibzmqPeer;
  private sock: number;
  constructor(peer: LibzmqPeer, type: SocketTypeName, sock: number) {
    this.peer = peer;
    this.type = type;
    this.sock = sock;
  }

  async bind(endpoint: string): Promise<string> {
    return (await this.peer.request("bind", { sock: this.sock, endpoint })).endpoint as string;
  }
  /** The first recorded event of `type` not yet taken; rejects (EAGAIN) after `timeout`. */
  async event(type: string, timeout = WAIT_MS): Promise<{ type: string; address?: string }> {
    const r = await this.peer.request("event", { sock: this.sock, type, timeout });
    return r.event as { type: string; address?: string };
  }
  async connect(endpoint: string): Promise<void> {
    await this.peer.request("connect", { sock: this.sock, endpoint });
  }
  async send(frames: Frames): Promise<void> {
    await this.peer.request("send", { sock: this.sock, frames: frames.map(toB64) });
  }
  async receive(timeout = WAIT_MS): Promise<Frames> {
    const r = await this.peer.request("receive", { sock: this.sock, timeout }, timeout + WAIT_MS);
    return (r.frames as string[]).map(fromB64);
  }
  async subscribe(...topics: Uint8Array[]): Promise<void> {
    await this.peer.request("subscribe", { sock: this.sock, topics: topics.map(toB64) });
  }
  async unsubscribe(...topics: Uint8Array[]): Promise<void> {
    await this.peer.request("unsubscribe", { sock: this.sock, topics: topics.map(toB64) });
  }
  async handshake(timeout = WAIT_MS): Promise<void> {
    await this.peer.request(
      "event",
      { sock: this.sock, type: "handshake", timeout },
      timeout + WAIT_MS,
    );
  }
  async close(): Promise<void> {
    await this.peer.request("close", { sock: this.sock });
  }
}

/** A message of a draft type as libzmq gave it: its frames (one) and its routing id or group. */
export interface DraftMessage {
  frames: Frames;
  routingId?: number;
  group?: Uint8Array;
}

/** A libzmq draft-type socket in the peer process. */
export class LibzmqDraftSide {
  readonly impl = "libzmq" as const;
  readonly type: DraftTypeName;
  private peer: LibzmqPeer;
  private sock: number;
  constructor(peer: LibzmqPeer, type: DraftTypeName, sock: number) {
    this.peer = peer;
    this.type = type;
    this.sock = sock;
  }

  async bind(endpoint: string): Promise<string> {
    return (await this.peer.request("bind", { sock: this.sock, endpoint })).endpoint as string;
  }
  async connect(endpoint: string): Promise<void> {
    await this.peer.request("connect", { sock: this.sock, endpoint });
  }
  /** Sends `frames` (one, unless testing the refusal) with a routing id or a group. */
  async send(frames: Frames, meta: { routingId?: number; group?: Uint8Array } = {}): Promise<void> {
    await this.peer.request("send", {
      sock: this.sock,
      frames: frames.map(toB64),
      ...(meta.routingId !== undefined ? { routingId: meta.routingId } : {}),
      ...(meta.group !== undefined ? { group: toB64(meta.group) } : {}),
    });
  }
  async receive(timeout = WAIT_MS): Promise<DraftMessage> {
    const r = await this.peer.request("receive", { sock: this.sock, timeout }, timeout + WAIT_MS);
    const m: DraftMessage = { frames: (r.frames as string[]).map(fromB64) };
    if (r.routingId !== undefined) m.routingId = r.routingId as number;
    if (r.group !== undefined) m.group = fromB64(r.group as string);
    return m;
  }
  async join(...groups: Uint8Array[]): Promise<void> {
    await this.peer.request("join", { sock: this.sock, groups: groups.map(toB64) });
  }
  async leave(...groups: Uint8Array[]): Promise<void> {
    await this.peer.request("leave", { sock: this.sock, groups: groups.map(toB64) });
  }
  async close(): Promise<void> {
    await this.peer.request("close", { sock: this.sock });
  }
}

// ------------------------------------------------------------------ zmqkit, in this process

type AnySocket = Socket & {
  send?: (m: Frames) => Promise<void>;
  receive?: () => Promise<Frames>;
  subscribe?: (...t: Uint8Array[]) => void;
  unsubscribe?: (...t: Uint8Array[]) => void;
};

const zmqkitClasses = socketClasses as Record<
  SocketTypeName,
  new (o?: Record<string, unknown>) => Socket
>;

class ZmqkitSide implements Side {
  readonly impl = "zmqkit" as const;
  readonly type: SocketTypeName;
  readonly socket: AnySocket;
  #handshakes = 0;
  #waiters: Array<() => void> = [];
  #pump: Promise<void>;

  constructor(type: SocketTypeName, opts: SideOptions) {
    this.type = type;
    const options: Record<string, unknown> = { linger: 0 };
    if (opts.routingId) options.routingId = opts.routingId;
    if (opts.mandatory) options.mandatory = true;
    this.socket = new zmqkitClasses[type](options) as AnySocket;
    const events = this.socket.events; // recorded from here on
    this.#pump = (async () => {
      for await (const e of events as AsyncIterable<SocketEvent>) {
        if (e.type !== "handshake") continue;
        const w = this.#waiters.shift();
        if (w) w();
        else this.#handshakes++;
      }
    })();
  }

  async bind(endpoint: string): Promise<string> {
    await this.socket.bind(endpoint);
    return this.socket.lastEndpoint!;
  }
  connect(endpoint: string): Promise<void> {
    this.socket.connect(endpoint);
    return Promise.resolve();
  }
  send(frames: Frames): Promise<void> {
    return this.socket.send!(frames);
  }
  async receive(timeout = WAIT_MS): Promise<Frames> {
    this.socket.receiveTimeout = timeout;
    try {
      return await this.socket.receive!();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code) throw new PeerError(code, `zmqkit receive: ${(e as Error).message}`);
      throw e;
    }
  }
  subscribe(...topics: Uint8Array[]): Promise<void> {
    this.socket.subscribe!(...topics);
    return Promise.resolve();
  }
  unsubscribe(...topics: Uint8Array[]): Promise<void> {
    this.socket.unsubscribe!(...topics);
    return Promise.resolve();
  }
  handshake(timeout = WAIT_MS): Promise<void> {
    if (this.#handshakes > 0) {
      this.#handshakes--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const w = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new PeerError("EAGAIN", `zmqkit ${this.type}: no handshake within ${timeout} ms`));
      }, timeout);
      this.#waiters.push(w);
    });
  }
  async close(): Promise<void> {
    this.socket.close();
    // the events iterator ends with the socket; do not hang a test if it does not
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, WAIT_MS));
    await Promise.race([this.#pump, late]);
    clearTimeout(timer);
  }
}

/** Creates a socket of `type` on the given implementation. */
export function createSide(
  impl: Impl,
  peer: LibzmqPeer,
  type: SocketTypeName,
  opts: SideOptions = {},
): Promise<Side> {
  return impl === "zmqkit" ? Promise.resolve(new ZmqkitSide(type, opts)) : peer.socket(type, opts);
}
