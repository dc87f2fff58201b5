// SPDX-License-Identifier: MIT
/**
 * A libzmq peer for interop tests, run under Node (zeromq.js works only there):
 *
 *   node tests/_helpers/libzmq_peer.mjs
 *
 * Line protocol on stdin/stdout, one JSON object a line; frames travel as base64 strings.
 * Every request `{ id, op, ... }` gets exactly one reply `{ id, ok: true, ... }` or
 * `{ id, ok: false, error: { code, message } }`. Requests run concurrently, so a blocked
 * receive on one socket does not hold up the others.
 *
 *   socket      { type, options?, routingId? (base64) }     -> { sock }
 *   bind        { sock, endpoint }                          -> { endpoint }  (resolved)
 *   connect     { sock, endpoint, routingId? (base64) }     -> {}
 *   send        { sock, frames: [b64...] }                  -> {}
 *   receive     { sock, timeout (ms) }                      -> { frames } | error EAGAIN
 *   subscribe   { sock, topics: [b64...] }   (SUB)          -> {}
 *   unsubscribe { sock, topics: [b64...] }   (SUB)          -> {}
 *   event       { sock, type, timeout (ms) }                -> { event } | error EAGAIN
 *   close       { sock }                                    -> {}
 *   serve       { sock, tag? (b64) }                        -> {}  then, in the background,
 *               every message received is sent back (with `tag` appended as a last frame)
 *               until the socket closes: an echo worker (REP, DEALER, ROUTER, PAIR)
 *   zap         { status?, users?, keys? }                  -> {}  a ZAP handler (once per
 *               process) answering every request with status (default "200"), or checking
 *               PLAIN users ({name: password}) / CURVE public keys (hex); libzmq's PLAIN
 *               server refuses every client without one
 *   loadCert    { path }                                    -> { publicKey, secretKey? }
 *               a CZMQ certificate read as pyzmq's load_certificate reads it
 *   exit        {}                                          -> {} then the process ends
 *
 * Draft types (SERVER, CLIENT, RADIO, DISH, GATHER, SCATTER from zeromq.js's "zeromq/draft";
 * PEER and CHANNEL, which zeromq.js has no class for, as its base Socket of libzmq's type
 * number) are loaded on first use. Their messages are one frame plus options:
 *
 *   send        { sock, frames: [b64], routingId?, group? (b64) }  -> {}  (one frame: the
 *               first is sent with the options; more than one is sent as an array, which
 *               libzmq refuses with EINVAL)
 *   receive     { sock, timeout }          -> { frames, routingId?, group? (b64) }
 *   join/leave  { sock, groups: [b64...] }   (DISH)     -> {}
 *
 * Events (zeromq.js observer) are recorded from socket creation on; `event` takes the first
 * recorded one of that type. The process closes everything and exits when stdin closes.
 */
import * as zmq from "zeromq";
import { createInterface } from "node:readline";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const classes = {
  PAIR: zmq.Pair,
  PUB: zmq.Publisher,
  SUB: zmq.Subscriber,
  XPUB: zmq.XPublisher,
  XSUB: zmq.XSubscriber,
  REQ: zmq.Request,
  REP: zmq.Reply,
  DEALER: zmq.Dealer,
  ROUTER: zmq.Router,
  PUSH: zmq.Push,
  PULL: zmq.Pull,
};

let draftClasses;
/** The draft classes, loaded when first asked for (zeromq.js warns on loading them). */
function draftClass(type) {
  if (!draftClasses) {
    const require = createRequire(import.meta.url);
    const draft = require("zeromq/draft.js");
    const { allowMethods } = require("zeromq/lib/util.js");
    const byNumber = (n) => {
      const C = class extends zmq.Socket {
        constructor(options) {
          super(n, options);
        }
      };
      allowMethods(C.prototype, ["send", "receive"]);
      return C;
    };
    draftClasses = {
      SERVER: draft.Server,
      CLIENT: draft.Client,
      RADIO: draft.Radio,
      DISH: draft.Dish,
      GATHER: draft.Gather,
      SCATTER: draft.Scatter,
      PEER: byNumber(19),
      CHANNEL: byNumber(20),
    };
  }
  return draftClasses[type];
}

/** sock id -> { socket, events: recorded events, waiters } */
const sockets = new Map();
let nextSock = 1;

const b64 = (buf) => Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("base64");
const unb64 = (s) => Buffer.from(s, "base64");

function reply(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function entry(id) {
  const e = sockets.get(id);
  if (!e) throw Object.assign(new Error(`no socket ${id}`), { code: "ENOTSOCK" });
  return e;
}

function watchEvents(e) {
  (async () => {
    try {
      for await (const ev of e.socket.events) {
        const rec = { type: ev.type, address: ev.address };
        const i = e.waiters.findIndex((w) => w.type === ev.type);
        if (i >= 0) e.waiters.splice(i, 1)[0].resolve(rec);
        else e.events.push(rec);
      }
    } catch {
      // observer ends with the socket
    }
  })();
}

function nextEvent(e, type, timeout) {
  const i = e.events.findIndex((r) => r.type === type);
  if (i >= 0) return Promise.resolve(e.events.splice(i, 1)[0]);
  return new Promise((resolve, reject) => {
    const w = {
      type,
      resolve: (r) => {
        clearTimeout(timer);
        resolve(r);
      },
    };
    const timer = setTimeout(() => {
      e.waiters.splice(e.waiters.indexOf(w), 1);
      reject(
        Object.assign(new Error(`no "${type}" event within ${timeout} ms`), { code: "EAGAIN" }),
      );
    }, timeout);
    e.waiters.push(w);
  });
}

/** Closes a socket and removes its ipc socket files, which libzmq leaves behind here. */
function closeSocket(e) {
  e.socket.close();
  for (const path of e.ipcPaths) rmSync(path, { force: true });
}

let zap;
/** What the ZAP handler answers: { status, users?: {name: password}, keys?: [hex] }. */
let zapPolicy = { status: "200" };

/** The handler's status for one request: the policy's checks, else its fixed status. */
function zapStatus(mechanism, credentials) {
  if (mechanism === "PLAIN" && zapPolicy.users) {
    const [user, pass] = credentials.map((c) => c.toString());
    return zapPolicy.users[user] === pass ? "200" : "400";
  }
  if (mechanism === "CURVE" && zapPolicy.keys) {
    return zapPolicy.keys.includes(credentials[0]?.toString("hex")) ? "200" : "400";
  }
  return zapPolicy.status ?? "200";
}

const ops = {
  /**
   * Starts (once) a ZAP handler at inproc://zeromq.zap.01 and sets what it answers: `status`
   * for every request (default "200"), or, with `users` ({name: password}) for PLAIN and
   * `keys` (public keys in hex) for CURVE, 200 for a match and 400 otherwise.
   */
  async zap(req) {
    zapPolicy = { status: req.status ?? "200", users: req.users, keys: req.keys };
    if (zap) return {};
    zap = new zmq.Reply({ linger: 0 });
    await zap.bind("inproc://zeromq.zap.01");
    (async () => {
      for await (const [version, id, _domain, _address, _identity, mechanism, ...creds] of zap) {
        const status = zapStatus(mechanism.toString(), creds);
        await zap.send([version, id, status, status === "200" ? "OK" : "Denied", "user", ""]);
      }
    })().catch(() => {});
    return {};
  },
  /**
   * Reads a CZMQ certificate file as pyzmq's zmq.auth.load_certificate does: the quoted
   * values of its `public-key` and `secret-key` lines (Z85), nothing else.
   */
  loadCert(req) {
    const keys = {};
    for (const line of readFileSync(req.path, "utf8").split("\n")) {
      const m = /^\s*(public|secret)-key\s*=\s*"(.*)"\s*$/.exec(line);
      if (m) keys[m[1] === "public" ? "publicKey" : "secretKey"] = m[2];
    }
    return keys;
  },
  socket(req) {
    const draft = !classes[req.type];
    const Cls = classes[req.type] ?? draftClass(req.type);
    if (!Cls) throw Object.assign(new Error(`unknown socket type ${req.type}`), { code: "EINVAL" });
    const options = { linger: 0, ...req.options };
    if (req.routingId !== undefined) options.routingId = unb64(req.routingId);
    const socket = new Cls(options);
    const sock = nextSock++;
    const e = { socket, events: [], waiters: [], ipcPaths: [], draft };
    sockets.set(sock, e);
    watchEvents(e);
    return { sock };
  },
  async bind(req) {
    const e = entry(req.sock);
    await e.socket.bind(req.endpoint);
    const endpoint = e.socket.lastEndpoint;
    if (endpoint.startsWith("ipc://")) e.ipcPaths.push(endpoint.slice("ipc://".length));
    return { endpoint };
  },
  connect(req) {
    const { socket } = entry(req.sock);
    if (req.routingId !== undefined) {
      socket.connect(req.endpoint, { routingId: unb64(req.routingId) });
    } else socket.connect(req.endpoint);
    return {};
  },
  async send(req) {
    const { socket, draft } = entry(req.sock);
    if (draft) {
      const options = {};
      if (req.routingId !== undefined) options.routingId = req.routingId;
      if (req.group !== undefined) options.group = unb64(req.group);
      const frames = req.frames.map(unb64);
      const msg = frames.length === 1 ? frames[0] : frames;
      // zeromq.js takes the options argument only from the types that have one
      await (Object.keys(options).length > 0 ? socket.send(msg, options) : socket.send(msg));
      return {};
    }
    await socket.send(req.frames.map(unb64));
    return {};
  },
  async receive(req) {
    const { socket, draft } = entry(req.sock);
    // zeromq.js's draft classes have no receiveTimeout property: ZMQ_RCVTIMEO is 27
    if (draft) socket.setInt32Option(27, req.timeout ?? 5000);
    else socket.receiveTimeout = req.timeout ?? 5000;
    const frames = await socket.receive();
    if (draft) {
      // SERVER, PEER, DISH: [body, { routingId } | { group }]
      const meta = frames.find((f) => !Buffer.isBuffer(f)) ?? {};
      const out = { frames: frames.filter((f) => Buffer.isBuffer(f)).map(b64) };
      if (meta.routingId !== undefined) out.routingId = meta.routingId;
      if (meta.group !== undefined) out.group = b64(Buffer.from(meta.group));
      return out;
    }
    return { frames: frames.map(b64) };
  },
  join(req) {
    entry(req.sock).socket.join(...req.groups.map(unb64));
    return {};
  },
  leave(req) {
    entry(req.sock).socket.leave(...req.groups.map(unb64));
    return {};
  },
  subscribe(req) {
    entry(req.sock).socket.subscribe(...req.topics.map(unb64));
    return {};
  },
  unsubscribe(req) {
    entry(req.sock).socket.unsubscribe(...req.topics.map(unb64));
    return {};
  },
  async event(req) {
    return { event: await nextEvent(entry(req.sock), req.type, req.timeout ?? 5000) };
  },
  serve(req) {
    const { socket } = entry(req.sock);
    const tag = req.tag !== undefined ? [unb64(req.tag)] : [];
    socket.receiveTimeout = -1;
    (async () => {
      try {
        for (;;) await socket.send([...(await socket.receive()), ...tag]);
      } catch {
        // ends with the socket
      }
    })();
    return {};
  },
  close(req) {
    const e = entry(req.sock);
    sockets.delete(req.sock);
    closeSocket(e);
    return {};
  },
  exit() {
    setImmediate(shutdown);
    return {};
  },
};

async function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return reply({ id: null, ok: false, error: { code: "EPROTO", message: "bad JSON line" } });
  }
  try {
    const op = ops[req.op];
    if (!op) throw Object.assign(new Error(`unknown op ${req.op}`), { code: "EINVAL" });
    reply({ id: req.id, ok: true, ...(await op(req)) });
  } catch (err) {
    reply({
      id: req.id,
      ok: false,
      error: { code: err.code ?? "ERROR", message: String(err.message ?? err) },
    });
  }
}

let done = false;
function shutdown() {
  if (done) return;
  done = true;
  for (const e of sockets.values()) closeSocket(e);
  sockets.clear();
  zmq.context.close?.();
  process.exit(0);
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  if (line.trim() !== "") void handle(line);
});
rl.on("close", shutdown);
process.on("SIGTERM", shutdown);
reply({ id: 0, ok: true, ready: true, version: zmq.version });
