import type { StateCreator } from "zustand";
import type { DockDeps } from "./dock-deps";
import type { All, BookingsSlice } from "./slice-types";


/** The booking list as cached in Dexie, with each booking's receipt status at this dock. */
export const createBookingsSlice =
  (deps: DockDeps): StateCreator<All, [], [], BookingsSlice> =>
  (set) => ({
    bookings: [],
    receiptsByRef: {},
    async loadBookings() {
      const [bookings, receipts] = await Promise.all([deps.db.bookings.toArray(), deps.db.receipts.toArray()]);
      bookings.sort((a, b) => (a.booking.deliveryDate + a.booking.deliveryWindow.start + a.bookingRef).localeCompare(b.booking.deliveryDate + b.booking.deliveryWindow.start + b.bookingRef));
      set({ bookings, receiptsByRef: Object.fromEntries(receipts.map((r) => [r.bookingRef, r])) });
    },
  });
