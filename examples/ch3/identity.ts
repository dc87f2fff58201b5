// Identity check (the Guide, chapter 3, "Identities and Addresses"): a ROUTER bound on
// inproc://example receives one request from each of two REQ sockets and prints it frame by
// frame. The first REQ says nothing about itself, so the ROUTER makes up a routing id for its
// connection: 5 bytes, a zero then a counter. The second sets its routing id to "PEER2"
// before connecting, and the ROUTER uses that. After the id comes the empty delimiter frame
// the REQ put in front of its request, then the request.
// Run: npx deno run -A examples/ch3/identity.ts   or   npx bun examples/ch3/identity.ts
// Arguments: [endpoint=inproc://example]
import process from "node:process";
import { Request, Router } from "../../mod.ts";

const [endpoint = "inproc://example"] = process.argv.slice(2);

/** Prints a message one frame a line: "[size] text", or the bytes in hex if not all printable. */
function dump(message: Uint8Array[]): void {
  console.log("-".repeat(40));
  for (const frame of message) {
    const printable = frame.every((b) => b >= 32 && b <= 126);
    const body = printable
      ? new TextDecoder().decode(frame)
      : Array.from(frame, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join("");
    const size = `[${String(frame.length).padStart(3, "0")}]`;
    console.log(frame.length > 0 ? `${size} ${body}` : size);
  }
}

await using sink = new Router();
await sink.bind(endpoint);

// First a REQ with no routing id of its own: the ROUTER generates one
await using anonymous = new Request();
anonymous.connect(endpoint);
await anonymous.send("ROUTER uses a generated 5 byte identity");
dump(await sink.receive());

// Then a REQ that chooses its routing id (the option must be set before connecting)
await using identified = new Request({ routingId: "PEER2" });
identified.connect(endpoint);
await identified.send("ROUTER uses REQ's socket identity");
dump(await sink.receive());
