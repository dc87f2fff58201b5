// SPDX-License-Identifier: MIT
/**
 * One `zmqkit cat` run: the socket with its options and endpoints, the input and output
 * framing, send and receive with the CLI's error mapping, and the end (linger, flush).
 * The direction loops live in modes.ts; they only use what this class offers.
 */
import { XPublisher, ZmqError } from "../../mod.ts";
import type { ByteSink } from "../../lib/internal.ts";
import { CliError, ExitCode, lowerFirst, usage } from "../errors.ts";
import type { Frames } from "../io/bytes.ts";
import { toHex } from "../io/formats/hex.ts";
import { InputTooLong, readMessages } from "../io/readers.ts";
import { MessageWriter } from "../io/writers.ts";
import { type CatConfig, GROUP_MAX } from "./config.ts";
import { Monitor } from "./monitor.ts";
import { type ConnectWatch, watchConnect } from "../connect_notice.ts";
import { type AnySocket, TYPES, type TypeSpec } from "./types.ts";
import type { Dish, Peer } from "../../mod.ts";

/** What a run needs from the outside world (the real process, or a test). */
export interface CatIo {
  stdin: () => AsyncIterable<Uint8Array>;
  stdout: ByteSink;
  /** Writes `zmqkit: <line>` to standard error (just `line` when `bare`). */
  log: (line: string, bare?: boolean) => void;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves like `p`, or rejects with `onTimeout()` after `ms` (when ms is set). */
export function within<T>(
  p: Promise<T>,
  ms: number | undefined,
  onTimeout: () => Error,
): Promise<T> {
  if (ms === undefined || ms < 0) return p;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => timer = setTimeout(() => reject(onTimeout()), ms));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export class CatRun {
  readonly cfg: CatConfig;
  readonly io: CatIo;
  readonly socket: AnySocket;
  readonly writer: MessageWriter;
  readonly monitor: Monitor;
  /** Rejects with the first fatal error (a monitor finding, a signal, a broken stdout). */
  readonly fatal: Promise<never>;
  #fail!: (e: Error) => void;
  #done = false;
  #peer: Uint8Array | undefined;
  #peerSeen!: () => void;
  #firstPeer: Promise<void>;
  #skipped = { undecodable: 0, tooBig: 0 };
  /** Aborted at the end of the run: ends any --exec command still running. */
  readonly #commands = new AbortController();
  /** Watches connects that do not succeed (never silent); undefined with -v or no connect. */
  #watch: ConnectWatch | undefined;
  /** PUB with --wait-for-peer runs as an XPUB, to see the first subscription arrive. */
  readonly probesSubscriptions: boolean;

  constructor(cfg: CatConfig, io: CatIo) {
    this.cfg = cfg;
    this.io = io;
    this.probesSubscriptions = cfg.type === "PUB" && cfg.waitForPeer;
    this.socket =
      (this.probesSubscriptions ? new XPublisher() : TYPES[cfg.type].create()) as AnySocket;
    this.fatal = new Promise<never>((_, reject) => {
      this.#fail = reject;
    });
    this.fatal.catch(() => {});
    this.#firstPeer = new Promise((r) => this.#peerSeen = r);
    this.writer = new MessageWriter(io.stdout, cfg.output);
    this.monitor = new Monitor(this.socket, {
      verbose: cfg.verbose,
      eventsJson: cfg.eventsJson,
      connects: cfg.connects,
      log: io.log,
      fatal: (e) => this.fail(e, true),
    });
    this.#applyOptions();
  }

  /** Ends the run with `error` (ignored once the run is finishing, unless `always`). */
  fail(error: Error, always = false): void {
    if (this.#done && !always) return;
    this.#done = true;
    this.#fail(error);
  }

  #applyOptions(): void {
    const s = this.socket;
    const cfg = this.cfg;
    const set = (flag: string, name: string, value: unknown) => {
      try {
        s.setOption(name, value);
      } catch (e) {
        if (e instanceof TypeError || e instanceof RangeError) {
          throw usage(`${flag}: ${lowerFirst(e.message)}`);
        }
        throw e;
      }
    };
    if (cfg.timeout !== undefined) {
      set("-t/--timeout", "receiveTimeout", cfg.timeout);
      set("-t/--timeout", "sendTimeout", cfg.timeout);
      set("-t/--timeout", "linger", cfg.timeout);
    }
    if (cfg.linger !== undefined) set("--linger", "linger", cfg.linger);
    if (cfg.routingId !== undefined) set("--routing-id", "routingId", cfg.routingId);
    for (const [flag, name, value] of cfg.security) set(flag, name, value);
    for (const [name, value, text] of cfg.options) set(`-o ${text}`, name, value);
  }

  /** Binds and connects every endpoint, then subscribes (SUB, XSUB). */
  async start(): Promise<void> {
    const s = this.socket;
    if (this.cfg.type === "DISH") (s as unknown as Dish).join(...this.cfg.join);
    for (const ep of this.cfg.binds) {
      try {
        await s.bind(ep);
      } catch (e) {
        throw new CliError(ExitCode.FAILURE, `cannot bind "${ep}": ${bindReason(e)}`, {
          cause: e,
        });
      }
      // a wildcard port: say which one was chosen (-v and --events-json show every bind)
      if (/:(\*|0)$/.test(ep) && this.cfg.verbose === 0 && !this.cfg.eventsJson) {
        this.io.log(`bind ${s.lastEndpoint}`);
      }
    }
    for (const ep of this.cfg.connects) {
      if (this.cfg.type !== "PEER") {
        s.connect(ep);
        continue;
      }
      // the id input names to send to this peer, known at once (RFC 51 connectPeer)
      const id = (s as unknown as Peer).connectPeer(ep);
      this.io.log(`peer ${ep} is routing id ${id.toString(16).padStart(8, "0")}`);
    }
    // never silent: a connect that keeps failing says so (-v and --events-json show it anyway)
    if (this.cfg.connects.length > 0 && this.cfg.verbose === 0 && !this.cfg.eventsJson) {
      this.#watch = watchConnect(
        s,
        (line) => this.io.log(line.replace(/^zmqkit: /, "").replace(/\n$/, "")),
        { endpoints: this.cfg.connects },
      );
    }
    if (this.cfg.type === "SUB") s.subscribe(...this.cfg.subscribe);
    if (this.cfg.type === "XSUB") {
      for (const t of this.cfg.subscribe) await s.send([new Uint8Array([1, ...t])]);
    }
  }

  /** --wait-for-peer, then --delay: run once before the first message goes out. */
  async beforeFirstSend(): Promise<void> {
    const t = this.cfg.timeout;
    if (this.cfg.waitForPeer) {
      const timedOut = () => new CliError(ExitCode.TIMEOUT, `no peer within ${t} ms`);
      if (this.probesSubscriptions) {
        await within(this.#firstSubscription(), t, timedOut);
      } else await within(this.monitor.handshake, t, timedOut);
    }
    if (this.cfg.delay > 0) await sleep(this.cfg.delay);
  }

  async #firstSubscription(): Promise<void> {
    const s = this.socket;
    s.receiveTimeout = -1;
    for (;;) {
      const m = await s.receive();
      if (m[0]?.[0] === 1) break;
    }
    if (this.cfg.timeout !== undefined) s.receiveTimeout = this.cfg.timeout;
    // later subscriptions are read and dropped, so they never pile up
    void (async () => {
      s.receiveTimeout = -1;
      for await (const _ of s) { /* dropped */ }
    })().catch(() => {});
  }

  /**
   * Valid input messages, a batch per stdin chunk. A bad record (one that does not decode,
   * or is over maxMessageSize) ends the run with exit 2 once the good ones before it have
   * been yielded; with --skip-bad it is reported, counted (see skippedSummary) and skipped.
   * A record longer than --max-line always ends the run (exit 2).
   */
  async *inputBatches(): AsyncGenerator<Frames[], void, undefined> {
    try {
      yield* this.#inputBatches();
    } catch (e) {
      if (!(e instanceof InputTooLong)) throw e;
      const what = e.unit === "input" ? "input" : `${e.unit} ${e.record}`;
      const raw = e.unit === "input" ? " (--in raw sends all of stdin as one message)" : "";
      throw usage(`${what} is longer than --max-line ${e.limit} bytes${raw}`);
    }
  }

  async *#inputBatches(): AsyncGenerator<Frames[], void, undefined> {
    const max = this.socket.getOption("maxMessageSize") as number;
    const unit = this.#unit;
    for await (const items of readMessages(this.io.stdin(), this.cfg.input, this.cfg.maxLine)) {
      const batch: Frames[] = [];
      for (const item of items) {
        let why = item.error;
        let tooBig = false;
        const frames = item.frames;
        if (frames !== undefined && max >= 0) {
          // as a receiving zmqkit counts it: the whole message, all its frames
          let total = 0;
          for (const f of frames) total += f.length;
          if (total > max) {
            tooBig = true;
            why = frames.length === 1
              ? `frame 1 of ${total} bytes exceeds maxMessageSize ${max}`
              : `message of ${frames.length} frames and ${total} bytes exceeds maxMessageSize ${max}`;
          }
        }
        if (why === undefined && frames !== undefined) why = this.#draftCheck(frames);
        if (why === undefined) {
          batch.push(frames!);
          continue;
        }
        if (!this.cfg.skipBad) {
          if (batch.length > 0) yield batch; // the good messages before it still go
          throw usage(`${unit} ${item.line}: ${why}`);
        }
        this.io.log(`${unit} ${item.line}: ${why}`);
        if (tooBig) this.#skipped.tooBig++;
        else this.#skipped.undecodable++;
      }
      if (batch.length > 0) yield batch;
    }
  }

  /** Why `frames` cannot be a message of this draft type, or undefined when it can. */
  #draftCheck(frames: Frames): string | undefined {
    const kind = (TYPES[this.cfg.type] as TypeSpec).draft;
    if (kind === undefined) return undefined;
    const type = this.cfg.type.toLowerCase();
    const split = this.cfg.input.format === "text" && this.cfg.input.delimiter !== undefined
      ? " (-d splits a line into frames)"
      : "";
    const single = (n: number) =>
      `${type} messages are a single frame (draft types have no multipart), got ${n} frames${split}`;
    if (kind === "single" || (kind === "group" && this.cfg.group !== undefined)) {
      return frames.length === 1 ? undefined : single(frames.length);
    }
    if (kind === "routed") {
      if (frames[0]!.length !== 0 && frames[0]!.length !== 4) {
        return `a ${type} routing id is 4 bytes (8 hex digits), got ${frames[0]!.length}`;
      }
      return frames.length === 2 ? undefined : single(frames.length - 1);
    }
    if (frames.length !== 2) {
      return `expected GROUP and BODY (2 frames, or give --group), got ${frames.length}`;
    }
    if (frames[0]!.length > GROUP_MAX) {
      return `the group is ${frames[0]!.length} bytes: at most ${GROUP_MAX} are allowed`;
    }
    return undefined;
  }

  get #unit(): string {
    return this.cfg.input.format === "msgpack" ? "message" : "line";
  }

  /** How many input records --skip-bad skipped so far. */
  get skipped(): number {
    return this.#skipped.undecodable + this.#skipped.tooBig;
  }

  /**
   * The end-of-run line for --skip-bad ("skipped 3 input lines that did not decode"), or
   * undefined when nothing was skipped.
   */
  skippedSummary(): string | undefined {
    const { undecodable, tooBig } = this.#skipped;
    const n = undecodable + tooBig;
    if (n === 0) return undefined;
    const what = `${n} input ${this.#unit}${n === 1 ? "" : "s"}`;
    if (tooBig === 0) return `skipped ${what} that did not decode`;
    if (undecodable === 0) return `skipped ${what} over maxMessageSize`;
    return `skipped ${what}: ${undecodable} did not decode, ${tooBig} over maxMessageSize`;
  }

  /** Valid input messages one by one. */
  async *input(): AsyncGenerator<Frames, void, undefined> {
    for await (const batch of this.inputBatches()) yield* batch;
  }

  /** Sends one message; an empty routing id (ROUTER, STREAM) means the last peer heard. */
  async send(frames: Frames): Promise<void> {
    let msg = frames;
    if (this.cfg.input.routingIds && msg[0]!.length === 0) {
      await within(
        this.#firstPeer,
        this.cfg.timeout,
        () => new CliError(ExitCode.TIMEOUT, `no peer to send to within ${this.cfg.timeout} ms`),
      );
      msg = [this.#peer!, ...msg.slice(1)];
    }
    if (this.cfg.group !== undefined) msg = [this.cfg.group, ...msg];
    if (this.cfg.verbose >= 2) this.io.log(`send ${sizes(msg)}`);
    try {
      await this.socket.send(msg);
    } catch (e) {
      if (!(e instanceof ZmqError)) throw e;
      if (e.code === "EAGAIN") {
        throw new CliError(
          ExitCode.TIMEOUT,
          `timed out after ${this.socket.sendTimeout} ms: no peer took the message${this.#neverConnected()}`,
        );
      }
      if (e.code === "EHOSTUNREACH") {
        return this.io.log(`no peer with routing id ${toHex(msg[0]!)}: message dropped`);
      }
      throw e;
    }
  }

  /** `: tcp://… never connected (connection refused)`, when a connect never succeeded. */
  #neverConnected(): string {
    const w = this.#watch?.waiting().find((x) => !x.ever);
    if (w === undefined) return "";
    return `: ${w.endpoint} never connected${w.reason === undefined ? "" : ` (${w.reason})`}`;
  }

  /** Ended (aborted) when the run ends: --exec commands stop with it. */
  get commandSignal(): AbortSignal {
    return this.#commands.signal;
  }

  /** Ends every --exec command still running (SIGTERM to its process group). */
  stopCommands(): void {
    this.#commands.abort();
  }

  /** Receives one message (remembering a ROUTER/STREAM peer for replies). */
  async receive(): Promise<Frames> {
    let m: Frames;
    try {
      m = await this.socket.receive();
    } catch (e) {
      if (e instanceof ZmqError && e.code === "EAGAIN") {
        throw new CliError(
          ExitCode.TIMEOUT,
          `timed out after ${this.socket.receiveTimeout} ms waiting for ${
            this.cfg.type === "REQ" || this.cfg.type === "CLIENT" ? "the reply" : "a message"
          }${this.#neverConnected()}`,
        );
      }
      throw e;
    }
    if (this.cfg.output.routingIds) {
      this.#peer = m[0];
      this.#peerSeen();
    }
    if (this.cfg.verbose >= 2) this.io.log(`recv ${sizes(m)}`);
    return m;
  }

  /** Writes a message to standard output, waiting when it is full. */
  output(frames: Frames): Promise<void> | undefined {
    return this.writer.write(frames);
  }

  /**
   * The normal end: close the socket, let queued messages go out (bounded by the socket's
   * linger, which -t or --linger set), then flush standard output.
   */
  async finish(): Promise<void> {
    this.#done = true;
    this.stopCommands();
    this.#watch?.stop();
    const s = this.socket;
    const linger = s.linger;
    if (linger !== 0) s.linger = -1; // bounded below, so a timeout can be told apart
    s.close();
    if (linger !== 0) {
      await within(
        this.monitor.ended,
        linger > 0 ? linger : undefined,
        () =>
          new CliError(
            ExitCode.TIMEOUT,
            `gave up after ${linger} ms: queued messages were not delivered`,
          ),
      );
    }
    await this.writer.flush();
  }

  /** After a failure: drop everything, write out what was already printed. */
  async abort(): Promise<void> {
    this.#done = true;
    this.stopCommands();
    this.#watch?.stop();
    this.socket.linger = 0;
    this.socket.close();
    await within(this.writer.flush(), 1000, () => new Error("stdout flush timed out"))
      .catch(() => {});
  }
}

function sizes(m: Frames): string {
  return `${m.length} frame${m.length === 1 ? "" : "s"} [${m.map((f) => f.length).join(", ")}]`;
}

function bindReason(e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case "EADDRINUSE":
      return "address already in use";
    case "EADDRNOTAVAIL":
      return "address not available on this machine";
    case "ENOENT":
      return "no such directory";
    default:
      return (e as Error).message ?? String(e);
  }
}
