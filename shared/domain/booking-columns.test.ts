import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BookedHub, Booking } from "./booking";
import { bookingColumns, ColumnCatalogue, columnCatalogueOf, type ListedHub } from "./booking-columns";
import { findHub, listCatalogue, type Catalogue } from "./booking-index";
import { demoBooking } from "./demo-booking";
import { formatEui64, parseEui64 } from "./hub-index";

/** What the object catalogue says of an ID, in the columns' terms. */
function objectAnswer(cat: Catalogue, id: string, gpf: boolean): ListedHub | undefined {
  const p = findHub(cat, gpf ? cat.gpfs : cat.hubs, id);
  return p && { deviceId: p.hub.deviceId, bookingRef: p.bookingRef, carton: p.carton, pallet: p.pallet };
}

/** Ways an ID is typed that central refuses but a cached row might hold. */
const oddForms = [
  (id: string) => id.toLowerCase(),
  (id: string) => id.replace(/-/g, ""),
  (id: string) => ` ${id}`,
  (id: string) => id.slice(0, 22),
];

/**
 * Small demo bookings (with pallet-only hubs too), some cartons emptied, some hubs listed twice
 * (in another carton or booking), some IDs non-canonical, a booking listed twice, a pallet SSCC repeated.
 */
const bookings = fc
  .record({
    count: fc.integer({ min: 1, max: 3 }),
    hubsPerCarton: fc.integer({ min: 1, max: 4 }),
    empty: fc.array(fc.nat(), { maxLength: 6 }),
    twice: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
    onPallet: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
    odd: fc.array(fc.tuple(fc.nat(), fc.nat({ max: oddForms.length - 1 }), fc.boolean()), { maxLength: 6 }),
    repeatBooking: fc.boolean(),
    repeatPallet: fc.boolean(),
  })
  .map(({ count, hubsPerCarton, empty, twice, onPallet, odd, repeatBooking, repeatPallet }) => {
    const list: Booking[] = Array.from({ length: count }, (_, index) =>
      demoBooking({ index, pallets: 2, cartonsPerPallet: 3, hubsPerCarton, looseCartons: 1 }),
    );
    const cartons = list.flatMap((b) => [...b.pallets.flatMap((p) => p.cartons), ...b.looseCartons]);
    const pallets = list.flatMap((b) => b.pallets);
    for (const [c, p] of onPallet) {
      const hubs = cartons[c % cartons.length]?.hubs.splice(0, 2) ?? [];
      const pallet = pallets[p % pallets.length];
      if (pallet) pallet.hubs = [...(pallet.hubs ?? []), ...hubs];
    }
    for (const e of empty) {
      const c = cartons[e % cartons.length];
      if (c) c.hubs = [];
    }
    const all = (): BookedHub[] => [...cartons.flatMap((c) => c.hubs), ...pallets.flatMap((p) => p.hubs ?? [])];
    for (const [h, form, gpf] of odd) {
      const hub = all()[h % Math.max(1, all().length)];
      if (hub && gpf) hub.gpfDeviceId = oddForms[form]!(hub.gpfDeviceId);
      else if (hub) hub.deviceId = oddForms[form]!(hub.deviceId);
    }
    for (const [from, to] of twice) {
      const hub = cartons[from % cartons.length]?.hubs[0];
      if (hub) cartons[to % cartons.length]?.hubs.push(hub);
    }
    const first = list[0]!;
    if (repeatPallet && first.pallets[0]) first.pallets.push({ ...first.pallets[0], cartons: [], hubs: [] });
    if (repeatBooking) list.push(first);
    return list;
  });

describe("booking columns: the other bookings' catalogue without an object per hub", () => {
  it("answers every hub, GPF, SSCC and booking-ref lookup exactly as the object catalogue does", () => {
    fc.assert(
      fc.property(bookings, fc.array(fc.nat(), { maxLength: 20 }), (list, picks) => {
        const objects = listCatalogue(list);
        // Through a structured clone, as the columns come back out of IndexedDB.
        const columns = new ColumnCatalogue(structuredClone(list.map(bookingColumns)));
        const hubs = objects.cartonList.flatMap((c) => c.hubs);
        const ids = hubs.flatMap((h) => [h.deviceId, h.gpfDeviceId]);
        for (const p of picks) {
          const id = ids[p % Math.max(1, ids.length)];
          if (id === undefined) continue;
          ids.push(
            id.replace(/.$/, (d) => (d === "0" ? "1" : "0")),
            id.toLowerCase(),
            id.toUpperCase(),
          );
        }
        ids.push("not a hub", "");
        for (const id of ids) {
          expect(columns.findHub(id)).toEqual(objectAnswer(objects, id, false));
          expect(columns.findGpf(id)).toEqual(objectAnswer(objects, id, true));
        }
        for (const [sscc, place] of objects.pallets) expect(columns.pallets.get(sscc)).toEqual(place);
        expect(columns.pallets.size).toBe(objects.pallets.size);
        for (const [sscc, place] of objects.cartons)
          expect(columns.cartons.get(sscc)).toEqual({ bookingRef: place.bookingRef, pallet: place.pallet });
        expect(columns.cartons.size).toBe(objects.cartons.size);
        expect([...columns.bookings]).toEqual([...objects.bookings]);
      }),
      { numRuns: 80 },
    );
  });

  it("is memoised by the list's identity, as the object catalogue is", () => {
    const list = [demoBooking({ index: 0, pallets: 1, cartonsPerPallet: 1, hubsPerCarton: 2 })];
    expect(columnCatalogueOf(list)).toBe(columnCatalogueOf(list));
    expect(columnCatalogueOf([...list])).not.toBe(columnCatalogueOf(list));
  });

  it("keeps a booking's hubs as typed arrays: 16 bytes a hub, no string per hub", () => {
    const b = demoBooking({ index: 1, pallets: 2, cartonsPerPallet: 28, hubsPerCarton: 32 });
    const cols = bookingColumns(b);
    expect(cols.hubKeys.byteLength + cols.gpfKeys.byteLength).toBe(2 * 28 * 32 * 16);
    expect(cols.oddHubIds).toEqual([]);
    expect(cols.cartonSscc).toHaveLength(2 * 28);
  });
});

describe("formatEui64", () => {
  it("is the exact inverse of parseEui64 on canonical IDs", () => {
    const octet = fc.integer({ min: 0, max: 255 }).map((n) => n.toString(16).toUpperCase().padStart(2, "0"));
    fc.assert(
      fc.property(fc.array(octet, { minLength: 8, maxLength: 8 }), (o) => {
        const id = o.join("-");
        const [hi, lo] = parseEui64(id)!;
        expect(formatEui64(hi, lo)).toBe(id);
      }),
    );
  });
});
