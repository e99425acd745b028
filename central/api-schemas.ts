import { z } from "zod";
import {
  ClockTimeSchema,
  DeliveryWindowSchema,
  DeviceIdSchema,
  DeviceModelSchema,
  HexFirmwareSchema,
  IsoDateSchema,
  SsccSchema,
} from "../shared/domain/booking";
import { FirmwareStatusSchema } from "../shared/sync";
import { isCalendarDate, unstorableText } from "./services/admission";

/** Request bodies of central's Party and DCC endpoints (the dock's are in shared/sync). */

const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, "ids are letters, digits, . _ -");
/** YYYY-MM-DD naming a real day: 2026-02-30 and 2026-13-45 are refused. */
const CalendarDate = IsoDateSchema.refine(isCalendarDate, "not a calendar date");
/** Free text central can store (no NUL, no lone surrogate). */
const Text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((v, ctx) => {
      const why = unstorableText(v);
      if (why !== null) ctx.addIssue({ code: "custom", message: `text ${why}` });
    });

/** A hub line of a re-flash request (Req 1); make, model and firmware may be missing, which is a rejection reason. */
export const RequestHubSchema = z.strictObject({
  deviceId: DeviceIdSchema,
  firmwareVersion: HexFirmwareSchema.optional(),
  manufacturer: z
    .string()
    .regex(/^[0-9A-F]{4}$/, "manufacturer is 4 hex digits")
    .optional(),
  deviceModel: DeviceModelSchema.optional(),
});
export const RequestCartonSchema = z.strictObject({ sscc: SsccSchema, hubs: z.array(RequestHubSchema).max(1000) });
/** A pallet lists its cartons, or its hubs with no carton (cartons in original packaging need not be listed), or both. */
export const RequestPalletSchema = z.strictObject({
  sscc: SsccSchema,
  cartons: z.array(RequestCartonSchema).max(200),
  hubs: z.array(RequestHubSchema).max(2000).optional(),
});

export const ReflashRequestSchema = z.strictObject({
  /** The Party's own id for this submission: a replay of it (in any letter case) is refused (409), never booked twice. */
  clientRequestId: z.uuid().transform((id) => id.toLowerCase()),
  /** Inbound side: the CSP facility, its receiving location, the requested arrival date and window (the DCC confirms the slot, Req 3). */
  facilityId: Id,
  deliveryLocationId: Id,
  deliveryDate: CalendarDate,
  deliveryWindow: DeliveryWindowSchema,
  /** Re-delivery side (Req 1, 7): one of the Party's own listed locations, the date and a window within working hours. */
  redelivery: z.strictObject({ locationId: Id, deliveryDate: CalendarDate, deliveryWindow: DeliveryWindowSchema }),
  contact: z.strictObject({
    name: Text(200),
    email: z.email(),
    phone: z.string().regex(/^[0-9 +()-]{6,30}$/, "phone is 6-30 of digits, space, + ( ) -"),
  }),
  pallets: z.array(RequestPalletSchema).max(50),
  looseCartons: z.array(RequestCartonSchema).max(500),
});
export type ReflashRequest = z.infer<typeof ReflashRequestSchema>;

export const LateArrivalSchema = z.strictObject({ etaDate: CalendarDate, etaTime: ClockTimeSchema });
export const RedeliveryAmendSchema = z.strictObject({
  deliveryDate: CalendarDate,
  deliveryWindow: DeliveryWindowSchema,
  deliveryLocationId: Id,
});
export const ForecastSchema = z.strictObject({
  /** A six-month period starts on 1 January or 1 July (D-001). */
  periodStart: CalendarDate.refine(
    (d) => /-(01|07)-01$/.test(d),
    "a forecast period starts on YYYY-01-01 or YYYY-07-01",
  ),
  hubs: z.number().int().min(0).max(10_000_000),
});
export const ApproveWorkOrderSchema = z.strictObject({
  purchaseOrder: z.string().regex(/^[A-Z0-9-]{3,32}$/, "purchase order is 3-32 of A-Z, 0-9, -"),
});
export const FirmwarePutSchema = z.strictObject({
  deviceModel: DeviceModelSchema,
  version: HexFirmwareSchema,
  status: FirmwareStatusSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "sha256 is 64 lower-case hex digits"),
  sizeBytes: z
    .number()
    .int()
    .nonnegative()
    .max(64 * 1024 * 1024),
  releasedAt: z.iso.datetime({ offset: true }),
});
export const SsmiUploadSchema = z.strictObject({ file: z.string().min(1).max(2_000_000) });
/** A block of ASN numbers for a dock to issue from, offline too (issue 17). */
export const AsnBlockReserveSchema = z.strictObject({ count: z.number().int().min(1).max(100) });
export const AsnReserveSchema = z.strictObject({
  manifestId: z.string().regex(/^[A-Z0-9-]{4,32}$/, "manifest id is 4-32 of A-Z, 0-9, -"),
  partyId: Id,
});
export const StatementQuerySchema = z.strictObject({ from: CalendarDate, to: CalendarDate });
export { Id as IdSchema };
