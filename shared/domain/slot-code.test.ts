import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSlotCode as parse, formatSlotCode, slotLabelText } from "./slot-code";

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
