// SPDX-License-Identifier: MIT
// Docs that match the code (issue 13, item 7): the LICENSE that package.json promises, links in
// bench/README.md that stay inside the repository, and `zmqkit proxy --help` saying what the
// proxy is (zmqkit's own, not libzmq's) with a STATISTICS example that works as written.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ensureBinary, ipcEndpoint, killAll, ROOT, startZmqkit, WAIT, zmqkit } from "./_cli.ts";
import { decodeJson, encodeJson } from "../../cli/io/formats/json.ts";

before(() => ensureBinary());
after(() => killAll());

describe("LICENSE", () => {
  it("exists, is MIT for the zmqkit authors, and is packed", () => {
    const text = readFileSync(join(ROOT, "LICENSE"), "utf8");
    assert.match(text, /^MIT License\n/);
    assert.match(text, /Copyright \(c\) 2026 the zmqkit authors/);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    assert.equal(pkg.license, "MIT");
    assert.ok(pkg.files.includes("LICENSE"), `package.json files: ${pkg.files}`);
  });
});

/** The `#anchor`s GitHub makes of a markdown file's headings. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6} +(.+)$/gm)) {
    out.add(m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-"));
  }
  return out;
}

describe("bench/README.md", () => {
  const file = join(ROOT, "bench", "README.md");
  const text = readFileSync(file, "utf8");
  const inside = (p: string) => {
    const rel = relative(ROOT, p);
    return rel !== "" && !rel.startsWith("..") && !rel.startsWith("/");
  };

  it("links only to files inside the repository, which exist, and to headings they have", () => {
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    assert.ok(links.length > 0, "bench/README.md has links");
    for (const link of links) {
      if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
      const [path, anchor] = link.split("#") as [string, string | undefined];
      const target = path === "" ? file : resolve(dirname(file), path);
      assert.ok(inside(target), `${link} resolves outside the repository`);
      assert.ok(existsSync(target), `${link}: ${relative(ROOT, target)} does not exist`);
      if (anchor !== undefined && target.endsWith(".md")) {
        const found = anchors(readFileSync(target, "utf8"));
        assert.ok(found.has(anchor), `${link}: no heading for #${anchor}`);
      }
    }
  });

  it("names no relative path that leaves the repository", () => {
    for (const m of text.matchAll(/`(\.\.\/[^`\s]*)`/g)) {
      assert.ok(inside(resolve(dirname(file), m[1]!)), `${m[1]} is outside the repository`);
    }
    assert.doesNotMatch(text, /shared\/docs\//);
  });
});

describe("zmqkit proxy --help", () => {
  it("describes zmqkit's own proxy, not libzmq's function running", async () => {
    const r = await zmqkit(["proxy", "--help"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString().replace(/\s+/g, " ");
    assert.match(out, /pure TypeScript \(no libzmq inside\)/);
    assert.doesNotMatch(out, /(runs|running|is|calls|uses) libzmq's zmq_proxy/i);
    assert.doesNotMatch(out, /as libzmq's zmq_proxy_steerable does\./);
  });

  it("has a STATISTICS example that works against a running proxy's --control socket", async () => {
    const help = (await zmqkit(["proxy", "--help"])).stdout.toString();
    const examples = help.slice(help.indexOf("\nExamples:\n"));
    const proxyLine = examples.split("\n").find((l) => /zmqkit proxy .*--control /.test(l));
    const statsLine = examples.split("\n").find((l) => /^\s*echo STATISTICS \| zmqkit /.test(l));
    assert.ok(proxyLine && statsLine, `examples with --control and STATISTICS:\n${examples}`);
    const control = /--control '?([^'\s]+)'?/.exec(proxyLine)![1]!;
    const m = /^\s*echo (\S+) \| zmqkit (.+?)(?: {2,}.*)?$/.exec(statsLine)!;
    const [input, command] = [m[1]!, m[2]!.trim()];
    assert.doesNotMatch(command, /['"\\$]/, "the example splits on spaces");
    const args = command.split(/ +/);
    assert.ok(args.includes(control), `${statsLine} talks to the --control endpoint ${control}`);

    // the proxy of the example, on endpoints of our own (the control one on any free port)
    const proxy = startZmqkit([
      "proxy",
      "streamer",
      ipcEndpoint(),
      ipcEndpoint(),
      "--control",
      "tcp://127.0.0.1:0",
    ]);
    try {
      const bound = (await proxy.waitStderr(/control: rep bound to (tcp:\/\/\S+)/))[1]!;
      const stats = await zmqkit(args.map((a) => a === control ? bound : a), {
        input: `${input}\n`,
        timeout: WAIT,
      });
      assert.equal(stats.stderr, "");
      assert.equal(stats.code, 0);
      // 8 little-endian uint64 frames, hex, TAB-separated: nothing forwarded yet
      assert.equal(stats.stdout.toString(), `${Array(8).fill("0".repeat(16)).join("\t")}\n`);

      const end = await zmqkit(["cat", "req", "-c", bound], {
        input: "TERMINATE\n",
        timeout: WAIT,
      });
      assert.equal(end.code, 0, end.stderr);
      const done = await proxy.done;
      assert.equal(done.code, 0, done.stderr);
    } finally {
      proxy.kill("SIGKILL");
    }
  });
});

describe("README: the -f json example", () => {
  it("prints what zmqkit prints for the frames the pub example sends", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const shown = readme.match(/-f json +# (\[.*?\]): /)?.[1];
    const sent = readme.match(/echo '(\[.*?\])' \| zmqkit cat pub .*--in json/)?.[1];
    assert.ok(shown !== undefined && sent !== undefined, "the README has both lines");
    assert.equal(new TextDecoder().decode(encodeJson(decodeJson(sent))), shown);
  });
});
