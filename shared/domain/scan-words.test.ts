import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseScan } from "./scan-parser";
import { plainUnreadable, RESCAN, VERDICT_WORDS } from "./scan-words";
import { VERDICT_CODES } from "./receipt-verdicts";

describe("plain words on the dock's screens (issue 18)", () => {
  it("a misread hub ID says rescan or type it, never which character is not a hex digit", () => {
    const s = parseScan("X0-11-22-33-44-55-66-77");
    if (s.kind !== "unreadable") throw new Error("parsed");
    expect(plainUnreadable(s)).toBe(`Unreadable: ${RESCAN}.`);
  });

  it("an SSCC's own fault is named: check digit, 17 digits", () => {
    const bad = parseScan("00050123456789012349");
    const short = parseScan("05012345678901234");
    if (bad.kind !== "unreadable" || short.kind !== "unreadable") throw new Error("parsed");
    expect(plainUnreadable(bad)).toMatch(/^Unreadable: SSCC check digit is \d, label says 9 .*Rescan/);
    expect(plainUnreadable(short)).toMatch(/^Unreadable: SSCC has 17 digits, needs 18/);
  });

  it("no unreadable answer carries a verdict code, a quote of a character or a character position (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (raw) => {
        const s = parseScan(raw);
        if (s.kind !== "unreadable") return;
        const words = plainUnreadable(s);
        expect(words).not.toMatch(/character \d|hex digit|'.'|\(AI \d|-expected\)/);
        expect(words).toMatch(/rescan|Rescan/);
      }),
    );
  });

  it("every verdict has words", () => {
    for (const c of VERDICT_CODES) expect(VERDICT_WORDS[c]).not.toMatch(/^$|[a-z]-[a-z]+-[a-z]/);
  });
});
