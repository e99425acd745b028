import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BookingSchema, DEFAULT_PACKING_LIMITS, bookingCartons, bookingHubCount, packingBreaches } from "./booking";
import { demoBooking, demoBookings, demoSiteFor, withCheckDigit } from "./demo-booking";

/** GS1 mod-10 check, written independently of the generator (weights 3,1,3,… from the right, check digit included with weight 1). */
function ssccValid(sscc: string): boolean {
  let sum = 0;
  for (let i = 0; i < 18; i++) sum += Number(sscc[17 - i]) * (i % 2 === 0 ? 1 : 3);
  return /^\d{18}$/.test(sscc) && sum % 10 === 0;
}

describe("demo bookings", () => {
  it("default: a valid booking of 2 pallets × 28 cartons × 32 hubs = 1,792 eligible hubs within the limits", () => {
    const b = demoBooking();
    expect(BookingSchema.safeParse(b).success).toBe(true);
    expect(b.pallets).toHaveLength(2);
    expect(bookingHubCount(b)).toBe(1792);
    expect(packingBreaches(b, DEFAULT_PACKING_LIMITS)).toEqual([]);
    const hubs = bookingCartons(b).flatMap(({ carton }) => carton.hubs);
    expect(
      hubs.every(
        (h) =>
          h.smiStatus === "Pending" &&
          h.assignedParty === b.partyId &&
          h.deviceModel === "010A030B" &&
          h.firmwareVersion === "0002012F",
      ),
    ).toBe(true);
    const site = demoSiteFor(b);
    expect(site).toEqual({ facilityId: b.facilityId, csp: b.csp, production: true });
  });

  it("is deterministic: the same options give the same booking; another seed gives other IDs", () => {
    expect(demoBooking({ seed: 5, index: 3 })).toEqual(demoBooking({ seed: 5, index: 3 }));
    const a = demoBooking({ seed: 5, hubsPerCarton: 2, cartonsPerPallet: 2 });
    const b = demoBooking({ seed: 6, hubsPerCarton: 2, cartonsPerPallet: 2 });
    expect(a.pallets[0]!.cartons[0]!.hubs[0]!.deviceId).not.toBe(b.pallets[0]!.cartons[0]!.hubs[0]!.deviceId);
  });

  it("never repeats a hub, GPF or SSCC across the bookings of a seed, and every SSCC checks", () => {
    const bookings = demoBookings(6, { seed: 9, looseCartons: 2 });
    const ids = bookings.flatMap((b) =>
      bookingCartons(b).flatMap(({ carton }) => carton.hubs.flatMap((h) => [h.deviceId, h.gpfDeviceId])),
    );
    expect(new Set(ids).size).toBe(ids.length);
    const ssccs = bookings.flatMap((b) => [
      ...b.pallets.map((p) => p.sscc),
      ...bookingCartons(b).map(({ carton }) => carton.sscc),
    ]);
    expect(new Set(ssccs).size).toBe(ssccs.length);
    expect(ssccs.every(ssccValid)).toBe(true);
    expect(new Set(bookings.map((b) => b.bookingRef)).size).toBe(6);
  });

  it("check digits agree with an independent GS1 check", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), (digits) => ssccValid(withCheckDigit(digits))),
      { numRuns: 300 },
    );
  });

  it("honours sizes, party and CSP; regions match the CSP", () => {
    const b = demoBooking({
      pallets: 1,
      cartonsPerPallet: 3,
      hubsPerCarton: 5,
      looseCartons: 2,
      partyId: "MAP-Z",
      csp: "North",
    });
    expect(bookingHubCount(b)).toBe(25);
    expect(b.looseCartons).toHaveLength(2);
    expect(b.partyId).toBe("MAP-Z");
    expect(
      bookingCartons(b).every(({ carton }) =>
        carton.hubs.every((h) => h.cspRegion === "North" && h.assignedParty === "MAP-Z"),
      ),
    ).toBe(true);
  });

  it("refuses an index or size it cannot keep unique", () => {
    expect(() => demoBooking({ index: 1024 })).toThrow(RangeError);
    expect(() => demoBooking({ hubsPerCarton: 1 << 20, cartonsPerPallet: 1, pallets: 1 })).toThrow(RangeError);
  });
});
