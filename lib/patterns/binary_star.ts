// SPDX-License-Identifier: MIT
/**
 * Binary Star (the Guide, chapter 4): a primary and a backup server in a high-availability
 * pair. Each binds a PUB and publishes its state every heartbeat, and reads the peer's state
 * on a SUB connected to the peer's PUB. Only the active server serves clients; the passive
 * one takes over when the peer has been silent for two heartbeats AND a client asks it to
 * (the client's "vote"), so a broken link between the two servers alone never makes two
 * actives.
 *
 * Wire: one frame, the sender's state as one ASCII digit: "1" PRIMARY, "2" BACKUP,
 * "3" ACTIVE, "4" PASSIVE (what the Guide's C servers send). Anything else is ignored.
 */
import { hasCode } from "../errors.ts";
import type { Message } from "../pipe.ts";
import { Publisher } from "../sockets/pub.ts";
import { Subscriber } from "../sockets/sub.ts";

/**
 * A Binary Star server's state: PRIMARY or BACKUP while it waits to hear from its peer, then
 * ACTIVE (serving clients) or PASSIVE (standing by).
 */
export type BinaryStarState = "PRIMARY" | "BACKUP" | "ACTIVE" | "PASSIVE";

/**
 * What can happen to a Binary Star server: the peer says which state it is in
 * (`PEER_<state>`), or a client sends a request (`CLIENT_REQUEST`).
 */
export type BinaryStarEvent =
  | "PEER_PRIMARY"
  | "PEER_BACKUP"
  | "PEER_ACTIVE"
  | "PEER_PASSIVE"
  | "CLIENT_REQUEST";

/** What a Binary Star pair can get wrong: both servers active, or both passive. */
export type BinaryStarFault = "DUAL_ACTIVE" | "DUAL_PASSIVE";

/** The outcome of one event, from {@linkcode binaryStarStep}. */
export interface BinaryStarStep {
  /** The state after the event (the same one when nothing changes). */
  state: BinaryStarState;
  /**
   * Whether the event is valid here: for `CLIENT_REQUEST`, whether the request is to be
   * served; for a peer's state, false only when it is fatal.
   */
  accepted: boolean;
  /** Set when the peer's state shows the pair is broken; the server should stop. */
  fatal?: BinaryStarFault;
  /** Why, in a few words: set when the state changes, a request is refused, or on a fault. */
  reason?: string;
}

/**
 * The Binary Star finite-state machine, as a pure function: the state a server moves to on
 * an event, whether the event is accepted, and whether it is fatal. `peerSilent` (default
 * false) says whether the peer has been silent for two heartbeats; it matters only for a
 * client request, which turns a waiting primary or a passive server active only then.
 *
 * @param state The server's state now.
 * @param event What happened.
 * @param options `peerSilent`: whether the peer is to be taken for dead.
 * @returns The new state, and whether the event was accepted.
 *
 * @example A passive server takes over only when the peer is silent and a client asks
 * ```ts
 * import { binaryStarStep } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const refused = binaryStarStep("PASSIVE", "CLIENT_REQUEST", { peerSilent: false });
 * assert.deepEqual([refused.state, refused.accepted], ["PASSIVE", false]);
 * const failover = binaryStarStep("PASSIVE", "CLIENT_REQUEST", { peerSilent: true });
 * assert.deepEqual([failover.state, failover.accepted], ["ACTIVE", true]);
 * assert.equal(binaryStarStep("ACTIVE", "PEER_ACTIVE").fatal, "DUAL_ACTIVE");
 * ```
 */
export function binaryStarStep(
  state: BinaryStarState,
  event: BinaryStarEvent,
  options: { peerSilent?: boolean } = {},
): BinaryStarStep {
  const silent = options.peerSilent ?? false;
  const to = (next: BinaryStarState, reason: string): BinaryStarStep => ({
    state: next,
    accepted: true,
    reason,
  });
  const refuse = (reason: string): BinaryStarStep => ({ state, accepted: false, reason });
  const fatal = (fault: BinaryStarFault, reason: string): BinaryStarStep => ({
    state,
    accepted: false,
    fatal: fault,
    reason,
  });
  const stay: BinaryStarStep = { state, accepted: true };
  switch (state) {
    case "PRIMARY": // waiting for the backup; a client may make it active once it waited long enough
      if (event === "PEER_BACKUP") return to("ACTIVE", "the backup is up and waiting");
      if (event === "PEER_ACTIVE") return to("PASSIVE", "the backup is already active");
      if (event === "CLIENT_REQUEST") {
        // not before the backup has had time to speak: it may be active after a failover
        return silent
          ? to("ACTIVE", "a client asked and the backup is silent")
          : refuse("the backup may still be active");
      }
      return stay;
    case "BACKUP": // waiting for the primary; never serves before it has heard from it
      if (event === "PEER_ACTIVE") return to("PASSIVE", "the primary is active");
      if (event === "CLIENT_REQUEST") return refuse("a backup waits for the primary first");
      return stay;
    case "ACTIVE": // serves every request; only death ends this state
      if (event === "PEER_ACTIVE") return fatal("DUAL_ACTIVE", "the peer is active as well");
      return stay;
    case "PASSIVE":
      if (event === "PEER_PRIMARY") return to("ACTIVE", "the peer restarted as primary");
      if (event === "PEER_BACKUP") return to("ACTIVE", "the peer restarted as backup");
      if (event === "PEER_PASSIVE") return fatal("DUAL_PASSIVE", "the peer is passive as well");
      if (event === "CLIENT_REQUEST") {
        // the client's vote: the failover itself
        return silent
          ? to("ACTIVE", "failover: the peer is silent and a client asked")
          : refuse("the peer is alive");
      }
      return stay;
  }
}

/** A state change of a {@linkcode BinaryStar}, as its `onStateChange` gets it. */
export interface BinaryStarChange {
  /** The state before. */
  from: BinaryStarState;
  /** The state now. */
  to: BinaryStarState;
  /** The event that caused it. */
  event: BinaryStarEvent;
  /** Why, in a few words. */
  reason: string;
}

/** What a {@linkcode BinaryStar} needs of a socket it reads client requests from. */
export interface BinaryStarVoter {
  /** The next whole message. */
  receive(): Promise<Message>;
}

/** Settings of a {@linkcode BinaryStar}. */
export interface BinaryStarOptions {
  /** Which server of the pair this is. */
  role: "primary" | "backup";
  /** Where this server's state publisher binds (the Guide: primary tcp://*:5003, backup 5004). */
  local: string;
  /** The peer's state publisher, which this server subscribes to (primary → 5004, backup → 5003). */
  remote: string;
  /** ms between state messages; the peer is dead after two of them missed. Default 1000. */
  heartbeat?: number;
  /** Called on every state change (from the handler that caused it). */
  onStateChange?: (change: BinaryStarChange) => void | Promise<void>;
  /** Called each time this server becomes active. */
  onActive?: () => void | Promise<void>;
  /** Called each time this server becomes passive. */
  onPassive?: () => void | Promise<void>;
  /**
   * Called when the peer is heard from after a silence (`true`; also the first time), and
   * when it has been silent for two heartbeats (`false`, checked once a heartbeat).
   */
  onPeer?: (alive: boolean) => void | Promise<void>;
}

/** Counts of a {@linkcode BinaryStar}, from `statistics()`. */
export interface BinaryStarStatistics {
  /** The state now. */
  state: BinaryStarState;
  /** Whether the peer has been heard from within the last two heartbeats. */
  peerAlive: boolean;
  /** Valid state messages received from the peer. */
  peerStates: number;
  /** Messages on the state subscriber that were not a valid state, ignored. */
  ignored: number;
  /** Client requests accepted (to be served). */
  accepted: number;
  /** Client requests refused (dropped unanswered). */
  refused: number;
}

/** Why a {@linkcode BinaryStar} stopped: the pair is broken (two actives, or two passives). */
export class BinaryStarError extends Error {
  /** Which fault. */
  readonly code: BinaryStarFault;
  /** This server's state when the peer's state revealed it. */
  readonly state: BinaryStarState;

  /**
   * Says which fault, and in which state this server found it.
   *
   * @param code Which fault.
   * @param state This server's state then.
   * @param reason Why, in a few words.
   */
  constructor(code: BinaryStarFault, state: BinaryStarState, reason: string) {
    super(`Binary Star fatal error (${code}): ${reason}, as ${state}`);
    this.name = "BinaryStarError";
    this.code = code;
    this.state = state;
  }
}

const STATE_CODES: Record<BinaryStarState, string> = {
  PRIMARY: "1",
  BACKUP: "2",
  ACTIVE: "3",
  PASSIVE: "4",
};
const PEER_EVENTS: Record<number, BinaryStarEvent> = {
  0x31: "PEER_PRIMARY",
  0x32: "PEER_BACKUP",
  0x33: "PEER_ACTIVE",
  0x34: "PEER_PASSIVE",
};

/**
 * The event a state message from the peer stands for: exactly one frame of one byte, "1" to
 * "4"; anything else is `undefined` (to be ignored).
 */
function peerEvent(msg: Message): BinaryStarEvent | undefined {
  if (msg.length !== 1 || msg[0]!.length !== 1) return undefined;
  return PEER_EVENTS[msg[0]![0]!];
}

/**
 * One server of a Binary Star pair (the Guide's `bstar` reactor): it owns the state PUB/SUB
 * pair and the state machine, and decides whether client requests are served. The
 * application hands it the socket clients talk to with `voter()` (a ROUTER, say) and a
 * handler: each message that arrives there is a client request, passed to the handler only
 * while this server is (or just became) active, and dropped unanswered otherwise, so that
 * clients fail over to the peer. An application that reads its own sockets calls
 * `clientRequest()` for each request instead. `onActive`/`onPassive`/`onStateChange` report
 * the changes; two actives or two passives end `run()` with a {@linkcode BinaryStarError}.
 *
 * The peer is taken for dead after two heartbeats without a state message from it; counting
 * starts when `run()` starts, so a primary started alone serves its first clients after two
 * heartbeats, and a backup started alone serves nobody until it has seen an active primary.
 *
 * @example A primary whose backup is up: it becomes active and serves a request
 * ```ts
 * import { BinaryStar, Request, Router } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const changes: string[] = [];
 * const primary = new BinaryStar({
 *   role: "primary",
 *   local: "inproc://bstar-doc-primary",
 *   remote: "inproc://bstar-doc-backup",
 *   heartbeat: 50,
 *   onStateChange: ({ from, to }) => void changes.push(`primary ${from} -> ${to}`),
 * });
 * const backup = new BinaryStar({
 *   role: "backup",
 *   local: "inproc://bstar-doc-backup",
 *   remote: "inproc://bstar-doc-primary",
 *   heartbeat: 50,
 * });
 * const frontend = new Router();
 * await frontend.bind("inproc://bstar-doc-clients");
 * primary.voter(frontend, (request) => frontend.send(request)); // an echo service
 * const running = [primary.run(), backup.run()];
 *
 * const client = new Request();
 * client.connect("inproc://bstar-doc-clients");
 * while (primary.state !== "ACTIVE") await new Promise((r) => setTimeout(r, 10));
 * await client.send("hello");
 * assert.equal(new TextDecoder().decode((await client.receive())[0]), "hello");
 * assert.deepEqual(changes, ["primary PRIMARY -> ACTIVE"]);
 * while (backup.state !== "PASSIVE") await new Promise((r) => setTimeout(r, 10));
 *
 * primary.terminate();
 * backup.terminate();
 * await Promise.all(running);
 * client.close();
 * frontend.close();
 * ```
 */
export class BinaryStar {
  /** Which server of the pair this is. */
  readonly role: "primary" | "backup";
  #options: BinaryStarOptions;
  #heartbeat: number;
  #state: BinaryStarState;
  #peerExpiry = Infinity; // the peer is dead from then on, unless it speaks (not before run())
  #peerAlive = false;
  #voters: Array<[BinaryStarVoter, (request: Message) => void | Promise<void>]> = [];
  #publisher: Publisher | undefined;
  #subscriber: Subscriber | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;
  #started = false;
  #done = false;
  #finish: (() => void) | undefined;
  #fail: ((e: unknown) => void) | undefined;
  #counts = { peerStates: 0, ignored: 0, accepted: 0, refused: 0 };

  /**
   * Sets up the server; no socket exists and nothing moves until `run()`.
   *
   * @param options The role, the state endpoints, the heartbeat and the callbacks.
   */
  constructor(options: BinaryStarOptions) {
    const heartbeat = options.heartbeat ?? 1000;
    if (!(heartbeat > 0 && Number.isFinite(heartbeat))) {
      throw new RangeError(`Cannot set heartbeat: must be > 0 ms, current value is ${heartbeat}`);
    }
    if (options.role !== "primary" && options.role !== "backup") {
      throw new TypeError(`Cannot set role: must be "primary" or "backup"`);
    }
    this.role = options.role;
    this.#options = options;
    this.#heartbeat = heartbeat;
    this.#state = options.role === "primary" ? "PRIMARY" : "BACKUP";
  }

  /** The state now. */
  get state(): BinaryStarState {
    return this.#state;
  }

  /** Whether the peer has been heard from within the last two heartbeats. */
  get peerAlive(): boolean {
    return this.#peerAlive && Date.now() < this.#peerExpiry;
  }

  /**
   * Reads client requests from `socket` once `run()` runs: each one is a CLIENT_REQUEST
   * event, and is passed to `handler` (awaited before the next is read) if this server is to
   * serve it, or dropped. The socket stays the caller's; closing it ends `run()`.
   *
   * @param socket Where client requests arrive (for instance a bound ROUTER).
   * @param handler Serves one request (for a ROUTER, the message starts with the routing id).
   */
  voter(socket: BinaryStarVoter, handler: (request: Message) => void | Promise<void>): void {
    this.#voters.push([socket, handler]);
    if (this.#started && !this.#done) void this.#vote(socket, handler);
  }

  /**
   * Applies one client request to the state machine, for an application that reads its own
   * sockets: true if the request is to be served, false if it must be dropped unanswered.
   * A state change it causes is reported (the callbacks awaited) before it resolves.
   *
   * @returns Whether to serve the request.
   */
  async clientRequest(): Promise<boolean> {
    const step = this.#apply("CLIENT_REQUEST");
    await this.#report(step.changed);
    return step.accepted;
  }

  /**
   * Binds the state publisher, connects the state subscriber and runs until `terminate()` or
   * a voter socket closes (resolves), or until the peer's state shows the pair is broken
   * (rejects with a {@linkcode BinaryStarError}); other errors (a bind that fails, a handler
   * that throws) reject too. Calling it again returns the same promise.
   *
   * @returns A promise that settles when the server stops.
   */
  run(): Promise<void> {
    if (this.#running !== undefined) return this.#running;
    this.#running = new Promise<void>((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
    if (this.#done) this.#finish!();
    else {
      this.#peerExpiry = Date.now() + 2 * this.#heartbeat; // the peer has this long to speak
      void this.#start();
    }
    return this.#running;
  }

  /** Stops: no more heartbeats, the state sockets closed, `run()` resolved. */
  terminate(): void {
    this.#end();
  }

  /** Ends `run()` and waits for it (its error, if any, is not rethrown). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#end();
    await this.#running?.catch(() => {});
  }

  /** The state, the peer's liveness and counts so far. */
  statistics(): BinaryStarStatistics {
    return { state: this.#state, peerAlive: this.peerAlive, ...this.#counts };
  }

  async #start(): Promise<void> {
    try {
      this.#publisher = new Publisher({ linger: 0 });
      this.#subscriber = new Subscriber({ linger: 0 });
      this.#subscriber.subscribe();
      await this.#publisher.bind(this.#options.local);
      if (this.#done) return;
      this.#subscriber.connect(this.#options.remote);
    } catch (e) {
      this.#end(e);
      return;
    }
    this.#started = true;
    this.#timer = setInterval(() => void this.#tick(), this.#heartbeat);
    void this.#listen(this.#subscriber);
    for (const [socket, handler] of this.#voters) void this.#vote(socket, handler);
  }

  /** Once a heartbeat: our state to the peer, and whether the peer went silent. */
  async #tick(): Promise<void> {
    try {
      await this.#publisher?.send(STATE_CODES[this.#state]);
      if (this.#peerAlive && Date.now() >= this.#peerExpiry) {
        this.#peerAlive = false;
        await this.#options.onPeer?.(false);
      }
    } catch (e) {
      this.#end(e);
    }
  }

  async #listen(subscriber: Subscriber): Promise<void> {
    try {
      for (;;) {
        const msg = await subscriber.receive();
        if (this.#done) return;
        const event = peerEvent(msg);
        if (event === undefined) {
          this.#counts.ignored++;
          continue;
        }
        this.#counts.peerStates++;
        this.#peerExpiry = Date.now() + 2 * this.#heartbeat;
        const step = this.#apply(event);
        if (step.fatal !== undefined) {
          this.#end(new BinaryStarError(step.fatal, this.#state, step.reason ?? step.fatal));
          return;
        }
        if (!this.#peerAlive) {
          this.#peerAlive = true;
          await this.#options.onPeer?.(true);
        }
        await this.#report(step.changed);
      }
    } catch (e) {
      this.#end(e);
    }
  }

  async #vote(
    socket: BinaryStarVoter,
    handler: (request: Message) => void | Promise<void>,
  ): Promise<void> {
    try {
      while (!this.#done) {
        const request = await socket.receive();
        if (this.#done) return;
        const step = this.#apply("CLIENT_REQUEST");
        await this.#report(step.changed);
        if (step.accepted) await handler(request);
      }
    } catch (e) {
      this.#end(e);
    }
  }

  /** Runs the state machine on one event; the change, if any, is for `#report`. */
  #apply(event: BinaryStarEvent): BinaryStarStep & { changed?: BinaryStarChange } {
    const silent = Date.now() >= this.#peerExpiry;
    const step = binaryStarStep(this.#state, event, { peerSilent: silent });
    if (event === "CLIENT_REQUEST") this.#counts[step.accepted ? "accepted" : "refused"]++;
    if (step.state === this.#state) return step;
    const changed = { from: this.#state, to: step.state, event, reason: step.reason ?? "" };
    this.#state = step.state;
    return { ...step, changed };
  }

  async #report(change: BinaryStarChange | undefined): Promise<void> {
    if (change === undefined) return;
    await this.#options.onStateChange?.(change);
    if (change.to === "ACTIVE") await this.#options.onActive?.();
    if (change.to === "PASSIVE") await this.#options.onPassive?.();
  }

  #end(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    clearInterval(this.#timer);
    this.#publisher?.close();
    this.#subscriber?.close();
    if (error !== undefined && !hasCode(error, "ETERM")) this.#fail?.(error);
    else this.#finish?.();
  }
}
