// SPDX-License-Identifier: MIT
/**
 * inproc://: sockets of one process joined by a pair of pipes; messages move as objects,
 * never encoded. Connect before bind is allowed: the connection completes at bind time.
 */
import { ZmqError } from "../errors.ts";
import { receiveSlabs } from "../util/slab_pool.ts";
import {
  asSubscription,
  type Pipe,
  type PipeCommand,
  type PipeEngine,
  type PipePeer,
} from "../pipe.ts";

/** What the socket base offers the inproc transport. */
export interface InprocSocket {
  readonly receivesSubscriptions: boolean;
  inprocPeerInfo(): PipePeer;
  /** Makes (or reuses `existing`) the pipe for a new inproc peer; throws if refused. */
  inprocAttach(endpoint: string, peer: PipePeer, existing: Pipe | undefined): Pipe;
  /** The pipe is wired to its peer: traffic may flow. */
  inprocActivate(pipe: Pipe): void;
  /** The link is gone. */
  inprocDetached(pipe: Pipe): void;
  /** A peer at `endpoint` was refused (incompatible type, a PAIR already paired…). */
  inprocRefused(endpoint: string, error: unknown): void;
}

interface PendingConnect {
  socket: InprocSocket;
  endpoint: string;
  pipe: Pipe | undefined;
  link: InprocLink | undefined;
}

const bound = new Map<string, InprocSocket>();
const pending = new Map<string, Set<PendingConnect>>();

/** One direction's engine: moves messages from `from.out` into `to.in`. */
class Side implements PipeEngine {
  #link: InprocLink;
  #from: Pipe;
  #to: Pipe;
  #toReceivesSubs: boolean;
  #pumping = false;
  #again = false;

  constructor(link: InprocLink, from: Pipe, to: Pipe, toReceivesSubs: boolean) {
    this.#link = link;
    this.#from = from;
    this.#to = to;
    this.#toReceivesSubs = toReceivesSubs;
  }

  /** Move what fits. Re-entrant calls (a send woken by this very move) just ask for another round. */
  pump(): void {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        while (!this.#link.closed && !this.#to.inFull()) {
          const msg = this.#from.takeOut();
          if (msg === undefined) break;
          const sub = this.#toReceivesSubs ? asSubscription(msg) : undefined;
          if (sub) {
            this.#to.deliverCommand(sub); // its topic is copied where it is kept
            receiveSlabs.unpin(msg);
          } // frames in receive slabs become the receiver's to release (util/slab_pool.ts)
          else this.#to.deliver(receiveSlabs.handOver(msg) ?? msg);
        }
      } while (this.#again);
    } finally {
      this.#pumping = false;
    }
  }

  outReady(): void {
    this.pump();
  }

  inDrained(): void {
    this.#link.reverse(this).pump();
  }

  command(command: PipeCommand): void {
    if (!this.#link.closed) this.#to.deliverCommand(command);
  }

  close(): void {
    // the owner of `from` asked to drop this link: tell both sockets, not only the peer
    const owner = links.get(this.#to)?.otherSocket;
    closeInprocPipe(this.#from);
    owner?.inprocDetached(this.#from);
  }
}

class InprocLink {
  closed = false;
  readonly a: Side;
  readonly b: Side;

  constructor(pa: Pipe, sa: InprocSocket, pb: Pipe, sb: InprocSocket) {
    this.a = new Side(this, pa, pb, sb.receivesSubscriptions);
    this.b = new Side(this, pb, pa, sa.receivesSubscriptions);
  }

  reverse(side: Side): Side {
    return side === this.a ? this.b : this.a;
  }
}

function join(binder: InprocSocket, c: PendingConnect): void {
  const name = c.endpoint;
  let pb: Pipe;
  let pa: Pipe;
  // a refusal is reported on both sides, as a refused tcp handshake is
  try {
    pa = c.socket.inprocAttach(name, binder.inprocPeerInfo(), c.pipe);
  } catch (e) {
    c.socket.inprocRefused(name, e);
    binder.inprocRefused(name, e);
    return;
  }
  try {
    pb = binder.inprocAttach(name, c.socket.inprocPeerInfo(), undefined);
  } catch (e) {
    binder.inprocRefused(name, e);
    c.socket.inprocRefused(name, e);
    c.socket.inprocDetached(pa);
    return;
  }
  const link = new InprocLink(pa, c.socket, pb, binder);
  c.link = link;
  c.pipe = pa;
  pa.engine = link.a;
  pb.engine = link.b;
  links.set(pa, { link, other: pb, otherSocket: binder, conn: c });
  links.set(pb, { link, other: pa, otherSocket: c.socket, conn: c });
  c.socket.inprocActivate(pa);
  binder.inprocActivate(pb);
  link.a.pump();
  link.b.pump();
}

const links = new Map<
  Pipe,
  { link: InprocLink; other: Pipe; otherSocket: InprocSocket; conn: PendingConnect }
>();

export function inprocBind(endpoint: string, socket: InprocSocket): void {
  if (bound.has(endpoint)) {
    throw new ZmqError("EADDRINUSE", `Address already in use: "${endpoint}"`, {
      address: endpoint,
    });
  }
  bound.set(endpoint, socket);
  for (const c of pending.get(endpoint) ?? []) if (!c.link) join(socket, c);
}

/** The socket bound at `endpoint` (e.g. a ZAP handler at inproc://zeromq.zap.01), if any. */
export function inprocBinder(endpoint: string): object | undefined {
  return bound.get(endpoint);
}

export function inprocUnbind(endpoint: string, socket: InprocSocket): boolean {
  if (bound.get(endpoint) !== socket) return false;
  bound.delete(endpoint);
  return true;
}

/** Connects now if bound, else when bound. Returns a handle for `inprocDisconnect`. */
export function inprocConnect(
  endpoint: string,
  socket: InprocSocket,
  pipe: Pipe | undefined,
): PendingConnect {
  const c: PendingConnect = { socket, endpoint, pipe, link: undefined };
  let set = pending.get(endpoint);
  if (!set) pending.set(endpoint, set = new Set());
  set.add(c);
  const binder = bound.get(endpoint);
  if (binder) join(binder, c);
  return c;
}

export function inprocDisconnect(c: PendingConnect): void {
  pending.get(c.endpoint)?.delete(c);
  if (c.pipe) closeInprocPipe(c.pipe);
}

/** Tears down the link a pipe belongs to; both sockets are told. */
export function closeInprocPipe(pipe: Pipe): void {
  const entry = links.get(pipe);
  if (!entry) return;
  entry.link.closed = true;
  links.delete(pipe);
  links.delete(entry.other);
  pending.get(entry.conn.endpoint)?.delete(entry.conn);
  entry.otherSocket.inprocDetached(entry.other);
}

export type { PendingConnect };
