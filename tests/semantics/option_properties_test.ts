// SPDX-License-Identifier: MIT
/**
 * Options as typed properties, from the one table in lib/sockets/options.ts (zeromq.js
 * `defineOpt`): every option a type accepts is a property that round-trips with
 * getOption/setOption and rejects bad values naming the option; options a type does not
 * accept are not there at all (run time) or a type error (compile time); options marked
 * `late: false` throw a TypeError once bind()/connect() was called, the others keep working.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  type Socket,
  Stream,
  Subscriber,
  XPublisher,
  XSubscriber,
} from "../../mod.ts";
import {
  isLateOption,
  type OptionName,
  optionNamesFor,
  OPTIONS,
} from "../../lib/sockets/options.ts";
import { EventLog, freeTcpEndpoint } from "./_util.ts";

const makers: Array<new () => Socket> = [
  Pair,
  Publisher,
  Subscriber,
  XPublisher,
  XSubscriber,
  Request,
  Reply,
  Dealer,
  Router,
  Push,
  Pull,
  Stream,
];

const bytesOf = (s: string) => new TextEncoder().encode(s);
const CLIENT_PUBLIC = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const CLIENT_PUBLIC_RAW = new Uint8Array(
  "BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518".match(/../g)!
    .map((h) => parseInt(h, 16)),
);
const CLIENT_SECRET = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const SERVER_PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

/** Per option: a good value (and how it reads back), a bad one and the error it gives. */
const SAMPLES: Record<
  OptionName,
  { good: unknown; back?: unknown; bad: unknown; error: typeof TypeError | typeof RangeError }
> = {
  sendHighWaterMark: { good: 5, bad: -1, error: RangeError },
  receiveHighWaterMark: { good: 7, bad: "7", error: TypeError },
  sendTimeout: { good: 250, bad: -2, error: RangeError },
  receiveTimeout: { good: 0, bad: 1.5, error: TypeError },
  linger: { good: 10, bad: true, error: TypeError },
  routingId: { good: "abc", back: bytesOf("abc"), bad: "", error: RangeError },
  reconnectInterval: { good: -1, bad: -2, error: RangeError },
  reconnectMaxInterval: { good: 500, bad: -1, error: RangeError },
  heartbeatInterval: { good: 1000, bad: null, error: TypeError },
  heartbeatTimeToLive: { good: 6553599, bad: 6553600, error: RangeError },
  heartbeatTimeout: { good: 300, bad: Number.NaN, error: TypeError },
  handshakeInterval: { good: 0, bad: -1, error: RangeError },
  maxMessageSize: { good: 1024, bad: -3, error: RangeError },
  maxMessageFrames: { good: 16, bad: "16", error: TypeError },
  maxHandshakeSize: { good: 64, bad: 63, error: RangeError },
  immediate: { good: true, bad: 1, error: TypeError },
  conflate: { good: true, bad: "yes", error: TypeError },
  connectTimeout: { good: 100, bad: -1, error: RangeError },
  mandatory: { good: true, bad: 0, error: TypeError },
  handover: { good: true, bad: "true", error: TypeError },
  probeRouter: { good: true, bad: null, error: TypeError },
  correlate: { good: true, bad: 1, error: TypeError },
  relaxed: { good: true, bad: {}, error: TypeError },
  invertMatching: { good: true, bad: "no", error: TypeError },
  noDrop: { good: true, bad: 1, error: TypeError },
  verbosity: { good: "allSubsUnsubs", bad: "loud", error: RangeError },
  manual: { good: true, bad: "manual", error: TypeError },
  welcomeMessage: { good: "hi", back: bytesOf("hi"), bad: 7, error: TypeError },
  plainServer: { good: true, bad: "yes", error: TypeError },
  plainUsername: { good: "admin", bad: "x".repeat(256), error: RangeError },
  plainPassword: { good: "secret", bad: 42, error: TypeError },
  curveServer: { good: true, bad: 1, error: TypeError },
  // security.md §6's test keys: raw bytes read back as Z85
  curvePublicKey: { good: CLIENT_PUBLIC_RAW, back: CLIENT_PUBLIC, bad: "short", error: RangeError },
  curveSecretKey: { good: CLIENT_SECRET, bad: new Uint8Array(31), error: RangeError },
  curveServerKey: { good: SERVER_PUBLIC, bad: "~".repeat(40), error: RangeError },
  zapDomain: { good: "global", bad: 7, error: TypeError },
  zapHandler: { good: () => ({ status: 200 }), bad: "allow", error: TypeError },
  wssCertPem: { good: PEM, bad: "cert.pem", error: TypeError },
  wssKeyPem: { good: PEM, bad: 7, error: TypeError },
  wssTrustPem: { good: PEM, bad: "/etc/ssl/ca.pem", error: TypeError },
  wssHostname: { good: "example.com", bad: "x".repeat(256), error: RangeError },
  wssTrustSystem: { good: false, bad: "no", error: TypeError },
  wsOrigins: { good: ["https://example.com"], bad: "https://example.com", error: TypeError },
};

type Bag = Record<string, unknown>;
const allNames = Object.keys(OPTIONS) as OptionName[];

function each(fn: (s: Socket, accepted: readonly OptionName[]) => void): void {
  for (const Make of makers) {
    const s = new Make();
    try {
      fn(s, optionNamesFor(s.type));
    } finally {
      s.close();
    }
  }
}

describe("option properties", () => {
  it("every option in the table has a test sample", () => {
    assert.deepEqual(Object.keys(SAMPLES).sort(), [...allNames].sort());
  });

  it("every accepted option is a property that round-trips with getOption/setOption", () => {
    each((s, accepted) => {
      const bag = s as unknown as Bag;
      for (const name of accepted) {
        const { good, back = good } = SAMPLES[name];
        assert.ok(name in s, `${s.type}.${name} exists`);
        assert.deepEqual(bag[name], s.getOption(name), `${s.type}.${name} reads the option`);
        bag[name] = good;
        assert.deepEqual(s.getOption(name), back, `${s.type}.${name} = … reaches getOption`);
        s.setOption(name, OPTIONS[name].default);
        assert.deepEqual(bag[name], OPTIONS[name].default, `setOption reaches ${s.type}.${name}`);
      }
    });
  });

  it("bad values are TypeErrors or RangeErrors naming the option, and change nothing", () => {
    each((s, accepted) => {
      const bag = s as unknown as Bag;
      for (const name of accepted) {
        const { bad, error } = SAMPLES[name];
        const before = bag[name];
        const named = (e: unknown) => e instanceof error && e.message.includes(`"${name}"`);
        assert.throws(() => (bag[name] = bad), named, `${s.type}.${name} = ${String(bad)}`);
        assert.throws(() => s.setOption(name, bad), named, `setOption ${name}`);
        assert.deepEqual(bag[name], before, `${s.type}.${name} unchanged`);
      }
    });
  });

  it("options a type does not accept are not properties of it, and unknown by name", () => {
    each((s, accepted) => {
      for (const name of allNames.filter((n) => !accepted.includes(n))) {
        assert.equal(name in s, false, `${s.type} has no ${name}`);
        assert.throws(() => s.setOption(name, SAMPLES[name].good), TypeError);
        assert.throws(() => s.getOption(name), TypeError);
      }
    });
    const r = new Router();
    const p = new Push();
    assert.equal("mandatory" in r, true);
    assert.equal("mandatory" in p, false);
    r.close();
    p.close();
  });

  it("the per-type acceptance is the table's", () => {
    const specific = (t: Socket["type"]) =>
      optionNamesFor(t).filter((n) => OPTIONS[n].types !== "all");
    assert.deepEqual(specific("ROUTER"), ["mandatory", "handover", "probeRouter"]);
    assert.deepEqual(specific("REQ"), ["probeRouter", "correlate", "relaxed"]);
    assert.deepEqual(specific("DEALER"), ["probeRouter"]);
    assert.deepEqual(specific("PUB"), ["invertMatching", "noDrop"]);
    assert.deepEqual(specific("SUB"), ["invertMatching"]);
    assert.deepEqual(specific("XPUB"), [
      "invertMatching",
      "noDrop",
      "verbosity",
      "manual",
      "welcomeMessage",
    ]);
    for (const t of ["PAIR", "REP", "PUSH", "PULL", "XSUB", "STREAM"] as const) {
      assert.deepEqual(specific(t), [], t);
    }
  });

  it("before-bind/connect options: routingId, conflate, manual", () => {
    assert.deepEqual(allNames.filter((n) => !isLateOption(n)), [
      "routingId",
      "conflate",
      "manual",
    ]);
  });

  for (const how of ["bind", "connect"] as const) {
    it(`after ${how}, early options throw a TypeError and late ones still apply`, async () => {
      for (const Make of makers) {
        const s = new Make();
        const bag = s as unknown as Bag;
        try {
          const ep = `inproc://option-properties-${how}-${s.type}`;
          if (how === "bind") await s.bind(ep);
          else s.connect(ep);
          for (const name of optionNamesFor(s.type)) {
            const { good, back = good } = SAMPLES[name];
            if (isLateOption(name)) {
              bag[name] = good;
              assert.deepEqual(s.getOption(name), back, `${s.type}.${name} after ${how}`);
              continue;
            }
            const before = s.getOption(name);
            const msg = new RegExp(`^Cannot set "${name}" after bind/connect`);
            assert.throws(() => (bag[name] = good), { name: "TypeError", message: msg });
            assert.throws(() => s.setOption(name, good), { name: "TypeError", message: msg });
            assert.deepEqual(s.getOption(name), before, `${s.type}.${name} unchanged`);
          }
        } finally {
          s.close();
        }
      }
    });
  }

  it("early options given before bind/connect (or to the constructor) are kept", async () => {
    const d = new Dealer({ conflate: true });
    try {
      d.routingId = "me";
      await d.bind("inproc://option-properties-early");
      assert.deepEqual(d.routingId, bytesOf("me"));
      assert.equal(d.conflate, true);
    } finally {
      d.close();
    }
  });

  it("reconnectInterval changed after connect applies to the next retry", async () => {
    const ep = await freeTcpEndpoint();
    const d = new Dealer({ reconnectInterval: 20 });
    const log = new EventLog(d);
    try {
      d.connect(ep);
      await log.waitFor("connect:retry");
      d.reconnectInterval = 60;
      const n = log.count("connect:retry");
      const next = await log.waitFor("connect:retry", n + 1);
      assert.ok(next.interval! >= 60, `interval ${next.interval}`);
    } finally {
      d.close();
    }
  });
});

/** Never called: `deno check` verifies the typing of the properties per class. */
export function _typeChecks(): void {
  const router = new Router();
  router.mandatory = true;
  const handover: boolean = router.handover;
  router.routingId = "r";
  router.routingId = new Uint8Array([1]);
  const sub = new Subscriber();
  const conflate: boolean = sub.conflate;
  const invert: boolean = sub.invertMatching;
  const req = new Request({ correlate: true });
  req.correlate = false;
  const xpub = new XPublisher();
  xpub.verbosity = "allSubs";
  xpub.welcomeMessage = "welcome";
  const push = new Push();
  push.sendHighWaterMark = 5;
  const hwm: number = push.sendHighWaterMark;
  void [handover, conflate, invert, hwm];
  // @ts-expect-error: a PUSH has no ROUTER_MANDATORY
  push.mandatory = true;
  // @ts-expect-error: nor can it read it
  void new Push().mandatory;
  // @ts-expect-error: a PULL is not a REQ
  void new Pull().correlate;
  // @ts-expect-error: verbosity is XPUB's
  void new Dealer().verbosity;
  // @ts-expect-error: mandatory is a boolean
  router.mandatory = 1;
  // @ts-expect-error: and so is conflate
  sub.conflate = "yes";
  // @ts-expect-error: the constructor options are typed per class too
  new Push({ mandatory: true });
}
