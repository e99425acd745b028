import type { z } from "zod";
import type { AmendmentAcknowledgedPayload } from "../events";
import type { Booking } from "./booking";

export type AmendedField = z.infer<typeof AmendmentAcknowledgedPayload>["fields"][number];

/**
 * What central changed that matters to a receipt in progress. Central also bumps a
 * booking's version for its own status moves (arrived, receiving) caused by this dock's
 * events; those are not amendments and must not raise a conflict.
 */
export function substantiveChanges(before: Booking, after: Booking): AmendedField[] {
  const out: AmendedField[] = [];
  if (before.deliveryDate !== after.deliveryDate) out.push("date");
  if (
    before.deliveryWindow.start !== after.deliveryWindow.start ||
    before.deliveryWindow.end !== after.deliveryWindow.end
  )
    out.push("window");
  if (JSON.stringify(before.deliveryLocation) !== JSON.stringify(after.deliveryLocation)) out.push("location");
  if (JSON.stringify([before.pallets, before.looseCartons]) !== JSON.stringify([after.pallets, after.looseCartons]))
    out.push("hubs");
  const identity = (b: Booking) =>
    JSON.stringify([b.partyId, b.deliveryRef, b.facilityId, b.csp, b.workOrderId, b.status === "cancelled"]);
  if (identity(before) !== identity(after)) out.push("other");
  return out;
}

/** The fields an amendment changed, for the acknowledgement event (never empty). */
export function amendedFields(before: Booking, after: Booking): AmendedField[] {
  const out = substantiveChanges(before, after);
  return out.length > 0 ? out : ["other"];
}
