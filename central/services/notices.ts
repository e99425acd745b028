import type { Attachment, Notice } from "./outbox";

/**
 * The words of each notice the DCC sends a Party. Plain text, so they read the same in any
 * mail client and in the .eml files; figures and GUID lists come from the database.
 */

const sign = "\n\n-- \nDCC Communications Hub Re-Flash service (SEC MP155)\n";

function list(ids: readonly string[]): string {
  return ids.length === 0 ? "  (none)" : ids.map((id) => `  ${id}`).join("\n");
}

export interface RejectionReasonLine { scope: string; reason: string }

/** Req 2: the request is accepted, or rejected with every reason that applies. */
export function requestDecisionNotice(to: string, requestId: string, accepted: boolean, reasons: readonly RejectionReasonLine[]): Notice {
  if (accepted)
    return { kind: "request-accepted", to, subject: `Re-flash request ${requestId} accepted`, text: `Your re-flash request ${requestId} is accepted. The authorisation with your booking reference and label follows.${sign}` };
  return {
    kind: "request-rejected",
    to,
    subject: `Re-flash request ${requestId} rejected`,
    text: `Your re-flash request ${requestId} is rejected for these reasons:\n\n${reasons.map((r) => `- ${r.scope}: ${r.reason}`).join("\n")}\n\nPlease correct them and submit a new request.${sign}`,
  };
}

export interface AuthorisationFacts {
  bookingRef: string; deliveryRef: string; workOrderId: string; facilityName: string; locationName: string; locationAddress: string;
  deliveryDate: string; windowStart: string; windowEnd: string; contactName: string; hubCount: number; palletCount: number;
  redelivery: { locationName: string; locationAddress: string; deliveryDate: string; windowStart: string; windowEnd: string };
  dccContact: { name: string; email: string; phone: string };
  /** The CSP works a booking only once its Work Order is approved against a purchase order (PIA 6.2.2). */
  purchaseOrderNeeded: boolean;
}

/** Req 3: the authorisation, with the printable booking label (PDF) attached and whom to call. */
export function authorisationNotice(to: string, f: AuthorisationFacts, label: Attachment[]): Notice {
  const r = f.redelivery;
  return {
    kind: "authorisation",
    to,
    subject: `Re-flash booking ${f.bookingRef} authorised (delivery ${f.deliveryRef})`,
    text:
      `Booking reference: ${f.bookingRef}\nDelivery reference: ${f.deliveryRef}\nWork Order: ${f.workOrderId}\n` +
      `Hubs: ${f.hubCount} on ${f.palletCount} pallet(s)\nYour contact: ${f.contactName}\n\n` +
      `Delivery to the re-flash facility (slot confirmed):\n  Deliver to: ${f.locationName}, ${f.locationAddress} (${f.facilityName})\n  Date: ${f.deliveryDate}\n  Timeslot: ${f.windowStart}-${f.windowEnd}\n\n` +
      `Re-delivery of the re-flashed hubs:\n  To: ${r.locationName}, ${r.locationAddress}\n  Date: ${r.deliveryDate}\n  Window: ${r.windowStart}-${r.windowEnd}\n\n` +
      (f.purchaseOrderNeeded ? `Work starts once the Work Order is approved against your purchase order.\n\n` : "") +
      `Print the attached booking label (PDF) and fix it to the delivery. Each pallet and each loose carton also carries its own label.\n\n` +
      `DCC contact for this booking: ${f.dccContact.name}, ${f.dccContact.email}, ${f.dccContact.phone}${sign}`,
    attachments: label,
  };
}

/** Req 5: receipt outcome, whole / part / reject, with reasons per hub. */
export function receiptOutcomeNotice(to: string, o: { bookingRef: string; outcome: string; listed: number; received: number; rejected: ReadonlyArray<{ deviceId: string; reason: string }>; rejectionReason: string | null; notes: string[] }): Notice {
  const words = o.outcome === "accepted" ? "accepted in whole" : o.outcome === "partial" ? "accepted in part" : "rejected";
  return {
    kind: "receipt-outcome",
    to,
    subject: `Delivery for booking ${o.bookingRef} ${words}`,
    text:
      `Your delivery for booking ${o.bookingRef} is ${words}.\nHubs listed: ${o.listed}\nHubs received as listed: ${o.received}\n` +
      (o.rejectionReason ? `Reason: ${o.rejectionReason}\n` : "") +
      (o.rejected.length > 0 ? `\nHubs rejected (${o.rejected.length}):\n${o.rejected.map((r) => `  ${r.deviceId}: ${r.reason}`).join("\n")}\n` : "") +
      (o.notes.length > 0 ? `\nNotes: ${o.notes.join("; ")}\n` : "") +
      (o.outcome === "partial" ? `\nFor the hubs not accepted, please submit a new request.` : "") +
      sign,
  };
}

/** Req 7: the re-delivery notice: GUIDs re-flashed and failed, date, window, location. */
export function redeliveryNotice(to: string, n: { manifestId: string; flashed: string[]; failed: string[]; deliveryDate: string; windowStart: string; windowEnd: string; locationName: string; locationAddress: string; reissue: boolean }): Notice {
  return {
    kind: "redelivery-notice",
    to,
    subject: `${n.reissue ? "Amended " : ""}re-delivery ${n.manifestId}: ${n.flashed.length} re-flashed, ${n.failed.length} failed`,
    text:
      `Re-delivery ${n.manifestId}\nDate: ${n.deliveryDate}\nWindow: ${n.windowStart}-${n.windowEnd}\nLocation: ${n.locationName}, ${n.locationAddress}\n\n` +
      `Re-flashed (${n.flashed.length}):\n${list(n.flashed)}\n\nFailed (${n.failed.length}, credited; Fault Analysis Reports follow):\n${list(n.failed)}${sign}`,
  };
}

/** Req 9: a new ASN for every delivery, attached as a file. */
export function asnNotice(to: string, asnNumber: string, manifestId: string, file: Attachment): Notice {
  return { kind: "asn", to, subject: `Advanced Shipment Notification ${asnNumber} (re-delivery ${manifestId})`, text: `ASN ${asnNumber} for re-delivery ${manifestId} is attached.${sign}`, attachments: [file] };
}
