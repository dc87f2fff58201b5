// SPDX-License-Identifier: MIT
/**
 * The dump's relay: accepts connections on one endpoint, opens one upstream connection for
 * each, and forwards every byte unchanged both ways (with back-pressure: a side that cannot
 * write pauses the other's reading), while each connection's bytes also go through a
 * ConnectionDecoder. Decoding never touches the bytes forwarded, and a decoder problem never
 * stops the forwarding.
 */
import { ZmqError } from "../errors.ts";
import type { Connection, Listener } from "../transports/connection.ts";
import { parseEndpoint } from "../transports/endpoint.ts";
import { dialEndpoint, listenEndpoint, toZmqError } from "../transports/stream.ts";
import { ConnectionDecoder, type DecoderOptions } from "./connection.ts";
import type { DumpEvent, Side } from "./events.ts";

/** Sees every byte the relay forwards, e.g. to write a capture file. */
export interface RelayTap {
  open(conn: number, client: string, server: string, time: number): void;
  data(conn: number, from: Side, bytes: Uint8Array, time: number): void;
  close(conn: number, time: number): void;
}

export interface RelayOptions {
  /** Where to accept connections (tcp://host:port or ipc://path). */
  listen: string;
  /** Where to open the upstream connections. */
  upstream: string;
  onEvent: (e: DumpEvent) => void;
  decoder?: DecoderOptions | undefined;
  tap?: RelayTap | undefined;
}

export class Relay {
  #listener: Listener | undefined;
  #live = new Set<Connection>();
  #closing = false;

  private constructor() {}

  /** The bound address (`host:port` or the ipc path). */
  get address(): string {
    return this.#listener?.address ?? "";
  }

  /** Binds and starts relaying. Rejects with a ZmqError for a bad or busy endpoint. */
  static async start(options: RelayOptions): Promise<Relay> {
    const listenEp = parseEndpoint(options.listen, "bind");
    const upstreamEp = parseEndpoint(options.upstream, "connect");
    if (listenEp.transport === "inproc" || upstreamEp.transport === "inproc") {
      throw new ZmqError("EPROTONOSUPPORT", "dump relays tcp:// and ipc:// only");
    }
    let next = 1;
    const relay = new Relay();
    relay.#listener = await listenEndpoint(listenEp, options.listen, (client) => {
      if (relay.#closing) {
        client.destroy();
        return;
      }
      relay.#accept(client, next++, options, upstreamEp);
    });
    return relay;
  }

  #accept(
    client: Connection,
    conn: number,
    options: RelayOptions,
    upstreamEp: ReturnType<typeof parseEndpoint>,
  ): void {
    const decoder = new ConnectionDecoder(conn, options.onEvent, options.decoder);
    const tap = options.tap;
    const clientName = client.remoteAddress;
    this.#live.add(client);
    // nothing is read from the client until there is somewhere to forward it
    client.pause();
    dialEndpoint(upstreamEp).then((server) => {
      if (this.#closing) {
        server.destroy();
        client.destroy();
        return;
      }
      this.#live.add(server);
      const now = Date.now();
      decoder.open(clientName, options.upstream, now);
      tap?.open(conn, clientName, options.upstream, now);
      let open = 2;
      let first: string | undefined;
      const done = (why?: string) => {
        first ??= why;
        if (--open > 0) return;
        this.#live.delete(client);
        this.#live.delete(server);
        const t = Date.now();
        decoder.close(t, first);
        tap?.close(conn, t);
      };
      pipe(client, server, "client", decoder, tap, conn, done);
      pipe(server, client, "server", decoder, tap, conn, done);
      client.resume();
    }, (e: unknown) => {
      const now = Date.now();
      decoder.open(clientName, options.upstream, now);
      decoder.close(now, `upstream: ${toZmqError(e, options.upstream).message}`);
      this.#live.delete(client);
      client.destroy();
    });
  }

  /** Stops accepting and closes every relayed connection. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const c of this.#live) c.destroy();
    this.#live.clear();
    await this.#listener?.close();
  }
}

/** Forwards `src` → `dst`, decoding on the way; ends `dst` when `src` is gone. */
function pipe(
  src: Connection,
  dst: Connection,
  from: Side,
  decoder: ConnectionDecoder,
  tap: RelayTap | undefined,
  conn: number,
  done: (why?: string) => void,
): void {
  src.onData = (chunk) => {
    const now = Date.now();
    if (!dst.write([chunk])) src.pause();
    try {
      tap?.data(conn, from, chunk, now);
      decoder.data(from, chunk, now);
    } catch {
      // what watches the bytes must never stop them (the decoder itself does not throw)
    }
  };
  dst.onDrain = () => src.resume();
  src.onClose = (error) => {
    dst.end();
    done(error ? `${from}: ${error.message}` : `${from} closed`);
  };
}
