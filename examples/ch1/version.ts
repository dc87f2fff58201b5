// Version report (the Guide, chapter 1, "Version Reporting"). The Guide's version.c asks libzmq
// for its version; zmqkit has no libzmq inside, so this prints zmqkit's own version (VERSION)
// and the ZMTP version it speaks, read off the
// greeting a zmqkit socket sends: a raw STREAM socket connects to it and looks at the bytes
// (RFC 23: a 10-byte signature, then the major and minor version, then the mechanism name).
// Run: npx deno run -A examples/ch1/version.ts   or   npx bun examples/ch1/version.ts
import { Pull, Stream, VERSION } from "../../mod.ts";

await using zmtp = new Pull(); // any socket type will do: each greets the same way
await zmtp.bind("tcp://127.0.0.1:*");
await using raw = new Stream(); // STREAM: plain TCP bytes, no ZMTP of its own
raw.connect(zmtp.lastEndpoint!);

let greeting = new Uint8Array(0);
while (greeting.length < 32) {
  const [, bytes = new Uint8Array(0)] = await raw.receive(); // [connection id, bytes]
  greeting = new Uint8Array([...greeting, ...bytes]);
}
const [major, minor] = [greeting[10], greeting[11]];
const mechanism = new TextDecoder().decode(greeting.subarray(12, 32)).replace(/\0+$/, "");
console.log(`Current zmqkit version is ${VERSION}, speaking ZMTP ${major}.${minor}`);
console.log(`(its greeting offers the ${mechanism} security mechanism)`);
