// SPDX-License-Identifier: MIT
/**
 * The `udp://` transport of RADIO and DISH (draft), as libzmq's udp_engine: no handshake, no
 * security, no heartbeats; one datagram per message,
 *
 *     [group length: 1 octet][group: 0..255 octets][body: the rest of the datagram]
 *
 * at most 8192 octets in all. A RADIO connects (`udp://host:port`, unicast or a multicast
 * group, `udp://iface;group:port` to send multicast from an interface) and sends every
 * message whatever its group: no JOIN travels over UDP. A DISH binds (`udp://*:port`,
 * `udp://ip:port`, `udp://group:port` joins the multicast group, `udp://iface;group:port`
 * joins it on that interface) and delivers only the groups it joined (its own filter).
 *
 * Bounds: a RADIO message over 8192 octets is not sent (libzmq after 4.3.5 skips it too),
 * counted in `oversize`; a DISH drops, counting in `malformed`, a datagram that is empty,
 * whose group length runs past its end, or that is longer than 8192 octets (libzmq would
 * read its first 8192 octets only); a DISH whose receive queue is at its high-water mark drops
 * datagrams (`overflow`). At most MAX_IN_FLIGHT datagrams, and MAX_IN_FLIGHT_BYTES octets,
 * wait in the runtime's send queue; the rest wait in the pipe, and a full pipe drops them at
 * the RADIO (its `dropped`). IPv4 only.
 *
 * Why that many: libzmq's udp engine sends each datagram with a synchronous sendto() from its
 * I/O thread, so a RADIO's pipe drains while the application fills it. Here a send is handed
 * to the runtime, which (Bun, Node) writes it to the kernel at once but reports it done only
 * on a later turn of the event loop, and a tight `for (;;) await radio.send()` loop yields a
 * turn only every few milliseconds (lib/util/yield_budget.ts). With 256 in flight, a RADIO
 * could hand at most 256 datagrams to the kernel per turn and dropped most of a 20k-message
 * burst; with 4096 (bounded to 4 MiB) a turn takes a whole burst. Deno's node:dgram sends one
 * datagram at a time (runtime/udp.ts keeps the order), so there the limit is its rate.
 */
import { ZmqError } from "../errors.ts";
import type { Message, Pipe, PipeEngine } from "../pipe.ts";
import { ipv4Interfaces, openUdp, type UdpSocket } from "./runtime/udp.ts";
import { toZmqError } from "./stream.ts";

/** The largest datagram sent or accepted (libzmq's MAX_UDP_MSG). */
export const MAX_DATAGRAM = 8192;
/** Datagrams handed to the runtime and not yet reported sent, at most (they go in order). */
export const MAX_IN_FLIGHT = 4096;
/** Octets of datagrams handed to the runtime and not yet reported sent, at most. */
export const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;

/** What the udp transport counted for one socket. */
export interface UdpCounters {
  /** DISH: datagrams received and delivered (before the DISH's group filter). */
  received: number;
  /** DISH: datagrams dropped as malformed (empty, bad group length, over 8192 octets). */
  malformed: number;
  /** DISH: datagrams dropped because the receive queue was full. */
  overflow: number;
  /** RADIO: datagrams sent. */
  sent: number;
  /** RADIO: messages not sent because their datagram would exceed 8192 octets. */
  oversize: number;
  /** RADIO: datagrams the system refused to send (no route, and such). */
  sendErrors: number;
}

export function newUdpCounters(): UdpCounters {
  return { received: 0, malformed: 0, overflow: 0, sent: 0, oversize: 0, sendErrors: 0 };
}

/** A parsed `udp://` endpoint. */
export interface UdpEndpoint {
  /** bind: the address to bind (0.0.0.0 for `*` and multicast); connect: the destination. */
  host: string;
  port: number;
  /** The multicast group (bind: to join; connect: same as host). */
  group: string | undefined;
  /** The IPv4 address of the interface given before `;`, if any (not `*`). */
  iface: string | undefined;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isIpv4(host: string): boolean {
  const m = IPV4.exec(host);
  return m !== null && m.slice(1).every((b) => Number(b) <= 255);
}

function isMulticast(host: string): boolean {
  if (!isIpv4(host)) return false;
  const first = Number(host.split(".")[0]);
  return first >= 224 && first <= 239;
}

function invalid(ep: string, why: string): ZmqError {
  return new ZmqError("EINVAL", `Invalid endpoint "${ep}": ${why}`, { address: ep });
}

/** An interface given by IPv4 address or by name (`lo`, `eth0`) → its IPv4 address. */
function interfaceAddress(ep: string, name: string): string {
  if (isIpv4(name)) {
    if (isMulticast(name)) throw invalid(ep, "the interface cannot be a multicast address");
    return name;
  }
  const found = ipv4Interfaces().find((i) => i.name === name);
  if (!found) throw invalid(ep, `no interface "${name}" with an IPv4 address`);
  return found.address;
}

/** True for `udp://…` endpoints (handled here, not by parseEndpoint). */
export function isUdpEndpoint(ep: string): boolean {
  return typeof ep === "string" && ep.startsWith("udp://");
}

/**
 * Parses a `udp://` endpoint as libzmq's udp_address: `[iface;]host:port`. Throws EINVAL for
 * anything malformed, IPv6 included (not supported). A bind may give port `*` or 0 (the
 * system picks one; libzmq requires a number).
 */
export function parseUdpEndpoint(ep: string, mode: "bind" | "connect"): UdpEndpoint {
  let addr = ep.slice("udp://".length);
  if (addr === "") throw invalid(ep, "empty address");
  let iface: string | undefined;
  let hasIface = false;
  const semi = addr.lastIndexOf(";");
  if (semi >= 0) {
    const src = addr.slice(0, semi);
    if (src === "") throw invalid(ep, "empty interface before ;");
    iface = src === "*" ? undefined : interfaceAddress(ep, src);
    hasIface = true;
    addr = addr.slice(semi + 1);
  }
  if (addr.includes("[") || addr.split(":").length > 2) {
    throw invalid(ep, "IPv6 is not supported for udp");
  }
  const colon = addr.lastIndexOf(":");
  if (colon < 0) throw invalid(ep, "missing port");
  let host = addr.slice(0, colon);
  const portText = addr.slice(colon + 1);
  let port: number;
  if (mode === "bind" && (portText === "*" || portText === "0")) port = 0;
  else if (/^\d{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535) {
    port = Number(portText);
  } else throw invalid(ep, `bad port "${portText}"`);
  if (host === "") throw invalid(ep, "missing host");
  if (host === "*") {
    if (mode === "connect") throw invalid(ep, "connect needs a host, not *");
    host = "0.0.0.0";
  }
  const multicast = isMulticast(host);
  if (hasIface && !multicast) throw invalid(ep, "an interface before ; needs a multicast group");
  if (mode === "bind") {
    if (multicast) return { host: "0.0.0.0", port, group: host, iface };
    if (!isIpv4(host)) host = interfaceAddress(ep, host); // a NIC name
    return { host, port, group: undefined, iface: undefined };
  }
  if (!/^[A-Za-z0-9.\-_]+$/.test(host)) throw invalid(ep, `bad host "${host}"`);
  return { host, port, group: multicast ? host : undefined, iface };
}

/** One datagram for a RADIO message `[group, body]`; undefined when over MAX_DATAGRAM. */
export function encodeDatagram(group: Uint8Array, body: Uint8Array): Uint8Array | undefined {
  const size = 1 + group.length + body.length;
  if (group.length > 255 || size > MAX_DATAGRAM) return undefined;
  const out = new Uint8Array(size);
  out[0] = group.length;
  out.set(group, 1);
  out.set(body, 1 + group.length);
  return out;
}

/** A datagram as `[group, body]`; undefined when malformed (see the module's bounds). */
export function decodeDatagram(data: Uint8Array): Message | undefined {
  if (data.length === 0 || data.length > MAX_DATAGRAM) return undefined;
  const groupLength = data[0]!;
  if (1 + groupLength > data.length) return undefined;
  return [data.slice(1, 1 + groupLength), data.slice(1 + groupLength)];
}

/**
 * Moves messages between a RADIO's or DISH's pipe and a UDP socket. The socket may come later
 * (a connect opens it in the background): messages wait in the pipe until it does.
 */
export class DatagramEngine implements PipeEngine {
  readonly #pipe: Pipe;
  readonly #counters: UdpCounters;
  readonly #target: { host: string; port: number } | undefined;
  #socket: UdpSocket | undefined;
  #inFlight = 0;
  #inFlightBytes = 0;
  /** The last pump stopped at a bound: a datagram reported sent resumes it. */
  #full = false;
  #pumping = false;
  #closed = false;

  constructor(pipe: Pipe, counters: UdpCounters, target?: { host: string; port: number }) {
    this.#pipe = pipe;
    this.#counters = counters;
    this.#target = target;
  }

  /** The socket is open: messages may go. */
  ready(socket: UdpSocket): void {
    if (this.#closed) {
      void socket.close();
      return;
    }
    this.#socket = socket;
    this.outReady();
  }

  /** A datagram arrived (DISH). */
  datagram(data: Uint8Array): void {
    if (this.#closed) return;
    const msg = decodeDatagram(data);
    if (msg === undefined) {
      this.#counters.malformed++;
      return;
    }
    if (this.#pipe.inFull()) {
      this.#counters.overflow++;
      return;
    }
    this.#counters.received++;
    this.#pipe.deliver(msg);
  }

  outReady(): void {
    const socket = this.#socket, target = this.#target;
    if (!socket || !target || this.#closed || this.#pumping) return;
    this.#pumping = true;
    try {
      for (;;) {
        if (this.#roomLeft() === false) {
          this.#full = true;
          return;
        }
        const msg = this.#pipe.takeOut();
        if (msg === undefined) return;
        const data = msg.length === 2 ? encodeDatagram(msg[0]!, msg[1]!) : undefined;
        if (data === undefined) {
          this.#counters.oversize++;
          continue;
        }
        this.#inFlight++;
        this.#inFlightBytes += data.length;
        const size = data.length;
        socket.post(data, target.port, target.host, (e) => this.#sent(size, e));
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** False when the runtime holds as many datagrams (or octets) as it may. */
  #roomLeft(): boolean {
    return this.#inFlight < MAX_IN_FLIGHT && this.#inFlightBytes < MAX_IN_FLIGHT_BYTES;
  }

  /** One datagram's send is over: count it, and send more if the runtime had been full. */
  #sent(size: number, error?: Error): void {
    if (error) this.#counters.sendErrors++;
    else this.#counters.sent++;
    this.#inFlight--;
    this.#inFlightBytes -= size;
    // (a send that fails at once, inside the loop above, leaves the loop to go on)
    if (this.#full && this.#roomLeft()) {
      this.#full = false;
      this.outReady();
    }
  }

  /** At the RADIO's high-water mark: hand what the runtime takes now to it. */
  drainNow(): boolean {
    if (!this.#socket || this.#closed || !this.#roomLeft()) return false;
    this.outReady();
    return true;
  }

  /** Datagrams handed to the runtime and not yet reported sent (for tests). */
  get inFlight(): number {
    return this.#inFlight;
  }

  inDrained(): void {}

  /** JOIN/LEAVE do not travel over UDP: the DISH filters by itself. */
  command(): void {}

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.#socket?.close();
  }
}

/** Opens the UDP socket of a DISH's bind. Rejects with a ZmqError (EADDRINUSE, EINVAL…). */
export async function bindDatagrams(
  ep: UdpEndpoint,
  text: string,
  onDatagram: (data: Uint8Array) => void,
): Promise<UdpSocket> {
  try {
    return await openUdp({
      port: ep.port,
      address: ep.host,
      reuseAddr: true, // as libzmq's DISH (SO_REUSEADDR; it adds SO_REUSEPORT for multicast)
      joinGroup: ep.group,
      multicastInterface: ep.iface,
      onDatagram: (data) => onDatagram(data),
    });
  } catch (e) {
    throw toZmqError(e, text);
  }
}

/** Opens the UDP socket of a RADIO's connect (an ephemeral port; multicast: TTL 1, loop on). */
export async function connectDatagrams(ep: UdpEndpoint, text: string): Promise<UdpSocket> {
  try {
    return await openUdp({
      port: 0,
      reuseAddr: false,
      ...(ep.group !== undefined
        ? { multicastTtl: 1, multicastLoop: true, multicastInterface: ep.iface }
        : {}),
      onDatagram: () => {}, // a RADIO receives nothing
    });
  } catch (e) {
    throw toZmqError(e, text);
  }
}
