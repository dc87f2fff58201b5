// SPDX-License-Identifier: MIT
/**
 * The process the hostile-peer suite attacks, run on the runtime of the test:
 *
 *   deno run -A tests/hostile/_target.ts '{"type": "ROUTER", "options": {...}}'
 *   bun tests/hostile/_target.ts '{"type": "PUB"}'
 *
 * It binds one socket on tcp://127.0.0.1:* (or on `bind`, e.g. `ws://127.0.0.1:0`) and prints
 * JSON lines on stdout: first `{"endpoint": "tcp://127.0.0.1:PORT"}`, then every socket event as
 * `{"event": type, "code": error?.code, "message": error?.message}`. What the socket does:
 *
 * - ROUTER echoes every message back to its sender;
 * - PUB publishes ["good", n] every 20 ms;
 * - XPUB publishes like PUB and prints each subscription message it receives as
 *   `{"sub": first byte, "len": topic length}`.
 *
 * It exits when its standard input ends, so a test process that dies leaves no orphan.
 */
import process from "node:process";
import { Publisher, Router, XPublisher } from "../../mod.ts";

interface TargetConfig {
  type: "ROUTER" | "PUB" | "XPUB";
  options?: Record<string, unknown>;
  /** Where to bind; tcp://127.0.0.1:* when absent. */
  bind?: string;
}

function print(line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line) + "\n");
}

async function printEvents(sock: Router | Publisher | XPublisher): Promise<void> {
  for await (const ev of sock.events) {
    print({ event: ev.type, code: ev.error?.code, message: ev.error?.message });
  }
}

async function echo(router: Router): Promise<void> {
  for (;;) {
    const msg = await router.receive();
    // a sender gone in between is not the target's failure: report it and go on
    await router.send(msg).catch((e: unknown) => print({ sendError: String(e) }));
  }
}

function publishEvery20ms(pub: Publisher | XPublisher): void {
  let n = 0;
  setInterval(() => {
    pub.send(["good", String(n++)]).catch((e: unknown) => print({ sendError: String(e) }));
  }, 20);
}

async function printSubscriptions(xpub: XPublisher): Promise<void> {
  for (;;) {
    const [msg] = await xpub.receive();
    print({ sub: msg![0], len: msg!.length - 1 });
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as TargetConfig;
  const options = config.options ?? {};
  let sock: Router | Publisher | XPublisher;
  if (config.type === "ROUTER") sock = new Router(options);
  else if (config.type === "PUB") sock = new Publisher(options);
  else if (config.type === "XPUB") sock = new XPublisher(options);
  else throw new TypeError(`Cannot start target: unknown type ${JSON.stringify(config.type)}`);
  void printEvents(sock);
  await sock.bind(config.bind ?? "tcp://127.0.0.1:*");
  print({ endpoint: sock.lastEndpoint });
  if (sock instanceof Router) void echo(sock);
  else publishEvery20ms(sock);
  if (sock instanceof XPublisher) void printSubscriptions(sock);
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}

main().catch((e: unknown) => {
  process.stderr.write(`target: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
