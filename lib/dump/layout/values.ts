// SPDX-License-Identifier: MIT
/** JSON-safe value helpers shared by the layout and body decoders. Pure. */
import type { JsonValue } from "../events.ts";

/**
 * Sets `obj[key] = value` as an own, enumerable property, even for the key "__proto__"
 * (a plain assignment would replace the object's prototype instead).
 */
export function defineKey(obj: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}

/** An integer as JSON: a number when it is exact as one (|v| ≤ 2^53 - 1), else a decimal string. */
export function intJson(v: number | bigint): JsonValue {
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : String(v);
  const n = Number(v);
  return Number.isSafeInteger(n) && BigInt(n) === v ? n : v.toString();
}

/** A float as JSON: the number, or "NaN" / "Infinity" / "-Infinity", which JSON cannot hold. */
export function floatJson(v: number): JsonValue {
  return Number.isFinite(v) ? v : String(v);
}
