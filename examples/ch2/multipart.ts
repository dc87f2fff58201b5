// Multipart messages (the Guide, chapter 2, "Multipart Messages"; the Guide has no program for
// it): a message is a list of frames, sent and received whole. In C each frame is a separate
// zmq_send with ZMQ_SNDMORE on all but the last, and the receiver loops while ZMQ_RCVMORE
// says more is coming; here send() takes the frames as an array and receive() returns them as
// one, so there is no frame loop on either side. A PUSH sends four messages and a PULL prints
// each as it arrives: one frame; an envelope whose empty delimiter frame arrives like any
// other; three empty frames, which are three frames and not none; and a 100,000-byte frame
// between two small ones. Delivery is all or nothing: the receiver never sees part of a
// message, and a message that cannot be queued (a full peer) waits or is dropped as a whole.
// Run: npx deno run -A examples/ch2/multipart.ts   or   npx bun examples/ch2/multipart.ts
// (both sides in this process), or the two sides apart: `multipart.ts push` in one terminal,
// `multipart.ts pull` in another (either may start first).
// Arguments: [role=both|push|pull] [endpoint: both tcp://127.0.0.1:* (bound by the PULL),
//            push tcp://*:5564 (bound), pull tcp://localhost:5564 (connected)]
import process from "node:process";
import { type MessageLike, Pull, Push } from "../../mod.ts";

const role = process.argv[2] ?? "both";
const defaults: Record<string, string> = {
  both: "tcp://127.0.0.1:*",
  push: "tcp://*:5564",
  pull: "tcp://localhost:5564",
};
const endpoint = process.argv[3] ?? defaults[role];
if (endpoint === undefined) throw new TypeError(`role must be both, push or pull, not ${role}`);

const big = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
const messages: MessageLike[] = [
  "Hello", // one frame
  ["address", "", "body"], // an envelope: address, empty delimiter, body
  ["", "", ""], // three empty frames
  ["header", big, "trailer"], // a big frame between two small ones
];

/** A frame as text ("address", "") or, when long, as its size. */
const show = (f: Uint8Array) =>
  f.length > 40 ? `<${f.length} bytes>` : JSON.stringify(new TextDecoder().decode(f));

async function send(sender: Push): Promise<void> {
  for (const message of messages) await sender.send(message); // each one whole
}

if (role === "push") {
  await using sender = new Push();
  await sender.bind(endpoint);
  await send(sender);
  console.log(`Sent ${messages.length} messages`); // closing waits until they are delivered
} else {
  await using receiver = new Pull();
  if (role === "pull") receiver.connect(endpoint);
  else {
    await receiver.bind(endpoint);
    await using sender = new Push(); // both sides in this process
    sender.connect(receiver.lastEndpoint!);
    await send(sender);
  } // closing the sender waits until its messages are delivered
  for (let n = 0; n < messages.length; n++) {
    const frames = await receiver.receive(); // every frame of one message, never fewer
    const count = frames.length === 1 ? "1 frame" : `${frames.length} frames`;
    console.log(`${count}: ${frames.map(show).join(", ")}`);
  }
}
