import { z } from "zod";

/** SMI device statuses (DUIS Read Inventory). Only `Pending` is eligible for re-flash. */
export const SMI_STATUSES = [
  "Pending",
  "Whitelisted",
  "InstalledNotCommissioned",
  "Commissioned",
  "Decommissioned",
  "Withdrawn",
  "Suspended",
  "Recovery",
  "Recovered",
  "NotApplicable",
] as const;
export const SmiStatusSchema = z.enum(SMI_STATUSES);
export type SmiStatus = z.infer<typeof SmiStatusSchema>;

/** The CSP regions an SMI record names. */
export const CspRegionSchema = z.enum(["North", "Central", "South"]);
export type CspRegion = z.infer<typeof CspRegionSchema>;

/** The two Communications Service Providers: North, and Central & South (through a 3PL). */
export const CspSchema = z.enum(["North", "CentralSouth"]);
export type Csp = z.infer<typeof CspSchema>;

/** Which CSP serves a hub of this SMI region. */
export function cspForRegion(region: CspRegion): Csp {
  return region === "North" ? "North" : "CentralSouth";
}

/** Canonical EUI-64 form: eight upper-case hex octets joined by hyphens. */
export const DeviceIdSchema = z
  .string()
  .regex(/^([0-9A-F]{2}-){7}[0-9A-F]{2}$/, "device ID must be HH-HH-HH-HH-HH-HH-HH-HH");
/** An SSCC: 18 digits, the last a GS1 mod-10 check digit (checked by labels.ts). */
export const SsccSchema = z.string().regex(/^\d{18}$/, "SSCC must be 18 digits");
/**
 * An original supplier's carton number, printed as plain Code 128 (docs/labels.md): 4-20 of
 * A-Z, 0-9, `-`, `/`, `.`, with at least one digit and at least one letter G-Z. The letter
 * rule keeps every hub ID with a digit too many or too few (hex only) a hub-ID error, never a
 * carton; an all-digit number is left to the SSCC and hub-ID rules for the same reason.
 */
export const CartonNumberSchema = z
  .string()
  .regex(
    /^(?=[^G-Z]*[G-Z])(?=\D*\d)[A-Z0-9][A-Z0-9./-]{3,19}$/,
    "a carton number is 4-20 of A-Z, 0-9, - / . with a digit and a letter G-Z",
  );
export const HexFirmwareSchema = z.string().regex(/^[0-9A-F]{8}$/, "firmware version is 8 hex digits");
export const DeviceModelSchema = z.string().regex(/^[0-9A-F]{8}$/, "device model is 8 hex digits");
export const IsoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "date must be YYYY-MM-DD");
export const ClockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "time must be HH:MM");
/** Booking references are printed on labels, so they stay within GS1's safe character set. */
export const BookingRefSchema = z.string().regex(/^[A-Z0-9-]{4,20}$/, "booking reference is 4-20 of A-Z, 0-9, -");

/** The SMI record's HAN variant (DUIS `HANVariant`: "Single Band" / "Dual Band"); credits and return charges depend on it. */
export const HanVariantSchema = z.enum(["single-band", "dual-band"]);
export type HanVariant = z.infer<typeof HanVariantSchema>;

/** A hub as the booking lists it: the SMI record of its CHF and its paired GPF's ID. */
export const BookedHubSchema = z.strictObject({
  deviceId: DeviceIdSchema,
  gpfDeviceId: DeviceIdSchema,
  manufacturer: z.string().regex(/^[0-9A-F]{4}$/, "manufacturer is 4 hex digits"),
  deviceModel: DeviceModelSchema,
  firmwareVersion: HexFirmwareSchema,
  smiStatus: SmiStatusSchema,
  assignedParty: z.string().min(1).max(64),
  cspRegion: CspRegionSchema,
  /** From the SMI record (issue 17); absent where the mirror does not know it. */
  hanVariant: HanVariantSchema.optional(),
});
export type BookedHub = z.infer<typeof BookedHubSchema>;

export const BookedCartonSchema = z.strictObject({
  sscc: SsccSchema,
  hubs: z.array(BookedHubSchema),
});
export type BookedCarton = z.infer<typeof BookedCartonSchema>;

/**
 * A pallet as booked: its cartons when the request lists them, and/or its hubs listed on the
 * pallet alone (MP155 Req 4: the Party's document lists pallet identifiers and GUIDs; cartons
 * in their original packaging need not be listed). Absent `hubs` means none listed that way.
 */
export const BookedPalletSchema = z.strictObject({
  sscc: SsccSchema,
  cartons: z.array(BookedCartonSchema),
  hubs: z.array(BookedHubSchema).optional(),
});
export type BookedPallet = z.infer<typeof BookedPalletSchema>;

export const DeliveryLocationSchema = z.strictObject({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  address: z.string().min(1).max(500),
});
export type DeliveryLocation = z.infer<typeof DeliveryLocationSchema>;

export const DeliveryWindowSchema = z.strictObject({ start: ClockTimeSchema, end: ClockTimeSchema });
export type DeliveryWindow = z.infer<typeof DeliveryWindowSchema>;

/** Where, when and in which window the re-flashed hubs go back to the Party (Req 1, 7, 8): one of the Party's own listed locations. */
export const RedeliverySchema = z.strictObject({
  deliveryDate: IsoDateSchema,
  deliveryWindow: DeliveryWindowSchema,
  deliveryLocation: DeliveryLocationSchema,
});
export type Redelivery = z.infer<typeof RedeliverySchema>;

export const BookingStatusSchema = z.enum(["authorised", "arrived", "receiving", "closed", "cancelled"]);

/**
 * The Party's dispatch document of Req 4 (issue 19): when the delivery was sent, the Party's own
 * signifier for it, and each pallet with the Party's pallet identifier and the hubs on it. Entered
 * or uploaded in the portal, checked against the booking (shared/domain/dispatch-document.ts),
 * and pulled by the dock with the booking, which then expects it pallet by pallet.
 */
export const DispatchPalletSchema = z.strictObject({
  sscc: SsccSchema,
  /** The Party's own identifier of the pallet (its pallet number or tag), printable text. */
  palletId: z
    .string()
    .trim()
    .min(1, "a pallet identifier is needed")
    .max(40, "a pallet identifier is at most 40 characters")
    .regex(/^[\x20-\x7E]+$/, "a pallet identifier is printable text (letters, digits, punctuation)"),
  deviceIds: z.array(DeviceIdSchema).min(1, "a pallet lists at least one hub").max(2000),
});
export type DispatchPallet = z.infer<typeof DispatchPalletSchema>;
export const DispatchDocumentSchema = z.strictObject({
  /** When the delivery left the Party: an ISO date and time with its offset. */
  sentAt: z.iso.datetime({ offset: true, message: "the sent date and time must be ISO 8601 with its offset" }),
  /** The Party's own reference for this dispatch (its signifier). */
  partySignifier: z
    .string()
    .trim()
    .min(1, "the Party's signifier is needed")
    .max(64, "the Party's signifier is at most 64 characters")
    .regex(/^[\x20-\x7E]+$/, "the Party's signifier is printable text"),
  pallets: z.array(DispatchPalletSchema).min(1, "a dispatch document lists at least one pallet").max(100),
});
export type DispatchDocument = z.infer<typeof DispatchDocumentSchema>;

/** The booking as synced down from central (MP155 Req 1, 3, 4). */
export const BookingSchema = z.strictObject({
  bookingRef: BookingRefSchema,
  deliveryRef: BookingRefSchema,
  workOrderId: z.string().min(1).max(64),
  partyId: z.string().min(1).max(64),
  partyName: z.string().min(1).max(200),
  csp: CspSchema,
  facilityId: z.string().min(1).max(64),
  /** Inbound side: where at the CSP facility, on which date and in which slot the delivery arrives (Req 3, 4). */
  deliveryLocation: DeliveryLocationSchema,
  deliveryDate: IsoDateSchema,
  deliveryWindow: DeliveryWindowSchema,
  /**
   * Re-delivery side: where and when the re-flashed hubs go back (Req 1, 7), as last amended
   * (Req 8). Manifest, labels, notice and ASN carry this location. Absent only on bookings
   * made before central recorded it; the dock then falls back to `deliveryLocation`.
   */
  redelivery: RedeliverySchema.optional(),
  /**
   * Why the dock may not work this booking yet (unload, receive, flash), in words to show, or
   * null when it may: e.g. its Work Order awaits approval against a purchase order (PIA 6.2.2).
   * Central refuses those events while it is set. Absent from older centrals: treat as null.
   */
  workBlocked: z.string().min(1).max(500).nullable().optional(),
  /** The Party's dispatch document (Req 4), once it has sent one; absent or null before. */
  dispatch: DispatchDocumentSchema.nullable().optional(),
  status: BookingStatusSchema,
  /** Incremented by central on every amendment; the dock detects conflicts with it. */
  version: z.number().int().nonnegative(),
  pallets: z.array(BookedPalletSchema),
  /** Cartons delivered without a pallet carry their own label (Req 4). */
  looseCartons: z.array(BookedCartonSchema),
});
export type Booking = z.infer<typeof BookingSchema>;

/** Packing limits are configuration (not public); 896 hubs a pallet is implied by the seed. */
export const PackingLimitsSchema = z.strictObject({
  hubsPerCarton: z.number().int().positive(),
  cartonsPerPallet: z.number().int().positive(),
});
export type PackingLimits = z.infer<typeof PackingLimitsSchema>;
export const DEFAULT_PACKING_LIMITS: PackingLimits = { hubsPerCarton: 32, cartonsPerPallet: 28 };

/** Where this dock is: eligibility and test-lab flagging depend on it. */
export const DockSiteSchema = z.strictObject({
  facilityId: z.string().min(1).max(64),
  csp: CspSchema,
  /** A production site flags DCC test-lab device IDs. */
  production: z.boolean(),
  /** The site's IANA time zone (shared/domain/site-clock.ts); absent means Europe/London. */
  timeZone: z.string().min(1).max(64).optional(),
});
export type DockSite = z.infer<typeof DockSiteSchema>;

/** Where a booking's hubs go back: its re-delivery location, or (older bookings) its delivery location. */
export function redeliveryLocation(booking: Pick<Booking, "deliveryLocation" | "redelivery">): DeliveryLocation {
  return booking.redelivery?.deliveryLocation ?? booking.deliveryLocation;
}

/** Every carton of a booking, palletised or loose, with the pallet it sits on. */
export function bookingCartons(booking: Booking): Array<{ carton: BookedCarton; palletSscc: string | null }> {
  const out: Array<{ carton: BookedCarton; palletSscc: string | null }> = [];
  for (const pallet of booking.pallets)
    for (const carton of pallet.cartons) out.push({ carton, palletSscc: pallet.sscc });
  for (const carton of booking.looseCartons) out.push({ carton, palletSscc: null });
  return out;
}

/** Hubs listed on a pallet with no carton (a pallet-only or mixed booking). */
export function palletHubs(pallet: BookedPallet): readonly BookedHub[] {
  return pallet.hubs ?? [];
}

/** Every hub of a booking with where it is listed: carton (null when listed on the pallet alone) and pallet. */
export function bookingHubs(
  booking: Booking,
): Array<{ hub: BookedHub; cartonSscc: string | null; palletSscc: string | null }> {
  const out: Array<{ hub: BookedHub; cartonSscc: string | null; palletSscc: string | null }> = [];
  for (const pallet of booking.pallets)
    for (const hub of palletHubs(pallet)) out.push({ hub, cartonSscc: null, palletSscc: pallet.sscc });
  for (const { carton, palletSscc } of bookingCartons(booking))
    for (const hub of carton.hubs) out.push({ hub, cartonSscc: carton.sscc, palletSscc });
  return out;
}

/** Total hubs listed on a booking, in cartons or on pallets. */
export function bookingHubCount(booking: Booking): number {
  return (
    bookingCartons(booking).reduce((n, { carton }) => n + carton.hubs.length, 0) +
    booking.pallets.reduce((n, p) => n + palletHubs(p).length, 0)
  );
}

export interface LimitBreach {
  kind: "carton-over-limit" | "pallet-over-limit";
  sscc: string;
  count: number;
  limit: number;
}

/** Cartons with more hubs, and pallets with more cartons, than the configured limits (Req 4). */
export function packingBreaches(booking: Booking, limits: PackingLimits): LimitBreach[] {
  const out: LimitBreach[] = [];
  for (const pallet of booking.pallets) {
    if (pallet.cartons.length > limits.cartonsPerPallet)
      out.push({
        kind: "pallet-over-limit",
        sscc: pallet.sscc,
        count: pallet.cartons.length,
        limit: limits.cartonsPerPallet,
      });
  }
  for (const { carton: c } of bookingCartons(booking))
    if (c.hubs.length > limits.hubsPerCarton)
      out.push({ kind: "carton-over-limit", sscc: c.sscc, count: c.hubs.length, limit: limits.hubsPerCarton });
  return out;
}
