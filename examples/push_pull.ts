// PUSH/PULL over tcp, the README's library example.
// Run: npx deno run -A examples/push_pull.ts   or   npx bun examples/push_pull.ts
import { Pull, Push } from "../mod.ts";

const pull = new Pull({ receiveHighWaterMark: 1000 });
await pull.bind("tcp://127.0.0.1:*");
const push = new Push();
push.connect(pull.lastEndpoint!);
await push.send(["topic", new Uint8Array([1, 2, 3])]);
const [topic, body] = await pull.receive();
console.log(new TextDecoder().decode(topic), body);
push.close();
pull.close();
