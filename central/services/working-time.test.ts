// Central's own process runs somewhere else (a server in UTC, or here New York): every "today"
// and working-hours answer must come from the site's zone, never the process's.
process.env.TZ = "America/New_York";

import { describe, expect, it } from "vitest";
import { BusinessConfigSchema, DEFAULT_BUSINESS_CONFIG } from "../config";
import { siteZone, today, workingHoursProblem } from "./working-time";

const cfg = {
  ...DEFAULT_BUSINESS_CONFIG,
  workingHours: { ...DEFAULT_BUSINESS_CONFIG.workingHours, bankHolidays: ["2026-08-31"] },
};
const zone = siteZone(cfg);

describe("central's dates on the site's clock (issue 16), process in New York", () => {
  it("the process really is elsewhere, and the site is Europe/London by default", () => {
    expect(new Date("2026-07-01T12:00:00Z").getTimezoneOffset()).toBe(240);
    expect(zone).toBe("Europe/London");
    expect(siteZone({})).toBe("Europe/London");
    expect(BusinessConfigSchema.safeParse({ ...DEFAULT_BUSINESS_CONFIG, siteTimeZone: "Europe/Lndon" }).success).toBe(
      false,
    );
  });

  it("at 00:30 BST today is already the new day (UTC and New York still say yesterday)", () => {
    const at = new Date("2026-06-30T23:30:00Z");
    expect(today(at, zone)).toBe("2026-07-01");
    expect(at.toISOString().slice(0, 10)).toBe("2026-06-30");
  });

  it("either side of both DST changes", () => {
    // Spring forward, Sunday 29 March 2026 01:00 GMT → 02:00 BST.
    expect(today(new Date("2026-03-28T23:59:00Z"), zone)).toBe("2026-03-28"); // 23:59 GMT
    expect(today(new Date("2026-03-29T00:30:00Z"), zone)).toBe("2026-03-29"); // 00:30 GMT
    expect(today(new Date("2026-03-29T23:30:00Z"), zone)).toBe("2026-03-30"); // 00:30 BST on the Monday
    // Fall back, Sunday 25 October 2026 02:00 BST → 01:00 GMT.
    expect(today(new Date("2026-10-24T23:30:00Z"), zone)).toBe("2026-10-25"); // 00:30 BST
    expect(today(new Date("2026-10-25T23:30:00Z"), zone)).toBe("2026-10-25"); // 23:30 GMT
  });

  it("a bank holiday is outside working hours; the working day after is inside", () => {
    expect(workingHoursProblem(cfg, "2026-08-31", { start: "10:00", end: "12:00" }, "2026-08-01")).toMatch(/holiday/i);
    expect(workingHoursProblem(cfg, "2026-09-01", { start: "10:00", end: "12:00" }, "2026-08-01")).toBeNull();
  });

  it("a delivery 'today' asked at 00:30 BST is not in the past; with the UTC date it would have been tomorrow's problem", () => {
    const at = new Date("2026-06-30T23:30:00Z");
    expect("2026-07-01" < today(at, zone)).toBe(false);
    expect("2026-06-30" < today(at, zone)).toBe(true);
  });
});
