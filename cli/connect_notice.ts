// SPDX-License-Identifier: MIT
/**
 * "Never silent": a connect that has not succeeded after a few seconds says so on stderr, once,
 * with the endpoint and the last reason (`zmqkit: still connecting to tcp://127.0.0.1:1
 * (connection refused), retrying`), then again only rarely. Driven by the socket's events
 * (`close` carries the reason of a failed attempt, `connect` ends the wait); a peer that goes
 * away (`disconnect`) starts the wait again.
 */
import type { SocketEvent } from "../lib/internal.ts";

type Watched = "connect" | "handshake" | "close" | "disconnect";

/** What the watcher needs of a socket: every zmqkit socket (and a bench half) has it. */
export interface EventSource {
  readonly events: {
    on(type: Watched, listener: (event: SocketEvent) => void): unknown;
    off(type: Watched, listener: (event: SocketEvent) => void): unknown;
  };
}

export interface ConnectNoticeOptions {
  /** The endpoints connected to (others, e.g. bound ones, are ignored). */
  endpoints: readonly string[];
  /** First notice after this long without a connection, ms (default 3000). */
  firstMs?: number;
  /** Later notices at most this often while still not connected, ms (default 30000). */
  everyMs?: number;
}

/** A failed attempt's reason in words: "connection refused", "host not found"… */
export function connectReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "EADDRNOTAVAIL":
      return "address not available";
    case "ENOENT":
      return "no such socket file";
    case "ETIMEDOUT":
      return "timed out";
    case "EHOSTUNREACH":
      return "host unreachable";
    case "ENETUNREACH":
      return "network unreachable";
    case "ECONNRESET":
      return "connection reset";
  }
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === "string" && message !== "" ? message.replace(/\.$/, "") : "no answer";
}

/** A running watch. */
export interface ConnectWatch {
  /** Stops watching (call it when the socket is done). */
  stop(): void;
  /**
   * The endpoints not connected now, each with the last reason seen and whether it was ever
   * connected (for a timeout message, or to tell that nothing could have been delivered).
   */
  waiting(): Array<{ endpoint: string; reason: string | undefined; ever: boolean }>;
}

/**
 * Watches `socket`'s connects to `options.endpoints` and calls `write` with one line (ending in
 * a newline) for each that is still not connected after `firstMs`, then every `everyMs`.
 */
export function watchConnect(
  socket: EventSource,
  write: (line: string) => void,
  options: ConnectNoticeOptions,
): ConnectWatch {
  const firstMs = options.firstMs ?? 3000;
  const everyMs = options.everyMs ?? 30_000;
  interface State {
    connected: boolean;
    ever: boolean;
    reason: string | undefined;
    timer: ReturnType<typeof setTimeout> | undefined;
  }
  const states = new Map<string, State>();
  const notice = (endpoint: string, st: State, ms: number) => {
    st.timer = setTimeout(() => {
      if (st.connected) return;
      write(
        `zmqkit: still connecting to ${endpoint} (${st.reason ?? "no answer yet"}), retrying\n`,
      );
      notice(endpoint, st, everyMs);
    }, ms);
  };
  const waitFor = (endpoint: string, st: State) => {
    if (st.timer !== undefined) clearTimeout(st.timer);
    st.connected = false;
    notice(endpoint, st, firstMs);
  };
  for (const endpoint of options.endpoints) {
    const st: State = { connected: false, ever: false, reason: undefined, timer: undefined };
    states.set(endpoint, st);
    waitFor(endpoint, st);
  }
  const onConnected = (e: SocketEvent) => {
    const st = states.get(e.address);
    if (st === undefined) return;
    st.connected = true;
    st.ever = true;
    st.reason = undefined;
    if (st.timer !== undefined) clearTimeout(st.timer);
    st.timer = undefined;
  };
  const onFailed = (e: SocketEvent) => {
    const st = states.get(e.address);
    if (st !== undefined && !st.connected && e.error !== undefined) {
      st.reason = connectReason(e.error);
    }
  };
  const onLost = (e: SocketEvent) => {
    const st = states.get(e.address);
    if (st !== undefined && st.connected) waitFor(e.address, st);
  };
  socket.events.on("connect", onConnected);
  socket.events.on("handshake", onConnected);
  socket.events.on("close", onFailed);
  socket.events.on("disconnect", onLost);
  return {
    stop() {
      socket.events.off("connect", onConnected);
      socket.events.off("handshake", onConnected);
      socket.events.off("close", onFailed);
      socket.events.off("disconnect", onLost);
      for (const st of states.values()) if (st.timer !== undefined) clearTimeout(st.timer);
      states.clear();
    },
    waiting() {
      return [...states].filter(([, st]) => !st.connected)
        .map(([endpoint, st]) => ({ endpoint, reason: st.reason, ever: st.ever }));
    },
  };
}
