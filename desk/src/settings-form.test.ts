import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeskBusinessSettingsSchema, type DeskBusinessSettings } from "../../shared/desk-api";
import { EXAMPLE_CHARGES_CONFIG } from "../../shared/domain/charges";
import { EXAMPLE_WORKING_HOURS } from "../../shared/domain/working-hours";
import { fromForm, toForm, WEEKDAYS } from "./settings-form";

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const amount = fc.integer({ min: 0, max: 99_999_99 });
const hours = fc
  .tuple(fc.integer({ min: 0, max: 22 * 60 }), fc.integer({ min: 1, max: 120 }))
  .map(([open, len]) => ({ open: hhmm(open), close: hhmm(Math.min(open + len * 10, 23 * 60 + 59)) }));

/** Valid settings: the generator may still make some the schema refuses (slots outside hours); those are filtered. */
const settings: fc.Arbitrary<DeskBusinessSettings> = fc
  .record({
    currency: fc.constantFrom("GBP", "EUR", "USD"),
    explicit: amount,
    credits: fc.tuple(amount, amount),
    returns: fc.option(fc.tuple(amount, amount, amount), { nil: null }),
    days: fc.tuple(...WEEKDAYS.map(() => fc.option(hours, { nil: null }))),
    holidays: fc.uniqueArray(fc.constantFrom("2026-12-25", "2026-12-28", "2027-01-01", "2027-04-02"), { maxLength: 3 }),
    notice: fc.integer({ min: 0, max: 365 }),
    slotStarts: fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 5 }),
    packing: fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 1000 })),
  })
  .map((r): DeskBusinessSettings => ({
    charges: {
      currency: r.currency,
      explicitChargePerReflashedHub: r.explicit,
      creditPerUnreflashableHub: { singleBand: r.credits[0], dualBand: r.credits[1] },
      returnCharges:
        r.returns === null
          ? null
          : { redeployable: r.returns[0], notRedeployable: { singleBand: r.returns[1], dualBand: r.returns[2] } },
    },
    workingHours: {
      days: Object.fromEntries(
        WEEKDAYS.map((d, i) => [d, r.days[i] ?? null]),
      ) as DeskBusinessSettings["workingHours"]["days"],
      bankHolidays: r.holidays,
      minNoticeDays: r.notice,
    },
    // Hour-long slots from 08:00, in order, never overlapping.
    deliverySlots: [...r.slotStarts]
      .sort((a, b) => a - b)
      .map((h) => ({ start: hhmm((8 + h) * 60), end: hhmm((9 + h) * 60) })),
    packing: { hubsPerCarton: r.packing[0], cartonsPerPallet: r.packing[1] },
  }))
  .filter((s) => DeskBusinessSettingsSchema.safeParse(s).success);

const example: DeskBusinessSettings = {
  charges: EXAMPLE_CHARGES_CONFIG,
  workingHours: EXAMPLE_WORKING_HOURS,
  deliverySlots: [
    { start: "08:00", end: "10:00" },
    { start: "10:00", end: "12:00" },
  ],
  packing: { hubsPerCarton: 32, cartonsPerPallet: 28 },
};

describe("the business settings form", () => {
  it("reads back exactly what it shows, for any valid settings", () => {
    fc.assert(
      fc.property(settings, (s) => {
        expect(fromForm(toForm(s))).toEqual({ ok: true, value: s });
      }),
      { numRuns: 200 },
    );
  });

  it("shows money in major units and empty return charges as none", () => {
    const f = toForm(example);
    expect(f.explicitCharge).toBe("7.58");
    expect(f.days.saturday).toBe("");
    expect(f.slots).toBe("08:00-10:00\n10:00-12:00");
    const none = fromForm({
      ...f,
      returnRedeployable: "",
      returnNotRedeployableSingleBand: "",
      returnNotRedeployableDualBand: "",
    });
    expect(none.ok && none.value.charges.returnCharges).toBeNull();
    const pence = fromForm({ ...f, explicitCharge: "7.5" });
    expect(pence.ok && pence.value.charges.explicitChargePerReflashedHub).toBe(750);
  });

  it("names the field of every problem, as central would", () => {
    const f = toForm(example);
    const r = fromForm({
      ...f,
      explicitCharge: "£7",
      days: { ...f.days, monday: "8 to 5" },
      slots: "08:00-10:00\n09:00-11:00",
      hubsPerCarton: "thirty",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual([
      "workingHours.days.monday",
      "charges.explicitChargePerReflashedHub",
      "packing.hubsPerCarton",
    ]);
    const overlap = fromForm({ ...f, slots: "08:00-10:00\n09:00-11:00" });
    expect(overlap).toMatchObject({
      ok: false,
      issues: [{ path: "deliverySlots.1", message: "09:00-11:00 overlaps 08:00-10:00" }],
    });
  });
});
