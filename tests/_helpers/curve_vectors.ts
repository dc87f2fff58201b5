// SPDX-License-Identifier: MIT
/**
 * The deterministic CURVE handshake of security.md §8.2 (libsodium-generated, HELLO checked
 * against a live libzmq): keys, scripted randomness, every command body, and builders of a
 * CurveClient/CurveServer pair that reproduce it byte for byte.
 */
import { CurveClient } from "../../lib/mechanisms/curve_client.ts";
import { CurveServer, type CurveServerOptions } from "../../lib/mechanisms/curve_server.ts";
import type { HandshakeStep, Mechanism } from "../../lib/mechanisms/mechanism.ts";
import type { Metadata } from "../../lib/wire/metadata.ts";

export function unhex(s: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array((s.replace(/\s+/g, "").match(/../g) ?? []).map((b) => parseInt(b, 16)));
}

export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const ascii = (s: string) => new TextEncoder().encode(s);
const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

/** security.md §6 test keys. */
export const KEYS = {
  clientPublic: unhex("BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518"),
  clientSecret: unhex("7BB864B489AFA3671FBE69101F94B38972F24816DFB01B51656B3FEC8DFD0888"),
  serverPublic: unhex("54FCBA24E93249969316FB617C872BB0C1D1FF14800427C594CBFACF1BC2D652"),
  serverSecret: unhex("8E0BDD697628B91D8F245587EE95C5B04D48963F79259877B49CD9063AEAD3B7"),
};

export const Z85 = {
  clientPublic: "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
  clientSecret: "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
  serverPublic: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
  serverSecret: "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
};

/** §8.2 transient keys and random values. */
export const CLIENT_TRANSIENT_SECRET = new Uint8Array(32).map((_, i) => i + 0x01);
export const CLIENT_TRANSIENT_PUBLIC = unhex(
  "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c",
);
export const SERVER_TRANSIENT_SECRET = new Uint8Array(32).map((_, i) => i + 0x21);
export const SERVER_TRANSIENT_PUBLIC = unhex(
  "5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b",
);
export const SESSION_KEY = unhex(
  "ec88f6e13b22bf9f04d480e0d8525c08ac7e2f48e212742bcbcafa104a74b08d",
);

export const CLIENT_METADATA: Metadata = [["Socket-Type", ascii("DEALER")], [
  "Identity",
  new Uint8Array(0),
]];
export const SERVER_METADATA: Metadata = [["Socket-Type", ascii("ROUTER")], [
  "Identity",
  new Uint8Array(0),
]];

function one(step: HandshakeStep): Uint8Array {
  if (step.send.length !== 1) throw new Error(`expected one command, got ${step.send.length}`);
  return step.send[0]!;
}

/** Runs a handshake between `client` and `server` in memory; the server's and client's last steps. */
export async function handshake(client: Mechanism, server: Mechanism): Promise<HandshakeStep[]> {
  await server.start();
  const welcome = await server.receive(one(await client.start()));
  const initiate = await client.receive(one(welcome));
  const ready = await server.receive(one(initiate));
  const done = await client.receive(one(ready));
  return [ready, done];
}

/** `random` answering from a queue, checking each request's size. */
export function scripted(values: Uint8Array[]): (n: number) => Uint8Array {
  const queue = values.map((v) => v.slice());
  return (n) => {
    const next = queue.shift();
    if (next === undefined) throw new Error(`random(${n}): script exhausted`);
    if (next.length !== n) throw new Error(`random(${n}): script has ${next.length} bytes`);
    return next;
  };
}

/** The client of §8.2: c' = 01..20, vouch nonce cc×16. */
export function vectorClient(): CurveClient {
  return new CurveClient(CLIENT_METADATA, {
    publicKey: KEYS.clientPublic,
    secretKey: KEYS.clientSecret,
    serverKey: KEYS.serverPublic,
  }, { random: scripted([CLIENT_TRANSIENT_SECRET, fill(16, 0xcc)]) });
}

/** The server of §8.2: s' = 21..40, cookie nonce bb×16, cookie key 55×32, WELCOME nonce aa×16. */
export function vectorServer(options: Omit<CurveServerOptions, "random"> = {}): CurveServer {
  return new CurveServer(SERVER_METADATA, { secretKey: KEYS.serverSecret }, {
    ...options,
    random: scripted([SERVER_TRANSIENT_SECRET, fill(16, 0xbb), fill(32, 0x55), fill(16, 0xaa)]),
  });
}

export const COOKIE = unhex(`
bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb
fb 08 2b 53 4a 00 37 c3 db a4 0c f9 ff 46 3d 2f
77 63 7e 1e 5a fd 70 90 07 0a 84 6a 1b 21 33 88
ea 83 a4 c6 ed 6d 08 07 bc 0e de 43 4d c8 6f 75
bb d7 57 50 ba e7 55 9e 71 0a e8 c6 8d cc 5a d7
c8 ec d5 89 00 7f f5 db eb d9 f8 c3 79 b4 b2 7f`);

export const HELLO = unhex(`
05 48 45 4c 4c 4f 01 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
07 a3 7c bc 14 20 93 c8 b7 55 dc 1b 10 e8 6c b4
26 37 4a d1 6a a8 53 ed 0b df c0 b2 b8 6d 1c 7c
00 00 00 00 00 00 00 01 6e 3f 26 f7 2f e2 f0 5d
b2 0d e7 88 1e e6 a0 8f c4 32 af e7 3b 13 82 26
f5 93 08 79 c9 3b dd 4d 85 86 42 5a 3a 8d 6b c5
d8 35 98 a3 01 7e 0f 17 92 ff 03 81 36 0d 16 8b
6f e1 c5 e0 bb 75 2b 0d 36 5e 13 ea 8e 8a 29 ce
1c 50 52 c8 c6 3e ce d7`);

export const WELCOME = unhex(`
07 57 45 4c 43 4f 4d 45 aa aa aa aa aa aa aa aa
aa aa aa aa aa aa aa aa 3e d8 ab ec 0b 86 96 61
5d 33 e3 5c d5 f8 33 16 7b 19 2e bf 62 3f b8 ad
77 92 1d 34 0e f6 bb b9 53 4c 66 17 f9 74 0b 98
dd 61 f3 6a bd 4c 59 77 47 6e 7f 03 bb f4 41 7c
2a 8c 1e 85 ef bc d4 a4 f1 77 6f 0c 17 cf ec b4
87 da 9c 5b 30 e9 59 cd c4 3b 1e bf 99 ce 3f b0
55 eb e1 37 d8 34 dc 54 98 24 66 81 f7 7f 79 8b
b7 a8 1a c0 91 19 06 09 ac a3 5b 9b e8 b5 fb ac
cf fc 1f 76 22 7d f2 8c dc 67 de 95 9f b6 b3 4d
88 5d 0c 09 48 5a 9a b6`);

export const VOUCH = unhex(`
59 d1 06 93 de 76 54 bc 3e ec 63 7f f4 98 1a 8d
66 04 7f 48 9d 9b a1 99 4c ef f1 b9 21 0d 1c 90
d8 bb 7e 9d 4e 1d b4 07 67 a5 fc cd 9c f2 70 1e
f8 19 47 d2 e6 7b 62 f5 01 ed 6c c1 f9 fe c8 d9
d9 18 5b 92 1c a8 d5 3e af 79 6a 7c 47 9a 60 59`);

export const INITIATE = unhex(`
08 49 4e 49 54 49 41 54 45 bb bb bb bb bb bb bb
bb bb bb bb bb bb bb bb bb fb 08 2b 53 4a 00 37
c3 db a4 0c f9 ff 46 3d 2f 77 63 7e 1e 5a fd 70
90 07 0a 84 6a 1b 21 33 88 ea 83 a4 c6 ed 6d 08
07 bc 0e de 43 4d c8 6f 75 bb d7 57 50 ba e7 55
9e 71 0a e8 c6 8d cc 5a d7 c8 ec d5 89 00 7f f5
db eb d9 f8 c3 79 b4 b2 7f 00 00 00 00 00 00 00
02 24 3e 6c 0f 67 de 51 dc d4 ec cb 12 7a 44 3b
24 f4 b8 3c 44 5d ab fe 76 b7 64 20 5b 74 ee ce
d0 85 60 91 8c 38 0f e1 f6 61 5a a9 69 26 bb fd
8b d1 fd a9 42 6b d0 40 e3 f2 73 41 6b 03 54 f1
3c cd 0f cd f1 53 20 ae 61 50 c4 67 ed e0 98 6b
69 5c ef 38 1f 57 82 f6 3b 56 cf 96 3f 86 91 3c
30 99 64 47 1b f2 03 98 36 f9 c6 6a 07 6e a7 6c
07 47 1a 0f d1 b1 d8 78 cf 07 93 0f 3b b3 4f 9b
f1 a2 fd a2 2c 7e b8 7f d9 f2 7d e1 fe c2 8c ce
a5 75 23 cd b6 61 2d 1d cd 2e 3c 10 25 f1 b8 64
25 72 65 3b 80 96 33 9e 6d fa bc a0 05 b8 14 c1
5e 89 d3 e2`);

export const READY = unhex(`
05 52 45 41 44 59 00 00 00 00 00 00 00 01 64 00
86 d1 ab 15 4a 21 cf 6b 4b 63 c8 99 4a 57 e5 b9
76 c4 83 ec 06 54 f9 01 c1 9a 18 be f5 ba 8a 05
83 56 ad bb 7f 4f d9 71 d3 a3 f9 62 9b ff 74 d7
9f`);

/** Client → server MESSAGE (nonce 3): flags 00 + "Hello". */
export const MESSAGE_C = unhex(`
07 4d 45 53 53 41 47 45 00 00 00 00 00 00 00 03
23 92 73 9a f1 51 94 1d 82 93 c3 ab 21 58 6b 77
22 07 31 a3 f5 fd`);

/** Server → client MESSAGE (nonce 2): flags 00 + "World". */
export const MESSAGE_S = unhex(`
07 4d 45 53 53 41 47 45 00 00 00 00 00 00 00 02
bf 22 b2 ef ed 21 2f 14 80 27 e1 00 e0 28 04 76
20 76 eb 04 f1 86`);
