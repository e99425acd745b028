import { bookingHubs, type Booking } from "./booking";
import { dispatchedPallet, dispatchedPalletOfHub } from "./dispatch-document";
import type { ParsedScan } from "./scan";

/**
 * What a scan on the bookings list does (issue 16): the DCC booking label opens its booking's
 * receipt, and so does a pallet's (or a listed carton's) SSCC, found by lookup in the cached
 * bookings; anything else gets an answer in words, never silence. Nothing is recorded here:
 * the receipt records its own scans once open.
 */
export type BookingsScanDecision =
  { type: "open"; bookingRef: string; note: string | null } | { type: "answer"; tone: "info" | "error"; text: string };

export interface ReceiptStatusView {
  status: "open" | "closed";
  outcome: "accepted" | "partial" | "rejected" | null;
}

/** Decide one scan on the bookings list against the bookings cached at this dock. */
export function decideBookingsScan(
  scan: ParsedScan,
  bookings: readonly Booking[],
  receipts: Readonly<Record<string, ReceiptStatusView | undefined>>,
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
  });
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
      if (b.status === "cancelled") return answer(`Booking ${b.bookingRef} was cancelled.`);
      return open(b.bookingRef, null);
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
      return answer(`Not read: ${scan.reason}.`);
  }
}
