import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compactSlotList, parseSlotCode as parse, parseSlotCode, formatSlotCode, slotLabelText } from "./slot-code";

const code = fc.record({ jigIndex: fc.integer({ min: 0, max: 7 }), slot: fc.integer({ min: 0, max: 7 }) });

describe("slot codes", () => {
  it("round-trips the printed code and the label barcode", () => {
    fc.assert(
      fc.property(code, (c) => {
        expect(parse(formatSlotCode(c))).toEqual(c);
        expect(parse(slotLabelText(c))).toEqual(c);
        expect(parse(formatSlotCode(c).toLowerCase())).toEqual(c);
      }),
      { numRuns: 200 },
    );
  });

  it("reads the forms a technician types", () => {
    expect(parse("4b")).toEqual({ jigIndex: 1, slot: 3 });
    expect(parse("B 4")).toEqual({ jigIndex: 1, slot: 3 });
    expect(parse("jig-c-8")).toEqual({ jigIndex: 2, slot: 7 });
  });

  it("never reads a hub ID, slot 0 or 9, or garbage as a slot (and never throws)", () => {
    for (const s of ["88-73-84-57-00-2F-00-01", "A0", "A9", "I1", "", "AB12", "JIG-A-12"]) expect(parse(s)).toBeNull();
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const r = parse(s);
        if (r !== null) expect(r.slot >= 0 && r.slot <= 7 && r.jigIndex >= 0 && r.jigIndex <= 7).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("compactSlotList", () => {
  /** Expands "A1-A3, B2" back to codes, to check the compact form loses nothing. */
  const expand = (text: string) =>
    text === ""
      ? []
      : text.split(", ").flatMap((part) => {
          const [a, b = a] = part.split("-") as [string, string?];
          const from = parseSlotCode(a)!;
          const to = parseSlotCode(b)!;
          return Array.from({ length: to.slot - from.slot + 1 }, (_, k) => `${from.jigIndex}:${from.slot + k}`);
        });

  it("lists exactly the slots given, each once, in jig and slot order, with runs as ranges", () => {
    fc.assert(
      fc.property(fc.array(code, { maxLength: 40 }), (codes) => {
        const text = compactSlotList(codes);
        const want = [...new Set(codes.map((c) => `${c.jigIndex}:${c.slot}`))].sort((x, y) => {
          const [xj, xs] = x.split(":").map(Number) as [number, number];
          const [yj, ys] = y.split(":").map(Number) as [number, number];
          return xj - yj || xs - ys;
        });
        expect(expand(text)).toEqual(want);
      }),
    );
  });

  it("a full station of 24 fits in a dozen characters", () => {
    const all = [0, 1, 2].flatMap((jigIndex) => Array.from({ length: 8 }, (_, slot) => ({ jigIndex, slot })));
    expect(compactSlotList(all)).toBe("A1-A8, B1-B8, C1-C8");
    expect(
      compactSlotList([
        { jigIndex: 1, slot: 3 },
        { jigIndex: 0, slot: 0 },
        { jigIndex: 1, slot: 1 },
      ]),
    ).toBe("A1, B2, B4");
  });
});
