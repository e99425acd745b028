import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HubIndex, parseEui64 } from "./hub-index";

const octet = fc.integer({ min: 0, max: 255 }).map((n) => n.toString(16).toUpperCase().padStart(2, "0"));
const canonicalId = fc.array(octet, { minLength: 8, maxLength: 8 }).map((o) => o.join("-"));
/** Canonical IDs, IDs a canonical one differs from by case or a digit, and odd strings. */
const anyId = fc.oneof(
  { weight: 6, arbitrary: canonicalId },
  { weight: 1, arbitrary: canonicalId.map((s) => s.toLowerCase()) },
  { weight: 1, arbitrary: canonicalId.map((s) => s.slice(0, 22)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 24 }) },
);
const value = fc.integer({ min: 0, max: 0xfffffffe });

type Op = { t: "set"; id: string; v: number } | { t: "get"; id: string };
const ops = (ids: fc.Arbitrary<string>) =>
  fc.array(
    fc.oneof(
      fc.record({ t: fc.constant("set" as const), id: ids, v: value }),
      fc.record({ t: fc.constant("get" as const), id: ids }),
    ),
    { maxLength: 400 },
  );

describe("parseEui64", () => {
  it("reads the 64 bits of a canonical ID", () => {
    expect(parseEui64("00-00-00-00-00-00-00-00")).toEqual([0, 0]);
    expect(parseEui64("FF-FF-FF-FF-FF-FF-FF-FF")).toEqual([0xffffffff, 0xffffffff]);
    expect(parseEui64("01-23-45-67-89-AB-CD-EF")).toEqual([0x01234567, 0x89abcdef]);
  });
  it("refuses what is not canonical", () => {
    for (const id of [
      "01-23-45-67-89-ab-cd-ef",
      "0123456789ABCDEF",
      "01-23-45-67-89-AB-CD-E",
      "01-23-45-67-89-AB-CD-EG",
      "01:23-45-67-89-AB-CD-EF",
    ])
      expect(parseEui64(id)).toBeNull();
  });
  it("is one-to-one on canonical IDs", () => {
    fc.assert(
      fc.property(canonicalId, canonicalId, (a, b) => {
        const pa = parseEui64(a);
        const pb = parseEui64(b);
        expect(pa).not.toBeNull();
        expect(a === b).toBe(pa![0] === pb![0] && pa![1] === pb![1]);
      }),
    );
  });
});

describe("HubIndex against a Map", () => {
  it("answers every lookup as a Map would, through inserts, replacements, misses and growth", () => {
    fc.assert(
      fc.property(fc.nat({ max: 64 }), ops(anyId), (expected, script: Op[]) => {
        const index = new HubIndex(expected);
        const ref = new Map<string, number>();
        for (const op of script) {
          if (op.t === "set") {
            index.set(op.id, op.v);
            ref.set(op.id, op.v);
          } else {
            expect(index.get(op.id)).toBe(ref.get(op.id));
            expect(index.has(op.id)).toBe(ref.has(op.id));
          }
        }
        expect(index.size).toBe(ref.size);
        for (const [id, v] of ref) expect(index.get(id)).toBe(v);
      }),
    );
  });

  it("holds many duplicates of few IDs (a small key space) as the last value set", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("00-00-00-00-00-00-00-01", "00-00-00-00-00-00-00-02", "80-00-00-00-00-00-00-01"), {
          maxLength: 50,
        }),
        (ids) => {
          const index = new HubIndex(1);
          const ref = new Map<string, number>();
          ids.forEach((id, i) => {
            index.set(id, i);
            ref.set(id, i);
          });
          expect(index.size).toBe(ref.size);
          for (const [id, v] of ref) expect(index.get(id)).toBe(v);
        },
      ),
    );
  });

  it("rebuilt from a pull (a fresh index over the same rows) answers as the old one did", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(canonicalId, { maxLength: 300 }),
        fc.array(anyId, { maxLength: 50 }),
        (pulled, probes) => {
          const first = new HubIndex();
          pulled.forEach((id, i) => first.set(id, i));
          const rebuilt = new HubIndex(pulled.length);
          pulled.forEach((id, i) => rebuilt.set(id, i));
          for (const id of [...pulled, ...probes]) expect(rebuilt.get(id)).toBe(first.get(id));
          expect(rebuilt.rawBytes).toBeLessThanOrEqual(first.rawBytes);
        },
      ),
    );
  });

  it("keeps 300,000 IDs in 12 bytes a slot, at most 3/4 full", () => {
    const index = new HubIndex(300_000);
    for (let i = 0; i < 300_000; i++)
      index.set(`00-00-00-00-00-${hex(i >>> 16)}-${hex((i >>> 8) & 255)}-${hex(i & 255)}`, i);
    expect(index.size).toBe(300_000);
    expect(index.rawBytes).toBe(524_288 * 12);
    expect(index.get("00-00-00-00-00-04-93-DF")).toBe(0x493df);
    expect(index.get("00-00-00-00-00-04-93-E0")).toBeUndefined();
  });

  it("refuses a value it cannot store, and changes nothing", () => {
    const index = new HubIndex();
    for (const v of [-1, 0.5, 0xffffffff, Number.NaN])
      expect(() => index.set("00-00-00-00-00-00-00-01", v)).toThrow(/integer from 0/);
    expect(index.size).toBe(0);
  });
});

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}
