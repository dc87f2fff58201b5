// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SubscriptionTrie } from "../../../lib/routing/subscription_trie.ts";

const b = (s: string) => new TextEncoder().encode(s);
const topics = (t: SubscriptionTrie) =>
  t.entries().map(([k, n]) => [new TextDecoder().decode(k), n] as const).sort();

describe("SubscriptionTrie", () => {
  it("matches by prefix of the data", () => {
    const t = new SubscriptionTrie();
    t.add(b("ab"));
    assert.ok(t.matches(b("ab")));
    assert.ok(t.matches(b("abc")));
    assert.equal(t.matches(b("a")), false);
    assert.equal(t.matches(b("b")), false);
    assert.equal(t.matches(new Uint8Array(0)), false);
  });

  it("the empty topic matches everything, the empty message included", () => {
    const t = new SubscriptionTrie();
    assert.equal(t.matches(b("x")), false);
    t.add(new Uint8Array(0));
    assert.ok(t.matches(new Uint8Array(0)));
    assert.ok(t.matches(b("anything")));
  });

  it("counts references: true only for the first add and the last remove", () => {
    const t = new SubscriptionTrie();
    assert.equal(t.add(b("A")), true);
    assert.equal(t.add(b("A")), false);
    assert.equal(t.size, 1);
    assert.deepEqual(topics(t), [["A", 2]]);
    assert.equal(t.remove(b("A")), false);
    assert.ok(t.matches(b("A")));
    assert.equal(t.remove(b("A")), true);
    assert.equal(t.size, 0);
    assert.equal(t.matches(b("A")), false);
    assert.equal(t.remove(b("A")), false);
  });

  it("removing an unknown topic or a mere prefix of one does nothing", () => {
    const t = new SubscriptionTrie();
    t.add(b("abc"));
    assert.equal(t.remove(b("ab")), false);
    assert.equal(t.remove(b("abcd")), false);
    assert.equal(t.remove(b("x")), false);
    assert.equal(t.size, 1);
    assert.ok(t.has(b("abc")));
    assert.equal(t.has(b("ab")), false);
  });

  it("keeps longer and shorter topics sharing a path apart", () => {
    const t = new SubscriptionTrie();
    t.add(b("a"));
    t.add(b("abc"));
    t.remove(b("a"));
    assert.equal(t.matches(b("ab")), false);
    assert.ok(t.matches(b("abcd")));
    t.add(b("a"));
    t.remove(b("abc"));
    assert.ok(t.matches(b("ab")));
    assert.deepEqual(topics(t), [["a", 1]]);
  });

  it("handles binary topics with 0x00 and 0xff bytes", () => {
    const t = new SubscriptionTrie();
    const topic = new Uint8Array([0, 255, 0]);
    t.add(topic);
    assert.ok(t.matches(new Uint8Array([0, 255, 0, 1])));
    assert.equal(t.matches(new Uint8Array([0, 255, 1])), false);
    assert.deepEqual(t.entries(), [[topic, 1]]);
  });

  it("prunes emptied branches: entries lists only live topics", () => {
    const t = new SubscriptionTrie();
    for (const s of ["x", "xy", "xyz", "q"]) t.add(b(s));
    for (const s of ["xyz", "x", "q"]) t.remove(b(s));
    assert.deepEqual(topics(t), [["xy", 1]]);
    assert.equal(t.size, 1);
    t.remove(b("xy"));
    assert.deepEqual(t.entries(), []);
    assert.equal(t.matches(b("xyz")), false);
  });
});
