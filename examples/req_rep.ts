// Request-reply over ipc: a REP server answering three requests from a REQ client.
// Run: npx deno run -A examples/req_rep.ts   or   npx bun examples/req_rep.ts
import { Reply, Request } from "../mod.ts";

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const server = new Reply();
await server.bind(`ipc:///tmp/zmqkit-example-${Date.now()}.sock`);
(async () => {
  for await (const [request] of server) await server.send(`echo ${text(request)}`);
})();

const client = new Request();
client.connect(server.lastEndpoint!);
for (const word of ["one", "two", "three"]) {
  await client.send(word);
  const [reply] = await client.receive();
  console.log(text(reply));
}
client.close();
server.close();
