import { z } from "zod";
import { CspSchema, DeliveryWindowSchema, IsoDateSchema } from "./domain/booking";
import { OperatorRoleSchema } from "./events";

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
});
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
