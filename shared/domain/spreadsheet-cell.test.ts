import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { spreadsheetSafe } from "./spreadsheet-cell";

describe("spreadsheetSafe", () => {
  it("neutralises every value a spreadsheet reads as a formula", () => {
    for (const v of ["=1+1", '=HYPERLINK("http://evil.example","click")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
      expect(spreadsheetSafe(v)).toBe(`'${v}`);
  });

  it("property: the result never begins with a formula character, and a safe value is unchanged", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("=", "+", "-", "@", "\t", "\r", "a", "1", " ", '"', ",") }),
        (v) => {
          const out = spreadsheetSafe(v);
          expect(/^[=+\-@\t\r]/.test(out)).toBe(false);
          expect(out === v || out === `'${v}`).toBe(true);
          if (!/^[=+\-@\t\r]/.test(v)) expect(out).toBe(v);
        },
      ),
      { numRuns: 500 },
    );
  });
});
