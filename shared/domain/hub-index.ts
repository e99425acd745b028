/**
 * A compact map from hub device ID (EUI-64, `HH-HH-HH-HH-HH-HH-HH-HH`) to a small unsigned
 * integer, for the booking catalogue's 300,000 cached hubs (issue 22). An open-addressing hash
 * table (linear probing, load ≤ 3/4) over three typed arrays: the ID's 64 bits as two Uint32
 * and the value, 12 bytes a slot. Typed arrays hold no pointers, so a garbage collection does
 * not walk them, where a Map<string, number> of 300,000 entries is a 300,000-pointer backing
 * store to mark on every major GC.
 *
 * Hand-written: no npm package offers a uint64-keyed hash map over typed arrays with string
 * keys parsed in place, and this one is ~100 lines. An ID that is not in canonical form (lower
 * case, wrong length; central's schema refuses them but a cached row is not re-validated) goes
 * to a plain Map beside the table, so every string a Map would find this finds too.
 */

const EMPTY = 0xffffffff;

/** The 64 bits of a canonical EUI-64 ID as [high, low] 32-bit halves, or null when `id` is not canonical. */
export function parseEui64(id: string): [number, number] | null {
  if (id.length !== 23) return null;
  let hi = 0;
  let lo = 0;
  for (let octet = 0; octet < 8; octet++) {
    const at = octet * 3;
    if (octet > 0 && id.charCodeAt(at - 1) !== 45 /* - */) return null;
    const a = hexDigit(id.charCodeAt(at));
    const b = hexDigit(id.charCodeAt(at + 1));
    if (a < 0 || b < 0) return null;
    const byte = (a << 4) | b;
    if (octet < 4) hi = ((hi << 8) | byte) >>> 0;
    else lo = ((lo << 8) | byte) >>> 0;
  }
  return [hi, lo];
}

const HEX = "0123456789ABCDEF";

/** The canonical ID of the EUI-64 whose halves `parseEui64` returned (its exact inverse). */
export function formatEui64(hi: number, lo: number): string {
  let out = "";
  for (let octet = 0; octet < 8; octet++) {
    const byte = octet < 4 ? (hi >>> (24 - octet * 8)) & 0xff : (lo >>> (24 - (octet - 4) * 8)) & 0xff;
    out += (octet > 0 ? "-" : "") + HEX[byte >>> 4]! + HEX[byte & 15]!;
  }
  return out;
}

/** 0-15 for an upper-case hex digit's char code, else -1 (lower case is not canonical). */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function mix(hi: number, lo: number): number {
  let h = Math.imul(hi ^ 0x9e3779b9, 0x85ebca6b) ^ lo;
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Slots a table sized for `expected` IDs has: a power of two, at most 3/4 full. */
function capacityFor(expected: number): number {
  let cap = 16;
  while (cap * 3 < expected * 4) cap *= 2;
  return cap;
}

/** The typed arrays' bytes of a HubIndex built for `expected` canonical IDs. */
export function hubIndexBytes(expected: number): number {
  return capacityFor(expected) * 12;
}

export class HubIndex {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** The value + 1; 0 marks an empty slot. */
  private val: Uint32Array;
  private mask: number;
  private count = 0;
  /** IDs not in canonical EUI-64 form. */
  private readonly odd = new Map<string, number>();

  /** `expected`: how many IDs will be set (the table grows past it if need be). */
  constructor(expected = 16) {
    const cap = capacityFor(expected);
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.val = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count + this.odd.size;
  }

  /** Bytes held by the typed arrays (the odd-ID Map aside, normally empty). */
  get rawBytes(): number {
    return this.hi.byteLength + this.lo.byteLength + this.val.byteLength;
  }

  /** Maps `id` to `value` (an integer 0 ≤ value < 2^32 - 1), replacing any earlier value. */
  set(id: string, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value >= EMPTY)
      throw new RangeError(`a hub index value must be an integer from 0 to ${EMPTY - 1}, not ${value}`);
    const key = parseEui64(id);
    if (key === null) {
      this.odd.set(id, value);
      return;
    }
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    this.put(key[0], key[1], value + 1);
  }

  /** `set` for a canonical ID already parsed into its halves (as `parseEui64` returns them). */
  setKey(hi: number, lo: number, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value >= EMPTY)
      throw new RangeError(`a hub index value must be an integer from 0 to ${EMPTY - 1}, not ${value}`);
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    this.put(hi >>> 0, lo >>> 0, value + 1);
  }

  get(id: string): number | undefined {
    const key = parseEui64(id);
    if (key === null) return this.odd.get(id);
    const [hi, lo] = key;
    for (let i = mix(hi, lo) & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.val[i]!;
      if (v === 0) return undefined;
      if (this.hi[i] === hi && this.lo[i] === lo) return v - 1;
    }
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  private put(hi: number, lo: number, stored: number): void {
    for (let i = mix(hi, lo) & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.val[i]!;
      if (v === 0) {
        this.hi[i] = hi;
        this.lo[i] = lo;
        this.val[i] = stored;
        this.count++;
        return;
      }
      if (this.hi[i] === hi && this.lo[i] === lo) {
        this.val[i] = stored;
        return;
      }
    }
  }

  private grow(): void {
    const { hi, lo, val } = this;
    const cap = (this.mask + 1) * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.val = new Uint32Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < val.length; i++) if (val[i] !== 0) this.put(hi[i]!, lo[i]!, val[i]!);
  }
}

/**
 * The entry whose range holds position `pos`, ranges given by where each starts (`starts[i]` to
 * `starts[i + 1]`, n entries): the first i < n with starts[i + 1] > pos, empty ranges skipped
 * (binary search). The catalogues map a hub's position to its carton, or its booking, with it.
 */
export function rangeHolding(starts: Uint32Array, n: number, pos: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid + 1]! > pos) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
