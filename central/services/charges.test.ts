import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { statementDay, statementWindow } from "./charges";

describe("a statement's days are the site's days (issue 16)", () => {
  it("00:30 BST belongs to that day, not to the UTC day before; the period ends at the site's midnight", () => {
    expect(statementDay("2026-06-30T23:30:00.000Z", "Europe/London")).toBe("2026-07-01");
    expect(statementDay("2026-12-31T23:30:00.000Z", "Europe/London")).toBe("2026-12-31");
    expect(statementWindow("2026-07-01", "2026-07-01", "Europe/London")).toEqual({
      startAt: "2026-06-30T23:00:00.000Z",
      endAt: "2026-07-01T23:00:00.000Z",
    });
    // The autumn change: 25 hours on 25 October 2026.
    expect(statementWindow("2026-10-25", "2026-10-25", "Europe/London")).toEqual({
      startAt: "2026-10-24T23:00:00.000Z",
      endAt: "2026-10-26T00:00:00.000Z",
    });
  });

  it("an instant is inside the window of its own site day, whatever the zone", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }),
        fc.constantFrom("Europe/London", "America/New_York", "Asia/Kolkata", "UTC"),
        (ms, tz) => {
          const at = new Date(ms).toISOString();
          const day = statementDay(at, tz);
          const w = statementWindow(day, day, tz);
          return w.startAt <= at && at < w.endAt;
        },
      ),
    );
  });
});
