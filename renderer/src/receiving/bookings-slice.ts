import type { StateCreator } from "zustand";
import { bookingsToDecide, decideBookingsScan } from "../../../shared/domain/bookings-scan-decision";
import { parseScan } from "../../../shared/domain/scan-parser";
import { ColumnCatalogue } from "../../../shared/domain/booking-columns";
import { receiptStatusRow, type BookingListRow } from "../db/dock-db";
import { bookingList, cachedBookings } from "../db/dock-records";
import type { DockDeps } from "../store/dock-deps";
import type { All, BookingsSlice } from "../store/slice-types";

const catalogueOfList = new WeakMap<readonly BookingListRow[], ColumnCatalogue>();

/**
 * Every cached booking's hubs, pallets and cartons as the reconciler looks them up (in the list's
 * order, so the first listing is the first booking of the list), built from the list's columns
 * once per loaded list and shared by every receipt opened from it.
 */
export function listColumnCatalogue(rows: readonly BookingListRow[]): ColumnCatalogue {
  let cat = catalogueOfList.get(rows);
  if (!cat) catalogueOfList.set(rows, (cat = new ColumnCatalogue(rows.map((r) => r.columns))));
  return cat;
}

/** The booking list as cached in Dexie (summaries and hub columns), with each booking's receipt status at this dock. */
export const createBookingsSlice =
  (deps: DockDeps): StateCreator<All, [], [], BookingsSlice> =>
  (set, get) => {
    const load = async () => {
      const [bookings, receipts] = await Promise.all([bookingList(deps.db), deps.db.receipts.toArray()]);
      bookings.sort((a, b) =>
        (a.head.deliveryDate + a.head.deliveryWindow.start + a.bookingRef).localeCompare(
          b.head.deliveryDate + b.head.deliveryWindow.start + b.bookingRef,
        ),
      );
      set({ bookings, receiptsByRef: Object.fromEntries(receipts.map((r) => [r.bookingRef, receiptStatusRow(r)])) });
    };
    // Loads overlap (boot, a sync round that stored bookings, a receipt closed). They run one
    // after another, so a slower read begun before a newer write never puts an older list
    // back; a call while one waits to start joins it (that one reads after this call anyway).
    let tail: Promise<void> = Promise.resolve();
    let waiting: Promise<void> | null = null;
    return {
      bookings: [],
      receiptsByRef: {},
      bookingsNotice: null,
      async submitBookingsScan(raw) {
        const scan = parseScan(raw);
        const list = get().bookings;
        const whole = await cachedBookings(deps.db, bookingsToDecide(scan, list, listColumnCatalogue(list)));
        const s = get();
        const d = decideBookingsScan(scan, whole, s.receiptsByRef, {
          now: new Date(deps.now()),
          timeZone: s.siteTimeZone,
        });
        if (d.type === "answer") return set({ bookingsNotice: { tone: d.tone, text: d.text } });
        set({ bookingsNotice: null });
        await get().openReceipt(d.bookingRef);
        if (get().receipt?.bookingRef !== d.bookingRef) return;
        // The booking label is the delivery at the dock: its arrival is recorded now (an event).
        if (d.recordArrival) await get().recordArrival(false, null);
        if (d.note !== null) set({ receiptNote: d.note });
      },
      loadBookings() {
        if (waiting !== null) return waiting;
        const next = tail
          .catch(() => undefined)
          .then(() => {
            waiting = null;
            return load();
          });
        waiting = next;
        tail = next;
        return next;
      },
    };
  };
