// The process's own zone is set to somewhere else before anything reads it: every answer
// below must come from the site's zone, never the PC's.
process.env.TZ = "America/New_York";

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatSiteDateTime,
  arrivalTiming,
  isLateArrival,
  isTimeZone,
  SiteTimeZoneSchema,
  siteInstant,
  siteToday,
  wallTime,
  withinWorkingHours,
} from "./site-clock";
import { EXAMPLE_WORKING_HOURS } from "./working-hours";

const LONDON = "Europe/London";

describe("site clock (Europe/London) with the process in New York", () => {
  it("the process really is elsewhere", () => {
    expect(new Date("2026-07-01T12:00:00Z").getTimezoneOffset()).toBe(240);
  });

  it("00:30 BST is already the next day at the site (23:30 UTC the day before)", () => {
    const at = new Date("2026-06-30T23:30:00Z");
    expect(siteToday(at, LONDON)).toBe("2026-07-01");
    expect(wallTime(at, LONDON)).toEqual({ date: "2026-07-01", time: "00:30", weekday: "wednesday", minutes: 30 });
    expect(siteInstant("2026-07-01", "00:30", LONDON).toISOString()).toBe("2026-06-30T23:30:00.000Z");
    expect(formatSiteDateTime(at, LONDON)).toBe("01/07/2026, 00:30");
  });

  it("spring forward (29 March 2026, 01:00 GMT → 02:00 BST): the gap maps past it, either side is exact", () => {
    expect(siteInstant("2026-03-29", "00:30", LONDON).toISOString()).toBe("2026-03-29T00:30:00.000Z");
    expect(siteInstant("2026-03-29", "01:30", LONDON).toISOString()).toBe("2026-03-29T01:30:00.000Z"); // shown as 02:30 BST
    expect(wallTime(new Date("2026-03-29T01:30:00Z"), LONDON).time).toBe("02:30");
    expect(siteInstant("2026-03-29", "02:30", LONDON).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(siteInstant("2026-03-29", "10:00", LONDON).toISOString()).toBe("2026-03-29T09:00:00.000Z");
  });

  it("fall back (25 October 2026, 02:00 BST → 01:00 GMT): the repeated hour takes its first time", () => {
    expect(siteInstant("2026-10-25", "01:30", LONDON).toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(wallTime(new Date("2026-10-25T01:30:00Z"), LONDON).time).toBe("01:30"); // the second 01:30, GMT
    expect(siteInstant("2026-10-25", "12:00", LONDON).toISOString()).toBe("2026-10-25T12:00:00.000Z");
  });

  it("wall time → instant → wall time is the identity away from the gap (property, several zones)", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2030-12-31T23:59:00Z"), noInvalidDate: true }),
        fc.constantFrom(LONDON, "Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"),
        (instant, tz) => {
          const whole = new Date(Math.floor(instant.getTime() / 60_000) * 60_000);
          const w = wallTime(whole, tz);
          const back = siteInstant(w.date, w.time, tz);
          // In an overlap the first reading is taken, so `back` may be an hour earlier; its wall time is the same.
          expect(wallTime(back, tz)).toEqual(w);
          expect(whole.getTime() - back.getTime()).toBeGreaterThanOrEqual(0);
          expect(whole.getTime() - back.getTime()).toBeLessThanOrEqual(3_600_000);
        },
      ),
    );
  });

  it("late against the booked window on the site's clock, in summer and in winter", () => {
    const summer = { deliveryDate: "2026-07-01", deliveryWindow: { start: "10:00", end: "12:00" } };
    expect(isLateArrival(summer, new Date("2026-07-01T10:59:00Z"), LONDON)).toBe(false); // 11:59 BST
    expect(isLateArrival(summer, new Date("2026-07-01T11:01:00Z"), LONDON)).toBe(true); // 12:01 BST
    const winter = { deliveryDate: "2026-12-04", deliveryWindow: { start: "10:00", end: "12:00" } };
    expect(isLateArrival(winter, new Date("2026-12-04T11:59:00Z"), LONDON)).toBe(false);
    expect(isLateArrival(winter, new Date("2026-12-04T12:01:00Z"), LONDON)).toBe(true);
  });

  it("working hours: open on a weekday morning in BST, closed on a bank holiday and at 00:30", () => {
    const cfg = { ...EXAMPLE_WORKING_HOURS, bankHolidays: ["2026-08-31"] };
    expect(withinWorkingHours(new Date("2026-07-01T08:30:00Z"), cfg, LONDON)).toBe(true); // 09:30 BST, a Wednesday
    expect(withinWorkingHours(new Date("2026-07-01T16:30:00Z"), cfg, LONDON)).toBe(false); // 17:30 BST (12:30 in New York)
    expect(withinWorkingHours(new Date("2026-08-31T10:00:00Z"), cfg, LONDON)).toBe(false); // the summer bank holiday, a Monday
    expect(withinWorkingHours(new Date("2026-06-30T23:30:00Z"), cfg, LONDON)).toBe(false);
  });

  it("zones are checked", () => {
    expect(isTimeZone(LONDON)).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(SiteTimeZoneSchema.safeParse("Europe/Lndon").success).toBe(false);
  });
});

describe("arrival timing on the site's clock (process in New York)", () => {
  const booked = { deliveryDate: "2027-01-04", deliveryWindow: { start: "09:00", end: "12:00" } };
  it("a booking a month ahead is early, never on time", () => {
    expect(arrivalTiming(booked, new Date("2026-12-04T10:00:00Z"), LONDON)).toMatchObject({
      kind: "early",
      daysEarly: 31,
    });
  });
  it("before the window the same day is early by 0 days; inside it on time; after it late", () => {
    expect(arrivalTiming(booked, new Date("2027-01-04T08:59:00Z"), LONDON)).toMatchObject({
      kind: "early",
      daysEarly: 0,
    });
    expect(arrivalTiming(booked, new Date("2027-01-04T09:00:00Z"), LONDON)).toEqual({ kind: "on-time" });
    expect(arrivalTiming(booked, new Date("2027-01-04T12:01:00Z"), LONDON)).toMatchObject({ kind: "late" });
  });
  it("00:30 BST on the booked day is early by 0 days, not a day early (New York still says the day before)", () => {
    const summer = { deliveryDate: "2026-07-01", deliveryWindow: { start: "08:00", end: "10:00" } };
    expect(arrivalTiming(summer, new Date("2026-06-30T23:30:00Z"), LONDON)).toMatchObject({
      kind: "early",
      daysEarly: 0,
    });
  });
});
