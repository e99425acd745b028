// The PC is somewhere else: the rules must read the site's zone, not the process's.
process.env.TZ = "America/New_York";

import { describe, it, expect } from "vitest";
import { sampleBooking } from "../test-support/sample-booking";
import { etaInstant, isLate } from "./receiving-rules";

describe("receiving rules", () => {
  it("late means after the end of the booked window, on the site's clock (Europe/London by default)", () => {
    const b = sampleBooking(); // 2026-11-26, 09:00-11:00 (GMT in November)
    expect(isLate(b, new Date("2026-11-26T10:59:00Z"))).toBe(false);
    expect(isLate(b, new Date("2026-11-26T11:01:00Z"))).toBe(true);
    // The same instants at a site in Berlin (CET, an hour ahead): 11:59 and 12:01 there, both late.
    expect(isLate(b, new Date("2026-11-26T09:59:00Z"), "Europe/Berlin")).toBe(false);
    expect(isLate(b, new Date("2026-11-26T10:01:00Z"), "Europe/Berlin")).toBe(true);
  });

  it("a typed ETA is the site's wall time", () => {
    expect(etaInstant("2026-07-01T11:40")).toBe("2026-07-01T10:40:00.000Z");
    expect(etaInstant("2026-12-01T11:40")).toBe("2026-12-01T11:40:00.000Z");
    expect(etaInstant("not a time")).toBeNull();
  });
});
