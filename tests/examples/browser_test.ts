// SPDX-License-Identifier: MIT
/**
 * examples/browser in a real browser: headless Chromium opens index.html?ws=…&send=hello, the
 * page's zws.js connects as REQ over ZWS 2.0 to a REP, and the test reads the page's DOM (over
 * the DevTools protocol) until the reply shows in `#replies .reply`.
 *
 * Why not `chromium --dump-dom --virtual-time-budget=…`: virtual time does not wait for
 * WebSocket traffic; with a REP that takes 1.5 s to answer, the DOM is dumped without the
 * reply. So Chromium runs with --remote-debugging-port=0 and the test polls the page with
 * Runtime.evaluate over the global WebSocket (Deno and Bun have it; Node 20 does not, and this
 * file skips there, as it does when no `chromium` is on PATH).
 *
 * Why http:// and not file://: Chromium refuses the page's `import "./zws.js"` from a file://
 * page (origin "null", blocked by CORS), so the test serves examples/browser itself.
 *
 * A second test runs zws.js itself on the runtime's WebSocket (the same API as the browser's)
 * for multipart requests. The browser reaches a zmqkit REP on tcp through `zmqkit bridge`
 * (`startBridged()`, the README's set-up); zws.js alone talks to libzmq's own ws:// REP
 * (zeromq.js in a Node child, _zws_rep.mjs: `startServer()`), an implementation not ours.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, extname, join, normalize } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { freePort } from "../_helpers/ports.ts";
import { Reply } from "../../mod.ts";
import { BIN, ensureBinary } from "../cli/_cli.ts";

// not from _run.ts: that imports the library, which this test does not use
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Bound on each wait (server up, Chromium up, reply shown), ms. */
const WAIT = 30_000;

/** The full path of `name` on PATH, or null. */
function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch { /* not here */ }
  }
  return null;
}

const chromium = onPath("chromium");
const skip = chromium === null
  ? "chromium not installed"
  : typeof WebSocket === "undefined"
  ? "no global WebSocket in this runtime (the DevTools client needs one)"
  : false;

/** A process started by `run()`, its output kept, killed by `stop()` (with its process group). */
interface Child {
  proc: ChildProcess;
  out: () => string;
  done: () => boolean;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[]): Child {
  // its own process group, so that stop() also ends whatever it started (Chromium's renderers)
  const proc = spawn(cmd, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], detached: true });
  let out = "";
  proc.stdout!.setEncoding("utf8").on("data", (s: string) => out += s);
  proc.stderr!.setEncoding("utf8").on("data", (s: string) => out += s);
  const exited = new Promise<void>((resolve) => {
    proc.once("close", () => resolve());
    proc.once("error", (err) => { // not started (no such command): no "close" may follow
      out += `${cmd}: ${err.message}`;
      resolve();
    });
  });
  let done = false;
  exited.then(() => done = true);
  const kill = (sig: "SIGTERM" | "SIGKILL") => {
    for (const pid of [-proc.pid!, proc.pid!]) { // the group; the process if it has none
      try {
        return process.kill(pid, sig);
      } catch { /* already gone */ }
    }
  };
  return {
    proc,
    out: () => out,
    done: () => done,
    async stop() {
      if (done) return;
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `get` every 100 ms until it returns a value other than undefined, for at most `ms`. */
async function poll<T>(what: string, get: () => Promise<T | undefined>, ms = WAIT): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** `p`, or a rejection if it has not settled within `ms`. */
async function within<T>(what: string, p: Promise<T>, ms = WAIT): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The ZeroMQ REP the page talks to, bound on a ws:// endpoint, answering "reply:" + request.
 * For now libzmq (zeromq.js under Node).
 */
async function startServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  // zeromq.js runs only under Node (_run.ts's Example would start it with the test's runtime);
  // not a bare "node" if there is none: Deno's child_process then starts Deno instead
  const nodeBin = process.env.ZMQKIT_NODE ?? onPath("node");
  if (nodeBin === null) throw new Error("node not found on PATH (zeromq.js needs it)");
  const node = run(nodeBin, [
    join(ROOT, "tests", "examples", "_zws_rep.mjs"),
    String(port),
  ]);
  const url = await poll("the REP to listen", () => {
    const m = /^listening (ws:\S+)$/m.exec(node.out());
    if (m === null && node.done()) throw new Error(`REP ended: ${node.out()}`);
    return Promise.resolve(m?.[1]);
  }).catch(async (err) => {
    await node.stop();
    throw err;
  });
  return { url, stop: () => node.stop() };
}

/**
 * A zmqkit REP on tcp answering "reply:" + request, behind `zmqkit bridge` (the built binary)
 * on a ws:// endpoint.
 */
async function startBridged(): Promise<{ url: string; stop(): Promise<void> }> {
  ensureBinary();
  const rep = new Reply();
  await rep.bind("tcp://127.0.0.1:*");
  void (async () => {
    for await (const [m] of rep) await rep.send(`reply:${new TextDecoder().decode(m)}`);
  })().catch(() => {}); // ends when the socket closes
  const port = await freePort();
  const bridge = run(BIN, ["bridge", `ws://127.0.0.1:${port}`, rep.lastEndpoint!]);
  const stop = async () => {
    await bridge.stop();
    rep.close();
  };
  const url = await poll("the bridge to listen", () => {
    const m = /frontend: router bound to (ws:\S+)/.exec(bridge.out());
    if (m === null && bridge.done()) throw new Error(`bridge ended: ${bridge.out()}`);
    return Promise.resolve(m?.[1]);
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { url, stop };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

/** Serves the files of examples/browser on 127.0.0.1 (an OS-chosen port) until closed. */
async function servePage(): Promise<{ url: string; close(): Promise<void> }> {
  const dir = join(ROOT, "examples", "browser");
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? "/", "http://x").pathname);
    const type = TYPES[extname(path)];
    try {
      if (type === undefined || path.includes("..")) throw new Error("not served");
      const body = readFileSync(join(dir, path));
      res.writeHead(200, { "content-type": type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A DevTools protocol connection to one page: `evaluate(expression)` returns its value. */
async function devtools(
  wsUrl: string,
): Promise<{ evaluate(e: string): Promise<unknown>; close(): void }> {
  const ws = new WebSocket(wsUrl);
  const pending = new Map<
    number,
    (reply: { result?: { result?: { value?: unknown } }; error?: unknown }) => void
  >();
  let nextId = 1;
  ws.onmessage = (e) => {
    const reply = JSON.parse(String(e.data));
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`cannot connect to ${wsUrl}`));
  });
  return {
    evaluate(expression) {
      const id = nextId++;
      ws.send(
        JSON.stringify({
          id,
          method: "Runtime.evaluate",
          params: { expression, returnByValue: true },
        }),
      );
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no answer from DevTools")), WAIT);
        pending.set(id, (reply) => {
          clearTimeout(timer);
          if (reply.error) reject(new Error(JSON.stringify(reply.error)));
          else resolve(reply.result?.result?.value);
        });
      });
    },
    close: () => ws.close(),
  };
}

/** Opens `url` in headless Chromium; returns the process and a DevTools connection to the page. */
async function openPage(url: string, profile: string) {
  const browser = run(chromium!, [
    "--headless=new",
    "--no-sandbox", // needed as root
    "--disable-gpu",
    "--no-first-run",
    // nothing a test does not need at start-up: no keyring (over D-Bus, which a container may
    // lack), no extensions, no background fetches, no component updates
    "--password-store=basic",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
    `--user-data-dir=${profile}`,
    "--remote-debugging-port=0",
    url,
  ]);
  try {
    // Chromium writes the port it took to <profile>/DevToolsActivePort
    // a loaded machine (the suites run in parallel) can take Chromium a long time to start
    const port = await poll("Chromium's DevTools port", () => {
      if (browser.done()) throw new Error(`Chromium ended: ${browser.out()}`);
      try {
        const line = readFileSync(join(profile, "DevToolsActivePort"), "utf8").split("\n")[0];
        return Promise.resolve(line === "" ? undefined : line); // written, not yet complete
      } catch {
        return Promise.resolve(undefined);
      }
    }, 2 * WAIT).catch((e: Error) => {
      throw new Error(`${e.message}; Chromium said: ${browser.out().slice(-2000)}`);
    });
    // the page's target, and its DevTools WebSocket, from the HTTP endpoint's list
    const page = await poll("the page target", async () => {
      const list = await fetch(`http://127.0.0.1:${port}/json/list`);
      const targets: { type: string; url: string; webSocketDebuggerUrl: string }[] = await list
        .json();
      return targets.find((t) => t.type === "page" && t.url.startsWith(url.split("?")[0]!));
    });
    return { browser, page: await devtools(page.webSocketDebuggerUrl) };
  } catch (err) {
    await browser.stop();
    throw err;
  }
}

describe("examples/browser (ZWS 2.0 from a web page)", () => {
  // neither runtime prints a skip's reason: say it
  if (skip) console.warn(`examples/browser: skipped, ${skip}`);

  it(
    "index.html?send=hello, as REQ, shows the REP's reply",
    { skip, timeout: 6 * WAIT },
    async () => {
      const profile = mkdtempSync(join(tmpdir(), "zmqkit-chromium-"));
      let server: Awaited<ReturnType<typeof startServer>> | undefined;
      let site: Awaited<ReturnType<typeof servePage>> | undefined;
      let opened: Awaited<ReturnType<typeof openPage>> | undefined;
      try {
        server = await startBridged();
        site = await servePage();
        const url = `${site.url}?ws=${encodeURIComponent(server.url)}&send=hello`;
        // starting the browser is the test's set-up, not what it tests: one more try if a
        // loaded machine kept Chromium from coming up (what it said is shown either way)
        opened = await openPage(url, profile).catch((e: Error) => {
          if (!/DevTools port/.test(e.message)) throw e;
          console.warn(`examples/browser: Chromium did not start, once more: ${e.message}`);
          return openPage(url, join(profile, "again"));
        });
        const page = opened.page;
        /** What the page shows: its status line and its log, for the assertions and errors. */
        const shown = async () =>
          String(
            await page.evaluate(`JSON.stringify({
            status: document.getElementById("status").textContent,
            log: [...document.querySelectorAll("#replies li")].map((li) => li.className + ": " + li.textContent),
          })`),
          );
        const reply = await poll("the reply on the page", async () => {
          const text = await page.evaluate(
            `document.querySelector("#replies .reply")?.textContent`,
          );
          return typeof text === "string" ? text : undefined;
        }).catch(async (err) => {
          throw new Error(`${err.message}; the page shows ${await shown()}`);
        });
        assert.equal(reply, "reply:hello");
        assert.deepEqual(JSON.parse(await shown()), {
          status: `connected to a peer at ${server.url} (ZWS2.0)`,
          log: ["request: hello", "reply: reply:hello"],
        });
      } finally {
        opened?.page.close();
        await opened?.browser.stop();
        await site?.close();
        await server?.stop();
        rmSync(profile, { recursive: true, force: true });
      }
    },
  );

  it(
    "zws.js on this runtime's WebSocket: REQ round trips, multipart, to a REP",
    { skip: typeof WebSocket === "undefined" && "no global WebSocket", timeout: 4 * WAIT },
    async () => {
      // the module the page imports, run here: Deno's and Bun's WebSocket is the browser's API
      const { connect } = await import("../../examples/browser/zws.js");
      const server = await startServer();
      const decode = (frames: Uint8Array[]) => frames.map((f) => new TextDecoder().decode(f));
      try {
        const req = await within("the handshake", connect(server.url, "REQ"));
        assert.equal(req.protocol, "ZWS2.0"); // "ZWS2.0/NULL" is refused by the constructor
        const hello = await within<Uint8Array[]>("a reply", req.request(["hello"]));
        assert.deepEqual(decode(hello), ["reply:hello"]);
        const bytes = new TextEncoder().encode("two");
        const multi = await within<Uint8Array[]>("a reply", req.request(["one", bytes, ""]));
        assert.deepEqual(decode(multi), ["reply:one two "]);
        req.close();
        await assert.rejects(req.receive(), /closed/);
      } finally {
        await server.stop();
      }
    },
  );
});
