// SPDX-License-Identifier: MIT
/**
 * Runs README.md's command recipes as written, for tests/cli/readme_recipes_test.ts: the ```sh
 * blocks read from the README, one mechanical `rewrite()` of each line (placeholder hosts, fixed
 * ports and absolute paths made local), and each line run with `sh -c` in a temporary directory
 * whose `bin/zmqkit` (a symlink to the binary under test) comes first on PATH. A line runs to
 * completion (`run`) or in the background (`start`, stopped with its whole process group at the
 * end of the recipe); every wait is bounded.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, isAbsolute, join } from "node:path";
import { Buffer } from "node:buffer";
import { BIN, closedPort, WAIT } from "./_cli.ts";

/** One ```sh block of the README. */
export interface Block {
  /** 1-based, counting every ```sh block (as `awk '/^```sh/{n++}'` does). */
  index: number;
  /** README line of the opening fence. */
  line: number;
  lines: string[];
  /** Its first command line, without the trailing comment: what a scenario is found by. */
  key: string;
}

/** A line without its trailing `# comment` (the recipes put none inside quotes). */
export function commandOf(line: string): string {
  return line.replace(/\s+#\s.*$/, "").trim();
}

/** Every ```sh block of `markdown`, in order. */
export function readmeBlocks(markdown: string): Block[] {
  const out: Block[] = [];
  const all = markdown.split("\n");
  for (let i = 0; i < all.length; i++) {
    if (!/^```sh\s*$/.test(all[i]!)) continue;
    const start = i;
    const lines: string[] = [];
    while (++i < all.length && !all[i]!.startsWith("```")) lines.push(all[i]!);
    out.push({ index: out.length + 1, line: start + 1, lines, key: commandOf(lines[0] ?? "") });
  }
  return out;
}

/** The next fenced block (any language) after README line `line` (1-based), e.g. a sample output. */
export function fenceAfter(markdown: string, line: number): string[] {
  const all = markdown.split("\n");
  let i = line; // the line after the opening fence, 0-based
  while (i < all.length && !all[i]!.startsWith("```")) i++; // the closing fence
  while (++i < all.length && !all[i]!.startsWith("```")) { /* to the next opening */ }
  const out: string[] = [];
  while (++i < all.length && !all[i]!.startsWith("```")) out.push(all[i]!);
  return out;
}

/** `tcp://HOST:N`, `TCP-LISTEN:N`, `port N` and `--port N`: where a recipe names a port. */
const PORT = /(tcp:\/\/[^\s:/'"]+:|TCP-LISTEN:|\bport )(\d+)/g;

/** The port numbers a block names, in order of first use. */
export function portsOf(lines: string[]): string[] {
  const seen = new Set<string>();
  for (const l of lines) for (const m of l.matchAll(PORT)) seen.add(m[2]!);
  return [...seen];
}

/**
 * The only changes made to a README line before it runs (everything else is as written):
 * - the placeholder hosts `collector`, `hub`, `server`, `host` and `example.com` in `tcp://…`
 *   become 127.0.0.1 (example.com:80 then reaches the test's HTTP stand-in, by the next rule);
 * - each fixed port (`tcp://…:5555`, `TCP-LISTEN:7000`, `port 5555`, `--port 5555`) becomes the
 *   free port the test chose for that number in this block, the same for every line of it;
 * - absolute paths under /tmp/ and /var/log/ (`ipc:///tmp/in`, `/var/log/app.log`) move into the
 *   recipe's temporary directory. Relative paths (all.log, events.txt, image.png, cap.pcap,
 *   frames.txt, relay.pcapng, sweep.csv, sweep.svg) need no change: every line runs there;
 * - a trailing `&` is dropped: the test runs that line in the background itself.
 * Not rewritten, provided instead: `zmqkit` (a symlink to the binary under test, first on PATH),
 * `my-decoder` (a script on PATH that saves its stdin to my-decoder.in) and `$SERVER_SECRET`
 * (set in the environment).
 */
export function rewrite(line: string, ports: ReadonlyMap<string, number>, dir: string): string {
  return line
    .replace(/\btcp:\/\/(?:collector|hub|server|host|example\.com):/g, "tcp://127.0.0.1:")
    .replace(PORT, (_, before: string, n: string) => {
      const port = ports.get(n);
      if (port === undefined) throw new Error(`no port chosen for ${n} in: ${line}`);
      return `${before}${port}`;
    })
    .replace(/(?<![\w.])\/(?:tmp|var\/log)\//g, `${dir}/`)
    .replace(/\s*&\s*(#.*)?$/, "");
}

/** The output of a finished line. */
export interface ShResult {
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
}

/** One `sh -c LINE` in its own process group, so that stopping it stops its whole pipeline. */
export class Shell {
  readonly command: string;
  readonly child: ChildProcess;
  readonly done: Promise<ShResult>;
  #out: Buffer[] = [];
  #err = "";
  #watchers = new Set<() => void>();
  #exited = false;

  constructor(
    command: string,
    options: { cwd: string; env: NodeJS.ProcessEnv; input?: string | Uint8Array },
  ) {
    this.command = command;
    this.child = spawn("sh", ["-c", command], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (b: Buffer) => {
      this.#out.push(b);
      this.#notify();
    });
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (s: string) => {
      this.#err += s;
      this.#notify();
    });
    this.child.stdin!.on("error", () => {}); // it may exit before reading everything
    this.done = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        this.#exited = true;
        this.#notify();
        resolve({ code, signal, stdout: Buffer.concat(this.#out), stderr: this.#err });
      });
    });
    if (options.input !== undefined) this.child.stdin!.end(options.input);
  }

  #notify(): void {
    for (const w of [...this.#watchers]) w();
  }

  get stdout(): string {
    return Buffer.concat(this.#out).toString("utf8");
  }

  get stderr(): string {
    return this.#err;
  }

  get exited(): boolean {
    return this.#exited;
  }

  write(data: string): void {
    this.child.stdin!.write(data);
  }

  endInput(): void {
    this.child.stdin!.end();
  }

  /** Resolves once `check()` holds (re-checked on every output); fails after `ms` or on exit. */
  waitFor(check: () => boolean, what: string, ms = WAIT): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.#watchers.delete(watcher);
        if (error) reject(error);
        else resolve();
      };
      const say = () =>
        `${what}, from: ${this.command}\nstdout: ${this.stdout}\nstderr: ${this.#err}`;
      const watcher = () => {
        if (check()) finish();
        else if (this.#exited) finish(new Error(`exited before ${say()}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`timed out after ${ms} ms waiting for ${say()}`)),
        ms,
      );
      this.#watchers.add(watcher);
      watcher();
    });
  }

  waitStdout(re: RegExp, ms = WAIT): Promise<void> {
    return this.waitFor(() => re.test(this.stdout), `stdout ${re}`, ms);
  }

  waitStderr(re: RegExp, ms = WAIT): Promise<void> {
    return this.waitFor(() => re.test(this.#err), `stderr ${re}`, ms);
  }

  /** Waits (bounded) for the line to end by itself. */
  async finished(ms = WAIT): Promise<ShResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#signal("SIGKILL");
        reject(new Error(`\`${this.command}\` did not end within ${ms} ms; stderr: ${this.#err}`));
      }, ms);
    });
    try {
      return await Promise.race([this.done, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.#exited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal); // the group: sh and every command of its pipeline
    } catch { /* already gone */ }
  }

  /** SIGTERM to the whole group, then SIGKILL if it is still there after a bound. */
  async stop(): Promise<ShResult> {
    this.#signal("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, WAIT));
    await Promise.race([this.done, late]);
    clearTimeout(timer);
    this.#signal("SIGKILL");
    return this.done;
  }
}

/** Resolves once `check()` holds, polling every 20 ms; fails after `ms`. */
export async function waitUntil(check: () => boolean, what: string, ms = WAIT): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** TCP sockets of this machine (Linux /proc/net/tcp*): local and remote port, state. */
function tcpSockets(): Array<{ local: number; remote: number; state: string }> {
  const out: Array<{ local: number; remote: number; state: string }> = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(file)) continue;
    for (const row of readFileSync(file, "utf8").split("\n").slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f.length < 4) continue;
      const port = (a: string) => parseInt(a.slice(a.lastIndexOf(":") + 1), 16);
      out.push({ local: port(f[1]!), remote: port(f[2]!), state: f[3]! });
    }
  }
  return out;
}

/** Someone listens on TCP `port`. */
export const listening = (port: number): boolean =>
  tcpSockets().some((s) => s.state === "0A" && s.local === port);

/** A connection to TCP `port` is established. */
export const connectedTo = (port: number): boolean =>
  tcpSockets().some((s) => s.state === "01" && s.remote === port);

/** Why `tool` cannot run here (undefined when it can): `args` is a harmless probe. */
export function missingTool(tool: string, args: string[]): string | undefined {
  const probe = spawnSync(tool, args, { encoding: "utf8", timeout: WAIT });
  if (probe.error !== undefined) return `${tool} is not on PATH`;
  if (probe.status !== 0) {
    return `${tool} ${args.join(" ")} failed: ${(probe.stderr ?? "").trim().split("\n").pop()}`;
  }
  return undefined;
}

/** The binary under test as an absolute path (ZMQKIT_TEST_BIN may be a bare command name). */
function binaryPath(): string {
  if (isAbsolute(BIN)) return BIN;
  if (BIN.includes("/")) return join(process.cwd(), BIN);
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && existsSync(join(dir, BIN))) return join(dir, BIN);
  }
  return BIN;
}

/**
 * One block being run: its temporary directory (the cwd of every line), the ports chosen for
 * it, the lines started in the background, and which lines have been run or skipped.
 */
export class Recipe {
  readonly block: Block;
  dir = "";
  readonly ports = new Map<string, number>();
  readonly env: Record<string, string> = {};
  #background: Shell[] = [];
  #accounted = new Set<number>();

  constructor(block: Block, env: Record<string, string> = {}) {
    this.block = block;
    Object.assign(this.env, env);
  }

  /** Makes the directory, bin/zmqkit and bin/my-decoder, and a free port per port number. */
  async setup(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), `zmqkit-recipe-${this.block.index}-`));
    const bin = join(this.dir, "bin");
    mkdirSync(bin);
    symlinkSync(binaryPath(), join(bin, "zmqkit"));
    writeFileSync(join(bin, "my-decoder"), `#!/bin/sh\nexec cat >> my-decoder.in\n`);
    chmodSync(join(bin, "my-decoder"), 0o755);
    const taken = new Set<number>();
    for (const n of portsOf(this.block.lines)) {
      let port: number;
      do port = await closedPort(); while (taken.has(port));
      taken.add(port);
      this.ports.set(n, port);
    }
  }

  /** Stops what still runs in the background, and removes the directory. */
  async cleanup(): Promise<void> {
    await this.stopAll();
    if (this.dir !== "") rmSync(this.dir, { recursive: true, force: true });
  }

  async stopAll(): Promise<void> {
    const all = this.#background;
    this.#background = [];
    await Promise.all(all.map((s) => s.stop()));
  }

  /** The port chosen for the README's port number `n`. */
  port(n: number | string): number {
    const p = this.ports.get(String(n));
    if (p === undefined) throw new Error(`block ${this.block.index} names no port ${n}`);
    return p;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Line `i` (0-based) of the block, as it runs: rewritten, and counted as run. */
  command(i: number): string {
    const line = this.block.lines[i];
    if (line === undefined) throw new Error(`block ${this.block.index} has no line ${i + 1}`);
    this.#accounted.add(i);
    return rewrite(line, this.ports, this.dir);
  }

  /** The whole block as one script (for a block that is one compound command). */
  script(): string {
    return this.block.lines.map((_, i) => this.command(i)).join("\n");
  }

  /** Counts line `i` as skipped; returns the reason, for `it(…, { skip })` or `t.skip()`. */
  skip(i: number, reason: string): string {
    this.#accounted.add(i);
    return `line ${i + 1}: ${reason}`;
  }

  /** Lines (1-based) neither run nor skipped so far. */
  unaccounted(): number[] {
    return this.block.lines.map((_, i) => i).filter((i) => !this.#accounted.has(i)).map((i) =>
      i + 1
    );
  }

  #env(): NodeJS.ProcessEnv {
    const path = [join(this.dir, "bin"), process.env.PATH ?? ""].join(delimiter);
    return { ...process.env, ...this.env, PATH: path };
  }

  /** Starts a command (a README line from `command(i)`, or `script()`) in the background. */
  startCommand(
    command: string,
    options: { input?: string | Uint8Array; cwd?: string } = {},
  ): Shell {
    const sh = new Shell(command, { cwd: options.cwd ?? this.dir, env: this.#env(), ...options });
    this.#background.push(sh);
    return sh;
  }

  /** Starts line `i` in the background; its stdin stays open unless `input` is given. */
  start(i: number, options: { input?: string | Uint8Array; cwd?: string } = {}): Shell {
    return this.startCommand(this.command(i), options);
  }

  /** Runs a command to its end (bounded by `timeout`, default WAIT); stdin is `input` or empty. */
  runCommand(
    command: string,
    options: { input?: string | Uint8Array; cwd?: string; timeout?: number } = {},
  ): Promise<ShResult> {
    const sh = new Shell(command, {
      cwd: options.cwd ?? this.dir,
      env: this.#env(),
      input: options.input ?? "",
    });
    return sh.finished(options.timeout ?? WAIT);
  }

  /** Runs line `i` to its end. */
  run(
    i: number,
    options: { input?: string | Uint8Array; cwd?: string; timeout?: number } = {},
  ): Promise<ShResult> {
    return this.runCommand(this.command(i), options);
  }
}

/** TCP segments of a classic pcap of Ethernet/IPv4 frames (as `tcpdump -i lo -w` writes). */
function* tcpSegments(
  pcap: Uint8Array,
): Generator<{ tcp: number; src: number; dst: number; payload: Uint8Array }> {
  const v = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const le = v.getUint32(0, true) === 0xa1b2c3d4;
  if (!le && v.getUint32(0, false) !== 0xa1b2c3d4) throw new Error("not a classic µs pcap");
  if (v.getUint32(20, le) !== 1) throw new Error("not an Ethernet capture");
  for (let at = 24; at + 16 <= pcap.length;) {
    const len = v.getUint32(at + 8, le);
    const frame = at + 16;
    at = frame + len;
    if (v.getUint16(frame + 12) !== 0x0800 || pcap[frame + 23] !== 6) continue; // IPv4, TCP
    const ip = frame + 14;
    const tcp = ip + (pcap[ip]! & 0x0f) * 4;
    const end = ip + v.getUint16(ip + 2);
    const data = tcp + (pcap[tcp + 12]! >> 4) * 4;
    const [src, dst] = [v.getUint16(tcp), v.getUint16(tcp + 2)];
    yield { tcp, src, dst, payload: pcap.subarray(data, end) };
  }
}

/** The TCP ports of a capture. */
export function capturePorts(pcap: Uint8Array): Set<number> {
  const out = new Set<number>();
  for (const s of tcpSegments(pcap)) out.add(s.src).add(s.dst);
  return out;
}

/**
 * A copy of a capture with TCP port `from` renumbered `to` in every segment, its checksum
 * updated to match (RFC 1624), so a recipe's own port selects the fixture's flows.
 */
export function renumberPort(pcap: Uint8Array, from: number, to: number): Uint8Array {
  const out = new Uint8Array(pcap); // a copy (a Buffer's slice() would be a view)
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const s of tcpSegments(out)) {
    for (const field of [s.tcp, s.tcp + 2]) {
      if (v.getUint16(field) !== from) continue;
      v.setUint16(field, to);
      let sum = (~v.getUint16(s.tcp + 16) & 0xffff) + (~from & 0xffff) + to;
      sum = (sum & 0xffff) + (sum >>> 16);
      sum = (sum & 0xffff) + (sum >>> 16);
      v.setUint16(s.tcp + 16, ~sum & 0xffff);
    }
  }
  return out;
}

/**
 * The bytes the server on `port` sent on the capture's first connection to it, in capture
 * order (a loopback capture has no retransmissions to weed out).
 */
export function serverBytes(pcap: Uint8Array, port: number): Uint8Array {
  let client: number | undefined;
  const parts: Uint8Array[] = [];
  for (const s of tcpSegments(pcap)) {
    if (s.dst === port) client ??= s.src;
    if (s.src === port && client !== undefined && s.dst === client) parts.push(s.payload);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** `bytes` as `hexdump -C` prints them. */
export function hexdumpC(bytes: Uint8Array): string {
  let out = "";
  for (let o = 0; o < bytes.length; o += 16) {
    const row = [...bytes.subarray(o, o + 16)];
    const hex = row.map((b) => b.toString(16).padStart(2, "0"));
    const left = hex.slice(0, 8).join(" "), right = hex.slice(8).join(" ");
    const ascii = row.map((b) => b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".").join("");
    out += `${o.toString(16).padStart(8, "0")}  ${`${left}  ${right}`.padEnd(49)} |${ascii}|\n`;
  }
  return out + `${bytes.length.toString(16).padStart(8, "0")}\n`;
}
