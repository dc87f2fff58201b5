// SPDX-License-Identifier: MIT
/**
 * Counted prefix subscriptions: a radix (path-compressed) trie in flat typed arrays, sized for
 * hostile peers (no object, Map or stack frame per byte; every walk is a loop).
 *
 * - Nodes are rows of five int32 in `#nd` (first child, next sibling, count, label offset,
 *   label length); node 0 is the root, whose label is empty. Siblings are sorted by their
 *   first byte; a node with DENSE_AT children swaps its list for a 256-slot table. matches()
 *   starts from two fields: nothing / everything / walk, then the root's child by byte.
 * - Each distinct topic is copied once into the byte arena and every label is a slice of the
 *   copy of a topic at or below its node, so the bytes before a label are its node's path:
 *   a split or a merge with an only child is arithmetic, never a copy. A node holding a topic
 *   points into that topic's own copy.
 * - A removed topic's copy is garbage (left in place: labels may still point into it); freed
 *   rows go on a free list. When either is more than half of the total, one iterative rebuild
 *   renumbers the rows and (for the arena) copies the live topics out, children before
 *   parents so each label can point into a live copy; an empty trie drops back to a few bytes.
 */

const NONE = -1;
const W = 5; // int32 per node row
const KID = 0; // first child, NONE, or -2 - index in #tables for a node with a table
const SIB = 1; // next sibling (ascending first byte); the free list's link
const CNT = 2; // references to the topic ending here (0: none)
const OFF = 3; // label start in the arena
const LEN = 4; // label length (0 only for the root)
const SLOTS = 257; // a table: the child for each first byte, then the number of children
const SCAN = -3; // in #rootSlots while the root has a list: look the child up there
const DENSE_AT = 32; // children that make a node take a table
const SPARSE_AT = 8; // children at which it goes back to a list
const ROOT_DENSE_AT = 4; // the root, where every match starts, takes one sooner
const ROOT_SPARSE_AT = 2;
const INITIAL_NODES = 4;
const REBUILD_MIN = 1024; // rows or arena bytes below which garbage is left alone
const EMPTY = new Uint8Array(0);
const NO_KIDS = new Int32Array(256).fill(NONE);
const SCAN_KIDS = new Int32Array(256).fill(SCAN);

const grown = (cap: number, need: number): number =>
  Math.max(need, cap < 65536 ? cap * 2 : cap + (cap >> 1));

export class SubscriptionTrie {
  #size = 0;
  #nd = new Int32Array(INITIAL_NODES * W);
  #nodes = 1; // rows in use or on the free list
  #free = NONE;
  #freeCount = 0;
  #arena: Uint8Array = EMPTY;
  #used = 0;
  #garbage = 0;
  #tables: Int32Array[] = [];
  #freeTables: number[] = [];
  #gate = 0; // for matches(): 0 nothing held, 1 the empty topic held, 2 walk
  #rootSlots: Int32Array = NO_KIDS; // the root's child for each first byte (or SCAN)

  constructor() {
    this.#nd[KID] = NONE;
    this.#nd[SIB] = NONE;
  }

  /** Distinct topics held. */
  get size(): number {
    return this.#size;
  }

  /** Adds one reference; true when the topic is new. */
  add(topic: Uint8Array): boolean {
    const L = topic.length;
    // the arena would grow while a quarter of it is garbage: compact it instead
    if (this.#used + L > this.#arena.length && this.#garbage > this.#used >> 2) this.#rebuild(true);
    let n = 0;
    let i = 0;
    for (;;) {
      if (i === L) {
        const nd = this.#nd;
        if (nd[n * W + CNT]!++ !== 0) return false;
        // a node that now holds a topic points into the topic's own copy
        if (n !== 0) nd[n * W + OFF] = this.#store(topic) + L - nd[n * W + LEN]!;
        else this.#syncRoot();
        this.#size++;
        return true;
      }
      const b = topic[i]!;
      const c = this.#child(n, b);
      if (c === NONE) {
        const leaf = this.#node(this.#store(topic) + i, L - i, 1);
        this.#link(n, leaf, b);
        this.#size++;
        return true;
      }
      const o = this.#nd[c * W + OFF]!;
      const len = this.#nd[c * W + LEN]!;
      const ar = this.#arena;
      const lim = Math.min(len, L - i);
      let j = 1;
      while (j < lim && ar[o + j] === topic[i + j]) j++;
      if (j === len) {
        n = c;
        i += len;
        continue;
      }
      // the topic leaves (or ends inside) c's label: split it after j bytes
      const s = this.#store(topic);
      const m = this.#node(o, j, 0);
      this.#replace(n, c, m, b);
      const nd = this.#nd;
      nd[c * W + OFF] = o + j;
      nd[c * W + LEN] = len - j;
      nd[c * W + SIB] = NONE;
      nd[m * W + KID] = c;
      if (i + j === L) {
        nd[m * W + CNT] = 1;
        nd[m * W + OFF] = s + i;
      } else {
        this.#link(m, this.#node(s + i + j, L - i - j, 1), topic[i + j]!);
      }
      this.#size++;
      return true;
    }
  }

  /** Drops one reference; true when the topic's last reference went. False if unknown. */
  remove(topic: Uint8Array): boolean {
    const L = topic.length;
    let p = NONE;
    let n = 0;
    for (let i = 0; i < L;) {
      p = n;
      n = this.#child(n, topic[i]!);
      if (n === NONE || !this.#labelAt(n, topic, i)) return false;
      i += this.#nd[n * W + LEN]!;
    }
    const nd = this.#nd;
    const cnt = nd[n * W + CNT]!;
    if (cnt === 0) return false;
    nd[n * W + CNT] = cnt - 1;
    if (cnt > 1) return false;
    this.#size--;
    if (n !== 0) this.#unhold(p, n, topic);
    else this.#syncRoot();
    if (this.#size === 0) this.#reset();
    else if (this.#garbage > this.#used >> 1 && this.#used >= REBUILD_MIN) this.#rebuild(true);
    else if (this.#freeCount > this.#nodes >> 1 && this.#nodes >= REBUILD_MIN) {
      this.#rebuild(false);
    }
    return true;
  }

  has(topic: Uint8Array): boolean {
    const L = topic.length;
    let n = 0;
    for (let i = 0; i < L;) {
      n = this.#child(n, topic[i]!);
      if (n === NONE || !this.#labelAt(n, topic, i)) return false;
      i += this.#nd[n * W + LEN]!;
    }
    return this.#nd[n * W + CNT] !== 0;
  }

  /** True when some subscription is a prefix of `data` (the empty one matches everything). */
  matches(data: Uint8Array): boolean {
    const gate = this.#gate;
    if (gate !== 2) return gate === 1;
    if (data.length === 0) return false;
    const c = this.#rootSlots[data[0]!]!;
    return c !== NONE && this.#matchFrom(c, data);
  }

  /** The rest of matches(): c is the root's child for data[0] (or SCAN: look it up). */
  #matchFrom(c: number, data: Uint8Array): boolean {
    if (c === SCAN) c = this.#child(0, data[0]!);
    const nd = this.#nd;
    const ar = this.#arena;
    const L = data.length;
    for (let i = 0; c !== NONE;) {
      const r = c * W;
      const end = i + nd[r + LEN]!;
      if (end > L) return false;
      for (let j = i + 1, o = nd[r + OFF]! + 1; j < end; j++, o++) {
        if (ar[o] !== data[j]) return false;
      }
      if (nd[r + CNT] !== 0) return true;
      if (end === L) return false;
      c = this.#child(c, data[end]!);
      i = end;
    }
    return false;
  }

  /**
   * Calls `fn` with every topic (a fresh copy) and its count, in byte order. The trie must not
   * change during the walk.
   */
  forEach(fn: (topic: Uint8Array, count: number) => void): void {
    const nd = this.#nd;
    if (nd[CNT] !== 0) fn(new Uint8Array(0), nd[CNT]!);
    const stack: number[] = [];
    const depth: number[] = [];
    this.#pushChildren(0, 0, stack, depth);
    while (stack.length > 0) {
      const n = stack.pop()!;
      const d = depth.pop()!;
      const cnt = nd[n * W + CNT]!;
      if (cnt !== 0) {
        const end = nd[n * W + OFF]! + nd[n * W + LEN]!;
        fn(this.#arena.slice(end - d, end), cnt);
      }
      this.#pushChildren(n, d, stack, depth);
    }
  }

  /** Every topic with its count, in byte order. */
  entries(): Array<[Uint8Array, number]> {
    const out: Array<[Uint8Array, number]> = [];
    this.forEach((topic, count) => out.push([topic, count]));
    return out;
  }

  /** Pushes n's children (depth d below them added), the smallest last so it pops first. */
  #pushChildren(n: number, d: number, stack: number[], depth: number[]): void {
    const nd = this.#nd;
    const k = nd[n * W + KID]!;
    if (k < NONE) {
      const tb = this.#tables[-2 - k]!;
      for (let b = 255; b >= 0; b--) {
        const c = tb[b]!;
        if (c === NONE) continue;
        stack.push(c);
        depth.push(d + nd[c * W + LEN]!);
      }
      return;
    }
    const from = stack.length;
    for (let c = k; c !== NONE; c = nd[c * W + SIB]!) {
      stack.push(c);
      depth.push(d + nd[c * W + LEN]!);
    }
    for (let a = from, z = stack.length - 1; a < z; a++, z--) {
      const c = stack[a]!;
      const e = depth[a]!;
      stack[a] = stack[z]!;
      depth[a] = depth[z]!;
      stack[z] = c;
      depth[z] = e;
    }
  }

  /** Whether n's label equals topic[i..] for its length (its first byte is known equal). */
  #labelAt(n: number, topic: Uint8Array, i: number): boolean {
    const o = this.#nd[n * W + OFF]!;
    const len = this.#nd[n * W + LEN]!;
    if (i + len > topic.length) return false;
    const ar = this.#arena;
    for (let j = 1; j < len; j++) if (ar[o + j] !== topic[i + j]) return false;
    return true;
  }

  /**
   * n, p's child, lost its topic: the copy is garbage (its bytes stay readable until the next
   * rebuild, so labels pointing into it stay right), and n goes or merges with its only child.
   */
  #unhold(p: number, n: number, topic: Uint8Array): void {
    this.#garbage += topic.length;
    const nd = this.#nd;
    if (nd[n * W + KID] === NONE) {
      this.#unlink(p, n, topic[topic.length - nd[n * W + LEN]!]!);
      this.#freeNode(n);
      if (p === 0 || nd[p * W + CNT] !== 0) return;
      n = p; // a node holding no topic keeps two children or merges with the one left
    }
    const only = nd[n * W + KID]!;
    if (only >= 0 && nd[only * W + SIB] === NONE) this.#absorb(n, only);
  }

  /** Folds p's only child c into p (p holds no topic; the labels become one). */
  #absorb(p: number, c: number): void {
    const nd = this.#nd;
    const lp = nd[p * W + LEN]!;
    nd[p * W + OFF] = nd[c * W + OFF]! - lp;
    nd[p * W + LEN] = lp + nd[c * W + LEN]!;
    nd[p * W + CNT] = nd[c * W + CNT]!;
    nd[p * W + KID] = nd[c * W + KID]!;
    nd[c * W + KID] = NONE;
    this.#freeNode(c);
  }

  /** Copies a new topic into the arena; returns where it starts. */
  #store(topic: Uint8Array): number {
    const need = this.#used + topic.length;
    if (need > this.#arena.length) {
      const a = new Uint8Array(grown(Math.max(this.#arena.length, 32), need));
      a.set(this.#arena.subarray(0, this.#used));
      this.#arena = a;
    }
    this.#arena.set(topic, this.#used);
    const s = this.#used;
    this.#used = need;
    return s;
  }

  #node(off: number, len: number, cnt: number): number {
    let n = this.#free;
    if (n !== NONE) {
      this.#free = this.#nd[n * W + SIB]!;
      this.#freeCount--;
    } else {
      if ((this.#nodes + 1) * W > this.#nd.length) {
        const a = new Int32Array(grown(this.#nd.length / W, this.#nodes + 1) * W);
        a.set(this.#nd);
        this.#nd = a;
      }
      n = this.#nodes++;
    }
    const r = n * W;
    const nd = this.#nd;
    nd[r + KID] = NONE;
    nd[r + SIB] = NONE;
    nd[r + CNT] = cnt;
    nd[r + OFF] = off;
    nd[r + LEN] = len;
    return n;
  }

  #freeNode(n: number): void {
    this.#nd[n * W + CNT] = 0;
    this.#nd[n * W + SIB] = this.#free;
    this.#free = n;
    this.#freeCount++;
  }

  #first(n: number): number {
    return this.#arena[this.#nd[n * W + OFF]!]!;
  }

  /** n's child whose label starts with b, or NONE. */
  #child(n: number, b: number): number {
    const nd = this.#nd;
    const k = nd[n * W + KID]!;
    if (k < NONE) return this.#tables[-2 - k]![b]!;
    for (let c = k; c !== NONE; c = nd[c * W + SIB]!) {
      const f = this.#first(c);
      if (f === b) return c;
      if (f > b) break;
    }
    return NONE;
  }

  #firstChild(n: number): number {
    const k = this.#nd[n * W + KID]!;
    if (k >= NONE) return k;
    const tb = this.#tables[-2 - k]!;
    for (let b = 0;; b++) if (tb[b] !== NONE) return tb[b]!;
  }

  /** Makes c (first byte b) a child of p. */
  #link(p: number, c: number, b: number): void {
    const nd = this.#nd;
    const k = nd[p * W + KID]!;
    if (k < NONE) {
      const tb = this.#tables[-2 - k]!;
      tb[b] = c;
      tb[256]!++;
      return;
    }
    let prev = NONE;
    let x = k;
    let n = 1;
    for (; x !== NONE && this.#first(x) < b; x = nd[x * W + SIB]!) {
      prev = x;
      n++;
    }
    nd[c * W + SIB] = x;
    if (prev === NONE) nd[p * W + KID] = c;
    else nd[prev * W + SIB] = c;
    for (; x !== NONE; x = nd[x * W + SIB]!) n++;
    if (n >= (p === 0 ? ROOT_DENSE_AT : DENSE_AT)) this.#densify(p);
    if (p === 0) this.#syncRoot();
  }

  /** Puts c in old's place among p's children (same first byte b). */
  #replace(p: number, old: number, c: number, b: number): void {
    const nd = this.#nd;
    const k = nd[p * W + KID]!;
    if (k < NONE) {
      this.#tables[-2 - k]![b] = c;
      return;
    }
    nd[c * W + SIB] = nd[old * W + SIB]!;
    if (k === old) nd[p * W + KID] = c;
    else {
      let x = k;
      while (nd[x * W + SIB] !== old) x = nd[x * W + SIB]!;
      nd[x * W + SIB] = c;
    }
  }

  /** Takes c (first byte b) out of p's children. */
  #unlink(p: number, c: number, b: number): void {
    const nd = this.#nd;
    const k = nd[p * W + KID]!;
    if (k < NONE) {
      const tb = this.#tables[-2 - k]!;
      tb[b] = NONE;
      if (--tb[256]! <= (p === 0 ? ROOT_SPARSE_AT : SPARSE_AT)) this.#sparsify(p);
    } else if (k === c) nd[p * W + KID] = nd[c * W + SIB]!;
    else {
      let x = k;
      while (nd[x * W + SIB] !== c) x = nd[x * W + SIB]!;
      nd[x * W + SIB] = nd[c * W + SIB]!;
    }
    if (p === 0) this.#syncRoot();
  }

  /** Refreshes what matches() reads first. */
  #syncRoot(): void {
    const k = this.#nd[KID]!;
    this.#gate = this.#nd[CNT] !== 0 ? 1 : k === NONE ? 0 : 2;
    this.#rootSlots = k === NONE ? NO_KIDS : k >= 0 ? SCAN_KIDS : this.#tables[-2 - k]!;
  }

  #densify(p: number): void {
    const t = this.#freeTables.pop() ?? this.#tables.length;
    const tb = new Int32Array(SLOTS).fill(NONE);
    const nd = this.#nd;
    let n = 0;
    for (let c = nd[p * W + KID]!; c !== NONE; n++) {
      const next = nd[c * W + SIB]!;
      tb[this.#first(c)] = c;
      nd[c * W + SIB] = NONE;
      c = next;
    }
    tb[256] = n;
    this.#tables[t] = tb;
    nd[p * W + KID] = -2 - t;
  }

  #sparsify(p: number): void {
    const nd = this.#nd;
    const t = -2 - nd[p * W + KID]!;
    const tb = this.#tables[t]!;
    let head = NONE;
    for (let b = 255; b >= 0; b--) {
      const c = tb[b]!;
      if (c === NONE) continue;
      nd[c * W + SIB] = head;
      head = c;
    }
    nd[p * W + KID] = head;
    this.#tables[t] = NO_KIDS;
    this.#freeTables.push(t);
  }

  /** Back to an empty trie's few bytes. */
  #reset(): void {
    this.#nd = new Int32Array(INITIAL_NODES * W);
    this.#nd[KID] = NONE;
    this.#nd[SIB] = NONE;
    this.#nodes = 1;
    this.#free = NONE;
    this.#freeCount = 0;
    this.#arena = EMPTY;
    this.#used = this.#garbage = 0;
    this.#tables = [];
    this.#freeTables = [];
    this.#syncRoot();
  }

  /**
   * Renumbers the live rows into fresh arrays (pre-order) and, with `arena`, copies each live
   * topic into a fresh arena, children before parents so a parent can point into a child's copy.
   */
  #rebuild(arena: boolean): void {
    const nd = this.#nd;
    const tables = this.#tables;
    const live = this.#nodes - this.#freeCount;
    const order = new Int32Array(live);
    const map = new Int32Array(this.#nodes);
    const depth = new Float64Array(this.#nodes);
    const stack = new Int32Array(live);
    let top = 0;
    let count = 0;
    stack[top++] = 0;
    while (top > 0) {
      const n = stack[--top]!;
      map[n] = count;
      order[count++] = n;
      const k = nd[n * W + KID]!;
      if (k < NONE) {
        const tb = tables[-2 - k]!;
        for (let b = 0; b < 256; b++) {
          const c = tb[b]!;
          if (c === NONE) continue;
          stack[top++] = c;
          depth[c] = depth[n]! + nd[c * W + LEN]!;
        }
      } else {
        for (let c = k; c !== NONE; c = nd[c * W + SIB]!) {
          stack[top++] = c;
          depth[c] = depth[n]! + nd[c * W + LEN]!;
        }
      }
    }
    const cap = Math.max(INITIAL_NODES, live + (live >> 1));
    const out = new Int32Array(cap * W);
    const outTables: Int32Array[] = [];
    const mapped = (x: number) => x < 0 ? x : map[x]!;
    for (let k = 0; k < live; k++) {
      const r = order[k]! * W;
      const w = k * W;
      out[w + SIB] = mapped(nd[r + SIB]!);
      out[w + CNT] = nd[r + CNT]!;
      out[w + OFF] = nd[r + OFF]!;
      out[w + LEN] = nd[r + LEN]!;
      const kid = nd[r + KID]!;
      if (kid >= NONE) out[w + KID] = mapped(kid);
      else {
        const tb = tables[-2 - kid]!; // renumbered in place: the walk above is done with it
        for (let b = 0; b < 256; b++) tb[b] = mapped(tb[b]!);
        out[w + KID] = -2 - outTables.length;
        outTables.push(tb);
      }
    }
    this.#nd = out;
    this.#tables = outTables;
    this.#freeTables = [];
    this.#nodes = live;
    this.#free = NONE;
    this.#freeCount = 0;
    this.#syncRoot();
    if (!arena) return;
    const old = this.#arena;
    const fresh = new Uint8Array(Math.max(32, this.#used - this.#garbage));
    let used = 0;
    for (let k = live - 1; k >= 1; k--) {
      const w = k * W;
      const len = out[w + LEN]!;
      if (out[w + CNT] !== 0) {
        const d = depth[order[k]!]!;
        const end = out[w + OFF]! + len;
        fresh.set(old.subarray(end - d, end), used);
        out[w + OFF] = used + d - len;
        used += d;
      } else out[w + OFF] = out[this.#firstChild(k) * W + OFF]! - len;
    }
    this.#arena = fresh;
    this.#used = used;
    this.#garbage = 0;
  }
}
