import { bookingHubs, type Booking } from "./booking";
import type { BookingColumns, ColumnCatalogue } from "./booking-columns";
import { dispatchedPallet, dispatchedPalletOfHub } from "./dispatch-document";
import { showDateTime, showTime, showWindow } from "./display-time";
import type { ParsedScan } from "./scan";
import { plainUnreadable } from "./scan-words";
import { arrivalTiming, DEFAULT_SITE_TIME_ZONE } from "./site-clock";

/**
 * What a scan on the bookings list does (issue 16): the DCC booking label opens its booking's
 * receipt, and so does a pallet's (or a listed carton's) SSCC, found by lookup in the cached
 * bookings; anything else gets an answer in words, never silence. The booking label is the
 * delivery at the dock: it also records the arrival (`recordArrival`), unless the receipt is
 * closed, the arrival is recorded already, or the delivery is late (a late arrival needs the
 * ETA the carrier reported, typed on the receipt screen). A pallet label only opens.
 */
export type BookingsScanDecision =
  | { type: "open"; bookingRef: string; note: string | null; recordArrival: boolean }
  | { type: "answer"; tone: "info" | "error"; text: string };

export interface ReceiptStatusView {
  status: "open" | "closed";
  outcome: "accepted" | "partial" | "rejected" | null;
  arrivedAt?: string | null;
}

/** The site's clock for the arrival check; absent, Europe/London now. */
export interface BookingsScanClock {
  now: Date;
  timeZone: string;
}

/** Decide one scan on the bookings list against the bookings cached at this dock. */
export function decideBookingsScan(
  scan: ParsedScan,
  bookings: readonly Booking[],
  receipts: Readonly<Record<string, ReceiptStatusView | undefined>>,
  clock: BookingsScanClock = { now: new Date(), timeZone: DEFAULT_SITE_TIME_ZONE },
): BookingsScanDecision {
  const closedNote = (ref: string): string | null => {
    const r = receipts[ref];
    return r?.status === "closed"
      ? `The receipt of booking ${ref} is closed (${r.outcome ?? "no outcome"}): scans are not recorded on it.`
      : null;
  };
  const open = (ref: string, why: string | null): BookingsScanDecision => ({
    type: "open",
    bookingRef: ref,
    note: closedNote(ref) ?? why,
    recordArrival: false,
  });
  /** The booking label: open, and record the arrival when it is due and can be (see above). */
  const arrive = (b: Booking): BookingsScanDecision => {
    const closed = closedNote(b.bookingRef);
    if (closed !== null) return { type: "open", bookingRef: b.bookingRef, note: closed, recordArrival: false };
    const arrivedAt = receipts[b.bookingRef]?.arrivedAt ?? null;
    if (arrivedAt !== null)
      return {
        type: "open",
        bookingRef: b.bookingRef,
        note: `Booking ${b.bookingRef}: arrival already recorded ${showDateTime(arrivedAt, clock.timeZone)}.`,
        recordArrival: false,
      };
    const booked = showWindow(b.deliveryDate, b.deliveryWindow);
    const t = arrivalTiming(b, clock.now, clock.timeZone);
    if (t.kind === "late")
      return {
        type: "open",
        bookingRef: b.bookingRef,
        note: `Booking ${b.bookingRef} is LATE (booked ${booked}): type the ETA the carrier reported, then record the arrival.`,
        recordArrival: false,
      };
    const at = showTime(clock.now, clock.timeZone);
    const when =
      t.kind === "on-time"
        ? "on time"
        : t.daysEarly === 0
          ? `early: the window opens at ${b.deliveryWindow.start}`
          : `EARLY: booked for ${booked}, ${t.daysEarly} day${t.daysEarly === 1 ? "" : "s"} ahead`;
    return {
      type: "open",
      bookingRef: b.bookingRef,
      note: `Booking ${b.bookingRef}: arrival recorded at ${at} (${when}). Say who unloads, then start unloading.`,
      recordArrival: true,
    };
  };
  const answer = (text: string, tone: "info" | "error" = "error"): BookingsScanDecision => ({
    type: "answer",
    tone,
    text,
  });
  switch (scan.kind) {
    case "booking-label": {
      const b = bookings.find((x) => x.bookingRef === scan.bookingRef);
      if (b === undefined)
        return answer(`Booking ${scan.bookingRef} is not known at this dock: it may not have synced yet.`);
      if (b.deliveryRef !== scan.deliveryRef)
        return answer(
          `The label says delivery ${scan.deliveryRef}; booking ${b.bookingRef} is delivery ${b.deliveryRef}. Check the label with the DCC.`,
        );
      if (b.status === "cancelled") return answer(`Booking ${b.bookingRef} was cancelled: nothing is recorded.`);
      return arrive(b);
    }
    case "pallet":
    case "carton":
    case "sscc": {
      for (const b of bookings) {
        if (b.status === "cancelled") continue;
        if (b.pallets.some((p) => p.sscc === scan.sscc)) {
          // The Party's dispatch document (Req 4), when it sent one: its own name for the pallet and what it loaded.
          const sent = dispatchedPallet(b, scan.sscc);
          const asSent = sent
            ? ` The Party's dispatch document ${b.dispatch?.partySignifier ?? ""} calls it ${sent.palletId}, with ${sent.deviceIds.length} hub${sent.deviceIds.length === 1 ? "" : "s"} on it.`
            : "";
          return open(
            b.bookingRef,
            `Pallet ${scan.sscc} is on booking ${b.bookingRef}: its receipt is open. Scan the pallet again to start on it.${asSent}`,
          );
        }
        const carton = [...b.pallets.flatMap((p) => p.cartons), ...b.looseCartons].find((c) => c.sscc === scan.sscc);
        if (carton)
          return open(
            b.bookingRef,
            `Carton ${scan.sscc} is on booking ${b.bookingRef}: its receipt is open. Scan the carton's pallet (or the carton, if loose) to start.`,
          );
      }
      return answer(
        `SSCC ${scan.sscc} is on no booking cached here: set the unit aside, or scan the delivery's booking label.`,
      );
    }
    case "carton-number":
      return answer(
        `Carton ${scan.cartonNumber} carries a supplier's carton number, which no booking lists: scan the booking label or a pallet's label first.`,
      );
    case "hub": {
      for (const b of bookings) {
        const h = bookingHubs(b).find((x) => x.hub.deviceId === scan.deviceId);
        if (h) {
          const sent = dispatchedPalletOfHub(b, scan.deviceId);
          const where = sent ? ` It was sent on pallet ${sent.sscc} (the Party's ${sent.palletId}).` : "";
          return answer(
            `Hub ${scan.deviceId} is on booking ${b.bookingRef}: scan that delivery's booking label or a pallet label to open its receipt.${where}`,
            "info",
          );
        }
      }
      return answer(`Hub ${scan.deviceId} is on no booking cached here: scan the delivery's booking label first.`);
    }
    case "unreadable":
      return answer(plainUnreadable(scan));
  }
}

/**
 * The cached bookings `decideBookingsScan` needs whole to decide `scan` exactly as it would over
 * all of them (issue 22: the dock's list holds columns, not 300,000 hub objects): the booking of
 * the ref, those listing the SSCC, the first listing the hub (`catalogue`: the list's columns in
 * the list's order), in the list's order. The others cannot change its answer; none for a scan
 * whose answer needs no booking.
 */
export function bookingsToDecide(
  scan: ParsedScan,
  list: ReadonlyArray<{ bookingRef: string; columns: BookingColumns }>,
  catalogue: ColumnCatalogue,
): string[] {
  switch (scan.kind) {
    case "booking-label": {
      const row = list.find((r) => r.bookingRef === scan.bookingRef);
      return row ? [row.bookingRef] : [];
    }
    case "pallet":
    case "carton":
    case "sscc":
      return list
        .filter((r) => r.columns.palletSscc.includes(scan.sscc) || r.columns.cartonSscc.includes(scan.sscc))
        .map((r) => r.bookingRef);
    case "hub": {
      const first = catalogue.findHub(scan.deviceId);
      return first ? [first.bookingRef] : [];
    }
    case "carton-number":
    case "unreadable":
      return [];
  }
}
