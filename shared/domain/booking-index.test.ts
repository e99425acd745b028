import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Booking } from "./booking";
import { findHub, listCatalogue, type Catalogue, type HubPlace } from "./booking-index";
import { demoBooking } from "./demo-booking";

/** The reference: the first listing of the ID in the catalogue's carton list, by a linear scan. */
function naive(cat: Catalogue, id: string, gpf: boolean): HubPlace | undefined {
  for (const c of cat.cartonList)
    for (const hub of c.hubs)
      if ((gpf ? hub.gpfDeviceId : hub.deviceId) === id)
        return { hub, bookingRef: c.bookingRef, carton: c.sscc, pallet: c.pallet };
  return undefined;
}

/** Small demo bookings, some cartons emptied, some hubs listed twice (in another carton or booking). */
const bookings = fc
  .record({
    count: fc.integer({ min: 1, max: 3 }),
    hubsPerCarton: fc.integer({ min: 1, max: 4 }),
    empty: fc.array(fc.nat(), { maxLength: 6 }),
    twice: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
  })
  .map(({ count, hubsPerCarton, empty, twice }) => {
    const list: Booking[] = Array.from({ length: count }, (_, index) =>
      demoBooking({ index, pallets: 2, cartonsPerPallet: 3, hubsPerCarton, looseCartons: 1 }),
    );
    const cartons = list.flatMap((b) => [...b.pallets.flatMap((p) => p.cartons), ...b.looseCartons]);
    for (const e of empty) {
      const c = cartons[e % cartons.length];
      if (c) c.hubs = [];
    }
    for (const [from, to] of twice) {
      const hub = cartons[from % cartons.length]?.hubs[0];
      if (hub) cartons[to % cartons.length]?.hubs.push(hub);
    }
    return list;
  });

describe("booking catalogue lookups", () => {
  it("find every hub and GPF where a linear scan finds its first listing, and nothing else", () => {
    fc.assert(
      fc.property(bookings, fc.array(fc.nat(), { maxLength: 20 }), (list, picks) => {
        const cat = listCatalogue(list);
        const all = cat.cartonList.flatMap((c) => c.hubs);
        for (const hub of all) {
          expect(findHub(cat, cat.hubs, hub.deviceId)).toEqual(naive(cat, hub.deviceId, false));
          expect(findHub(cat, cat.gpfs, hub.gpfDeviceId)).toEqual(naive(cat, hub.gpfDeviceId, true));
        }
        for (const p of picks) {
          const id = all[p % Math.max(1, all.length)]?.deviceId.replace(/.$/, (d) => (d === "0" ? "1" : "0"));
          if (id !== undefined) expect(findHub(cat, cat.hubs, id)).toEqual(naive(cat, id, false));
        }
        expect(findHub(cat, cat.hubs, "not a hub")).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });
});
