import { describe, it, expect } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { DEFAULT_PACKING_LIMITS } from "../../../shared/domain/booking";
import { DockDb, type BookingRow } from "../db/dock-db";
import { sampleBooking } from "../test-support/sample-booking";
import { shareRepeatedStrings } from "./bookings-slice";
import { createDockStore } from "../store/dock-store";

describe("shareRepeatedStrings", () => {
  it("leaves every cached booking exactly as it was (palletised and loose cartons alike)", () => {
    const bookings = [sampleBooking("BK-1001", 1), sampleBooking("BK-2002", 2, 1, 1, 2)];
    const first = bookings[0]!;
    const loose = { ...first.pallets[0]!.cartons[0]!, sscc: "009876543210000017" };
    const rows: BookingRow[] = bookings.map((booking, i) => ({
      bookingRef: booking.bookingRef,
      version: booking.version,
      booking: i === 0 ? { ...booking, looseCartons: [structuredClone(loose)] } : booking,
      pulledAt: 0,
    }));
    // As IndexedDB hands them back: a fresh copy of everything.
    const read = structuredClone(rows);
    shareRepeatedStrings(read);
    expect(read).toEqual(rows);
  });
});

describe("loadBookings", () => {
  it("overlapping loads end on the newest list: a booking stored between two calls is shown, and calls while one waits share it", async () => {
    const db = new DockDb("bookings-load", { indexedDB: new IDBFactory(), IDBKeyRange });
    const a = sampleBooking("BK-1001", 1);
    const b = sampleBooking("BK-2002", 2, 1, 1, 2);
    await db.bookings.put({ bookingRef: a.bookingRef, version: 1, booking: a, pulledAt: 0 });
    const store = createDockStore({
      db,
      dockId: "DOCK-1",
      site: { facilityId: a.facilityId, csp: a.csp, production: true },
      limits: DEFAULT_PACKING_LIMITS,
      now: Date.now,
      sound: { signal: () => undefined },
      clockOffsetMs: () => null,
      onRecorded: () => undefined,
    });
    const first = store.getState().loadBookings();
    const second = store.getState().loadBookings();
    const joined = store.getState().loadBookings();
    expect(joined).toBe(second);
    await db.bookings.put({ bookingRef: b.bookingRef, version: 2, booking: b, pulledAt: 0 });
    const third = store.getState().loadBookings();
    await Promise.all([first, second, third]);
    expect(
      store
        .getState()
        .bookings.map((r) => r.bookingRef)
        .sort(),
    ).toEqual(["BK-1001", "BK-2002"]);
    db.close();
  });
});
