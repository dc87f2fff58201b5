// SPDX-License-Identifier: MIT
/**
 * What every adapter does the same way: bytes may arrive before the engine has set its data
 * handler (Deno emits "data" in the "connect" tick; an accepted connection reads at once),
 * so chunks are held until the handler is set, then replayed to it in order.
 */
export abstract class EarlyData {
  #handler: ((chunk: Uint8Array) => void) | undefined;
  #early: Uint8Array[] = [];
  #hold = (chunk: Uint8Array): void => void this.#early.push(chunk);

  /** The engine's handler, or one that holds chunks for it until it is set. */
  get onData(): (chunk: Uint8Array) => void {
    return this.#handler ?? this.#hold;
  }
  set onData(handler: (chunk: Uint8Array) => void) {
    this.#handler = handler;
    for (const chunk of this.#early.splice(0)) handler(chunk);
  }

  /** True once the engine has set its handler. */
  protected get handled(): boolean {
    return this.#handler !== undefined;
  }
}
