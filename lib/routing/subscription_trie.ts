// SPDX-License-Identifier: MIT
/** Counted prefix subscriptions: a byte trie. Matching walks the first frame once. */

interface Node {
  count: number;
  children: Map<number, Node> | undefined;
}

const newNode = (): Node => ({ count: 0, children: undefined });

export class SubscriptionTrie {
  #root: Node = newNode();
  /** Distinct topics held. */
  size = 0;

  /** Adds one reference; true when the topic is new. */
  add(topic: Uint8Array): boolean {
    let node = this.#root;
    for (const b of topic) {
      node.children ??= new Map();
      let next = node.children.get(b);
      if (!next) node.children.set(b, next = newNode());
      node = next;
    }
    if (node.count++ === 0) {
      this.size++;
      return true;
    }
    return false;
  }

  /** Drops one reference; true when the topic's last reference went. False if unknown. */
  remove(topic: Uint8Array): boolean {
    const path: Node[] = [this.#root];
    let node = this.#root;
    for (const b of topic) {
      const next = node.children?.get(b);
      if (!next) return false;
      path.push(next);
      node = next;
    }
    if (node.count === 0) return false;
    if (--node.count > 0) return false;
    this.size--;
    for (let i = topic.length; i > 0; i--) {
      const n = path[i]!;
      if (n.count > 0 || (n.children && n.children.size > 0)) break;
      path[i - 1]!.children!.delete(topic[i - 1]!);
    }
    return true;
  }

  has(topic: Uint8Array): boolean {
    let node: Node | undefined = this.#root;
    for (const b of topic) {
      node = node.children?.get(b);
      if (!node) return false;
    }
    return node.count > 0;
  }

  /** True when some subscription is a prefix of `data`. */
  matches(data: Uint8Array): boolean {
    let node: Node | undefined = this.#root;
    if (node.count > 0) return true;
    for (let i = 0; i < data.length; i++) {
      node = node.children?.get(data[i]!);
      if (!node) return false;
      if (node.count > 0) return true;
    }
    return false;
  }

  /** Every topic with its count. */
  entries(): Array<[Uint8Array, number]> {
    const out: Array<[Uint8Array, number]> = [];
    const walk = (n: Node, prefix: number[]) => {
      if (n.count > 0) out.push([Uint8Array.from(prefix), n.count]);
      if (n.children) { for (const [b, c] of n.children) walk(c, [...prefix, b]); }
    };
    walk(this.#root, []);
    return out;
  }
}
