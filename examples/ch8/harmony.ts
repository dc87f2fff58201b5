// The Harmony pattern with group messaging (the Guide, chapter 8, "True Peer Connectivity
// (Harmony Pattern)" and "Group Messaging"): true peers that find each other by UDP beacons
// and talk over ZeroMQ. Each node binds one ROUTER, its mailbox, on an ephemeral TCP port and
// announces that port in a ZRE beacon (the library's Beacon). For every node it discovers it
// connects one DEALER, whose routing id is our own UUID (a byte 1 then the 16 bytes, as ZRE
// has it), so the peer's ROUTER knows who sends; the first message on it is HELLO with our
// name and groups. A DEALER accepts messages the moment it connects, so nothing is lost while
// the connection forms. Then JOIN and LEAVE tell the peers about our groups, and SHOUT sends a
// line to every peer in a group (one copy each, over its DEALER: there is no multicast).
// Each line typed is shouted to the group; "/join G" and "/leave G" change groups. A node that
// stops says goodbye in its beacon (port 0) and the others drop it at once; one that dies is
// dropped when its beacons stop (5 intervals).
// What it leaves out of ZRE (RFC 36) and Zyre: ZRE's binary framing and sequence numbers
// (these are plain string frames, so it does not talk to Zyre), connecting back to a peer
// whose HELLO comes before its beacon (we wait for the beacon), WHISPER, headers, the group
// status counter, PING/PING-OK when beacons are lost under load, and a HWM with EAGAIN per peer.
// Run, in two or three shells:
//   npx deno run -A examples/ch8/harmony.ts ada CHAT   or   npx bun examples/ch8/harmony.ts ada CHAT
//   npx deno run -A examples/ch8/harmony.ts bob CHAT
// then type lines in either. Ctrl-C leaves.
// Arguments: [name=node-XXXX] [group=CHAT] [udp port=5670] [--loopback | --interface NAME]
//            [--interval ms=1000]
import process from "node:process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Beacon, type BeaconPeer, Dealer, Router } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    loopback: { type: "boolean", default: false },
    interface: { type: "string" },
    interval: { type: "string", default: "1000" },
  },
  allowPositionals: true,
});
const random = Math.floor(Math.random() * 0x10000).toString(16).toUpperCase().padStart(4, "0");
const [name = `node-${random}`, group = "CHAT", udpPort = "5670"] = positionals;
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

// Our mailbox: everything the peers send us arrives here, each message after the sender's id
const mailbox = new Router();
await mailbox.bind("tcp://*:*");
const tcpPort = Number(mailbox.lastEndpoint!.split(":").pop());
const beacon = new Beacon({
  port: Number(udpPort),
  announce: tcpPort,
  interval: Number(values.interval),
  ...(values.loopback ? { interface: "loopback" } : {}),
  ...(values.interface ? { interface: values.interface } : {}),
});
await beacon.start();
const identity = Uint8Array.of(1, ...beacon.uuid.match(/../g)!.map((h) => parseInt(h, 16)));
const ours = new Set([group]);
console.log(`I: ${name} (${beacon.uuid}) in ${group}: mailbox on tcp port ${tcpPort}`);

/** A node we know: its DEALER (from its beacon) and what it told us (from its HELLO). */
interface Peer {
  dealer?: Dealer;
  name?: string;
  groups: Set<string>;
  /** Groups of ours it is in that we said so for (so each "joined" is printed once). */
  said: Set<string>;
}
const peers = new Map<string, Peer>(); // by UUID
const peer = (uuid: string) =>
  peers.get(uuid) ?? peers.set(uuid, { groups: new Set(), said: new Set() }).get(uuid)!;

/** Says which peers are now reachable members of our groups (connected and HELLO'd). */
function members(uuid: string): void {
  const p = peers.get(uuid);
  if (p?.dealer === undefined || p.name === undefined) return;
  for (const g of ours) {
    if (p.groups.has(g) && !p.said.has(g)) console.log(`I: ${p.name} joined ${g}`);
    if (p.groups.has(g)) p.said.add(g);
  }
}

function found(bp: BeaconPeer): void {
  const p = peer(bp.uuid);
  p.dealer = new Dealer({ routingId: identity, linger: 0 });
  p.dealer.connect(bp.endpoint);
  void p.dealer.send(["HELLO", name, ...ours]); // the first message on every connection
  console.log(`I: found ${bp.uuid} at ${bp.endpoint}`);
  members(bp.uuid);
}

function lost(uuid: string, why: string): void {
  const p = peer(uuid);
  p.dealer?.close();
  delete p.dealer;
  p.said.clear();
  // after a goodbye it is gone for good; a node that went quiet or moved may come back on the
  // connection it still has to us, and what its HELLO said then still holds
  if (why === "farewell") peers.delete(uuid);
  console.log(`I: ${p.name ?? uuid} left (${why})`);
}

/** Sends a message to every peer we are connected to (or those in `to`, a group). */
function send(frames: string[], to?: string): void {
  for (const p of peers.values()) {
    if (p.dealer !== undefined && (to === undefined || p.groups.has(to))) {
      void p.dealer.send(frames);
    }
  }
}

async function discovery(): Promise<void> {
  for await (const event of beacon) {
    if (event.type === "appeared") found(event.peer);
    else lost(event.peer.uuid, event.reason);
  }
}

async function inbox(): Promise<void> {
  for await (const [id, command, ...args] of mailbox) {
    if (id?.length !== 17 || id[0] !== 1) continue; // not a node's identity
    const uuid = hex(id.subarray(1)).toUpperCase();
    const p = peers.get(uuid), cmd = text(command), [a, b] = args.map(text);
    if (cmd === "HELLO") {
      const hello = peer(uuid);
      hello.name = a ?? "";
      hello.groups = new Set(args.slice(1).map(text));
      members(uuid);
    } else if (p?.name === undefined) continue; // nothing counts before HELLO
    else if (cmd === "JOIN") {
      p.groups.add(a!);
      members(uuid);
    } else if (cmd === "LEAVE" && p.groups.delete(a!) && p.said.delete(a!)) {
      console.log(`I: ${p.name} left ${a}`);
    } else if (cmd === "SHOUT" && ours.has(a!)) console.log(`#${a} ${p.name}: ${b}`);
  }
}

const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  const [verb, g] = line.trim().split(/\s+/);
  if (verb === "/join" && g && !ours.has(g)) {
    ours.add(g);
    send(["JOIN", g]);
    for (const uuid of peers.keys()) members(uuid);
  } else if (verb === "/leave" && g && ours.delete(g)) {
    send(["LEAVE", g]);
    for (const p of peers.values()) p.said.delete(g);
  } else if (line !== "") send(["SHOUT", group, line], group);
});

let leaving = false;
async function leave(): Promise<void> {
  if (leaving) return;
  leaving = true;
  input.close();
  await beacon.close(); // the goodbye beacon: the others drop us now
  for (const p of peers.values()) p.dealer?.close();
  mailbox.close();
}
process.on("SIGINT", leave);
process.on("SIGTERM", leave);
await Promise.all([discovery(), inbox().catch(() => {})]);
console.log(`I: ${name} left`);
