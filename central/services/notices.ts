import type { Attachment, Notice } from "./outbox";

/**
 * The words of each notice the DCC sends a Party. Plain text, so they read the same in any
 * mail client and in the .eml files; figures and GUID lists come from the database.
 */

const sign = "\n\n-- \nDCC Communications Hub Re-Flash service (SEC MP155)\n";

function list(ids: readonly string[]): string {
  return ids.length === 0 ? "  (none)" : ids.map((id) => `  ${id}`).join("\n");
}

export interface RejectionReasonLine {
  scope: string;
  reason: string;
}

/** Req 2: the request is accepted, or rejected with every reason that applies. */
export function requestDecisionNotice(
  to: string,
  requestId: string,
  accepted: boolean,
  reasons: readonly RejectionReasonLine[],
): Notice {
  if (accepted)
    return {
      kind: "request-accepted",
      to,
      subject: `Re-flash request ${requestId} accepted`,
      text: `Your re-flash request ${requestId} is accepted. The authorisation with your booking reference and label follows.${sign}`,
    };
  return {
    kind: "request-rejected",
    to,
    subject: `Re-flash request ${requestId} rejected`,
    text: `Your re-flash request ${requestId} is rejected for these reasons:\n\n${reasons.map((r) => `- ${r.scope}: ${r.reason}`).join("\n")}\n\nPlease correct them and submit a new request.${sign}`,
  };
}

export interface AuthorisationFacts {
  bookingRef: string;
  deliveryRef: string;
  workOrderId: string;
  facilityName: string;
  locationName: string;
  locationAddress: string;
  deliveryDate: string;
  windowStart: string;
  windowEnd: string;
  contactName: string;
  hubCount: number;
  palletCount: number;
  redelivery: {
    locationName: string;
    locationAddress: string;
    deliveryDate: string;
    windowStart: string;
    windowEnd: string;
  };
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

export interface ReceiptOutcomeFacts {
  bookingRef: string;
  outcome: string;
  listed: number;
  received: number;
  rejected: ReadonlyArray<{ deviceId: string; reason: string }>;
  rejectionReason: string | null;
  notes: string[];
  /** Listed on the booking, neither received nor rejected. */
  missing: readonly string[];
  /** Arrived but not listed on this booking, with the dock's verdict. */
  unexpected: ReadonlyArray<{ deviceId: string; reason: string }>;
}

/** Req 5: receipt outcome, whole / part / reject, with the GUIDs missing, unexpected and rejected (and why). */
export function receiptOutcomeNotice(to: string, o: ReceiptOutcomeFacts): Notice {
  const words =
    o.outcome === "accepted" ? "accepted in whole" : o.outcome === "partial" ? "accepted in part" : "rejected";
  const why = (rows: ReadonlyArray<{ deviceId: string; reason: string }>) =>
    rows.length === 0 ? "  (none)" : rows.map((r) => `  ${r.deviceId}: ${r.reason}`).join("\n");
  return {
    kind: "receipt-outcome",
    to,
    subject: `Delivery for booking ${o.bookingRef} ${words}`,
    text:
      `Your delivery for booking ${o.bookingRef} is ${words}.\nHubs listed: ${o.listed}\nHubs received as listed: ${o.received}\n` +
      (o.rejectionReason ? `Reason: ${o.rejectionReason}\n` : "") +
      `\nHubs rejected (${o.rejected.length}):\n${why(o.rejected)}\n` +
      `\nHubs listed but not received (${o.missing.length}):\n${list(o.missing)}\n` +
      `\nHubs received but not listed on this booking (${o.unexpected.length}):\n${why(o.unexpected)}\n` +
      (o.notes.length > 0 ? `\nNotes: ${o.notes.join("; ")}\n` : "") +
      (o.outcome === "partial" ? `\nFor the hubs not accepted, please submit a new request.` : "") +
      sign,
  };
}

export interface RedeliveryNoticeFacts {
  manifestId: string;
  flashed: string[];
  /** Re-flash failed: each with its Fault Analysis Report's reference; credited. */
  failed: ReadonlyArray<{ deviceId: string; faultReport: string }>;
  /** Left out of this re-delivery for another reason (not received, rejected at receipt, not flashed yet): not failed. */
  notIncluded: ReadonlyArray<{ deviceId: string; reason: string }>;
  deliveryDate: string;
  windowStart: string;
  windowEnd: string;
  locationName: string;
  locationAddress: string;
  reissue: boolean;
}

/** Req 7: the re-delivery notice: GUIDs re-flashed and failed (with their reports), date, window, location. */
export function redeliveryNotice(to: string, n: RedeliveryNoticeFacts): Notice {
  return {
    kind: "redelivery-notice",
    to,
    subject: `${n.reissue ? "Amended " : ""}re-delivery ${n.manifestId}: ${n.flashed.length} re-flashed, ${n.failed.length} failed`,
    text:
      `Re-delivery ${n.manifestId}\nDate: ${n.deliveryDate}\nWindow: ${n.windowStart}-${n.windowEnd}\nLocation: ${n.locationName}, ${n.locationAddress}\n\n` +
      `Re-flashed (${n.flashed.length}):\n${list(n.flashed)}\n\n` +
      `Failed re-flash (${n.failed.length}, credited; each with its Fault Analysis Report):\n${n.failed.length === 0 ? "  (none)" : n.failed.map((f) => `  ${f.deviceId}: Fault Analysis Report ${f.faultReport}`).join("\n")}` +
      (n.notIncluded.length > 0
        ? `\n\nNot in this re-delivery, not failed (${n.notIncluded.length}):\n${n.notIncluded.map((h) => `  ${h.deviceId}: ${h.reason}`).join("\n")}`
        : "") +
      sign,
  };
}

export interface FaultReportFacts {
  /** The report's reference: the id of its fault.reported event, quoted on the re-delivery notice. */
  reference: string;
  deviceId: string;
  bookingRef: string;
  at: string;
  manual: boolean;
  step: string | null;
  jigId: string | null;
  slot: number | null;
  jigSaid: string | null;
  notes: string;
  /** A manual report's damage found; null for an automatic report. */
  damage: string | null;
  disposition: string;
  flashEventId: string | null;
}

/** Req 6: a Fault Analysis Report for a hub that could not be re-flashed, sent to the Party. */
export function faultReportNotice(to: string, f: FaultReportFacts): Notice {
  return {
    kind: "fault-analysis-report",
    to,
    subject: `Fault Analysis Report ${f.reference}: hub ${f.deviceId} (booking ${f.bookingRef})`,
    text:
      `Fault Analysis Report ${f.reference}\nHub: ${f.deviceId}\nBooking: ${f.bookingRef}\nReported: ${f.at}\n` +
      `Kind: ${f.manual ? "manual (by a technician)" : "automatic (from the re-flash jig)"}\n` +
      (f.step !== null ? `Failed step: ${f.step}\n` : "") +
      (f.jigId !== null ? `Jig: ${f.jigId}${f.slot !== null ? `, slot ${f.slot}` : ""}\n` : "") +
      (f.jigSaid !== null ? `Jig reported: ${f.jigSaid}\n` : "") +
      (f.damage !== null ? `Damage found: ${f.damage}\n` : "") +
      (f.notes !== "" ? `Notes: ${f.notes}\n` : "") +
      `Outcome: ${f.disposition === "scrap" ? "scrapped" : "credited"}; the hub is not re-flashed.${sign}`,
  };
}

/** Req 9: a new ASN for every delivery, attached as a file. */
/** The Party's ASN is withdrawn: its manifest was rebuilt, and a new ASN follows for the new one. */
export function asnCancelledNotice(
  to: string,
  p: { asnNumber: string; manifestId: string; replacedByManifestId: string; reason: string },
): Notice {
  return {
    kind: "asn-cancelled",
    to,
    subject: `ASN ${p.asnNumber} cancelled and replaced (re-delivery ${p.manifestId})`,
    text:
      `Advanced Shipment Notification ${p.asnNumber} for re-delivery ${p.manifestId} is cancelled: ${p.reason}.\n` +
      `Please remove it from your systems. Re-delivery ${p.replacedByManifestId} replaces it; its new ASN follows in a separate message.${sign}`,
  };
}

export function asnNotice(to: string, asnNumber: string, manifestId: string, file: Attachment): Notice {
  return {
    kind: "asn",
    to,
    subject: `Advanced Shipment Notification ${asnNumber} (re-delivery ${manifestId})`,
    text: `ASN ${asnNumber} for re-delivery ${manifestId} is attached.${sign}`,
    attachments: [file],
  };
}
