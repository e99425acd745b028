import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hashString, PMap } from "./persistent-map";

type Op = { kind: "set"; key: string; value: number } | { kind: "delete"; key: string };

/** Two keys of one 30-bit hash, found among generated ones (birthday odds make a few likely). */
function collidingKeys(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; i < 200_000; i++) {
    const key = `88-73-84-57-00-${i.toString(16).toUpperCase().padStart(6, "0")}`;
    const h = hashString(key);
    const other = seen.get(h);
    if (other !== undefined) return [other, key];
    seen.set(h, key);
  }
  throw new Error("no two keys share a hash: widen the search");
}

const [c1, c2] = collidingKeys();

describe("PMap: the receipt reconciler's persistent map", () => {
  it("hashes are 30-bit small integers", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const h = hashString(s);
        expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
      }),
    );
  });

  it("behaves as a Map under any sets and deletes, colliding keys included, and never changes an old version", () => {
    const key = fc.oneof(fc.constantFrom(c1, c2, "a", "b", ""), fc.string({ maxLength: 6 }));
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), key, value: fc.integer() }),
      fc.record({ kind: fc.constant("delete" as const), key }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        let p = PMap.empty<number>();
        const model = new Map<string, number>();
        const versions: Array<[PMap<number>, Map<string, number>]> = [];
        for (const o of ops) {
          if (o.kind === "set") {
            p = p.set(o.key, o.value);
            model.set(o.key, o.value);
          } else {
            p = p.delete(o.key);
            model.delete(o.key);
          }
          versions.push([p, new Map(model)]);
        }
        for (const [v, m] of versions) {
          expect(v.size).toBe(m.size);
          for (const [k, x] of m) expect(v.get(k)).toBe(x);
          const all = new Map<string, number>();
          v.forEach((k, x) => all.set(k, x));
          expect(all).toEqual(m);
          expect(v.has(c1)).toBe(m.has(c1));
          expect(v.has(c2)).toBe(m.has(c2));
        }
      }),
    );
  });

  it("keeps both of two keys with one hash, and deletes either alone", () => {
    expect(hashString(c1)).toBe(hashString(c2));
    const both = PMap.empty<number>().set(c1, 1).set(c2, 2).set("x", 3);
    expect([both.get(c1), both.get(c2), both.size]).toEqual([1, 2, 3]);
    const one = both.delete(c1);
    expect([one.get(c1), one.get(c2), one.size]).toEqual([undefined, 2, 2]);
    expect(both.set(c2, 5).get(c2)).toBe(5);
    expect(both.set(c2, 5).size).toBe(3);
  });
});
