import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isUuidV7, newEventId, uuidV7Time } from "./ids";

describe("newEventId", () => {
  it("makes UUIDv7 ids that carry the time they were made at", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff_ffff }), (ms) => {
        const id = newEventId(new Date(ms));
        expect(isUuidV7(id)).toBe(true);
        expect(uuidV7Time(id)).toBe(ms);
      }),
      { numRuns: 300 },
    );
  });

  it("without a time, ids are unique and sort in the order they were made", () => {
    const ids = Array.from({ length: 2000 }, () => newEventId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("refuses a time UUIDv7 cannot hold", () => {
    expect(() => newEventId(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => newEventId(new Date(-1))).toThrow(RangeError);
  });
});

describe("isUuidV7 / uuidV7Time", () => {
  it("refuses other versions, upper case and garbage without throwing", () => {
    for (const s of [
      "",
      "not-a-uuid",
      "0192f3a4-5b6c-4d7e-8f90-a1b2c3d4e5f6", // v4
      "0192F3A4-5B6C-7D7E-8F90-A1B2C3D4E5F6", // upper case
      "0192f3a4-5b6c-7d7e-cf90-a1b2c3d4e5f6", // bad variant
      "0192f3a45b6c7d7e8f90a1b2c3d4e5f6", // no hyphens
    ]) {
      expect(isUuidV7(s)).toBe(false);
      expect(uuidV7Time(s)).toBeNull();
    }
    expect(isUuidV7(42)).toBe(false);
    expect(isUuidV7(null)).toBe(false);
  });

  it("never throws on any string", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(typeof isUuidV7(s)).toBe("boolean");
        uuidV7Time(s);
      }),
      { numRuns: 300 },
    );
  });
});

describe("newEventId with a time", () => {
  it("never repeats an id at the same instant, across many refills of its random pool", () => {
    const at = new Date(Date.UTC(2027, 0, 4, 8));
    const ids = Array.from({ length: 3 * 256 + 7 }, () => newEventId(at));
    expect(new Set(ids).size).toBe(ids.length);
    // The random part (everything after the time) differs too, not only somewhere.
    expect(new Set(ids.map((id) => id.slice(14))).size).toBe(ids.length);
  });
});
