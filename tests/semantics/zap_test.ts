// SPDX-License-Identifier: MIT
/**
 * ZAP in the library: NULL sockets ask the handler only when they have a ZAP domain; the
 * ready-made `zapPolicy` (addresses, IPv4 CIDR blocks, PLAIN users, CURVE keys); and the
 * properties a ZAP handler gives a peer (User-Id, its metadata, Socket-Type, Peer-Address),
 * read with `messageProperties` on every message of that peer and of no other.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AuthError,
  Dealer,
  messageProperties,
  Pull,
  Push,
  type SocketEvent,
  zapPolicy,
  type ZapRequest,
} from "../../mod.ts";
import * as zmq from "../../zeromq.ts";
import { withTimeout } from "../_helpers/wait.ts";

const WAIT = 5000;
const enc = new TextEncoder();

function nextEvent(socket: Dealer | Pull | Push, type: SocketEvent["type"]): Promise<SocketEvent> {
  return new Promise((resolve) => {
    const on = (e: SocketEvent) => {
      socket.events.off(type as "handshake", on);
      resolve(e);
    };
    socket.events.on(type as "handshake", on);
  });
}

const request = (over: Partial<ZapRequest>): ZapRequest => ({
  domain: "",
  address: "127.0.0.1",
  identity: new Uint8Array(0),
  mechanism: "NULL",
  credentials: [],
  ...over,
});

describe("zapPolicy", () => {
  it("allows and denies by address, exact or by IPv4 CIDR block; deny wins", async () => {
    const h = zapPolicy({ allow: ["10.0.0.0/8", "192.168.1.7"], deny: ["10.6.6.6"] });
    const status = async (address: string) => (await h(request({ address }))).status;
    assert.equal(await status("10.1.2.3"), 200);
    assert.equal(await status("192.168.1.7"), 200);
    assert.equal(await status("192.168.1.8"), 400);
    assert.equal(await status("10.6.6.6"), 400);
    assert.equal(await status(""), 400); // ipc: no address, not in an allow list
    assert.throws(() => zapPolicy({ allow: ["10.0.0.0/33"] }), RangeError);
  });

  it("checks PLAIN users, the user name as User-Id", async () => {
    const h = zapPolicy({ users: { ada: "lovelace" } });
    const plain = (u: string, p: string) =>
      h(request({ mechanism: "PLAIN", credentials: [enc.encode(u), enc.encode(p)] }));
    assert.deepEqual(await plain("ada", "lovelace"), { status: 200, userId: "ada" });
    assert.equal((await plain("ada", "lovelac")).status, 400);
    assert.match((await plain("bob", "x")).statusText!, /unknown user "bob"/);
  });

  it("checks CURVE client keys given as Z85 or bytes", async () => {
    const z85 = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"; // security.md §6 client public
    const raw = new Uint8Array(32).fill(7);
    const h = zapPolicy({ curveKeys: [z85, raw] });
    const hexKey = "BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518";
    const key = new Uint8Array(hexKey.match(/../g)!.map((x) => parseInt(x, 16)));
    const curve = (k: Uint8Array) => h(request({ mechanism: "CURVE", credentials: [k] }));
    assert.deepEqual(await curve(key), { status: 200, userId: z85 });
    assert.equal((await curve(raw)).status, 200);
    assert.equal((await curve(new Uint8Array(32))).status, 400);
  });
});

describe("NULL with ZAP", () => {
  it("a NULL socket without a ZAP domain never asks the handler", async () => {
    let asked = 0;
    await using pull = new Pull({ zapHandler: () => (asked++, { status: 400 }) });
    await pull.bind("tcp://127.0.0.1:*");
    await using push = new Push();
    push.connect(pull.lastEndpoint!);
    await push.send("in");
    await withTimeout(pull.receive(), WAIT, "message");
    assert.equal(asked, 0);
  });

  it("with a domain it asks; a refusal is an auth error on both sides", async () => {
    const seen: ZapRequest[] = [];
    await using pull = new Pull({
      zapDomain: "intranet",
      zapHandler: (r) => (seen.push(r), zapPolicy({ deny: ["127.0.0.1"] })(r)),
    });
    const refused = nextEvent(pull, "handshake:error:auth");
    await pull.bind("tcp://127.0.0.1:*");
    await using push = new Push();
    const pushRefused = nextEvent(push, "handshake:error:auth");
    push.connect(pull.lastEndpoint!);
    const e = await withTimeout(refused, WAIT, "server auth event");
    assert.ok(e.error instanceof AuthError);
    assert.match(e.error.message, /address 127.0.0.1 is denied/);
    const c = await withTimeout(pushRefused, WAIT, "client auth event");
    assert.equal((c.error as AuthError).status, 400);
    assert.equal(seen[0]!.domain, "intranet");
    assert.equal(seen[0]!.mechanism, "NULL");
    assert.equal(seen[0]!.address, "127.0.0.1");
  });
});

describe("messageProperties", () => {
  it("carries User-Id and ZAP metadata on every message of an accepted peer, only", async () => {
    await using server = new Dealer({
      plainServer: true,
      zapHandler: ({ credentials: [user] }) => ({
        status: 200,
        userId: new TextDecoder().decode(user),
        metadata: { Role: "admin" },
      }),
    });
    await server.bind("tcp://127.0.0.1:*");
    await using ada = new Dealer({ plainUsername: "ada", plainPassword: "x" });
    ada.connect(server.lastEndpoint!);
    await ada.send(["one", "two"]);
    const msg = await withTimeout(server.receive(), WAIT, "ada's message");
    const props = messageProperties(msg);
    assert.equal(props?.["User-Id"], "ada");
    assert.equal(props?.["Role"], "admin");
    assert.equal(props?.["Socket-Type"], "DEALER");
    assert.equal(props?.["Peer-Address"], "127.0.0.1");
    assert.equal(messageProperties(msg[1]!), props, "every frame carries them");
    // the other way, the client's messages come from a peer no ZAP handler was asked about
    await server.send("back");
    assert.equal(messageProperties(await withTimeout(ada.receive(), WAIT, "reply")), undefined);
  });

  it("survive zeromq.ts's Buffers", async () => {
    await using server = new zmq.Dealer({
      plainServer: true,
      zapHandler: () => ({ status: 200, userId: "buffered" }),
    });
    await server.bind("tcp://127.0.0.1:*");
    await using client = new Dealer({ plainUsername: "u", plainPassword: "p" });
    client.connect(server.lastEndpoint!);
    await client.send("x");
    const msg = await withTimeout(server.receive(), WAIT, "message");
    assert.equal(messageProperties(msg)?.["User-Id"], "buffered");
  });
});
