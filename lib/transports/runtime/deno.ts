// SPDX-License-Identifier: MIT
/**
 * Transport adapter on Deno's own socket API (`Deno.listen`, `Deno.connect`), used when the
 * code runs on Deno. Deno's `node:net` receive path tops out at about half of what
 * `Deno.Conn.read` into a large reused buffer moves at 64 KiB (bench/RESULTS.md); each read
 * is copied out (`slice`) so the chunk handed up is never reused, as the Connection contract
 * says, and a 64 KiB frame usually lies whole in one chunk, so the frame decoder needs no
 * second copy. (Reading into fresh 1 MiB slabs instead, with no copy, measured the same: the
 * page faults of new memory cost what the copy does.) Once the application hands messages
 * back (Socket.release), reads go into slabs of a SlabPool instead, with no copy, and slabs
 * whose frames were all released are read into again: memory that stays mapped.
 */
import {
  type Connection,
  type ConnectionHandler,
  fmtHost,
  type Listener,
  type TcpAddress,
} from "../connection.ts";
import { EarlyData } from "../early_data.ts";
import { unrefTimer } from "./keep_alive.ts";
import type { Slab, SlabPool } from "../../util/slab_pool.ts";

// The ambient Deno namespace, typed just enough for what this file uses (the project is
// type-checked with Node's types, not Deno's).
interface DenoConn {
  readonly remoteAddr: { transport: string; hostname?: string; port?: number; path?: string };
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  setNoDelay?(on?: boolean): void;
  unref?(): void;
}
interface DenoListener extends AsyncIterable<DenoConn> {
  readonly addr: { hostname?: string; port?: number; path?: string };
  accept(): Promise<DenoConn>;
  close(): void;
  unref?(): void;
}
interface DenoNs {
  listen(
    o: { hostname?: string; port: number; transport?: "tcp" } | { transport: "unix"; path: string },
  ): DenoListener;
  connect(
    o:
      | { hostname: string; port: number; transport?: "tcp"; signal?: AbortSignal }
      | { transport: "unix"; path: string },
  ): Promise<DenoConn>;
  removeSync(path: string): void;
}
const D = (globalThis as unknown as { Deno?: DenoNs }).Deno;

/** True when this adapter can run (we are on Deno). */
export const available = D !== undefined;

/**
 * One reused read buffer per connection; each read is copied out of it at its exact size. A
 * connection starts with a small one and moves to a large one when a read fills it, and back
 * when reads are small again: idle connections do not hold 256 KiB each. Large buffers not in
 * use wait in `spareReads` for the next busy connection.
 */
const READ_SIZE = 256 * 1024;
const SMALL_READ = 8 * 1024;
const SPARE_READS = 8;
const spareReads: Uint8Array[] = [];
/** A slab with less room than this is sealed and the next read goes to a fresh one. */
const SLAB_MIN_READ = 16 * 1024;
/** write() returns false past this many queued bytes (then onDrain follows). */
const HIGH_WATER = 256 * 1024;
/**
 * Size of the buffer writes are gathered in. A connection borrows one from `spareWrites` while
 * it has several chunks to send and gives it back when its queue is empty, so connections that
 * are idle (or only said hello) hold none.
 */
const WRITE_BUFFER = 256 * 1024;
const spareWrites: Uint8Array[] = [];
/**
 * Below this a chunk is the session's own (output.ts copies bodies under 16 KiB): one alone is
 * written as it is. Larger ones may be a sender's frame and are copied, as before.
 */
const LONE_WRITE_MAX = 16 * 1024;

class DenoConnection extends EarlyData implements Connection {
  readonly remoteAddress: string;
  onClose: (error?: Error) => void = () => {};
  onDrain: () => void = () => {};
  readTarget?: () => Uint8Array | undefined;
  onFilled?: (n: number) => void;
  readonly slabReader = true;
  slabs: SlabPool | undefined;
  #slab: Slab | undefined;
  #slabPool: SlabPool | undefined;
  #slabUsed = 0;
  #conn: DenoConn;
  #closed = false;
  #paused = false;
  #reading = false;
  #rbuf: Uint8Array | undefined;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #wbuf: Uint8Array | undefined;
  #wantDrain = false;
  #consumed = 0;
  onConsumed?: () => void;
  #ending = false;
  #endTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(conn: DenoConn, remote: string) {
    super();
    this.#conn = conn;
    this.remoteAddress = remote;
    void this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    this.#rbuf ??= new Uint8Array(SMALL_READ);
    try {
      while (!this.#closed && !this.#paused) {
        // a large body being assembled is read into in place; the rest through `buf`
        const target = this.handled ? this.readTarget?.() : undefined;
        const buf = this.#rbuf!;
        const into = target ?? (this.slabs !== undefined ? this.#slabRoom(this.slabs) : buf);
        const n = await this.#conn.read(into);
        if (n === null) {
          // the peer is done: as libzmq, a read of 0 bytes ends the connection
          this.#finish();
          return;
        }
        if (this.#closed) return;
        if (target !== undefined) this.onFilled?.(n);
        else if (into === buf) {
          this.onData(buf.slice(0, n));
          this.#sizeReads(buf, n);
        } else {
          this.#slabUsed += n;
          this.onData(into.subarray(0, n));
        }
      }
    } catch (e) {
      this.#finish(e);
    } finally {
      this.#reading = false;
      // no read is pending into the slab any more: it may go back once its frames are released
      if (this.#closed) {
        this.#sealSlab();
        const buf = this.#rbuf;
        this.#rbuf = undefined;
        if (buf?.length === READ_SIZE && spareReads.length < SPARE_READS) spareReads.push(buf);
      }
    }
  }

  /** After a read of `n` bytes into `buf` (none pending): picks the buffer for the next one. */
  #sizeReads(buf: Uint8Array, n: number): void {
    if (buf.length < READ_SIZE) {
      if (n === buf.length) this.#rbuf = spareReads.pop() ?? new Uint8Array(READ_SIZE);
    } else if (n < SMALL_READ) {
      if (spareReads.length < SPARE_READS) spareReads.push(buf);
      this.#rbuf = new Uint8Array(SMALL_READ);
    }
  }

  /** The unread rest of the current slab, after moving to a new one when it runs short. */
  #slabRoom(pool: SlabPool): Uint8Array {
    let slab = this.#slab;
    if (slab === undefined || slab.bytes.length - this.#slabUsed < SLAB_MIN_READ) {
      this.#sealSlab();
      slab = this.#slab = pool.take();
      this.#slabPool = pool;
      this.#slabUsed = 0;
    }
    return slab.bytes.subarray(this.#slabUsed);
  }

  /** Done reading into the current slab (none may be pending into it). */
  #sealSlab(): void {
    if (this.#slab === undefined) return;
    this.#slabPool!.seal(this.#slab);
    this.#slab = undefined;
  }

  get consumed(): number {
    return this.#consumed;
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.#closed || this.#ending) return true;
    for (const c of chunks) {
      if (c.length === 0) continue;
      this.#queue.push(c);
      this.#queued += c.length;
    }
    if (!this.#writing) void this.#writeLoop();
    if (this.#queued >= HIGH_WATER) {
      this.#wantDrain = true;
      return false;
    }
    return true;
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        // chunks go out together through one reused buffer (a copy, no allocation); one
        // larger than the buffer goes alone, as it is, and so does a lone small one (the
        // session's own bytes, never touched again: a greeting needs no buffer)
        let out: Uint8Array;
        let copied = false;
        const q = this.#queue;
        if ((q.length === 1 && q[0]!.length < LONE_WRITE_MAX) || q[0]!.length >= WRITE_BUFFER) {
          out = q.shift()!;
        } else {
          copied = true;
          const wb = this.#wbuf ??= spareWrites.pop() ?? new Uint8Array(WRITE_BUFFER);
          let n = 0, k = 0;
          while (k < q.length && n + q[k]!.length <= WRITE_BUFFER) {
            wb.set(q[k]!, n);
            n += q[k++]!.length;
          }
          q.splice(0, k);
          out = wb.subarray(0, n);
          // the chunks are no longer referred to: memory pinned for them may be let go
          this.#wrote(n);
        }
        let off = 0;
        while (off < out.length) off += await this.#conn.write(out.subarray(off));
        if (!copied) this.#wrote(out.length);
        this.#queued -= out.length;
        if (this.#wantDrain && this.#queued < HIGH_WATER) {
          this.#wantDrain = false;
          this.onDrain();
        }
      }
    } catch (e) {
      this.#finish(e);
      return;
    } finally {
      this.#writing = false;
      // nothing is being written from the buffer now: back to the pool until the next burst
      const wb = this.#wbuf;
      this.#wbuf = undefined;
      if (wb !== undefined && spareWrites.length < SPARE_READS) spareWrites.push(wb);
    }
    if (this.#ending && this.#queue.length === 0) void this.#shutdown();
  }

  #wrote(n: number): void {
    this.#consumed += n;
    this.onConsumed?.();
  }

  unref(): void {
    this.#conn.unref?.();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    void this.#readLoop();
  }

  end(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    if (!this.#writing) void this.#shutdown();
    // do not wait forever for a peer that never closes its side
    this.#endTimer ??= setTimeout(() => this.destroy(), 2000);
    unrefTimer(this.#endTimer);
  }

  /** Everything written is out: send FIN, keep reading until the peer closes. */
  async #shutdown(): Promise<void> {
    try {
      await this.#conn.closeWrite();
    } catch {
      this.destroy();
    }
  }

  destroy(): void {
    this.#finish();
  }

  #finish(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#endTimer !== undefined) clearTimeout(this.#endTimer);
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#queue = [];
    if (!this.#reading) this.#sealSlab();
    this.onClose(error === undefined || isOwnClose(error) ? undefined : toNodeError(error));
  }
}

/** Errors a read or write gets because we closed the resource ourselves. */
function isOwnClose(e: unknown): boolean {
  const name = (e as Error)?.name;
  return name === "BadResource" || name === "Interrupted";
}

/** The error an accept gets once its listener is closed. */
function closedListener(e: unknown): boolean {
  return /listener|closed/i.test((e as Error)?.message ?? "");
}

/** Deno's error classes → node-style `code`s, so the callers map them as they map node:net's. */
function toNodeError(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  const codes: Record<string, string> = {
    AddrInUse: "EADDRINUSE",
    AddrNotAvailable: "EADDRNOTAVAIL",
    ConnectionRefused: "ECONNREFUSED",
    ConnectionReset: "ECONNRESET",
    ConnectionAborted: "ECONNABORTED",
    BrokenPipe: "EPIPE",
    NotFound: "ENOENT",
    PermissionDenied: "EACCES",
    TimedOut: "ETIMEDOUT",
  };
  const code = codes[err.name] ??
    (/lookup address|Name or service not known/i.test(err.message) ? "ENOTFOUND" : undefined);
  if (code !== undefined && (err as { code?: string }).code === undefined) {
    Object.defineProperty(err, "code", { value: code });
  }
  return err;
}

function remoteOf(c: DenoConn, path?: string): string {
  const a = c.remoteAddr;
  if (path !== undefined) return path;
  return a.hostname !== undefined ? `${fmtHost(a.hostname)}:${a.port}` : "unknown";
}

/** Accepts until the listener is closed; the promise settles when the loop has stopped. */
function serve(l: DenoListener, onConn: (c: DenoConn) => void): Promise<void> {
  return (async () => {
    while (true) {
      let c: DenoConn;
      try {
        c = await l.accept();
      } catch (e) {
        if (isOwnClose(e) || closedListener(e)) return;
        continue; // a failed accept (EMFILE and the like) does not stop the listener
      }
      onConn(c);
    }
  })();
}

export function listenTcp(addr: TcpAddress, onConn: ConnectionHandler): Promise<Listener> {
  try {
    const l = D!.listen({ hostname: addr.host, port: addr.port });
    const loop = serve(l, (c) => {
      c.setNoDelay?.(true);
      onConn(new DenoConnection(c, remoteOf(c)));
    });
    return Promise.resolve({
      address: `${fmtHost(l.addr.hostname ?? addr.host)}:${l.addr.port}`,
      unref: () => l.unref?.(),
      close: async () => {
        try {
          l.close();
        } catch { /* closed */ }
        await loop;
      },
    });
  } catch (e) {
    return Promise.reject(toNodeError(e));
  }
}

export function listenIpc(path: string, onConn: ConnectionHandler): Promise<Listener> {
  // libzmq unlinks whatever is at the path before binding (stale socket files included)
  try {
    D!.removeSync(path);
  } catch { /* nothing there */ }
  try {
    const l = D!.listen({ transport: "unix", path });
    const loop = serve(l, (c) => onConn(new DenoConnection(c, path)));
    return Promise.resolve({
      address: path,
      unref: () => l.unref?.(),
      close: async () => {
        try {
          l.close();
        } catch { /* closed */ }
        try {
          D!.removeSync(path);
        } catch { /* already gone */ }
        await loop;
      },
    });
  } catch (e) {
    return Promise.reject(toNodeError(e));
  }
}

export async function dialTcp(addr: TcpAddress, signal?: AbortSignal): Promise<Connection> {
  try {
    const c = await D!.connect({ hostname: addr.host, port: addr.port, ...(signal && { signal }) });
    c.setNoDelay?.(true);
    return new DenoConnection(c, remoteOf(c));
  } catch (e) {
    throw toNodeError(e);
  }
}

export async function dialIpc(path: string): Promise<Connection> {
  try {
    const c = await D!.connect({ transport: "unix", path });
    return new DenoConnection(c, path);
  } catch (e) {
    throw toNodeError(e);
  }
}
