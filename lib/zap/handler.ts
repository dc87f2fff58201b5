// SPDX-License-Identifier: MIT
/**
 * A ZAP handler as a function (zmqkit's `zapHandler` option, and the ready-made policies):
 * what it is given, what it answers, and the checks that turn its answer into a ZapReply.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import type { Metadata } from "../wire/metadata.ts";
import type { ZapReply, ZapRequest } from "./zap.ts";

export type { ZapRequest };

/** A ZAP handler's answer about one peer. */
export interface ZapAnswer {
  /** 200 accepts; 300 (temporary), 400 (refused), 500 (handler error) refuse. */
  status: 200 | 300 | 400 | 500;
  /** Why, for the logs (sent to the server side only). */
  statusText?: string | undefined;
  /** The peer's user id: the User-Id property of its messages. */
  userId?: string | undefined;
  /** Properties added to the peer's messages. */
  metadata?: Record<string, string | Uint8Array> | undefined;
}

/** Decides about one peer a server mechanism authenticates (RFC 27's request, as an object). */
export type ZapHandler = (request: ZapRequest) => ZapAnswer | Promise<ZapAnswer>;

const enc = new TextEncoder();

/** Asks `handler` and checks its answer; a handler that throws or answers nonsense is a 500. */
export async function askHandler(handler: ZapHandler, request: ZapRequest): Promise<ZapReply> {
  let answer: ZapAnswer;
  try {
    answer = await handler(request);
  } catch (e) {
    return { status: 500, statusText: `ZAP handler failed: ${e}`, userId: "", metadata: [] };
  }
  const status = answer?.status;
  if (status !== 200 && status !== 300 && status !== 400 && status !== 500) {
    throw new ProtocolError(
      ProtocolErrorCode.ZAP_INVALID_STATUS_CODE,
      `ZAP handler answered status ${JSON.stringify(status)} (200, 300, 400 or 500 expected)`,
    );
  }
  const metadata: Metadata = [];
  for (const [name, value] of Object.entries(answer.metadata ?? {})) {
    metadata.push([name, typeof value === "string" ? enc.encode(value) : value]);
  }
  return {
    status,
    statusText: answer.statusText ?? "",
    userId: answer.userId ?? "",
    metadata,
  };
}
