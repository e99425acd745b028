import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_BUSINESS_CONFIG, loadEnv, parseBusinessConfig } from "./config";
import { workingHoursProblem } from "./services/working-time";
import { EXAMPLE_CHARGES_CONFIG } from "../shared/domain/charges";
import { checkDeliverySlot, describeSlotProblems, EXAMPLE_WORKING_HOURS } from "../shared/domain/working-hours";

const env = (file: string | null) => (file === null ? {} : { CENTRAL_CONFIG: "/etc/central.json" });

describe("central business configuration: the dock's models, one rule", () => {
  it("defaults to the documented example working hours and charges", () => {
    expect(DEFAULT_BUSINESS_CONFIG.workingHours).toEqual(EXAMPLE_WORKING_HOURS);
    expect(DEFAULT_BUSINESS_CONFIG.charges).toEqual(EXAMPLE_CHARGES_CONFIG);
    expect(loadEnv(env(null), () => "").business).toEqual(DEFAULT_BUSINESS_CONFIG);
  });

  it("CENTRAL_CONFIG overrides whole keys and is validated with the shared schemas", () => {
    const saturday = {
      ...EXAMPLE_WORKING_HOURS,
      days: { ...EXAMPLE_WORKING_HOURS.days, saturday: { open: "09:00", close: "12:00" } },
      bankHolidays: [],
    };
    const text = JSON.stringify({
      workingHours: saturday,
      charges: { ...EXAMPLE_CHARGES_CONFIG, explicitChargePerReflashedHub: 1203 },
    });
    const business = loadEnv(env("x"), () => text).business;
    expect(business.workingHours.days.saturday).toEqual({ open: "09:00", close: "12:00" });
    expect(business.charges.explicitChargePerReflashedHub).toBe(1203);
    expect(business.deliverySlots).toEqual(DEFAULT_BUSINESS_CONFIG.deliverySlots);
    expect(workingHoursProblem(business, "2027-02-06", { start: "09:00", end: "11:00" })).toBeNull();
  });

  it("refuses the old central-only shapes, bad JSON and non-objects, naming the setting", () => {
    expect(() =>
      parseBusinessConfig(JSON.stringify({ workingHours: { start: "08:00", end: "17:00", days: [1, 2, 3, 4, 5] } })),
    ).toThrow(/workingHours/);
    expect(() =>
      parseBusinessConfig(
        JSON.stringify({ charges: { explicitChargePence: 758, creditPerFailedHubPence: 758, returnChargePence: 827 } }),
      ),
    ).toThrow(/charges/);
    expect(() =>
      parseBusinessConfig(
        JSON.stringify({
          workingHours: {
            ...EXAMPLE_WORKING_HOURS,
            days: { ...EXAMPLE_WORKING_HOURS.days, monday: { open: "17:00", close: "08:00" } },
          },
        }),
      ),
    ).toThrow(/opening time must be before closing time/);
    expect(() => parseBusinessConfig("{ not json")).toThrow(/CENTRAL_CONFIG: not JSON/);
    expect(() => parseBusinessConfig("[1]")).toThrow(/expected a JSON object/);
    expect(() => parseBusinessConfig(JSON.stringify({ surprise: 1 }))).toThrow(/surprise/);
  });

  it("central's working-hours check says what the dock's checkDeliverySlot says, for any date and window", () => {
    const date = fc
      .date({ min: new Date("2025-12-01T00:00:00Z"), max: new Date("2028-01-31T00:00:00Z"), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    const clock = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
      .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
    const today = fc.option(date, { nil: undefined });
    fc.assert(
      fc.property(date, clock, clock, today, (d, start, end, t) => {
        const dock = checkDeliverySlot(d, { start, end }, EXAMPLE_WORKING_HOURS, t);
        const central = workingHoursProblem(DEFAULT_BUSINESS_CONFIG, d, { start, end }, t);
        expect(central).toBe(dock.ok ? null : describeSlotProblems(dock));
      }),
      { numRuns: 300 },
    );
    // A bank holiday Monday: the old central model (weekdays only) would have accepted it.
    expect(workingHoursProblem(DEFAULT_BUSINESS_CONFIG, "2026-12-28", { start: "10:00", end: "12:00" })).toMatch(
      /2026-12-28 is a bank holiday/,
    );
  });
});
