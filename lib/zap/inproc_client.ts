// SPDX-License-Identifier: MIT
/**
 * ZAP over inproc://zeromq.zap.01, as libzmq does it: a handler (a REP or ROUTER socket the
 * application binds there) gets one request per peer and answers it. One DEALER per process
 * carries every request, each with its own request id; it reads only while answers are
 * awaited, so it never keeps the process alive by itself.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { inprocBinder } from "../transports/inproc.ts";
import { unrefTimer } from "../transports/runtime/keep_alive.ts";
import { latin1 } from "../util/bytes.ts";
import { decodeMetadata } from "../wire/metadata.ts";
import type { ZapReply, ZapRequest } from "./zap.ts";

/** Where libzmq looks for the process's ZAP handler. */
export const ZAP_ENDPOINT = "inproc://zeromq.zap.01";
/** An answer not back by then fails the handshake waiting for it (its own timeout may be first). */
const ANSWER_TIMEOUT = 60_000;

/** True while a ZAP handler is bound at inproc://zeromq.zap.01. */
export function zapHandlerBound(): boolean {
  return inprocBinder(ZAP_ENDPOINT) !== undefined;
}

interface Waiting {
  resolve(reply: ZapReply): void;
  reject(error: Error): void;
}

interface ZapDealer {
  send(frames: Uint8Array[]): Promise<void>;
  receive(): Promise<Uint8Array[]>;
  connect(endpoint: string): void;
  close(): void;
}

const enc = new TextEncoder();
/** The dealer, and the handler socket it was connected to (an inproc link ends with it). */
let dealer: Promise<ZapDealer> | undefined;
let dealerFor: object | undefined;
const waiting = new Map<string, Waiting>();
let nextId = 1;
let reading = false;
let readingFrom: ZapDealer | undefined;

function zapDealer(): Promise<ZapDealer> {
  const binder = inprocBinder(ZAP_ENDPOINT);
  if (dealer !== undefined && dealerFor !== binder) {
    // another handler took the endpoint: the old link is gone, and answers on it with it
    void dealer.then((d) => d.close());
    dealer = undefined;
  }
  dealerFor = binder;
  // imported when first needed: the sockets layer imports this module
  return dealer ??= import("../sockets/dealer.ts").then(({ Dealer }) => {
    const d = new Dealer({ linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: 0 });
    d.connect(ZAP_ENDPOINT);
    return d;
  });
}

/** Requests awaiting an answer (tests watch that closed connections leave none behind). */
export function zapRequestsWaiting(): number {
  return waiting.size;
}

/**
 * Sends `request` to the handler bound at inproc://zeromq.zap.01 and awaits its reply.
 * `closed` (the connection's end) stops the wait at once: a peer that hangs up leaves nothing
 * waiting behind it, however slow the handler.
 */
export async function askInproc(request: ZapRequest, closed?: AbortSignal): Promise<ZapReply> {
  const d = await zapDealer();
  if (closed?.aborted) throw new Error("the connection closed before ZAP was asked");
  const id = String(nextId++);
  const reply = new Promise<ZapReply>((resolve, reject) => {
    const done = () => {
      waiting.delete(id);
      clearTimeout(timer);
      closed?.removeEventListener("abort", abandon);
    };
    const abandon = () => {
      done();
      reject(new Error("the connection closed while ZAP was asked"));
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new ProtocolError(
          ProtocolErrorCode.ZAP_UNSPECIFIED,
          `the ZAP handler at ${ZAP_ENDPOINT} did not answer within ${ANSWER_TIMEOUT} ms`,
        ),
      );
    }, ANSWER_TIMEOUT);
    unrefTimer(timer);
    closed?.addEventListener("abort", abandon, { once: true });
    waiting.set(id, {
      resolve: (r) => (done(), resolve(r)),
      reject: (e) => (done(), reject(e)),
    });
  });
  await d.send([
    new Uint8Array(0),
    enc.encode("1.0"),
    enc.encode(id),
    enc.encode(request.domain),
    enc.encode(request.address),
    request.identity,
    enc.encode(request.mechanism),
    ...request.credentials,
  ]);
  if (!reading || readingFrom !== d) void read(d);
  return reply;
}

/** Reads replies while any is awaited. */
async function read(d: ZapDealer): Promise<void> {
  reading = true;
  readingFrom = d;
  try {
    while (waiting.size > 0 && readingFrom === d) {
      let frames: Uint8Array[];
      try {
        frames = await d.receive();
      } catch {
        return; // closed: replaced by a dealer for another handler
      }
      const id = frames.length > 2 ? latin1(frames[2]!) : undefined;
      const w = id === undefined ? undefined : waiting.get(id);
      if (w === undefined) continue; // an answer to nothing we asked (or too late)
      try {
        w.resolve(parseReply(frames));
      } catch (e) {
        w.reject(e as Error);
      }
    }
  } finally {
    if (readingFrom === d) reading = false;
  }
}

/** A reply as RFC 27 and libzmq want it: exactly 7 frames, version 1.0, status [2-5]00. */
export function parseReply(frames: Uint8Array[]): ZapReply {
  if (frames.length !== 7 || frames[0]!.length !== 0) {
    throw new ProtocolError(
      ProtocolErrorCode.ZAP_MALFORMED_REPLY,
      `ZAP reply of ${frames.length} frames (7 expected, the first empty)`,
    );
  }
  const [, version, , status, text, userId, metadata] = frames as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  if (latin1(version) !== "1.0") {
    throw new ProtocolError(
      ProtocolErrorCode.ZAP_BAD_VERSION,
      `ZAP reply version ${JSON.stringify(latin1(version))} (1.0 expected)`,
    );
  }
  const code = latin1(status);
  if (!/^[2-5]00$/.test(code)) {
    throw new ProtocolError(
      ProtocolErrorCode.ZAP_INVALID_STATUS_CODE,
      `ZAP reply status ${JSON.stringify(code)}`,
    );
  }
  let props;
  try {
    props = decodeMetadata(metadata);
  } catch (e) {
    throw new ProtocolError(
      ProtocolErrorCode.ZAP_INVALID_METADATA,
      `ZAP reply metadata: ${(e as Error).message}`,
    );
  }
  return {
    status: Number(code),
    statusText: new TextDecoder().decode(text),
    userId: new TextDecoder().decode(userId),
    metadata: props,
  };
}
