// SPDX-License-Identifier: MIT
/**
 * The direction loops of `zmqkit cat`. Each awaits every send before reading more input and
 * every output write that has to wait, so a slow peer slows standard input and a slow reader
 * of standard output slows the socket: memory stays flat on an endless stream.
 */
import { type ReplyCore, socketCore } from "../../lib/internal.ts";
import { usage } from "../errors.ts";
import { execReply } from "./exec.ts";
import { type CatRun, sleep } from "./run.ts";
import type { Mode } from "./types.ts";

/**
 * stdin → socket, until input ends or -n messages went out. The messages of one stdin chunk
 * are handed to the socket together (it queues them in order, and its engine writes them in
 * one go); the next chunk is read only once all of them were taken.
 */
async function sendAll(run: CatRun, count: number | undefined): Promise<void> {
  await run.beforeFirstSend();
  const interval = run.cfg.interval;
  let n = 0;
  for await (const batch of run.inputBatches()) {
    const sent: Promise<void>[] = [];
    for (const frames of batch) {
      if (interval > 0 && n > 0) await sleep(interval);
      const p = run.send(frames);
      if (interval > 0) await p;
      else sent.push(p);
      if (++n === count) break;
    }
    await Promise.all(sent);
    if (n === count) break;
  }
}

/** socket → stdout, until -n messages came (or forever). */
async function receiveAll(run: CatRun, count: number | undefined): Promise<void> {
  for (let n = 0; count === undefined || n < count; n++) {
    const m = await run.receive();
    const wait = run.output(m);
    if (wait) await wait;
  }
}

/** REQ: each input message is a request; its reply is printed. */
async function request(run: CatRun): Promise<void> {
  const count = run.cfg.count;
  await run.beforeFirstSend();
  let n = 0;
  for await (const frames of run.input()) {
    if (n > 0 && run.cfg.interval > 0) await sleep(run.cfg.interval);
    await run.send(frames);
    await run.output(await run.receive());
    await run.writer.flush();
    if (++n === count) break;
  }
  if (n === 0) {
    // a req that asked nothing has no answer to give: never a success (`if reply=$(…)`)
    throw usage(
      run.skipped > 0
        ? "no request sent: every input record was skipped (--skip-bad)"
        : "no request sent: the input was empty",
    );
  }
}

/**
 * REP: each request is printed and answered with the next input message (or --exec). The
 * next answer is read ahead, so the run ends as soon as input ends, not at the next request.
 * A failed --exec command with --on-exec-error skip leaves its request unanswered: REP
 * forgets it and goes on with the next request (its requester waits for its own timeout).
 */
async function reply(run: CatRun): Promise<void> {
  const count = run.cfg.count;
  if (run.cfg.exec !== undefined) {
    for (let n = 0; count === undefined || n < count; n++) {
      const request = await run.receive();
      await run.output(request);
      await run.writer.flush();
      const answer = await execReply(run, request);
      if (answer !== undefined) await run.send(answer);
      else socketCore<ReplyCore>(run.socket).forgetRequest();
    }
    return;
  }
  const inputs = run.input();
  const ended = Symbol("input ended");
  try {
    for (let n = 0; count === undefined || n < count; n++) {
      const answer = inputs.next();
      const request = run.receive();
      const first = await Promise.race([request, answer.then((r) => r.done ? ended : undefined)]);
      if (first === ended) {
        request.catch(() => {}); // rejected with ETERM when the socket closes
        break;
      }
      await run.output(await request);
      await run.writer.flush();
      const next = await answer;
      if (next.done) break;
      await run.send(next.value);
    }
  } finally {
    // not awaited: with a read still pending it would wait for stdin
    inputs.return().catch(() => {});
  }
}

/**
 * DEALER, ROUTER, PAIR, STREAM, XPUB, XSUB: input is sent while messages received are
 * printed. With -n the run ends once N messages came and input has ended; the end of input
 * alone only ends the sending. ROUTER with --exec answers each message with the command's
 * output instead, and ends after -n messages. STREAM also ends when input has ended and the
 * last connected peer has gone (so `printf request | zmqkit cat stream -c …` finishes).
 */
async function duplex(run: CatRun): Promise<void> {
  const count = run.cfg.count;
  const sending = run.cfg.exec === undefined ? sendAll(run, undefined) : Promise.resolve();
  sending.catch((e: Error) => run.fail(e));
  const peers = run.cfg.type === "STREAM" ? new StreamPeers() : undefined;
  const inputDone = Symbol("input done");
  let sent: Promise<typeof inputDone> | undefined = peers &&
    sending.then(() => inputDone, () => inputDone);
  for (let n = 0; count === undefined || n < count; n++) {
    const receiving = run.receive();
    let m = sent ? await Promise.race([receiving, sent]) : await receiving;
    if (m === inputDone) {
      sent = undefined;
      if (peers!.allGone) {
        receiving.catch(() => {}); // rejected with ETERM when the socket closes
        break;
      }
      m = await receiving;
    }
    if (run.cfg.exec !== undefined) {
      const id = m[0]!;
      const answer = await execReply(run, m.slice(1), id);
      if (answer !== undefined) await run.send([id, ...answer]);
      continue;
    }
    const gone = peers?.see(m) === true;
    const wait = run.output(m);
    if (wait) await wait;
    if (gone && sent === undefined && peers!.allGone) break;
  }
  await sending;
}

/** STREAM connection notifications (`[id, empty]`): the first per id opens, the next closes. */
class StreamPeers {
  #open = new Set<string>();
  #seen = false;

  /** Records a notification; true when it closed the peer's connection. */
  see(m: Uint8Array[]): boolean {
    if (m.length !== 2 || m[1]!.length !== 0) return false;
    const key = m[0]!.join(",");
    this.#seen = true;
    if (this.#open.delete(key)) return true;
    this.#open.add(key);
    return false;
  }

  get allGone(): boolean {
    return this.#seen && this.#open.size === 0;
  }
}

export const MODES: Record<Mode, (run: CatRun) => Promise<void>> = {
  send: (run) => sendAll(run, run.cfg.count),
  receive: (run) => receiveAll(run, run.cfg.count),
  request,
  reply,
  duplex,
};
