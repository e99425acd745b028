import { z } from "zod";
import {
  ClockTimeSchema,
  CspSchema,
  DeliveryWindowSchema,
  DeviceModelSchema,
  BookingStatusSchema,
  DispatchPalletSchema,
  HexFirmwareSchema,
  IsoDateSchema,
} from "./domain/booking";
import { ChargesConfigSchema } from "./domain/charges";
import { WorkingHoursConfigSchema } from "./domain/working-hours";
import { OperatorRoleSchema } from "./events";
import { PinSchema } from "./domain/operator-pin";

/**
 * The desk's wire contract (central's /desk/api and the desk web app): sign-in for people,
 * DCC administration, the SMI inventory import and the Party portal. Every body is a strict
 * object: an unknown field is refused, never ignored.
 */

export const DeskIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Z0-9][A-Z0-9._-]*$/, "ids are capital letters, digits, . _ - (starting with a letter or digit)");
const Name = z.string().trim().min(1, "a name is needed").max(200);
const Address = z.string().trim().min(1, "an address is needed").max(500);

/** Who a person is at the desk: the DCC's administrators and operations staff, or a Party's user. */
export const PersonRoleSchema = z.enum(["dcc-admin", "dcc-ops", "party-user"]);
export type PersonRole = z.infer<typeof PersonRoleSchema>;

export const EmailSchema = z
  .email("an email address is needed")
  .max(254)
  .transform((e) => e.toLowerCase());
/** At least 12 characters (NIST SP 800-63B: length, not composition rules), at most 200. */
export const PasswordSchema = z
  .string()
  .min(12, "a password has at least 12 characters")
  .max(200, "a password has at most 200 characters");

export const SignInSchema = z.strictObject({
  email: EmailSchema,
  password: z.string().min(1, "enter the password").max(200),
});
export const SetupSchema = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{20,200}$/, "the setup link is incomplete"),
  name: Name,
  email: EmailSchema,
  password: PasswordSchema,
});

export const MeSchema = z.strictObject({
  personId: z.string(),
  name: z.string(),
  email: z.string(),
  role: PersonRoleSchema,
  partyId: z.string().nullable(),
  partyName: z.string().nullable(),
  csrfToken: z.string(),
});
export type Me = z.infer<typeof MeSchema>;

// ------------------------------------------------------------ administration
export const PartyCreateSchema = z.strictObject({ id: DeskIdSchema, name: Name, email: EmailSchema });
export const PartyLocationCreateSchema = z.strictObject({ id: DeskIdSchema, name: Name, address: Address });
export const FacilityCreateSchema = z.strictObject({
  id: DeskIdSchema,
  name: Name,
  csp: CspSchema,
  maxPallets: z.number().int().min(1, "capacity is at least 1 pallet").max(10_000),
  address: Address,
});
export const DockCreateSchema = z.strictObject({ id: DeskIdSchema, facilityId: DeskIdSchema, name: Name });
export const OperatorCreateSchema = z.strictObject({
  id: DeskIdSchema,
  name: Name,
  facilityId: DeskIdSchema,
  roles: z
    .array(OperatorRoleSchema)
    .min(1, "give the operator at least one role")
    .max(3)
    .refine((r) => new Set(r).size === r.length, "a role is listed twice"),
  /** The first PIN (4-12 digits), optional: an operator without one cannot sign in until it is set. */
  pin: PinSchema.optional(),
});
/** A DCC admin sets or resets an operator's PIN (the old one stops working at each dock's next pull). */
export const OperatorPinSchema = z.strictObject({ pin: PinSchema });
export const OperatorUpdateSchema = z.strictObject({
  roles: z
    .array(OperatorRoleSchema)
    .min(1, "give the operator at least one role")
    .max(3)
    .refine((r) => new Set(r).size === r.length, "a role is listed twice")
    .optional(),
  active: z.boolean().optional(),
});
export const PersonCreateSchema = z
  .strictObject({
    name: Name,
    email: EmailSchema,
    role: PersonRoleSchema,
    partyId: DeskIdSchema.nullable(),
    password: PasswordSchema,
  })
  .refine((p) => (p.role === "party-user") === (p.partyId !== null), {
    message: "a Party user names their Party; DCC staff name none",
    path: ["partyId"],
  });
export const PasswordChangeSchema = z
  .strictObject({ current: z.string().min(1, "enter your current password").max(200), next: PasswordSchema })
  .refine((p) => p.current !== p.next, { message: "the new password is the same as the current one", path: ["next"] });
export const PersonUpdateSchema = z.strictObject({
  active: z.boolean().optional(),
  role: PersonRoleSchema.optional(),
  password: PasswordSchema.optional(),
});

export interface PartyRow {
  id: string;
  name: string;
  email: string;
  locations: Array<{ id: string; name: string; address: string }>;
}
export interface FacilityRow {
  id: string;
  name: string;
  csp: string;
  maxPallets: number;
  address: string;
  locations: Array<{ id: string; name: string; address: string }>;
}
export interface DockRow {
  id: string;
  facilityId: string;
  name: string;
  tokens: Array<{ createdAt: string; revokedAt: string | null }>;
}
export interface OperatorRow {
  id: string;
  name: string;
  facilityId: string;
  roles: string[];
  active: boolean;
  /** When the PIN was last set, or null while the operator has none. */
  pinSetAt: string | null;
}
export interface PersonRow {
  id: string;
  name: string;
  email: string;
  role: PersonRole;
  partyId: string | null;
  active: boolean;
  lockedUntil: string | null;
  lastSignInAt: string | null;
}
export interface DeskAuditRow {
  seq: number;
  actor: string;
  action: string;
  detail: unknown;
  at: string;
}

// ------------------------------------------------------------ files (SMI import, request template)
/** Largest file the desk takes (before base64): well under central's body limit. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

export const UploadSchema = z.strictObject({
  fileName: z.string().min(1).max(200),
  /** The file's bytes, base64. */
  contentBase64: z
    .string()
    .min(1, "the file is empty")
    .max(Math.ceil((MAX_UPLOAD_BYTES * 4) / 3) + 8, `the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`),
});
export type Upload = z.infer<typeof UploadSchema>;

/** A problem in an uploaded file: the line (CSV) or row (XLSX) a person can find, and why. */
export interface RowProblem {
  line: number;
  reason: string;
}

export interface InventoryImportResult {
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  badRows: RowProblem[];
}

export const RequestDetailsSchema = z.strictObject({
  facilityId: DeskIdSchema,
  deliveryLocationId: DeskIdSchema,
  deliveryDate: IsoDateSchema,
  deliveryWindow: DeliveryWindowSchema,
  /** Where and when the re-flashed hubs come back: one of the Party's own listed locations. */
  redelivery: z.strictObject({
    locationId: DeskIdSchema,
    deliveryDate: IsoDateSchema,
    deliveryWindow: DeliveryWindowSchema,
  }),
  contact: z.strictObject({
    name: Name,
    email: z.email("an email address is needed"),
    phone: z.string().regex(/^[0-9 +()-]{6,30}$/, "phone is 6-30 of digits, space, + ( ) -"),
  }),
});
export type RequestDetails = z.infer<typeof RequestDetailsSchema>;
export const PortalSubmitSchema = z.strictObject({
  file: UploadSchema,
  details: RequestDetailsSchema,
  clientRequestId: z.uuid(),
});

export interface TemplateCheck {
  rows: number;
  hubs: number;
  pallets: number;
  cartons: number;
  problems: RowProblem[];
}
export interface PortalOutcome {
  requestId: string;
  status: "accepted" | "rejected";
  reasons: Array<{ scope: string; code: string; reason: string }>;
  booking: null | {
    bookingRef: string;
    deliveryRef: string;
    workOrderId: string;
    label: { scan: string; hri: string };
  };
}
export interface PortalOptions {
  facilities: Array<{ id: string; name: string; locations: Array<{ id: string; name: string }> }>;
  slots: Array<{ start: string; end: string }>;
}

export const DESK_CSRF_HEADER = "x-csrf-token";
export const DESK_CSRF_COOKIE = "desk_csrf";

/** A dock's one-time enrolment code: 12 of an unambiguous 32-letter alphabet (60 bits), written in 3 groups of 4. */
export const ENROLMENT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const EnrolmentCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .transform((s) => s.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^[A-HJ-NP-Z2-9]{12}$/, "an enrolment code is 12 letters and digits, e.g. ABCD-EFGH-JKLM"));
export const DockEnrolSchema = z.strictObject({ dockId: DeskIdSchema, code: EnrolmentCodeSchema });
export interface DockEnrolment {
  dockId: string;
  facilityId: string;
  token: string;
}
/**
 * Central's answer to POST /enrol, as the dock checks it: its token, plus what the dock pins
 * from now on: the firmware publisher's public key (null when this central signs no catalogue)
 * and central's TLS certificate or CA (PEM; null when central speaks plain HTTP behind a proxy).
 */
export const DockEnrolmentAnswerSchema = z.strictObject({
  dockId: DeskIdSchema,
  facilityId: z.string().min(1).max(64),
  token: z.string().min(16).max(512),
  publisherKeyPem: z.string().includes("BEGIN PUBLIC KEY").max(4096).nullable(),
  centralCertPem: z.string().includes("BEGIN CERTIFICATE").max(65_536).nullable(),
});
export type DockEnrolmentAnswer = z.infer<typeof DockEnrolmentAnswerSchema>;

/** A Party's booking as the portal lists it. */
export interface PortalBooking {
  bookingRef: string;
  deliveryRef: string;
  workOrderId: string;
  status: string;
  facilityId: string;
  deliveryDate: string;
  deliveryWindow: { start: string; end: string };
  hubs: number;
  pallets: number;
  labelHri: string;
  redelivery: null | {
    deliveryDate: string;
    deliveryWindow: { start: string; end: string };
    deliveryLocation: { id: string; name: string };
  };
}
export interface PortalForecast {
  periodStart: string;
  hubs: number;
  submittedAt: string;
}

// ------------------------------------------------------------ DCC operations
export interface OpsRequestRow {
  requestId: string;
  partyId: string;
  facilityId: string;
  deliveryDate: string;
  status: string;
  createdAt: string;
  reasons: Array<{ scope: string; code: string; reason: string }>;
}
export interface OpsWorkOrderRow {
  id: string;
  requestId: string;
  partyId: string;
  csp: string;
  facilityId: string;
  status: string;
  purchaseOrder: string | null;
  bookingRef: string | null;
  hubs: number | null;
  updatedAt: string;
  /** Why it was cancelled or closed at the desk. */
  statusReason: string | null;
}
export interface OpsOutboxRow {
  id: number;
  kind: string;
  to: string;
  subject: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** A Fault Analysis Report on one of the Party's hubs, as the portal lists it. */
export interface PortalFaultReport {
  id: number;
  deviceId: string;
  bookingRef: string | null;
  reason: string;
  manual: boolean;
  at: string;
  /** What became of the hub (issue 17), once the DCC decided; null until then. */
  disposition: "scrapped" | "returned-to-manufacturer" | null;
}
export interface OpsHub {
  deviceId: string;
  inventory: {
    gpfDeviceId: string;
    deviceType: string;
    manufacturer: string;
    deviceModel: string;
    firmwareVersion: string;
    smiStatus: string;
    assignedParty: string;
    cspRegion: string;
    updatedAt: string;
  };
  bookings: string[];
  timeline: Array<{
    source: "dock-event" | "central";
    action: string;
    actor: string;
    dockId: string | null;
    at: string;
    detail: unknown;
  }>;
}

// ------------------------------------------------------------ the dispatch document (Req 4)
/**
 * The Party's dispatch document for one booking, entered on the page (`pallets`) or uploaded as
 * a CSV / XLSX of Pallet SSCC, Pallet ID, Device ID (`file`): exactly one of the two.
 */
export const DispatchSubmitSchema = z
  .strictObject({
    sentAt: z.string().min(1, "the sent date and time is needed").max(40),
    partySignifier: z.string().max(200),
    pallets: z.array(DispatchPalletSchema).min(1).max(100).optional(),
    file: UploadSchema.optional(),
  })
  .refine((d) => (d.pallets === undefined) !== (d.file === undefined), {
    message: "give the pallets or a file, not both",
  });
export type DispatchSubmit = z.infer<typeof DispatchSubmitSchema>;

/** The dispatch document as stored, with its check against the booking. */
export interface PortalDispatch {
  bookingRef: string;
  sentAt: string;
  partySignifier: string;
  pallets: Array<{ sscc: string; palletId: string; deviceIds: string[] }>;
  submittedAt: string;
  check: { pallets: Array<{ sscc: string; palletId: string; hubs: number; booked: number }>; notListed: number };
}

// ------------------------------------------------------------ Work Order cancel / close with a reason
export const WorkOrderReasonSchema = z.strictObject({
  reason: z.string().trim().min(3, "say why, in a few words").max(500),
});

/** A message the request mailbox received, and what it was answered (DCC operations). */
export interface OpsEmailIntakeRow {
  messageId: string;
  sender: string;
  partyId: string | null;
  subject: string;
  outcome: "accepted" | "rejected" | "refused";
  requestId: string | null;
  reasons: string[];
  receivedAt: string;
}

// ------------------------------------------------------------ firmware catalogue at the desk (issue 19/20)
/** The query naming an uploaded image (its bytes are the request body, application/octet-stream). */
export const FirmwareUploadQuerySchema = z.strictObject({
  model: DeviceModelSchema,
  version: HexFirmwareSchema,
  fileName: z.string().trim().min(1, "the file needs a name").max(200),
});
/** One catalogue entry as the desk shows it: what docks pull, and whether central holds its image. */
export interface DeskFirmwareEntry {
  deviceModel: string;
  version: string;
  status: "production" | "withdrawn";
  sha256: string;
  sizeBytes: number;
  keyId: string;
  releasedAt: string;
  imageHeld: boolean;
}
/** An image uploaded and hashed at central, not yet published (docks never see it). */
export interface DeskFirmwareUpload {
  deviceModel: string;
  version: string;
  sha256: string;
  sizeBytes: number;
  fileName: string;
  uploadedBy: string;
  uploadedAt: string;
}
export interface DeskFirmwareView {
  catalogue: DeskFirmwareEntry[];
  uploads: DeskFirmwareUpload[];
  /** The key central signs with; null: this central cannot publish. */
  signingKeyId: string | null;
  /** Largest image central accepts in one upload (its body limit). */
  maxImageBytes: number;
}

// ------------------------------------------------------------ SMI updates at the desk (MP155 Req 10)
export interface DeskSmiView {
  counts: { pending: number; emitted: number; uploaded: number };
  /** Pending updates, oldest first (at most 500). */
  pending: Array<{ deviceId: string; bookingRef: string | null; newFirmware: string; createdAt: string }>;
  /** Pending updates the SSMI file holds back, each with why (the SMI would refuse the whole file). */
  held: Array<{ deviceId: string; reason: string }>;
}
/** The CSPM-N3 messages sent (Option A) and the hubs refused with why. */
export interface DeskCspmN3Result {
  messages: Array<{
    messageId: string;
    deviceId: string;
    deviceFirmwareVersion: string;
    previousFirmwareVersion: string;
  }>;
  refused: Array<{ deviceId: string; reason: string }>;
}

// ------------------------------------------------------------ business configuration and DCC contact details (issue 19)
/** Who a Party calls about a booking: printed on the authorisation notice (Req 3). */
export const DccContactSchema = z.strictObject({
  name: Name,
  email: EmailSchema,
  phone: z
    .string()
    .trim()
    .regex(/^[0-9 +()-]{6,30}$/, "a phone number is 6-30 of digits, space, + ( ) -"),
});
export type DccContact = z.infer<typeof DccContactSchema>;

const clockMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/**
 * What the DCC sets at the desk of the business rules MP155 leaves to it: charges, working
 * hours, delivery slots and packing limits; the same shared schemas the dock and central use
 * (charges.ts, working-hours.ts), and central's own shape for slots and packing. Slots must each
 * start before they end, not overlap, and fit the opening hours of at least one open day.
 */
export const DeskBusinessSettingsSchema = z
  .strictObject({
    charges: ChargesConfigSchema,
    workingHours: WorkingHoursConfigSchema,
    deliverySlots: z
      .array(z.strictObject({ start: ClockTimeSchema, end: ClockTimeSchema }))
      .min(1, "at least one delivery slot")
      .max(48),
    packing: z.strictObject({
      hubsPerCarton: z.number().int().min(1).max(10_000),
      cartonsPerPallet: z.number().int().min(1).max(1_000),
    }),
  })
  .superRefine((s, ctx) => {
    const open = Object.values(s.workingHours.days).filter((d): d is { open: string; close: string } => d !== null);
    if (open.length === 0)
      ctx.addIssue({ code: "custom", path: ["workingHours", "days"], message: "at least one day must be open" });
    const slots = s.deliverySlots.map((x, i) => ({ i, start: clockMinutes(x.start), end: clockMinutes(x.end), x }));
    for (const a of slots) {
      if (a.start >= a.end) {
        ctx.addIssue({
          code: "custom",
          path: ["deliverySlots", a.i],
          message: `${a.x.start}-${a.x.end} ends before it starts`,
        });
        continue;
      }
      const b = slots.find((o) => o.i < a.i && o.start < a.end && a.start < o.end);
      if (b)
        ctx.addIssue({
          code: "custom",
          path: ["deliverySlots", a.i],
          message: `${a.x.start}-${a.x.end} overlaps ${b.x.start}-${b.x.end}`,
        });
      if (open.length > 0 && !open.some((d) => clockMinutes(d.open) <= a.start && a.end <= clockMinutes(d.close)))
        ctx.addIssue({
          code: "custom",
          path: ["deliverySlots", a.i],
          message: `${a.x.start}-${a.x.end} is outside the opening hours of every open day`,
        });
    }
  });
export type DeskBusinessSettings = z.infer<typeof DeskBusinessSettingsSchema>;

export interface DeskSettingsView {
  business: DeskBusinessSettings;
  contact: DccContact;
  /** Who last changed each at the desk, and when; null: as central's configuration file says. */
  changed: { business: { by: string; at: string } | null; contact: { by: string; at: string } | null };
}

/** What becomes of a hub that could not be re-flashed (risk R-001, PIA 6.2.1), decided once at the DCC desk. */
export const HubDispositionSchema = z.enum(["scrapped", "returned-to-manufacturer"]);
export type HubDisposition = z.infer<typeof HubDispositionSchema>;
export const DispositionRequestSchema = z.strictObject({
  disposition: HubDispositionSchema,
  note: z.string().trim().max(500),
});
/** A failed hub (it has a Fault Analysis Report) and what became of it, as the desk lists it. */
export interface FailedHubRow {
  deviceId: string;
  partyId: string;
  bookingRef: string | null;
  manufacturer: string;
  deviceModel: string;
  /** The latest Fault Analysis Report's reference (its event id) and its words. */
  faultReport: string;
  reason: string;
  reportedAt: string;
  disposition: { disposition: HubDisposition; note: string; decidedBy: string; decidedAt: string } | null;
}

// ------------------------------------------------------------ DCC operations: bookings, receipts, forecasts, statements
/** The bookings list's filters: a Party and a status, each optional. Unknown parameters are refused. */
export const OpsBookingsQuerySchema = z.strictObject({
  partyId: DeskIdSchema.optional(),
  status: BookingStatusSchema.optional(),
});
/** A Party's statement for a period, as the DCC staff ask for it (the portal's own names the Party by the session). */
export const OpsStatementQuerySchema = z.strictObject({
  partyId: DeskIdSchema,
  from: IsoDateSchema,
  to: IsoDateSchema,
});

/** A closed receipt as the dock recorded it (Req 5): the outcome, the counts and every hub that was not taken in whole. */
export interface OpsReceiptOutcome {
  outcome: "whole" | "part" | "reject";
  listed: number;
  received: number;
  /** Listed hubs never scanned as expected: the first 100, with the count of all. */
  missing: { count: number; deviceIds: string[] };
  /** Hubs scanned with the booking but not listed on it (or not readable as listed). */
  unexpected: Array<{ deviceId: string; verdict: string }>;
  rejectedHubs: Array<{ deviceId: string; code: string; reason: string }>;
  rejectionReason: string | null;
  packagingNotes: string | null;
  damageNotes: string | null;
  closedAt: string;
}

export interface OpsBookingRow {
  bookingRef: string;
  deliveryRef: string;
  partyId: string;
  partyName: string;
  facilityId: string;
  deliveryDate: string;
  deliveryWindow: { start: string; end: string };
  status: string;
  hubs: number;
  pallets: number;
  labelHri: string;
  receipt: OpsReceiptOutcome | null;
}

export interface OpsForecastRow {
  partyId: string;
  partyName: string;
  periodStart: string;
  hubs: number;
  submittedAt: string;
}
