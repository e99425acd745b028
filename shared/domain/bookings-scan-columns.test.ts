import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bookingHubs, type Booking } from "./booking";
import { bookingColumns, ColumnCatalogue } from "./booking-columns";
import { bookingsToDecide, decideBookingsScan, type ReceiptStatusView } from "./bookings-scan-decision";
import { demoBooking } from "./demo-booking";
import type { ParsedScan } from "./scan";

/**
 * Bookings as a dock may cache them: some cancelled, a hub listed on two bookings, a pallet's and
 * a carton's SSCC on two bookings, a booking listing hubs on its pallet alone.
 */
const world = fc
  .record({
    count: fc.integer({ min: 1, max: 4 }),
    cancelled: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    sharedHubs: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
    sharedSsccs: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 3 }),
    onPallet: fc.boolean(),
    receipts: fc.array(
      fc.constantFrom<ReceiptStatusView | undefined>(
        undefined,
        { status: "open", outcome: null, arrivedAt: "2026-01-05T08:00:00Z" },
        { status: "closed", outcome: "partial" },
      ),
      { minLength: 4, maxLength: 4 },
    ),
  })
  .map(({ count, cancelled, sharedHubs, sharedSsccs, onPallet, receipts }) => {
    const list: Booking[] = Array.from({ length: count }, (_, index) => {
      const b = demoBooking({ index, pallets: 2, cartonsPerPallet: 2, hubsPerCarton: 2, looseCartons: 1 });
      return cancelled[index] ? { ...b, status: "cancelled" as const } : b;
    });
    const cartons = list.flatMap((b) => [...b.pallets.flatMap((p) => p.cartons), ...b.looseCartons]);
    const pallets = list.flatMap((b) => b.pallets);
    if (onPallet && pallets[0] && pallets[0].cartons[0]) pallets[0].hubs = pallets[0].cartons.shift()!.hubs;
    for (const [from, to] of sharedHubs) {
      const hub = cartons[from % cartons.length]?.hubs[0];
      if (hub) cartons[to % cartons.length]?.hubs.push(hub);
    }
    for (const [from, to, pallet] of sharedSsccs) {
      if (pallet) {
        const p = pallets[to % pallets.length];
        if (p) p.sscc = pallets[from % pallets.length]!.sscc;
      } else {
        const c = cartons[to % cartons.length];
        if (c) c.sscc = cartons[from % cartons.length]!.sscc;
      }
    }
    const statuses: Record<string, ReceiptStatusView | undefined> = {};
    list.forEach((b, i) => (statuses[b.bookingRef] = receipts[i]));
    return { list, statuses };
  });

/** Scans that name what the bookings list, what it almost lists, and what needs no booking. */
function scansOf(list: readonly Booking[]): ParsedScan[] {
  const out: ParsedScan[] = [];
  for (const b of list) {
    out.push({ kind: "booking-label", raw: "", bookingRef: b.bookingRef, deliveryRef: b.deliveryRef });
    out.push({ kind: "booking-label", raw: "", bookingRef: b.bookingRef, deliveryRef: "DR-OTHER" });
    for (const p of b.pallets) {
      out.push({ kind: "pallet", raw: "", sscc: p.sscc, bookingRef: b.bookingRef });
      out.push({ kind: "sscc", raw: "", sscc: p.sscc });
    }
    for (const c of [...b.pallets.flatMap((p) => p.cartons), ...b.looseCartons])
      out.push({ kind: "carton", raw: "", sscc: c.sscc, bookingRef: null, hubCount: null });
    for (const { hub } of bookingHubs(b)) {
      out.push({ kind: "hub", raw: "", deviceId: hub.deviceId });
      out.push({ kind: "hub", raw: "", deviceId: hub.gpfDeviceId });
    }
  }
  out.push(
    { kind: "booking-label", raw: "", bookingRef: "BK-NOPE", deliveryRef: "DR-NOPE" },
    { kind: "sscc", raw: "", sscc: "350000000000000001" },
    { kind: "hub", raw: "", deviceId: "FF-FF-FF-FF-FF-FF-FF-FF" },
    { kind: "carton-number", raw: "", cartonNumber: "CN12345" },
    { kind: "unreadable", raw: "?", code: "unknown-format", reason: "unknown" },
  );
  return out;
}

describe("a scan on the bookings list, decided over the bookings the columns say can answer it", () => {
  it("gets the answer it gets over every cached booking whole (property)", () => {
    const clock = { now: new Date("2026-01-05T09:00:00Z"), timeZone: "Europe/London" };
    fc.assert(
      fc.property(world, ({ list, statuses }) => {
        const rows = list.map((b) => ({ bookingRef: b.bookingRef, columns: bookingColumns(b) }));
        const catalogue = new ColumnCatalogue(rows.map((r) => r.columns));
        const byRef = new Map(list.map((b) => [b.bookingRef, b]));
        for (const scan of scansOf(list)) {
          const whole = bookingsToDecide(scan, rows, catalogue).map((ref) => byRef.get(ref)!);
          expect(decideBookingsScan(scan, whole, statuses, clock)).toEqual(
            decideBookingsScan(scan, list, statuses, clock),
          );
        }
      }),
      { numRuns: 60 },
    );
  });
});
