// SPDX-License-Identifier: MIT
/** Files for the command line (capture files in and out), on `node:fs`. */
import * as fs from "node:fs";

/** The whole file, or an Error whose message names the path. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    const b = await fs.promises.readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new Error(`cannot read "${path}": ${(e as Error).message}`);
  }
}

/** A file written in order with synchronous appends (small writes, never reordered). */
export interface FileSink {
  write(bytes: Uint8Array): void;
  close(): void;
}

export function createFileSink(path: string): FileSink {
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
