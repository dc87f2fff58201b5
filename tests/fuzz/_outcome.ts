// SPDX-License-Identifier: MIT
/** What the mechanism fuzz tests accept from a decoder fed hostile bytes. */
import { ProtocolError } from "../../lib/errors.ts";
import { AuthError, HandshakeRefused } from "../../lib/mechanisms/mechanism.ts";

/**
 * "step", or the kind of allowed error thrown (a ProtocolError's code, `auth N`, `refused`);
 * anything else is rethrown, failing the property.
 */
export async function outcome(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return "step";
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    if (e instanceof AuthError) return `auth ${e.status}`;
    if (e instanceof HandshakeRefused) return "refused";
    throw e;
  }
}
