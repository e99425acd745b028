import { z } from "zod";
import {
  BookingRefSchema,
  ClockTimeSchema,
  DeliveryLocationSchema,
  DeliveryWindowSchema,
  DeviceIdSchema,
  HexFirmwareSchema,
  IsoDateSchema,
  SsccSchema,
  CartonNumberSchema,
} from "./domain/booking";
import { isUuidV7, newEventId } from "./domain/ids";
import type { ScanKind } from "./domain/scan";
import {
  deriveLiabilityTransfer,
  LiabilityHolderSchema,
  LiabilityRuleIdSchema,
  UnloaderSchema,
} from "./domain/liability";

/**
 * The one record of what happened at the dock. Every event is appended to the dock's
 * local log, pushed to central through the outbox (idempotent by `id`), and parsed with
 * `DockEventSchema` at every boundary it crosses. Objects are strict: an unknown field is
 * refused, so a newer dock cannot smuggle data past an older central unnoticed.
 */

// ---------------------------------------------------------------- building blocks

/** UUIDv7, canonical lower case (see domain/ids.ts). */
export const EventIdSchema = z.string().refine(isUuidV7, "must be a lower-case UUIDv7");
/** Device time with its zone, as `Date.toISOString()` writes it (an offset is accepted too). */
export const IsoInstantSchema = z.iso.datetime({ offset: true });
const IdText = z.string().min(1).max(64);
const Note = z.string().max(2000);
/** A manifest (re-delivery) id, printed on labels like a booking ref. */
export const ManifestIdSchema = z.string().regex(/^[A-Z0-9-]{4,32}$/, "manifest id is 4-32 of A-Z, 0-9, -");
/** The jig's serial as it reports it in `identify`. */
export const JigIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "jig id is 1-64 of A-Z, a-z, 0-9, . _ -");
/** Slots on a multi-jig are numbered 0-7. */
export const SlotSchema = z.number().int().min(0).max(7);
export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, "SHA-256 is 64 lower-case hex digits");
const Count = z.number().int().nonnegative();
const Millis = z.number().nonnegative();

export const OperatorRoleSchema = z.enum(["receiver", "technician", "supervisor"]);
export type OperatorRole = z.infer<typeof OperatorRoleSchema>;

/** Where a scan came from: keyboard wedge (renderer), HID-POS (hardware/ via bridge), or camera (zxing). */
export const ScanSourceSchema = z.enum(["wedge", "hid-pos", "camera"]);
export type ScanSource = z.infer<typeof ScanSourceSchema>;

/** `ScanKind` of domain/scan.ts; `satisfies` makes the compiler hold the two lists equal. */
const SCAN_KINDS = {
  "booking-label": "booking-label",
  pallet: "pallet",
  carton: "carton",
  sscc: "sscc",
  "carton-number": "carton-number",
  hub: "hub",
  unreadable: "unreadable",
} as const satisfies { [K in ScanKind]: K };
export const ScanKindSchema = z.enum(SCAN_KINDS);

/** Receiving verdicts (issue 3 reconcile), plus `wrong-kind` for a guided scan of the wrong kind of code. */
export const SCAN_VERDICT_CODES = [
  "expected",
  "duplicate",
  "unexpected",
  "other-booking",
  "wrong-container",
  "not-eligible",
  "wrong-device-type",
  "test-lab",
  "unreadable",
  "wrong-kind",
] as const;
export const ScanVerdictCodeSchema = z.enum(SCAN_VERDICT_CODES);
export type ScanVerdictCode = z.infer<typeof ScanVerdictCodeSchema>;

/** Outbound load verification verdicts: the manifest and the load must agree. */
export const OUTBOUND_VERDICT_CODES = ["expected", "duplicate", "not-on-manifest", "wrong-kind", "unreadable"] as const;
export const OutboundVerdictCodeSchema = z.enum(OUTBOUND_VERDICT_CODES);
export type OutboundVerdictCode = z.infer<typeof OutboundVerdictCodeSchema>;

/** Why a hub is rejected at receipt (Annex A 2.3 reasons, and what the dock sees). */
export const HubRejectionCodeSchema = z.enum([
  "not-pending",
  "other-party",
  "wrong-csp-or-facility",
  "unexpected",
  "other-booking",
  "damaged",
  "wrong-packaging",
  "wrong-device-type",
  "test-lab",
  "other",
]);

/** Steps of flashing one hub, in order (issue 6). */
export const FLASH_STEPS = [
  "read-identity",
  "unlock",
  "begin-image",
  "image-chunk",
  "commit",
  "verify",
  "read-back",
] as const;
export const FlashStepSchema = z.enum(FLASH_STEPS);
export type FlashStep = z.infer<typeof FlashStepSchema>;
export const StepTimingsSchema = z.partialRecord(FlashStepSchema, Millis);

/** Inbound unloading is of a booking; outbound, of a manifest. */
const UnloadingSubject = {
  inbound: { direction: z.literal("inbound"), bookingRef: BookingRefSchema },
  outbound: { direction: z.literal("outbound"), manifestId: ManifestIdSchema },
};

// ---------------------------------------------------------------- payloads

export const OperatorSignedInPayload = z.strictObject({
  role: OperatorRoleSchema,
  operatorName: z.string().min(1).max(200),
});
export const OperatorSignedOutPayload = z.strictObject({});

export const BookingArrivedPayload = z
  .strictObject({
    bookingRef: BookingRefSchema,
    late: z.boolean(),
    /** The ETA the carrier reported (Req 4: late arrival is notified); null when on time. */
    reportedEta: IsoInstantSchema.nullable(),
  })
  .refine((p) => !p.late || p.reportedEta !== null, {
    message: "a late arrival must record the reported ETA",
    path: ["reportedEta"],
  });

const unloadingPayload = () =>
  z.discriminatedUnion("direction", [
    z.strictObject({ ...UnloadingSubject.inbound, unloader: UnloaderSchema }),
    z.strictObject({ ...UnloadingSubject.outbound, unloader: UnloaderSchema }),
  ]);
export const UnloadingStartedPayload = unloadingPayload();
export const UnloadingCompletedPayload = unloadingPayload();

/** Derived by domain/liability.ts from the two unloading events; stored so the instant is auditable. */
export const LiabilityTransferredPayload = z.discriminatedUnion("direction", [
  z.strictObject({
    ...UnloadingSubject.inbound,
    unloader: UnloaderSchema,
    transferAt: IsoInstantSchema,
    ruleId: LiabilityRuleIdSchema,
    rule: z.string().min(1).max(500),
    from: LiabilityHolderSchema,
    to: LiabilityHolderSchema,
    startedAt: IsoInstantSchema,
    completedAt: IsoInstantSchema.nullable(),
    startedEventId: EventIdSchema,
    completedEventId: EventIdSchema.nullable(),
  }),
  z.strictObject({
    ...UnloadingSubject.outbound,
    unloader: UnloaderSchema,
    transferAt: IsoInstantSchema,
    ruleId: LiabilityRuleIdSchema,
    rule: z.string().min(1).max(500),
    from: LiabilityHolderSchema,
    to: LiabilityHolderSchema,
    startedAt: IsoInstantSchema,
    completedAt: IsoInstantSchema.nullable(),
    startedEventId: EventIdSchema,
    completedEventId: EventIdSchema.nullable(),
  }),
]);

export const ScanRecordedPayload = z.strictObject({
  bookingRef: BookingRefSchema,
  source: ScanSourceSchema,
  /** Exactly what the scanner delivered (may hold GS and AIM prefixes). */
  raw: z.string().max(1000),
  kind: ScanKindSchema,
  verdict: ScanVerdictCodeSchema,
  /** The pallet and carton the operator was under when scanning (guided scan context). */
  palletSscc: SsccSchema.nullable(),
  cartonSscc: SsccSchema.nullable(),
  /** The hub this scan named, once normalised; null for labels and unreadable codes. */
  deviceId: DeviceIdSchema.nullable(),
  /** The pallet or carton SSCC this scan named; null for hubs and unreadable codes. */
  sscc: SsccSchema.nullable(),
  /**
   * An original supplier's carton number: the one this scan named, or for a hub the carton
   * (by that label) it was scanned in. Absent in events from before issue 16.
   */
  cartonNumber: CartonNumberSchema.nullable().optional(),
  /** For `other-booking`: which booking the hub belongs to. */
  otherBookingRef: BookingRefSchema.nullable(),
  /** The verdict in words, as shown to the operator. */
  reason: z.string().min(1).max(500),
});

export const ScanUndonePayload = z.strictObject({
  bookingRef: BookingRefSchema,
  scanEventId: EventIdSchema,
  reason: z.string().min(1).max(500),
});

export const ReceiptClosedPayload = z
  .strictObject({
    bookingRef: BookingRefSchema,
    outcome: z.enum(["accepted", "partial", "rejected"]),
    rejectedHubs: z.array(
      z.strictObject({ deviceId: DeviceIdSchema, code: HubRejectionCodeSchema, reason: z.string().min(1).max(500) }),
    ),
    /** Why the whole delivery was rejected; required when outcome is `rejected`. */
    rejectionReason: z.string().min(1).max(2000).nullable(),
    packagingNotes: Note.nullable(),
    damageNotes: Note.nullable(),
    /**
     * Booked hubs that never arrived, counted at the close (issue 18): a shortfall with nothing
     * damaged is accepted in part with no hub rejected. Absent on receipts closed before.
     */
    missingHubs: z.number().int().nonnegative().max(10_000_000).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.outcome === "accepted" && p.rejectedHubs.length > 0)
      ctx.addIssue({ code: "custom", path: ["rejectedHubs"], message: "an accepted receipt rejects no hubs" });
    if (p.outcome === "partial" && p.rejectedHubs.length === 0 && (p.missingHubs ?? 0) === 0)
      ctx.addIssue({
        code: "custom",
        path: ["rejectedHubs"],
        message: "a partial receipt names the hubs rejected or counts the hubs missing",
      });
    if (p.outcome === "rejected" && p.rejectionReason === null)
      ctx.addIssue({ code: "custom", path: ["rejectionReason"], message: "a rejected receipt says why" });
  });

export const SlotLoadedPayload = z.strictObject({ jigId: JigIdSchema, slot: SlotSchema, deviceId: DeviceIdSchema });
export const SlotUnloadedPayload = z.strictObject({ jigId: JigIdSchema, slot: SlotSchema, deviceId: DeviceIdSchema });

export const FlashResultPayload = z
  .strictObject({
    jigId: JigIdSchema,
    slot: SlotSchema,
    deviceId: DeviceIdSchema,
    outcome: z.enum(["flashed", "failed"]),
    fromVersion: HexFirmwareSchema,
    toVersion: HexFirmwareSchema,
    /** What the hub reported after flashing; must equal `toVersion` when flashed. Null if never read. */
    readBackVersion: HexFirmwareSchema.nullable(),
    imageSha256: Sha256HexSchema,
    attempts: z.number().int().min(1).max(100),
    stepTimingsMs: StepTimingsSchema,
    failure: z.strictObject({ step: FlashStepSchema, detail: z.string().min(1).max(2000) }).nullable(),
    /**
     * Set on a flashed hub a person must look at: the image it verified is no longer the
     * target (withdrawn or replaced while it was programmed, or while the host was down), so it
     * is flashed again before it goes back. Absent when there is nothing to flag.
     */
    notice: z.string().min(1).max(2000).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.notice !== undefined && p.outcome !== "flashed")
      ctx.addIssue({
        code: "custom",
        path: ["notice"],
        message: "only a flashed hub carries a notice (a failure says what went wrong)",
      });
    if (p.outcome === "flashed" && p.failure !== null)
      ctx.addIssue({ code: "custom", path: ["failure"], message: "a flashed hub has no failure" });
    if (p.outcome === "failed" && p.failure === null)
      ctx.addIssue({ code: "custom", path: ["failure"], message: "a failed flash names the step and what went wrong" });
    if (p.outcome === "flashed" && p.readBackVersion !== p.toVersion)
      ctx.addIssue({
        code: "custom",
        path: ["readBackVersion"],
        message: "a flashed hub must read back the target version",
      });
  });

/** Fault Analysis Report (Req 6, R-001): a failed hub is credited or scrapped. */
export const FaultReportedPayload = z
  .strictObject({
    deviceId: DeviceIdSchema,
    /** The flash.result event this analyses; null for a manual report with no flash attempt. */
    flashEventId: EventIdSchema.nullable(),
    jigId: JigIdSchema.nullable(),
    slot: SlotSchema.nullable(),
    step: FlashStepSchema.nullable(),
    /** The jig's own words (error frame text/code); null if it said nothing. */
    jigSaid: z.string().max(2000).nullable(),
    stepTimingsMs: StepTimingsSchema,
    /** True where the hub is too damaged to analyse and a person wrote the report. */
    manual: z.boolean(),
    notes: Note,
    disposition: z.enum(["credit", "scrap"]),
    /** A manual report's damage found, as the technician typed it (absent in reports before issue 17). */
    damage: z.string().min(1).max(500).optional(),
  })
  .superRefine((p, ctx) => {
    if (!p.manual && p.damage !== undefined)
      ctx.addIssue({ code: "custom", path: ["damage"], message: "only a manual report records damage found" });
    if (!p.manual && p.step === null)
      ctx.addIssue({ code: "custom", path: ["step"], message: "an analysed fault names the step that failed" });
    if (p.manual && p.notes.trim() === "")
      ctx.addIssue({ code: "custom", path: ["notes"], message: "a manual fault report needs notes" });
  });

/**
 * A supervisor allowed one more flash of a hub this dock flashed already (issue 18), with a
 * reason. The event's operator is the supervisor; central admits it only from an operator its
 * own records hold as a supervisor, and audits it against the hub.
 */
export const FlashOverridePayload = z.strictObject({
  deviceId: DeviceIdSchema,
  bookingRef: BookingRefSchema,
  /** The version this dock flashed the hub to before. */
  flashedTo: HexFirmwareSchema,
  reason: z.string().trim().min(5).max(500),
});

const ManifestHub = z.strictObject({ deviceId: DeviceIdSchema, firmwareVersion: HexFirmwareSchema });
const ManifestCarton = z.strictObject({ sscc: SsccSchema, hubs: z.array(ManifestHub) });
export const ManifestBuiltPayload = z.strictObject({
  manifestId: ManifestIdSchema,
  partyId: IdText,
  /** The bookings whose hubs this re-delivers (same Party only, A-001). */
  bookingRefs: z.array(BookingRefSchema).min(1),
  deliveryLocation: DeliveryLocationSchema,
  deliveryDate: IsoDateSchema,
  deliveryWindow: DeliveryWindowSchema,
  pallets: z.array(
    z.strictObject({
      sscc: SsccSchema,
      cartons: z.array(ManifestCarton),
      /**
       * Hubs the booking listed on this pallet alone that arrived in no SSCC-labelled carton
       * (issue 16): they go back on this pallet, each with the original supplier's carton number
       * it arrived in when one was scanned. Absent on manifests from before.
       */
      hubs: z.array(z.strictObject({ ...ManifestHub.shape, cartonNumber: CartonNumberSchema.nullable() })).optional(),
    }),
  ),
  looseCartons: z.array(ManifestCarton),
  /** Hubs left out (failed), each with its fault report when there is one. */
  excludedHubs: z.array(
    z.strictObject({
      deviceId: DeviceIdSchema,
      faultEventId: EventIdSchema.nullable(),
      reason: z.string().min(1).max(500),
    }),
  ),
});

export const LabelPrintedPayload = z.strictObject({
  labelKind: z.enum(["booking", "pallet", "carton"]),
  /** The barcode payload exactly as encoded (labels.ts). */
  barcode: z.string().min(1).max(500),
  sscc: SsccSchema.nullable(),
  bookingRef: BookingRefSchema.nullable(),
  manifestId: ManifestIdSchema.nullable(),
  output: z.enum(["printer", "pdf"]),
  copies: z.number().int().min(1).max(100),
});

/** A new ASN for every delivery; the number is never reused (Req 9). */
export const AsnIssuedPayload = z.strictObject({
  asnNumber: z.string().regex(/^[A-Z0-9-]{4,40}$/, "ASN number is 4-40 of A-Z, 0-9, -"),
  manifestId: ManifestIdSchema,
  partyId: IdText,
  hubCount: Count,
  /** SHA-256 of the ASN file as issued (JSON form), so central can show it is the same document. */
  documentSha256: Sha256HexSchema,
});

/**
 * An ASN withdrawn because its manifest was rebuilt (issue 18): the Party is told the ASN is
 * cancelled and which manifest replaces it; a new ASN follows for the new manifest.
 */
export const AsnCancelledPayload = z.strictObject({
  asnNumber: z.string().regex(/^[A-Z0-9-]{4,40}$/, "ASN number is 4-40 of A-Z, 0-9, -"),
  manifestId: ManifestIdSchema,
  /** The manifest built in its place. */
  replacedByManifestId: ManifestIdSchema,
  reason: z.string().min(1).max(500),
});

export const NoticeIssuedPayload = z.strictObject({
  manifestId: ManifestIdSchema,
  flashedCount: Count,
  failedCount: Count,
  deliveryDate: IsoDateSchema,
  deliveryWindow: DeliveryWindowSchema,
  deliveryLocationId: IdText,
  /** True when re-issued after an amendment (Req 8). */
  reissue: z.boolean(),
});

export const OutboundScanRecordedPayload = z.strictObject({
  manifestId: ManifestIdSchema,
  source: ScanSourceSchema,
  raw: z.string().max(1000),
  kind: ScanKindSchema,
  verdict: OutboundVerdictCodeSchema,
  sscc: SsccSchema.nullable(),
  reason: z.string().min(1).max(500),
  /**
   * "unload": the supervisor took this unit (`sscc`) off the vehicle again (a wrong pallet
   * scanned on, a carton re-packed), issue 18. Absent means a scan onto the load.
   */
  action: z.enum(["load", "unload"]).optional(),
});

export const DispatchRecordedPayload = z.strictObject({
  manifestId: ManifestIdSchema,
  asnNumber: z.string().regex(/^[A-Z0-9-]{4,40}$/, "ASN number is 4-40 of A-Z, 0-9, -"),
  /** Who unloads at the Party's end: decides the outbound liability rule (Annex A 2.10). */
  unloader: UnloaderSchema,
  carrier: z.string().max(200).nullable(),
  vehicleRef: z.string().max(64).nullable(),
  palletCount: Count,
  cartonCount: Count,
  hubCount: Count,
});

/** The operator saw a central amendment (Req 8, or a booking changed while its receipt is open). */
export const AmendmentAcknowledgedPayload = z.strictObject({
  bookingRef: BookingRefSchema,
  manifestId: ManifestIdSchema.nullable(),
  /** The booking version the operator saw (BookingSchema.version). */
  bookingVersion: z.number().int().nonnegative(),
  fields: z.array(z.enum(["date", "window", "location", "hubs", "other"])).min(1),
  deliveryDate: IsoDateSchema.nullable(),
  windowStart: ClockTimeSchema.nullable(),
  windowEnd: ClockTimeSchema.nullable(),
  withinWorkingHours: z.boolean().nullable(),
  note: Note.nullable(),
});

// ---------------------------------------------------------------- the union

/** Every event type and its payload schema: the single list the union is built from. */
export const DOCK_EVENT_PAYLOADS = {
  "operator.signed-in": OperatorSignedInPayload,
  "operator.signed-out": OperatorSignedOutPayload,
  "booking.arrived": BookingArrivedPayload,
  "unloading.started": UnloadingStartedPayload,
  "unloading.completed": UnloadingCompletedPayload,
  "liability.transferred": LiabilityTransferredPayload,
  "scan.recorded": ScanRecordedPayload,
  "scan.undone": ScanUndonePayload,
  "receipt.closed": ReceiptClosedPayload,
  "slot.loaded": SlotLoadedPayload,
  "slot.unloaded": SlotUnloadedPayload,
  "flash.result": FlashResultPayload,
  "fault.reported": FaultReportedPayload,
  "manifest.built": ManifestBuiltPayload,
  "label.printed": LabelPrintedPayload,
  "asn.issued": AsnIssuedPayload,
  "asn.cancelled": AsnCancelledPayload,
  "notice.issued": NoticeIssuedPayload,
  "outbound.scan.recorded": OutboundScanRecordedPayload,
  "dispatch.recorded": DispatchRecordedPayload,
  "amendment.acknowledged": AmendmentAcknowledgedPayload,
  "flash.override": FlashOverridePayload,
} as const;

type Payloads = typeof DOCK_EVENT_PAYLOADS;
export type DockEventType = keyof Payloads;
export const DOCK_EVENT_TYPES = Object.keys(DOCK_EVENT_PAYLOADS) as DockEventType[];

const envelope = {
  id: EventIdSchema,
  /** The dock device (PC) that recorded the event; not a hub's device ID. */
  dockId: IdText,
  operatorId: IdText,
  /** Device time when it happened. */
  at: IsoInstantSchema,
  /** Server time minus device time, once sync has measured it; null until then. */
  clockOffsetMs: z.number().nullable(),
};

function eventSchema<T extends DockEventType>(type: T) {
  return z.strictObject({ ...envelope, type: z.literal(type), payload: DOCK_EVENT_PAYLOADS[type] as Payloads[T] });
}

export const OperatorSignedInEvent = eventSchema("operator.signed-in");
export const OperatorSignedOutEvent = eventSchema("operator.signed-out");
export const BookingArrivedEvent = eventSchema("booking.arrived");
export const UnloadingStartedEvent = eventSchema("unloading.started");
export const UnloadingCompletedEvent = eventSchema("unloading.completed");
export const LiabilityTransferredEvent = eventSchema("liability.transferred");
export const ScanRecordedEvent = eventSchema("scan.recorded");
export const ScanUndoneEvent = eventSchema("scan.undone");
export const ReceiptClosedEvent = eventSchema("receipt.closed");
export const SlotLoadedEvent = eventSchema("slot.loaded");
export const SlotUnloadedEvent = eventSchema("slot.unloaded");
export const FlashResultEvent = eventSchema("flash.result");
export const FaultReportedEvent = eventSchema("fault.reported");
export const ManifestBuiltEvent = eventSchema("manifest.built");
export const LabelPrintedEvent = eventSchema("label.printed");
export const AsnIssuedEvent = eventSchema("asn.issued");
export const AsnCancelledEvent = eventSchema("asn.cancelled");
export const NoticeIssuedEvent = eventSchema("notice.issued");
export const OutboundScanRecordedEvent = eventSchema("outbound.scan.recorded");
export const DispatchRecordedEvent = eventSchema("dispatch.recorded");
export const AmendmentAcknowledgedEvent = eventSchema("amendment.acknowledged");
export const FlashOverrideEvent = eventSchema("flash.override");

/** The schema every boundary parses events with. */
export const DockEventSchema = z.discriminatedUnion("type", [
  OperatorSignedInEvent,
  OperatorSignedOutEvent,
  BookingArrivedEvent,
  UnloadingStartedEvent,
  UnloadingCompletedEvent,
  LiabilityTransferredEvent,
  ScanRecordedEvent,
  ScanUndoneEvent,
  ReceiptClosedEvent,
  SlotLoadedEvent,
  SlotUnloadedEvent,
  FlashResultEvent,
  FaultReportedEvent,
  ManifestBuiltEvent,
  LabelPrintedEvent,
  AsnIssuedEvent,
  AsnCancelledEvent,
  NoticeIssuedEvent,
  OutboundScanRecordedEvent,
  DispatchRecordedEvent,
  AmendmentAcknowledgedEvent,
  FlashOverrideEvent,
]);

export type DockEvent = z.infer<typeof DockEventSchema>;
export type EventOf<T extends DockEventType> = Extract<DockEvent, { type: T }>;
/** A payload type; written from the schema map (not EventOf) so generic code over T type-checks. */
export type PayloadOf<T extends DockEventType> = z.output<Payloads[T]>;

/** Who and where an event is being recorded. */
export interface EventContext {
  dockId: string;
  operatorId: string;
  now?: Date;
  clockOffsetMs?: number | null;
  /** Supply only to re-create a known event (tests, journal replay). */
  id?: string;
}

export type ParseEventResult<E = DockEvent> = { ok: true; event: E } | { ok: false; reason: string };

/** At most this many issues are listed; a reason is for a person, and hostile input can breed thousands. */
const MAX_ISSUES = 20;
/** Path segments and messages are clipped to these lengths: a key or a message may carry a megabyte of the input. */
const MAX_SEGMENT_CHARS = 64;
const MAX_MESSAGE_CHARS = 300;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** zod issues as one readable line each: "payload.slot: Too big: expected number to be <=7". Bounded in length. */
export function formatIssues(error: z.ZodError): string {
  const lines = error.issues
    .slice(0, MAX_ISSUES)
    .map(
      (i) =>
        `${i.path.length > 0 ? i.path.map((s) => clip(String(s), MAX_SEGMENT_CHARS)).join(".") : "(event)"}: ${clip(i.message, MAX_MESSAGE_CHARS)}`,
    );
  const more = error.issues.length - MAX_ISSUES;
  return more > 0 ? `${lines.join("; ")}; and ${more} more issues` : lines.join("; ");
}

/**
 * A short, safe description of a value that is not what was expected: a string is quoted and
 * clipped, anything else named by its JS type. Never walks into the value, so a 100,000-deep
 * array or a 3 MB string costs nothing and cannot overflow the stack or flood the reason.
 */
function describeValue(value: unknown): string {
  if (typeof value === "string")
    return (
      JSON.stringify(value.slice(0, MAX_SEGMENT_CHARS)) +
      (value.length > MAX_SEGMENT_CHARS ? `… (${value.length} characters)` : "")
    );
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return `${typeof value} ${String(value)}`;
  return typeof value;
}

function isDockEventType(t: unknown): t is DockEventType {
  return typeof t === "string" && Object.hasOwn(DOCK_EVENT_PAYLOADS, t);
}

/** Parse anything (from IndexedDB, the bridge, the wire) into a DockEvent, or say what is wrong. Never throws. */
export function parseDockEvent(input: unknown): ParseEventResult {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return { ok: false, reason: "(event): expected an object" };
  const type = (input as { type?: unknown }).type;
  // Name the bad type ourselves: the union's own message for a bad discriminator is vague.
  if (!isDockEventType(type)) return { ok: false, reason: `type: unknown event type ${describeValue(type)}` };
  const parsed = DockEventSchema.safeParse(input);
  return parsed.success ? { ok: true, event: parsed.data } : { ok: false, reason: formatIssues(parsed.error) };
}

/** An event's envelope around `payload`, as built (not yet checked against its schema). */
function eventCandidate<T extends DockEventType>(
  type: T,
  payload: PayloadOf<T>,
  ctx: EventContext,
): { ok: true; event: EventOf<T> } | { ok: false; reason: string } {
  const now = ctx.now ?? new Date();
  let id: string;
  try {
    id = ctx.id ?? newEventId(now);
  } catch (e) {
    return { ok: false, reason: `id: ${e instanceof Error ? e.message : String(e)}` };
  }
  const at = Number.isFinite(now.getTime()) ? now.toISOString() : "invalid date";
  // The shape EventOf<T> names; whether its values are valid is what the schema check says.
  const event = {
    id,
    type,
    dockId: ctx.dockId,
    operatorId: ctx.operatorId,
    at,
    clockOffsetMs: ctx.clockOffsetMs ?? null,
    payload,
  };
  return { ok: true, event: event as unknown as EventOf<T> };
}

/** Build and validate an event, or say why it is invalid. Never throws. */
export function tryMakeEvent<T extends DockEventType>(
  type: T,
  payload: PayloadOf<T>,
  ctx: EventContext,
): ParseEventResult<EventOf<T>> {
  const built = eventCandidate(type, payload, ctx);
  if (!built.ok) return built;
  const parsed = parseDockEvent(built.event);
  return parsed.ok ? { ok: true, event: parsed.event as EventOf<T> } : parsed;
}

/** Thrown by makeEvent: an event the code itself built is invalid, a programming error. */
export class InvalidEventError extends Error {
  constructor(
    readonly type: string,
    readonly reason: string,
  ) {
    super(`invalid ${type} event: ${reason}`);
    this.name = "InvalidEventError";
  }
}

/** Build a validated event; throws InvalidEventError if it breaks its schema (use tryMakeEvent for untrusted input). */
export function makeEvent<T extends DockEventType>(type: T, payload: PayloadOf<T>, ctx: EventContext): EventOf<T> {
  const r = tryMakeEvent(type, payload, ctx);
  if (!r.ok) throw new InvalidEventError(type, r.reason);
  return r.event;
}

/**
 * Build an event whose schema check is left to the write that records it: the dock's one
 * write path (renderer/src/db/record-event.ts) checks every event while the database works
 * on its requests and aborts the write if one is invalid, so nothing invalid is stored. A
 * scan's event is built this way; checked at once it cost about 0.07 ms of the 2 ms between
 * the scanner's Enter and the beep (issue 22). Throws InvalidEventError only when no id can be made.
 */
export function draftEvent<T extends DockEventType>(type: T, payload: PayloadOf<T>, ctx: EventContext): EventOf<T> {
  const built = eventCandidate(type, payload, ctx);
  if (!built.ok) throw new InvalidEventError(type, built.reason);
  return built.event;
}

/** Throws InvalidEventError when `event` breaks its schema (a programming error, like makeEvent's). */
export function checkEvent(event: DockEvent): void {
  const parsed = parseDockEvent(event);
  if (!parsed.ok) throw new InvalidEventError(String((event as { type?: unknown }).type), parsed.reason);
}

/** Narrow a DockEvent to one type. */
export function isEventOf<T extends DockEventType>(event: DockEvent, type: T): event is EventOf<T> {
  return event.type === type;
}

/**
 * The event's instant on the server's clock when the offset is known, else device time.
 * Sync flags drift; this is what a report should sort and compare by.
 */
export function correctedAtMs(event: Pick<DockEvent, "at" | "clockOffsetMs">): number {
  return Date.parse(event.at) + (event.clockOffsetMs ?? 0);
}

/**
 * The `liability.transferred` payload for an unloading, derived by domain/liability.ts from
 * the recorded start (and completion, once there is one). The two events must be about the
 * same booking or manifest, in the same direction, with the same unloader: anything else is
 * a contradiction and is refused, not reconciled by guessing.
 */
export function liabilityTransferredPayload(
  started: EventOf<"unloading.started">,
  completed: EventOf<"unloading.completed"> | null,
): { ok: true; payload: PayloadOf<"liability.transferred"> } | { ok: false; reason: string } {
  const s = started.payload;
  if (completed !== null) {
    const c = completed.payload;
    const sameSubject =
      s.direction === "inbound"
        ? c.direction === "inbound" && c.bookingRef === s.bookingRef
        : c.direction === "outbound" && c.manifestId === s.manifestId;
    if (!sameSubject) return { ok: false, reason: "unloading start and completion are not of the same delivery" };
    if (c.unloader !== s.unloader)
      return { ok: false, reason: `unloading started by ${s.unloader} but completed by ${c.unloader}` };
  }
  const r = deriveLiabilityTransfer({
    direction: s.direction,
    unloader: s.unloader,
    startedAt: started.at,
    completedAt: completed?.at ?? null,
    operatorId: completed?.operatorId ?? started.operatorId,
  });
  if (!r.ok) return { ok: false, reason: `${r.code}: ${r.message}` };
  const common = {
    unloader: r.unloader,
    transferAt: r.transferAt,
    ruleId: r.ruleId,
    rule: r.rule,
    from: r.from,
    to: r.to,
    startedAt: started.at,
    completedAt: completed?.at ?? null,
    startedEventId: started.id,
    completedEventId: completed?.id ?? null,
  };
  const payload: PayloadOf<"liability.transferred"> =
    s.direction === "inbound"
      ? { direction: "inbound", bookingRef: s.bookingRef, ...common }
      : { direction: "outbound", manifestId: s.manifestId, ...common };
  return { ok: true, payload };
}
