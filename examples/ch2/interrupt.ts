// Handling Ctrl-C (the Guide, chapter 2, "Handling Interrupt Signals"): a REP socket bound on
// tcp://*:5555 answers each request with "World" and otherwise waits in receive(). On SIGINT
// (Ctrl-C) or SIGTERM the handler only closes the socket; closing makes the waiting receive()
// reject with a ZmqError whose code is ETERM, and the main loop, seeing that, says so and
// ends. Nothing is left waiting, so the process exits by itself, with status 0. (In C a
// signal interrupts the blocking call, which returns EINTR; here a signal is an event like
// any other, and closing the socket is what wakes the receive.)
// Run: npx deno run -A examples/ch2/interrupt.ts   or   npx bun examples/ch2/interrupt.ts
// then Ctrl-C; ../ch1/hwclient.ts can talk to it meanwhile.
// Arguments: [endpoint=tcp://*:5555]
import process from "node:process";
import { Reply, ZmqError } from "../../mod.ts";

const [endpoint = "tcp://*:5555"] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

const responder = new Reply();
await responder.bind(endpoint);

// Installing a listener replaces the runtime's default (exit at once): from here on a signal
// only closes the socket.
const onSignal = () => responder.close();
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

for (;;) {
  try {
    const [request] = await responder.receive(); // a signal makes this reject with ETERM
    console.log(`Received ${text(request)}`);
    await responder.send("World");
  } catch (e) {
    if (!(e instanceof ZmqError && e.code === "ETERM")) throw e;
    console.log("W: interrupt received, killing server…");
    break;
  }
}
// Give the signals back to the runtime: a second Ctrl-C while closing ends the process at once.
process.off("SIGINT", onSignal);
process.off("SIGTERM", onSignal);
await responder.closed;
