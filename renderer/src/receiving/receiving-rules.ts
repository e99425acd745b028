import type { Booking } from "../../../shared/domain/booking";
import type { VerdictCode } from "../../../shared/domain/reconcile";
import type { ScanVerdictCode } from "../../../shared/events";
import type { z } from "zod";
import type { HubRejectionCodeSchema, AmendmentAcknowledgedPayload } from "../../../shared/events";

/**
 * Small pure rules of the receiving screen that sit between the reconciler's detailed
 * verdicts and the event log's coarser vocabulary.
 */

export type HubRejectionCode = z.infer<typeof HubRejectionCodeSchema>;
export type AmendedField = z.infer<typeof AmendmentAcknowledgedPayload>["fields"][number];

/** The event-log verdict a reconciler verdict is recorded as (events carry the coarse code, the reason keeps the detail). */
export function eventVerdictFor(code: VerdictCode): ScanVerdictCode {
  switch (code) {
    case "booking-label-expected":
    case "pallet-expected":
    case "pallet-resumed":
    case "carton-expected":
    case "carton-resumed":
    case "carton-count-mismatch":
    case "hub-expected":
    case "undone":
      return "expected";
    case "hub-duplicate":
    case "scan-id-reused":
      return "duplicate";
    case "booking-label-other":
    case "pallet-other-booking":
    case "carton-other-booking":
    case "hub-other-booking":
      return "other-booking";
    case "booking-label-mismatch":
    case "booking-label-unknown":
    case "pallet-unexpected":
    case "carton-unexpected":
    case "hub-unexpected":
      return "unexpected";
    case "carton-other-pallet":
    case "hub-wrong-container":
      return "wrong-container";
    case "hub-not-eligible":
      return "not-eligible";
    case "hub-wrong-device-type":
      return "wrong-device-type";
    case "hub-test-lab":
      return "test-lab";
    case "unreadable":
      return "unreadable";
    case "wrong-kind":
    case "undo-refused":
      return "wrong-kind";
  }
}

/** The rejection code to propose for a hub whose scan got `code` (the operator may change the reason). */
export function rejectionCodeFor(code: VerdictCode, reason: string): HubRejectionCode {
  switch (code) {
    case "hub-not-eligible":
      if (/SMI status/.test(reason)) return "not-pending";
      if (/assigned to/.test(reason)) return "other-party";
      return "wrong-csp-or-facility";
    case "hub-test-lab":
      return "test-lab";
    case "hub-other-booking":
      return "other-booking";
    case "hub-unexpected":
      return "unexpected";
    case "hub-wrong-device-type":
      return "wrong-device-type";
    default:
      return "other";
  }
}

/** The end of the booked delivery window as a local instant (the dock's wall clock). */
export function windowEnd(booking: Booking): Date {
  const [h, m] = booking.deliveryWindow.end.split(":").map(Number);
  const [y, mo, d] = booking.deliveryDate.split("-").map(Number);
  return new Date(y ?? 1970, (mo ?? 1) - 1, d ?? 1, h ?? 0, m ?? 0);
}

/** True when arriving at `now` is after the booked window (Req 4: a late arrival records the reported ETA). */
export function isLate(booking: Booking, now: Date): boolean {
  return now.getTime() > windowEnd(booking).getTime();
}

/**
 * What central changed that matters to a receipt in progress. Central also bumps a
 * booking's version for its own status moves (arrived, receiving) caused by this dock's
 * events; those are not amendments and must not raise a conflict.
 */
export function substantiveChanges(before: Booking, after: Booking): AmendedField[] {
  const out: AmendedField[] = [];
  if (before.deliveryDate !== after.deliveryDate) out.push("date");
  if (before.deliveryWindow.start !== after.deliveryWindow.start || before.deliveryWindow.end !== after.deliveryWindow.end) out.push("window");
  if (JSON.stringify(before.deliveryLocation) !== JSON.stringify(after.deliveryLocation)) out.push("location");
  if (JSON.stringify([before.pallets, before.looseCartons]) !== JSON.stringify([after.pallets, after.looseCartons])) out.push("hubs");
  const identity = (b: Booking) => JSON.stringify([b.partyId, b.deliveryRef, b.facilityId, b.csp, b.workOrderId, b.status === "cancelled"]);
  if (identity(before) !== identity(after)) out.push("other");
  return out;
}

/** The fields an amendment changed, for the acknowledgement event (never empty). */
export function amendedFields(before: Booking, after: Booking): AmendedField[] {
  const out = substantiveChanges(before, after);
  return out.length > 0 ? out : ["other"];
}

/** Scanner raw text cut to what an event may carry, keeping the start (AIM prefix and data). */
export function clipRaw(raw: string): string {
  return raw.length > 1000 ? raw.slice(0, 1000) : raw;
}
