// SPDX-License-Identifier: MIT
/**
 * Reads a hex dump of one byte stream, as people paste them: plain hex (any spacing, `0x`
 * prefixes, `#` comments), `xxd` lines (`00000010: ff00 …  ascii`) and `hexdump -C` lines
 * (`00000010  ff 00 …  |ascii|`). Pure. Throws HexInputError naming the line and column.
 */

export class HexInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HexInputError";
  }
}

const XXD = /^\s*[0-9a-fA-F]+:\s/;
const HEXDUMP_C = /^\s*[0-9a-fA-F]{6,16}\s\s.*\|.*\|\s*$/;

export function parseHexDump(text: string): Uint8Array {
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let ln = 0; ln < lines.length; ln++) {
    let line = lines[ln]!;
    let col = 0;
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.slice(0, hash);
    if (XXD.test(line)) {
      const colon = line.indexOf(":");
      col = colon + 1;
      line = line.slice(col);
      // the ascii column starts after two spaces; hex groups are separated by one
      const gap = line.search(/\S\s{2,}/);
      if (gap >= 0) line = line.slice(0, gap + 1);
    } else if (HEXDUMP_C.test(line)) {
      const m = /^\s*[0-9a-fA-F]+/.exec(line)!;
      col = m[0].length;
      line = line.slice(col, line.indexOf("|"));
    } else if (/^\s*[0-9a-fA-F]{7,8}\s*$/.test(line)) {
      continue; // the final offset line of hexdump/od
    }
    const re = /(0x)?([0-9a-fA-F]+)|(\S)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null) {
      if (m[3] !== undefined) {
        throw new HexInputError(
          `hex input line ${ln + 1}, column ${col + m.index + 1}: "${m[3]}" is not a hex digit`,
        );
      }
      const digits = m[2]!;
      if (digits.length % 2 !== 0) {
        throw new HexInputError(
          `hex input line ${ln + 1}, column ${
            col + m.index + 1
          }: odd number of hex digits in "${digits}"`,
        );
      }
      for (let i = 0; i < digits.length; i += 2) out.push(parseInt(digits.slice(i, i + 2), 16));
    }
  }
  return Uint8Array.from(out);
}
