/**
 * Persistent structures for the receipt reconciler (hand-written: no persistent-collection
 * library is installed; Immutable.js would fit): a cons list and a string-keyed hash array
 * mapped trie with path copying, so a reduce never copies what came before and an old state
 * stays valid and unchanged.
 */

export interface Cons<T> {
  readonly head: T;
  readonly tail: Cons<T> | null;
}

/*
 * A hash array mapped trie keyed by strings: 16-way nodes indexed by 4 hash bits a level, with
 * path copying, so `set` copies a few small arrays and shares the rest with the old map.
 * 16-way, not the usual 32: every bitmap, bit and count then stays a small integer (V8's Smi,
 * 31 bits). With 32-way nodes, bits 30 and 31 and popcount's 32-bit steps became heap numbers
 * in Chromium (V8 boxes integers over 31 bits outside fully optimised code): the receipt
 * summary's ~1,800 lookups after every scan made ~13 KiB of garbage of them (issue 22).
 */
const BITS = 4;
const MASK = (1 << BITS) - 1;
type TrieNode<V> =
  | { t: 0; hash: number; key: string; value: V }
  | { t: 1; bitmap: number; children: readonly TrieNode<V>[] }
  | { t: 2; hash: number; entries: ReadonlyArray<readonly [string, V]> };

/**
 * A murmur-style string hash: FNV-1a collides far too often on look-alike device IDs.
 * 30 bits (eight trie levels of 4): a small integer to V8 (31-bit under pointer compression),
 * so a hash is never boxed on the heap; a 32-bit one was, for half the keys, and the
 * receipt summary's ~1,800 lookups after every scan made ~8 KiB of garbage of it (issue 22).
 */
export function hashString(s: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

/** Set bits of a 16-bit bitmap; every step stays under 2^16. */
function popcount(x: number): number {
  x -= (x >> 1) & 0x5555;
  x = (x & 0x3333) + ((x >> 2) & 0x3333);
  x = (x + (x >> 4)) & 0x0f0f;
  return (x + (x >> 8)) & 0x1f;
}

function nodeHash<V>(n: TrieNode<V>): number {
  return n.t === 1 ? 0 : n.hash;
}

function mergeNodes<V>(a: TrieNode<V>, b: TrieNode<V>, shift: number): TrieNode<V> {
  const ha = nodeHash(a);
  const hb = nodeHash(b);
  const fa = (ha >>> shift) & MASK;
  const fb = (hb >>> shift) & MASK;
  if (fa === fb) return { t: 1, bitmap: 1 << fa, children: [mergeNodes(a, b, shift + BITS)] };
  return { t: 1, bitmap: (1 << fa) | (1 << fb), children: fa < fb ? [a, b] : [b, a] };
}

/** Set by trieSet when it replaces a key rather than adding one (saves a second lookup). */
let added = true;

function trieSet<V>(node: TrieNode<V> | null, shift: number, hash: number, key: string, value: V): TrieNode<V> {
  if (node === null) return { t: 0, hash, key, value };
  if (node.t === 0) {
    if (node.key === key) {
      added = false;
      return { t: 0, hash, key, value };
    }
    if (node.hash === hash)
      return {
        t: 2,
        hash,
        entries: [
          [node.key, node.value],
          [key, value],
        ],
      };
    return mergeNodes(node, { t: 0, hash, key, value }, shift);
  }
  if (node.t === 2) {
    if (node.hash !== hash) return mergeNodes(node, { t: 0, hash, key, value }, shift);
    const entries = node.entries.filter(([k]) => k !== key);
    if (entries.length < node.entries.length) added = false;
    entries.push([key, value]);
    return { t: 2, hash, entries };
  }
  const bit = 1 << ((hash >>> shift) & MASK);
  const at = popcount(node.bitmap & (bit - 1));
  const children = node.children.slice();
  if (node.bitmap & bit) {
    children[at] = trieSet(node.children[at] ?? null, shift + BITS, hash, key, value);
    return { t: 1, bitmap: node.bitmap, children };
  }
  children.splice(at, 0, { t: 0, hash, key, value });
  return { t: 1, bitmap: node.bitmap | bit, children };
}

/** The node without `key` (null when emptied); the same node when `key` is absent. */
function trieDelete<V>(node: TrieNode<V> | null, shift: number, hash: number, key: string): TrieNode<V> | null {
  if (node === null) return null;
  if (node.t === 0) return node.key === key ? null : node;
  if (node.t === 2) {
    if (node.hash !== hash) return node;
    const entries = node.entries.filter(([k]) => k !== key);
    if (entries.length === node.entries.length) return node;
    const only = entries[0];
    return entries.length === 1 && only ? { t: 0, hash, key: only[0], value: only[1] } : { t: 2, hash, entries };
  }
  const bit = 1 << ((hash >>> shift) & MASK);
  if (!(node.bitmap & bit)) return node;
  const at = popcount(node.bitmap & (bit - 1));
  const child = node.children[at] ?? null;
  const next = trieDelete(child, shift + BITS, hash, key);
  if (next === child) return node;
  const children = node.children.slice();
  if (next !== null) {
    children[at] = next;
    return { t: 1, bitmap: node.bitmap, children };
  }
  children.splice(at, 1);
  const bitmap = node.bitmap & ~bit;
  if (bitmap === 0) return null;
  // A lone leaf or collision can move up: lookups compare keys, not depth.
  const lone = children[0];
  if (children.length === 1 && lone && lone.t !== 1) return lone;
  return { t: 1, bitmap, children };
}

function trieGet<V>(root: TrieNode<V> | null, hash: number, key: string): V | undefined {
  let node = root;
  let shift = 0;
  while (node !== null) {
    if (node.t === 0) return node.key === key ? node.value : undefined;
    if (node.t === 2) {
      for (const [k, v] of node.entries) if (k === key) return v;
      return undefined;
    }
    const bit = 1 << ((hash >>> shift) & MASK);
    if (!(node.bitmap & bit)) return undefined;
    node = node.children[popcount(node.bitmap & (bit - 1))] ?? null;
    shift += BITS;
  }
  return undefined;
}

function trieEach<V>(node: TrieNode<V> | null, fn: (key: string, value: V) => void): void {
  if (node === null) return;
  if (node.t === 0) fn(node.key, node.value);
  else if (node.t === 2) for (const [k, v] of node.entries) fn(k, v);
  else for (const child of node.children) trieEach(child, fn);
}

/** An immutable string-keyed map; `set` returns a new map sharing structure with the old. */
export class PMap<V> {
  private constructor(
    private readonly root: TrieNode<V> | null,
    readonly size: number,
  ) {}
  static empty<V>(): PMap<V> {
    return new PMap<V>(null, 0);
  }
  get(key: string): V | undefined {
    return trieGet(this.root, hashString(key), key);
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  /** get, with `hash` = hashString(key) worked out beforehand (a walk that asks for the same keys again and again). */
  getHashed(hash: number, key: string): V | undefined {
    return trieGet(this.root, hash, key);
  }
  set(key: string, value: V): PMap<V> {
    added = true;
    const root = trieSet(this.root, 0, hashString(key), key, value);
    return new PMap(root, added ? this.size + 1 : this.size);
  }
  delete(key: string): PMap<V> {
    const root = trieDelete(this.root, 0, hashString(key), key);
    return root === this.root ? this : new PMap(root, this.size - 1);
  }
  forEach(fn: (key: string, value: V) => void): void {
    trieEach(this.root, fn);
  }
}
