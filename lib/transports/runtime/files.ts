// SPDX-License-Identifier: MIT
/** Files for the command line (capture files in and out), on `node:fs`. */
import type * as Fs from "node:fs";
import { builtin } from "./builtin.ts";

const nodeFs = () => builtin("node:fs");

/** The whole file, or an Error whose message names the path. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    const b = await nodeFs().promises.readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new Error(`cannot read "${path}": ${(e as Error).message}`);
  }
}

/**
 * The file as a stream of chunks of at most `chunkSize` bytes, read as they are pulled: memory
 * stays at one chunk whatever the file's size, and a pipe or FIFO (`/dev/stdin`) yields data
 * as it arrives. Every chunk is a buffer of its own (never reused). Errors name the path.
 */
export async function* readFileChunks(
  path: string,
  chunkSize = 64 * 1024,
): AsyncGenerator<Uint8Array, void, undefined> {
  const fail = (e: unknown) => new Error(`cannot read "${path}": ${(e as Error).message}`);
  let file: Fs.promises.FileHandle;
  try {
    file = await nodeFs().promises.open(path, "r");
  } catch (e) {
    throw fail(e);
  }
  try {
    for (;;) {
      const buf = new Uint8Array(chunkSize);
      let n: number;
      try {
        n = (await file.read(buf, 0, chunkSize, null)).bytesRead;
      } catch (e) {
        throw fail(e);
      }
      if (n === 0) return;
      yield n === chunkSize ? buf : buf.subarray(0, n);
    }
  } finally {
    await file.close().catch(() => {});
  }
}

/** A file written in order with synchronous appends (small writes, never reordered). */
export interface FileSink {
  write(bytes: Uint8Array): void;
  close(): void;
}

export function createFileSink(path: string): FileSink {
  const fs = nodeFs();
  let fd: number;
  try {
    fd = fs.openSync(path, "w");
  } catch (e) {
    throw new Error(`cannot write "${path}": ${(e as Error).message}`);
  }
  let open = true;
  return {
    write(bytes) {
      if (!open) return;
      let off = 0;
      while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    },
    close() {
      if (!open) return;
      open = false;
      fs.closeSync(fd);
    },
  };
}

/**
 * Writes `text` to a new file at `path` with permissions `mode` (e.g. 0o600 for a secret);
 * refuses to replace an existing file. Errors name the path.
 */
export function writeNewTextFile(path: string, text: string, mode: number): void {
  try {
    nodeFs().writeFileSync(path, text, { mode, flag: "wx" });
  } catch (e) {
    throw new Error(`cannot write "${path}": ${(e as Error).message}`);
  }
}

/** The paths of the regular files directly in `dir`, sorted. Errors name the directory. */
export function listFiles(dir: string): string[] {
  try {
    return nodeFs().readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => `${dir.replace(/\/+$/, "")}/${e.name}`)
      .sort();
  } catch (e) {
    throw new Error(`cannot list "${dir}": ${(e as Error).message}`);
  }
}
