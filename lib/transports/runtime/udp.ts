// SPDX-License-Identifier: MIT
/**
 * UDP datagram sockets for beacon discovery (lib/discovery/), and the machine's IPv4
 * interfaces to broadcast on. One implementation for all three runtimes: `node:dgram`, which
 * Deno (with no unstable flag; `Deno.listenDatagram` needs `--unstable-net`), Bun and Node
 * all implement, with the two options discovery needs: `reuseAddr` (SO_REUSEADDR, so that
 * several processes on one machine listen on one port, and each gets every broadcast) and
 * broadcast (SO_BROADCAST). Checked on Linux with Deno 2.9, Bun 1.4 and Node 20: two
 * processes bound to 0.0.0.0 on one port, with reuseAddr, both receive a datagram sent to
 * 127.255.255.255 (loopback's broadcast address), to an interface's broadcast address or to
 * 255.255.255.255, and the sender's own socket receives it too; a datagram sent to
 * 127.0.0.1 reaches only one of them. The socket is unref'd: it does not keep the process
 * alive by itself (keep_alive.ts).
 *
 * Also the `udp://` transport of RADIO/DISH (lib/transports/udp.ts): IPv4 multicast
 * membership, TTL, loopback and interface. Checked with the same three runtimes: a socket
 * that joined 239.0.0.1 on 127.0.0.1 receives what another sends there with
 * setMulticastInterface("127.0.0.1").
 */
import type * as dgram from "node:dgram";
import { builtin } from "./builtin.ts";
import { runtimeName } from "./info.ts";
import { holdUntil } from "./keep_alive.ts";

/** How long close() waits for datagrams handed over but not yet sent, at most. */
export const FLUSH_MS = 2000;

/** Where a datagram came from. */
export interface DatagramSource {
  address: string;
  port: number;
}

/** What {@linkcode openUdp} needs. */
export interface UdpOptions {
  /** The port to bind (0: one the system picks). */
  port: number;
  /** The address to bind; default 0.0.0.0, which receives broadcasts on every interface. */
  address?: string;
  /** Allow sending to broadcast addresses (SO_BROADCAST). */
  broadcast?: boolean;
  /** SO_REUSEADDR (default true: other sockets may bind the same port). */
  reuseAddr?: boolean;
  /**
   * Join this IPv4 multicast group once bound (IP_ADD_MEMBERSHIP), on the interface with
   * address `multicastInterface` if given, else the one the system picks.
   */
  joinGroup?: string | undefined;
  /**
   * The interface (by its IPv4 address) to join `joinGroup` on and to send multicast from
   * (IP_MULTICAST_IF).
   */
  multicastInterface?: string | undefined;
  /** IP_MULTICAST_TTL for datagrams sent to multicast groups (the system's default: 1). */
  multicastTtl?: number;
  /** IP_MULTICAST_LOOP: our own multicast datagrams come back to this machine (default on). */
  multicastLoop?: boolean;
  /** Called with each datagram received (the bytes are the callee's to keep). */
  onDatagram(data: Uint8Array, from: DatagramSource): void;
}

/** An open IPv4 UDP socket. */
export interface UdpSocket {
  /** The port it is bound to. */
  readonly port: number;
  /** Sends one datagram; rejects with the system's error (EMSGSIZE, ENETUNREACH…). */
  send(data: Uint8Array, port: number, address: string): Promise<void>;
  /**
   * As send(), without a promise per datagram (for a stream of them): `done` is called once,
   * with the system's error if it failed — possibly at once, when the socket is closed.
   */
  post(data: Uint8Array, port: number, address: string, done: SendDone): void;
  /**
   * Closes it; later datagrams are not delivered, and datagrams posted before and not yet sent
   * go first (FLUSH_MS at most). Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Binds an IPv4 UDP socket with SO_REUSEADDR (so other processes may bind the same port) and,
 * when asked, SO_BROADCAST. Rejects with the system's error (EACCES for a privileged port,
 * EADDRINUSE when a socket without SO_REUSEADDR holds the port).
 */
export function openUdp(options: UdpOptions): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const sock = builtin("node:dgram").createSocket({
      type: "udp4",
      reuseAddr: options.reuseAddr ?? true,
    });
    let closed = false;
    /** close() was called: nothing more is sent or delivered (sent ones may still go out). */
    let closing = false;
    let done: Promise<void> | undefined;
    const fail = (e: Error) => {
      closed = true;
      try {
        sock.close();
      } catch { /* never bound */ }
      reject(e);
    };
    sock.once("error", fail);
    sock.on("message", (msg: Uint8Array, rinfo: dgram.RemoteInfo) => {
      if (closed || closing) return;
      options.onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
        address: rinfo.address,
        port: rinfo.port,
      });
    });
    sock.bind(options.port, options.address ?? "0.0.0.0", () => {
      sock.off("error", fail);
      // an error after the bind (a failed send is reported to its callback) must not crash
      sock.on("error", () => {});
      try {
        if (options.broadcast) sock.setBroadcast(true);
        if (options.multicastTtl !== undefined) sock.setMulticastTTL(options.multicastTtl);
        if (options.multicastLoop !== undefined) sock.setMulticastLoopback(options.multicastLoop);
        if (options.multicastInterface !== undefined) {
          sock.setMulticastInterface(options.multicastInterface);
        }
        if (options.joinGroup !== undefined) {
          sock.addMembership(options.joinGroup, options.multicastInterface);
        }
      } catch (e) {
        fail(e as Error);
        return;
      }
      sock.unref();
      const port = sock.address().port;
      const raw = ordered((data, toPort, toAddress, done) => {
        if (closed) return done(new Error("UDP socket is closed"));
        try {
          sock.send(data, toPort, toAddress, (e) => done(e ?? undefined));
        } catch (e) {
          done(e as Error);
        }
      });
      // datagrams handed over and not yet reported sent: close() lets them go first
      let pending = 0;
      let flushed: (() => void) | undefined;
      const post: Post = (data, toPort, toAddress, done) => {
        if (closing) return done(new Error("UDP socket is closed"));
        pending++;
        raw(data, toPort, toAddress, (e) => {
          pending--;
          done(e);
          if (pending === 0) flushed?.();
        });
      };
      resolve({
        port,
        post,
        send: (data, toPort, toAddress) =>
          new Promise<void>((res, rej) => post(data, toPort, toAddress, (e) => e ? rej(e) : res())),
        close: () => {
          if (done !== undefined) return done;
          closing = true;
          // as libzmq's sendto(), a datagram handed over is sent: the ones the runtime still
          // holds (Deno sends one at a time) go before the socket closes, FLUSH_MS at most,
          // the process kept alive meanwhile (the socket itself is unref'd)
          const drained = pending === 0 ? Promise.resolve() : new Promise<void>((res) => {
            const timer = setTimeout(res, FLUSH_MS);
            flushed = () => {
              clearTimeout(timer);
              res();
            };
          });
          done = holdUntil(drained.then(() =>
            new Promise<void>((res) => {
              closed = true;
              try {
                sock.close(() => res());
              } catch {
                res(); // already closed
              }
            })
          ));
          return done;
        },
      });
    });
  });
}

/** Told how a datagram's send went: the system's error, or nothing when it went out. */
export type SendDone = (error?: Error) => void;
type Post = (data: Uint8Array, port: number, address: string, done: SendDone) => void;

/**
 * Datagrams go in the order sent. Deno's node:dgram (2.9) sends datagrams handed to it in one
 * turn in reverse order (20 sends in a loop arrive 19, 18 … 0; Bun and Node keep the order),
 * so there each send waits for the one before it (the waiting ones are bounded by the caller:
 * the transport keeps at most MAX_IN_FLIGHT out, a beacon one). Sending many at once there
 * (1024 in flight) put 6k of 20k datagrams out of order, so the queue stays: Deno's rate is
 * that of one send after another (about 20k datagrams/s on a 2-vCPU guest).
 */
function ordered(post: Post): Post {
  if (runtimeName() !== "deno") return post;
  const waiting: Array<[Uint8Array, number, string, SendDone]> = [];
  let busy = false;
  const next = (): void => {
    const item = waiting.shift();
    if (item === undefined) {
      busy = false;
      return;
    }
    busy = true;
    const [data, port, address, done] = item;
    post(data, port, address, (e) => {
      done(e);
      next();
    });
  };
  return (data, port, address, done) => {
    waiting.push([data, port, address, done]);
    if (!busy) next();
  };
}

/** An IPv4 address of one of the machine's network interfaces. */
export interface Ipv4Interface {
  /** The interface's name (eth0, wlan0, lo…). */
  name: string;
  address: string;
  netmask: string;
  /** Its broadcast address: the address with every host bit set. */
  broadcast: string;
  /** Loopback (and other interfaces that never leave the machine). */
  internal: boolean;
}

/**
 * The machine's IPv4 interface addresses, as the runtime reports them (needs --allow-sys on
 * Deno). The broadcast address is computed from address and netmask.
 */
export function ipv4Interfaces(): Ipv4Interface[] {
  const out: Ipv4Interface[] = [];
  for (const [name, addrs] of Object.entries(builtin("node:os").networkInterfaces())) {
    for (const a of addrs ?? []) {
      // Node 18.0-18.3 gave the family as a number
      if (a.family !== "IPv4" && (a.family as unknown) !== 4) continue;
      out.push({
        name,
        address: a.address,
        netmask: a.netmask,
        broadcast: broadcastOf(a.address, a.netmask),
        internal: a.internal,
      });
    }
  }
  return out;
}

/** `192.168.1.7` with `255.255.255.0` → `192.168.1.255`. */
export function broadcastOf(address: string, netmask: string): string {
  const a = address.split(".").map(Number), m = netmask.split(".").map(Number);
  return a.map((byte, i) => (byte | (~m[i]! & 255)) & 255).join(".");
}
