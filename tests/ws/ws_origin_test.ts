// SPDX-License-Identifier: MIT
/**
 * `wsOrigins`: a ws:// bind that names the web origins it serves refuses a browser page of
 * another site (HTTP 403 and a `handshake:error:protocol` event), serves its own origin and
 * clients that send no Origin (zmqkit's own, libzmq's), and so cannot be reached by a foreign
 * page through its visitors' browsers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Reply, Request, type SocketEvent } from "../../mod.ts";
import { RawClient, upgradeRequest } from "./_raw.ts";
import { until } from "../_helpers/wait.ts";

describe("ws:// origins", () => {
  it("refuses another site's page, serves its own and clients without an Origin", async () => {
    const rep = new Reply({ wsOrigins: ["https://app.example"] });
    const refused: SocketEvent[] = [];
    rep.events.on("handshake:error:protocol", (e) => refused.push(e));
    await rep.bind("ws://127.0.0.1:0");
    const port = Number(/:(\d+)\//.exec(rep.lastEndpoint!)![1]);
    const req = new Request();
    try {
      const evil = new RawClient(port);
      evil.write(upgradeRequest({ extra: "Origin: https://evil.example\r\n" }));
      await until("the refusal", () => evil.text().includes("\r\n\r\n") && refused.length > 0);
      assert.match(evil.text(), /^HTTP\/1\.1 403 Forbidden\r\n/);
      assert.match(refused[0]!.error!.message, /evil\.example/);
      evil.destroy();

      const own = new RawClient(port);
      own.write(upgradeRequest({ extra: "Origin: https://app.example\r\n" }));
      await until("the upgrade", () => own.text().includes("\r\n\r\n"));
      assert.match(own.text(), /^HTTP\/1\.1 101 /);
      own.destroy();

      req.connect(rep.lastEndpoint!); // zmqkit sends no Origin
      await req.send("hello");
      assert.equal(new TextDecoder().decode((await rep.receive())[0]), "hello");
      assert.equal(refused.length, 1);
    } finally {
      req.close();
      rep.close();
    }
  });
});
