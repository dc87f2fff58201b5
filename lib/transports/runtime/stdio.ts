// SPDX-License-Identifier: MIT
/**
 * Standard input and output for the command line, on `node:process` (Deno, Bun and Node all
 * implement it). The only place the CLI touches the process's streams: stdin as an async
 * iterable of byte chunks (pulled, so a slow consumer slows reading), stdout and stderr as
 * sinks whose writes can be awaited until the runtime's buffer drains.
 */
import { nodeProcess } from "./builtin.ts";

/** A byte sink with backpressure. */
export interface ByteSink {
  /**
   * Writes `bytes` in order. Returns undefined when the runtime accepted them, or a promise
   * that resolves once its buffer has drained (await it before writing more).
   */
  write(bytes: Uint8Array): Promise<void> | undefined;
  /** Resolves once everything written so far has been handed to the operating system. */
  flush(): Promise<void>;
  /** True when the reader went away (EPIPE): further writes are dropped. */
  readonly broken: boolean;
}

type NodeWritable = {
  write(chunk: Uint8Array | string, cb?: (err?: Error | null) => void): boolean;
  once(event: "drain", cb: () => void): unknown;
  on(event: "error", cb: (err: Error & { code?: string }) => void): unknown;
};

class StreamSink implements ByteSink {
  #stream: NodeWritable;
  #broken = false;
  #onBroken: (() => void) | undefined;
  #drain: Promise<void> | undefined;
  /** Pending drain and flush waits, released at once if the stream breaks. */
  #waits = new Set<() => void>();

  constructor(stream: NodeWritable) {
    this.#stream = stream;
    stream.on("error", () => {
      // EPIPE and friends: the reader is gone; stop writing, tell the owner once
      if (this.#broken) return;
      this.#broken = true;
      for (const w of this.#waits) w();
      this.#waits.clear();
      this.#onBroken?.();
    });
  }

  get broken(): boolean {
    return this.#broken;
  }

  /** Called once when the reader goes away. */
  set onBroken(cb: () => void) {
    this.#onBroken = cb;
  }

  #wait(start: (done: () => void) => void): Promise<void> {
    if (this.#broken) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#waits.delete(done);
        resolve();
      };
      this.#waits.add(done);
      start(done);
    });
  }

  write(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#broken || bytes.length === 0) return undefined;
    if (this.#stream.write(bytes)) return undefined;
    return this.#drain ??= this.#wait((done) => this.#stream.once("drain", done)).then(() => {
      this.#drain = undefined;
    });
  }

  flush(): Promise<void> {
    // the callback of an empty write runs after every earlier write was flushed
    return this.#wait((done) => this.#stream.write(new Uint8Array(0), () => done()));
  }
}

let out: StreamSink | undefined;
let err: StreamSink | undefined;

/** The process's standard output. */
export function stdout(): ByteSink & { onBroken: () => void } {
  return out ??= new StreamSink(nodeProcess().stdout as unknown as NodeWritable);
}

/** The process's standard error. */
export function stderr(): ByteSink {
  return err ??= new StreamSink(nodeProcess().stderr as unknown as NodeWritable);
}

/**
 * Standard input as byte chunks. Reading is pulled: the runtime reads ahead at most one
 * stream buffer, so a consumer that awaits between chunks holds the producer back.
 */
export async function* stdinChunks(): AsyncGenerator<Uint8Array, void, undefined> {
  const input = nodeProcess().stdin as unknown as AsyncIterable<Uint8Array | string>;
  for await (const chunk of input) {
    if (typeof chunk === "string") yield new TextEncoder().encode(chunk);
    else yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** Stops reading standard input for good, so it no longer keeps the process alive. */
export function closeStdin(): void {
  const input = nodeProcess().stdin as unknown as { destroy?: () => void; pause?: () => void };
  try {
    input.pause?.();
    input.destroy?.();
  } catch { /* already closed */ }
}

/** True when the stream is a terminal (fd 0, 1 or 2). */
export function isTerminal(fd: 0 | 1 | 2): boolean {
  const s = fd === 0 ? nodeProcess().stdin : fd === 1 ? nodeProcess().stdout : nodeProcess().stderr;
  return (s as unknown as { isTTY?: boolean }).isTTY === true;
}
