import type { Booking } from "../../shared/domain/booking";
import type { ManifestPayload } from "../../shared/domain/manifest";
import type { LabelAddress, LabelContent } from "./logistics-label";

/**
 * The labels a re-delivery needs: one per pallet and one per carton of the manifest, with the
 * SSCC they arrived with (original packing) and the hub counts they go back with, so a carton
 * going back short gets a label that tells the truth.
 */
export function manifestLabelContents(
  manifest: ManifestPayload,
  parties: { from: LabelAddress; to: LabelAddress },
): LabelContent[] {
  const bookingRef = manifest.bookingRefs.length === 1 ? (manifest.bookingRefs[0] ?? null) : null;
  const common = {
    bookingRef,
    manifestId: manifest.manifestId,
    from: parties.from,
    to: parties.to,
    deliveryDate: manifest.deliveryDate,
    deliveryWindow: manifest.deliveryWindow,
  };
  const out: LabelContent[] = [];
  for (const p of manifest.pallets) {
    out.push({
      kind: "pallet",
      sscc: p.sscc,
      cartonCount: p.cartons.length,
      // Hubs listed on the pallet alone travel on it outside any SSCC-labelled carton (issue 16).
      hubCount: p.cartons.reduce((n, c) => n + c.hubs.length, 0) + (p.hubs?.length ?? 0),
      ...common,
    });
    for (const c of p.cartons)
      out.push({ kind: "carton", sscc: c.sscc, hubCount: c.hubs.length, palletSscc: p.sscc, ...common });
  }
  for (const c of manifest.looseCartons)
    out.push({ kind: "carton", sscc: c.sscc, hubCount: c.hubs.length, palletSscc: null, ...common });
  return out;
}

/** The address block of a manifest's delivery location (the Party, as it asked). */
export function deliveryAddress(manifest: ManifestPayload, partyName: string): LabelAddress {
  return {
    name: partyName,
    lines: [manifest.deliveryLocation.name, ...manifest.deliveryLocation.address.split(/\s*,\s*/)].slice(0, 3),
  };
}

/** The booking label of MP155 Req 3: one per delivery, printed for the Party to put on its consignment. */
export function bookingLabelContent(booking: Booking, dock: LabelAddress): LabelContent {
  return {
    kind: "booking",
    bookingRef: booking.bookingRef,
    deliveryRef: booking.deliveryRef,
    from: { name: booking.partyName, lines: [booking.partyId] },
    to: dock,
    deliveryDate: booking.deliveryDate,
    deliveryWindow: booking.deliveryWindow,
    palletCount: booking.pallets.length,
  };
}
