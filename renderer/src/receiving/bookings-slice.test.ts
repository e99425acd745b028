import { testDockStore } from "../test-support/dock-store";
import { describe, it, expect } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { bookingListRow, DockDb, openedReceiptRow } from "../db/dock-db";
import { sampleBooking } from "../test-support/sample-booking";

describe("loadBookings", () => {
  it("overlapping loads end on the newest list: a booking stored between two calls is shown, and calls while one waits share it", async () => {
    const db = new DockDb("bookings-load", { indexedDB: new IDBFactory(), IDBKeyRange });
    const a = sampleBooking("BK-1001", 1);
    const b = sampleBooking("BK-2002", 2, 1, 1, 2);
    await db.bookings.put({ bookingRef: a.bookingRef, version: 1, booking: a, pulledAt: 0 });
    const store = testDockStore(db, { site: { facilityId: a.facilityId, csp: a.csp, production: true } });
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

  it("holds summaries and hub columns, and receipt statuses, not whole bookings; a booking cached without its list row gets one, stored", async () => {
    const db = new DockDb("bookings-summaries", { indexedDB: new IDBFactory(), IDBKeyRange });
    const a = sampleBooking("BK-1001", 1);
    const b = sampleBooking("BK-2002", 2, 1, 1, 2);
    await db.bookings.bulkPut(
      [a, b].map((booking) => ({ bookingRef: booking.bookingRef, version: 1, booking, pulledAt: 0 })),
    );
    await db.bookingList.put(bookingListRow(a));
    const receipt = {
      ...openedReceiptRow(a, 5),
      status: "closed" as const,
      amendment: b,
      arrivedAt: "2026-01-05T08:00:00.000Z",
      unloader: "dock" as const,
      outcome: "partial" as const,
    };
    await db.receipts.put(receipt);
    const store = testDockStore(db, { site: { facilityId: a.facilityId, csp: a.csp, production: true } });
    await store.getState().loadBookings();
    const list = store.getState().bookings;
    expect(list.map((r) => r.bookingRef).sort()).toEqual(["BK-1001", "BK-2002"]);
    for (const row of list) {
      expect(row).not.toHaveProperty("booking");
      expect(row.head).not.toHaveProperty("pallets");
      expect(row).toEqual(bookingListRow(row.bookingRef === a.bookingRef ? a : b));
    }
    expect(await db.bookingList.get(b.bookingRef)).toEqual(bookingListRow(b));
    // The receipts' statuses without the Bookings their rows hold.
    const { booking: _booking, amendment: _amendment, ...status } = receipt;
    expect(store.getState().receiptsByRef).toEqual({ [a.bookingRef]: status });
    db.close();
  });
});
