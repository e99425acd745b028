import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkDeliverySlot,
  EXAMPLE_WORKING_HOURS,
  isCalendarDate,
  weekdayOf,
  WorkingHoursConfigSchema,
  type WorkingHoursConfig,
} from "./working-hours";

const cfg: WorkingHoursConfig = EXAMPLE_WORKING_HOURS;
const codes = (r: ReturnType<typeof checkDeliverySlot>) => (r.ok ? [] : r.problems.map((p) => p.code));

describe("checkDeliverySlot", () => {
  it("accepts a weekday window inside opening hours", () => {
    const r = checkDeliverySlot("2026-12-01", { start: "09:00", end: "12:00" }, cfg, "2026-11-26");
    expect(r).toMatchObject({ ok: true, weekday: "tuesday", hours: { open: "08:00", close: "17:00" } });
  });

  it("accepts a window exactly from opening to closing", () => {
    expect(checkDeliverySlot("2026-12-01", { start: "08:00", end: "17:00" }, cfg).ok).toBe(true);
  });

  it("names each problem: weekend, bank holiday, early start, late end", () => {
    expect(codes(checkDeliverySlot("2026-11-28", { start: "09:00", end: "10:00" }, cfg))).toEqual(["closed-day"]);
    expect(codes(checkDeliverySlot("2026-12-28", { start: "09:00", end: "10:00" }, cfg))).toEqual(["bank-holiday"]);
    expect(codes(checkDeliverySlot("2026-12-01", { start: "07:30", end: "17:30" }, cfg))).toEqual([
      "starts-before-opening",
      "ends-after-closing",
    ]);
  });

  it("refuses dates that are not dates and windows that end before they start", () => {
    expect(codes(checkDeliverySlot("2026-02-30", { start: "09:00", end: "10:00" }, cfg))).toEqual(["invalid-date"]);
    expect(codes(checkDeliverySlot("2026-12-01", { start: "11:00", end: "10:00" }, cfg))).toEqual(["invalid-window"]);
    expect(codes(checkDeliverySlot("2026-12-01", { start: "25:00", end: "10:00" }, cfg))).toEqual(["invalid-window"]);
  });

  it("checks the past and the minimum notice only when today is given", () => {
    expect(codes(checkDeliverySlot("2026-11-25", { start: "09:00", end: "10:00" }, cfg, "2026-11-26"))).toEqual([
      "in-the-past",
    ]);
    expect(codes(checkDeliverySlot("2026-11-26", { start: "09:00", end: "10:00" }, cfg, "2026-11-26"))).toEqual([
      "too-little-notice",
    ]);
    expect(checkDeliverySlot("2026-11-27", { start: "09:00", end: "10:00" }, cfg, "2026-11-26").ok).toBe(true);
    expect(checkDeliverySlot("2026-11-26", { start: "09:00", end: "10:00" }, cfg).ok).toBe(true);
  });

  it("working hours come from configuration, not from the code", () => {
    const saturdays: WorkingHoursConfig = {
      ...cfg,
      days: { ...cfg.days, saturday: { open: "10:00", close: "14:00" } },
      bankHolidays: [],
    };
    expect(checkDeliverySlot("2026-11-28", { start: "10:00", end: "14:00" }, saturdays).ok).toBe(true);
    expect(codes(checkDeliverySlot("2026-11-28", { start: "09:00", end: "14:00" }, saturdays))).toEqual([
      "starts-before-opening",
    ]);
  });

  it("refuses an invalid configuration with a reason instead of guessing", () => {
    const bad = { ...cfg, days: { ...cfg.days, monday: { open: "17:00", close: "08:00" } } };
    expect(WorkingHoursConfigSchema.safeParse(bad).success).toBe(false);
    const r = checkDeliverySlot("2026-12-01", { start: "09:00", end: "10:00" }, bad);
    expect(codes(r)).toEqual(["invalid-config"]);
  });

  it("property: an ok slot is a configured open day, not a holiday, inside the hours", () => {
    const day = fc
      .integer({ min: 0, max: 800 })
      .map((n) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10));
    const time = fc
      .integer({ min: 0, max: 23 * 60 + 59 })
      .map((m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`);
    fc.assert(
      fc.property(day, time, time, (date, a, b) => {
        const r = checkDeliverySlot(date, { start: a, end: b }, cfg);
        const wd = weekdayOf(date);
        expect(wd).not.toBeNull();
        const h = wd === null ? null : cfg.days[wd];
        const inside = h !== null && a < b && a >= h.open && b <= h.close && !cfg.bankHolidays.includes(date);
        expect(r.ok).toBe(inside);
      }),
      { numRuns: 400 },
    );
  });

  it("isCalendarDate knows leap years", () => {
    expect(isCalendarDate("2028-02-29")).toBe(true);
    expect(isCalendarDate("2027-02-29")).toBe(false);
    expect(weekdayOf("2026-11-26")).toBe("thursday");
  });
});
