// STREAM sockets talk raw bytes to plain TCP peers: notifications, data both ways, close.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { Stream } from "../../mod.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("STREAM", () => {
  it("serves a raw TCP client: connect notice, request, reply, close by empty frame", async () => {
    const stream = new Stream();
    await stream.bind("tcp://127.0.0.1:*");
    const port = Number(stream.lastEndpoint!.split(":").pop());
    const client = net.connect({ host: "127.0.0.1", port });
    const received: Buffer[] = [];
    const ended = new Promise<void>((resolve) => client.on("close", () => resolve()));
    client.on("data", (b: Buffer) => received.push(b));
    client.write("GET / HTTP/1.0\r\n\r\n");

    const [id, hello] = await stream.receive();
    assert.equal(id!.length, 5);
    assert.equal(hello!.length, 0, "first message is the connect notification");
    let request = "";
    while (!request.endsWith("\r\n\r\n")) {
      const [rid, chunk] = await stream.receive();
      assert.deepEqual(rid, id);
      request += text(chunk!);
    }
    assert.equal(request, "GET / HTTP/1.0\r\n\r\n");
    await stream.send([id!, "HTTP/1.0 200 OK\r\n\r\nhi"]);
    await stream.send([id!, new Uint8Array(0)]);
    await ended;
    assert.equal(Buffer.concat(received).toString(), "HTTP/1.0 200 OK\r\n\r\nhi");
    const [gid, gone] = await stream.receive();
    assert.deepEqual(gid, id);
    assert.equal(gone!.length, 0, "disconnect notification");
    stream.close();
  });

  it("connects to a raw TCP server and keeps what it sent before closing", async () => {
    const server = net.createServer((sock) => {
      sock.once("data", (b) => {
        sock.end(`echo:${b.toString()}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as net.AddressInfo).port;
    const stream = new Stream();
    stream.connect(`tcp://127.0.0.1:${port}`);
    const [id, notice] = await stream.receive();
    assert.equal(notice!.length, 0);
    await stream.send([id!, "ping"]);
    let reply = "";
    for (;;) {
      const [, chunk] = await stream.receive();
      if (chunk!.length === 0) break;
      reply += text(chunk!);
    }
    assert.equal(reply, "echo:ping");
    stream.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("refuses unknown routing ids with EHOSTUNREACH", async () => {
    const stream = new Stream();
    await assert.rejects(stream.send([new Uint8Array([0, 1, 2, 3, 4]), "x"]), {
      code: "EHOSTUNREACH",
    });
    stream.close();
  });
});
