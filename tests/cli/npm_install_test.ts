// SPDX-License-Identifier: MIT
/**
 * The README's way to a `zmqkit` on PATH, on a machine with only Node and npm (issue 13): its
 * install block is run line by line as written (npm's global prefix pointed at a temporary
 * directory), then the installed command, with a PATH that holds Node but no Deno and no Bun,
 * talks to libzmq over tcp and ipc, binding and connecting.
 *
 * It packs and installs once, so it runs under `deno test` only (Bun's run of the suite skips
 * it: the command under test runs on Node either way).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Buffer } from "node:buffer";
import { LibzmqPeer, type Side } from "../_helpers/peers.ts";
import { ipcEndpoint, killAll, lines, ROOT, type RunOptions, startZmqkit } from "./_cli.ts";

const underBun = (globalThis as { Bun?: unknown }).Bun !== undefined;
const HEADING = "## A `zmqkit` command on PATH";

/** The commands of the first ```sh block under HEADING, comments and blank lines dropped. */
export function installCommands(readme: string): string[] {
  const at = readme.indexOf(HEADING);
  assert.ok(at >= 0, `README has no "${HEADING}" section`);
  const open = readme.indexOf("```sh\n", at);
  const close = readme.indexOf("\n```", open + 6);
  assert.ok(open >= 0 && close > open, "no ```sh block in the install section");
  return readme.slice(open + 6, close).split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/** The directory holding `name` on PATH, outside node_modules/.bin, or undefined. */
function onPath(name: string, path: string): string | undefined {
  return path.split(delimiter).find((d) =>
    d !== "" && !d.includes("node_modules") && existsSync(join(d, name))
  );
}

describe(
  "npm install -g of the packed package",
  { skip: underBun && "runs under deno test" },
  () => {
    let work = "";
    let bin = "";
    let path = "";
    let peer: LibzmqPeer;

    before(async () => {
      work = mkdtempSync(join(tmpdir(), "zmqkit-install-"));
      const prefix = join(work, "prefix");
      const nodeDir = onPath("node", process.env.PATH ?? "");
      assert.ok(nodeDir !== undefined, "no node on PATH");
      // what the installed command sees: its own bin directory, Node's, and the system's
      path = [join(prefix, "bin"), nodeDir, "/usr/bin", "/bin"].join(delimiter);
      const env = { ...process.env, npm_config_prefix: prefix, npm_config_loglevel: "error" };
      for (const command of installCommands(readFileSync(join(ROOT, "README.md"), "utf8"))) {
        execFileSync("sh", ["-c", command], {
          cwd: ROOT,
          env,
          stdio: ["ignore", "ignore", "pipe"],
          timeout: 240_000,
        });
      }
      bin = join(prefix, "bin", "zmqkit");
      peer = await LibzmqPeer.start();
    }, { timeout: 300_000 });

    after(async () => {
      killAll();
      await peer?.stop();
      for (const f of readdirSync(ROOT)) {
        if (/^zmqkit-.*\.tgz$/.test(f)) rmSync(join(ROOT, f)); // what `npm pack` wrote
      }
      if (work !== "") rmSync(work, { recursive: true, force: true });
    });

    const run = (args: string[], options: RunOptions = {}) =>
      startZmqkit(args, { ...options, bin, env: { PATH: path } });

    it("puts a zmqkit on PATH that runs on Node, with no Deno or Bun to be found", async () => {
      assert.ok(existsSync(bin), `${bin} was not installed`);
      assert.equal(onPath("deno", path), undefined, "deno is on the test's PATH");
      assert.equal(onPath("bun", path), undefined, "bun is on the test's PATH");
      const r = await run(["--version"], { input: "" }).done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.toString(), /^zmqkit \S+ \(node v\d+\.\d+\.\d+\)\n$/);
    });

    for (const transport of ["tcp", "ipc"] as const) {
      const endpoint = () => transport === "tcp" ? "tcp://127.0.0.1:0" : ipcEndpoint();
      for (const binder of ["zmqkit", "libzmq"] as const) {
        /** zmqkit `args`, wired to `lib` with `binder` binding. */
        const wire = async (lib: Side, args: string[], options: RunOptions) => {
          if (binder === "libzmq") {
            const ep = await lib.bind(transport === "tcp" ? "tcp://127.0.0.1:*" : ipcEndpoint());
            return run([...args, "-c", ep], options);
          }
          const ep = endpoint();
          const z = run([...args, "-b", ep], options);
          // a wildcard tcp port is printed once bound; libzmq retries an ipc path until it is
          await lib.connect(transport === "tcp" ? await z.boundEndpoint() : ep);
          return z;
        };

        it(`req asks a libzmq REP over ${transport}, ${binder} binding`, async () => {
          const rep = await peer.socket("REP");
          const z = await wire(rep, ["cat", "req", "-t", "10000"], { input: "ping\n" });
          assert.deepEqual((await rep.receive()).map((f) => Buffer.from(f).toString()), ["ping"]);
          await rep.send([Buffer.from("pong")]);
          const r = await z.done;
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(lines(r.stdout), ["pong"]);
          await rep.close();
        });

        it(`pull prints what a libzmq PUSH sends over ${transport}, ${binder} binding`, async () => {
          const push = await peer.socket("PUSH");
          const z = await wire(push, ["cat", "pull", "-n", "2"], {});
          await push.send([Buffer.from("one")]);
          await push.send([Buffer.from("two"), Buffer.from("frames")]);
          const r = await z.done;
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(lines(r.stdout), ["one", "two\tframes"]);
          await push.close();
        });
      }
    }
  },
);

// the block's commands exist and name the package's own tarball
describe("the README's install block", () => {
  it("packs, then installs the tarball it wrote", () => {
    const commands = installCommands(readFileSync(join(ROOT, "README.md"), "utf8"));
    assert.deepEqual(commands.map((c) => c.split(" ").slice(0, 2).join(" ")), [
      "npm pack",
      "npm install",
    ]);
    assert.match(commands[1]!, /^npm install -g \.\/zmqkit-\*\.tgz$/);
  });
});
