// SPDX-License-Identifier: MIT
/**
 * A socket's endpoints: what it is bound to (listeners and their accepted connections) and
 * what it connects to (a reconnecting connecter, or an inproc link, each with its pipe).
 */
import type { CloseReason, ConnectionEngine } from "../engine/session_types.ts";
import { ZmqError } from "../errors.ts";
import type { EngineEvent } from "../events.ts";
import type { Pipe } from "../pipe.ts";
import type { Connection, Listener } from "../transports/connection.ts";
import { parseEndpoint } from "../transports/endpoint.ts";
import {
  inprocBind,
  inprocConnect,
  inprocDisconnect,
  type InprocSocket,
  inprocUnbind,
  type PendingConnect,
} from "../transports/inproc.ts";
import { listenEndpoint } from "../transports/stream.ts";
import { dialWs, listenWs, type WsSettings } from "../transports/ws.ts";
import {
  bindDatagrams,
  connectDatagrams,
  DatagramEngine,
  isUdpEndpoint,
  parseUdpEndpoint,
  type UdpCounters,
} from "../transports/udp.ts";
import type { UdpSocket } from "../transports/runtime/udp.ts";
import { Connecter } from "./connecter.ts";
import type { ResolvedOptions } from "./options.ts";

/** What the socket lends its endpoints. */
export interface EndpointsHost {
  readonly inproc: InprocSocket;
  readonly opts: ResolvedOptions;
  isClosed(): boolean;
  emit(event: EngineEvent): void;
  /** A pipe for a connect endpoint, created before its first connection. */
  newPipe(endpoint: string): Pipe;
  terminate(pipe: Pipe, dropInbound?: boolean): void;
  startSession(
    endpoint: string,
    conn: Connection,
    pipe: Pipe | undefined,
    gone: (reason: CloseReason) => void,
  ): ConnectionEngine;
  /**
   * udp:// (RADIO connects, DISH binds): which, and the counters; undefined for the types
   * that cannot use udp.
   */
  udp(): { role: "bind" | "connect"; peerType: string; counters: UdpCounters } | undefined;
  /** A datagram pipe is ready: the peer is "there" (udp has no handshake). */
  activate(pipe: Pipe, remote: string): void;
  /** What ws:// endpoints need of the socket, read at each connection. */
  ws(): WsSettings;
}

interface Datagrams {
  engine: DatagramEngine;
  pipe: Pipe;
  socket: Promise<UdpSocket | undefined>;
}

interface Bound {
  listener: Listener | undefined;
  sessions: Set<ConnectionEngine>;
}

interface Connected {
  connecter?: Connecter;
  inproc?: PendingConnect;
  pipe: Pipe | undefined;
}

export class Endpoints {
  #host: EndpointsHost;
  #binds = new Map<string, Bound>();
  #connects = new Map<string, Connected>();
  /** udp:// binds and connects, by endpoint (as bound, as connected). */
  #datagrams = new Map<string, Datagrams>();

  constructor(host: EndpointsHost) {
    this.#host = host;
  }

  /** Binds; resolves with the endpoint as bound (wildcards resolved). */
  async bind(endpoint: string): Promise<string> {
    const host = this.#host;
    if (isUdpEndpoint(endpoint)) return this.#bindUdp(endpoint);
    const ep = parseEndpoint(endpoint, "bind");
    if (ep.transport === "inproc") {
      inprocBind(endpoint, host.inproc);
      this.#binds.set(endpoint, { listener: undefined, sessions: new Set() });
      host.emit({ type: "bind", address: endpoint });
      return endpoint;
    }
    const bound: Bound = { listener: undefined, sessions: new Set() };
    let resolved = endpoint;
    let listener: Listener;
    const accept = (conn: Connection) => this.#accept(resolved, bound, conn);
    try {
      listener = ep.transport === "ws"
        ? await listenWs(ep, endpoint, () => host.ws(), accept, (remote, error) => {
          host.emit({ type: "handshake:error:protocol", address: resolved, remote, error });
        })
        : await listenEndpoint(ep, endpoint, accept);
    } catch (e) {
      host.emit({ type: "bind:error", address: endpoint, error: e as Error });
      throw e;
    }
    resolved = ep.transport === "ws"
      ? `${ep.secure ? "wss" : "ws"}://${listener.address}${ep.path}`
      : `${ep.transport}://${listener.address}`;
    if (host.isClosed()) {
      await listener.close();
      throw new ZmqError("ETERM", "Socket closed during bind", { address: endpoint });
    }
    listener.unref?.(); // listening alone does not keep the process alive
    bound.listener = listener;
    this.#binds.set(resolved, bound);
    host.emit({ type: "bind", address: resolved });
    return resolved;
  }

  async unbind(endpoint: string): Promise<void> {
    const udp = this.#datagrams.get(endpoint);
    if (udp && isUdpEndpoint(endpoint) && this.#host.udp()?.role === "bind") {
      this.#datagrams.delete(endpoint);
      await this.#closeDatagrams(udp);
      return;
    }
    const bound = this.#binds.get(endpoint);
    if (!bound) throw new ZmqError("ENOENT", `Not bound to "${endpoint}"`, { address: endpoint });
    this.#binds.delete(endpoint);
    if (!bound.listener) inprocUnbind(endpoint, this.#host.inproc);
    for (const s of bound.sessions) s.close();
    await bound.listener?.close();
  }

  connect(endpoint: string): void {
    const host = this.#host;
    if (isUdpEndpoint(endpoint)) return this.#connectUdp(endpoint);
    const ep = parseEndpoint(endpoint, "connect");
    if (this.#connects.has(endpoint)) return; // libzmq: a second connect to the same endpoint is a no-op
    const pipe = host.opts.immediate ? undefined : host.newPipe(endpoint);
    if (ep.transport === "inproc") {
      this.#connects.set(endpoint, { inproc: inprocConnect(endpoint, host.inproc, pipe), pipe });
      return;
    }
    const entry: Connected = { pipe };
    entry.connecter = new Connecter(endpoint, ep, {
      opts: host.opts,
      dial: ep.transport === "ws" ? (_ep, signal) => dialWs(ep, host.ws(), signal) : undefined,
      emit: (e) => host.emit(e),
      startSession: (conn, gone) => host.startSession(endpoint, conn, entry.pipe, gone),
      abandoned: () => {
        if (entry.pipe) host.terminate(entry.pipe);
        this.#connects.delete(endpoint);
      },
    });
    this.#connects.set(endpoint, entry);
    entry.connecter.start();
  }

  disconnect(endpoint: string): void {
    const udp = this.#datagrams.get(endpoint);
    if (udp && this.#host.udp()?.role === "connect") {
      this.#datagrams.delete(endpoint);
      void this.#closeDatagrams(udp);
      return;
    }
    const entry = this.#connects.get(endpoint);
    if (!entry) {
      throw new ZmqError("ENOENT", `Not connected to "${endpoint}"`, { address: endpoint });
    }
    this.#connects.delete(endpoint);
    entry.connecter?.stop();
    if (entry.inproc) inprocDisconnect(entry.inproc);
    if (entry.pipe) this.#host.terminate(entry.pipe, true);
  }

  /** The pipe's link is gone for good (inproc): its connect entry goes too. */
  forget(pipe: Pipe): void {
    for (const [ep, entry] of this.#connects) if (entry.pipe === pipe) this.#connects.delete(ep);
  }

  /** Stops accepting: listeners closed, inproc names released. Settles once all are closed. */
  stopListening(): Promise<void> {
    const closing: Promise<void>[] = [];
    if (this.#host.udp()?.role === "bind") {
      for (const d of this.#datagrams.values()) closing.push(this.#closeSocket(d));
    }
    for (const [ep, b] of this.#binds) {
      if (!b.listener) inprocUnbind(ep, this.#host.inproc);
      else closing.push(b.listener.close().catch(() => {}));
    }
    return Promise.all(closing).then(() => {});
  }

  /** Ends every connection: accepted sessions closed, connecters stopped. */
  closeAll(): void {
    for (const d of this.#datagrams.values()) void this.#closeDatagrams(d);
    this.#datagrams.clear();
    for (const b of this.#binds.values()) for (const s of b.sessions) s.close();
    this.#binds.clear();
    for (const entry of this.#connects.values()) {
      entry.connecter?.stop();
      if (entry.inproc) inprocDisconnect(entry.inproc);
    }
    this.#connects.clear();
  }

  // ---- udp:// (RADIO/DISH) ----

  #udpRole(endpoint: string, mode: "bind" | "connect") {
    const udp = this.#host.udp();
    if (!udp || udp.role !== mode) {
      throw new ZmqError(
        "EPROTONOSUPPORT",
        udp
          ? `udp:// is for a RADIO to connect and a DISH to bind, not to ${mode} ("${endpoint}")`
          : `udp:// is for RADIO and DISH sockets only ("${endpoint}")`,
        { address: endpoint },
      );
    }
    return udp;
  }

  /** A pipe and engine for a udp endpoint, the peer set at once (no handshake). */
  #datagramPipe(
    endpoint: string,
    peerType: string,
    counters: UdpCounters,
    target?: { host: string; port: number },
  ): { pipe: Pipe; engine: DatagramEngine } {
    const pipe = this.#host.newPipe(endpoint);
    const engine = new DatagramEngine(pipe, counters, target);
    pipe.engine = engine;
    pipe.peer = {
      socketType: peerType,
      identity: new Uint8Array(0),
      metadata: [],
      zmtp31: true,
    };
    return { pipe, engine };
  }

  async #bindUdp(endpoint: string): Promise<string> {
    const host = this.#host;
    const udp = this.#udpRole(endpoint, "bind");
    const ep = parseUdpEndpoint(endpoint, "bind");
    const sink: { engine?: DatagramEngine } = {};
    let socket: UdpSocket;
    try {
      socket = await bindDatagrams(ep, endpoint, (data) => sink.engine?.datagram(data));
    } catch (e) {
      host.emit({ type: "bind:error", address: endpoint, error: e as Error });
      throw e;
    }
    if (host.isClosed()) {
      await socket.close();
      throw new ZmqError("ETERM", "Socket closed during bind", { address: endpoint });
    }
    // a wildcard port resolved; otherwise the endpoint as given (libzmq's last endpoint)
    const resolved = ep.port === 0
      ? endpoint.slice(0, endpoint.lastIndexOf(":") + 1) + socket.port
      : endpoint;
    if (this.#datagrams.has(resolved)) {
      await socket.close();
      throw new ZmqError("EADDRINUSE", `Already bound to "${resolved}"`, { address: endpoint });
    }
    const made = this.#datagramPipe(resolved, udp.peerType, udp.counters);
    sink.engine = made.engine;
    made.engine.ready(socket);
    this.#datagrams.set(resolved, { ...made, socket: Promise.resolve(socket) });
    host.emit({ type: "bind", address: resolved });
    host.activate(made.pipe, ep.group ?? ep.host);
    return resolved;
  }

  #connectUdp(endpoint: string): void {
    const host = this.#host;
    const udp = this.#udpRole(endpoint, "connect");
    const ep = parseUdpEndpoint(endpoint, "connect");
    if (this.#datagrams.has(endpoint)) return;
    const made = this.#datagramPipe(endpoint, udp.peerType, udp.counters, ep);
    const socket = connectDatagrams(ep, endpoint).then(
      (s) => {
        made.engine.ready(s);
        return s;
      },
      (e) => {
        // no socket (hardly ever: an ephemeral port on 0.0.0.0): the endpoint is gone, and
        // what waited for it is dropped rather than holding a lingering close for ever
        host.emit({ type: "handshake:error:other", address: endpoint, error: e as Error });
        if (this.#datagrams.get(endpoint)?.pipe === made.pipe) this.#datagrams.delete(endpoint);
        host.terminate(made.pipe, true);
        return undefined;
      },
    );
    this.#datagrams.set(endpoint, { ...made, socket });
    host.activate(made.pipe, `${ep.host}:${ep.port}`);
  }

  async #closeSocket(d: Datagrams): Promise<void> {
    d.engine.close();
    await (await d.socket)?.close();
  }

  async #closeDatagrams(d: Datagrams): Promise<void> {
    this.#host.terminate(d.pipe, true);
    await this.#closeSocket(d);
  }

  #accept(endpoint: string, bound: Bound, conn: Connection): void {
    if (this.#host.isClosed()) return conn.destroy();
    this.#host.emit({ type: "accept", address: endpoint, remote: conn.remoteAddress });
    const session = this.#host.startSession(
      endpoint,
      conn,
      undefined,
      () => bound.sessions.delete(session),
    );
    bound.sessions.add(session);
  }
}
