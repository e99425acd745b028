import { z } from "zod";
import {
  BookingRefSchema,
  BookingSchema,
  DeliveryLocationSchema,
  DeliveryWindowSchema,
  DeviceModelSchema,
  HexFirmwareSchema,
  IsoDateSchema,
} from "./domain/booking";
import { OperatorRoleSchema } from "./events";
import { PinHashSchema } from "./domain/operator-pin";

/**
 * The wire types of the dock <-> central sync protocol.
 *
 * Pull: the dock sends the opaque cursor it last got; central answers with every booking,
 * firmware entry and operator changed since (current state, not a diff), a new cursor and
 * `more` when a page was cut short. Push: the dock sends a batch of events from its outbox;
 * central answers one result per event (accepted, duplicate, or rejected with a reason) so a
 * poisoned event is quarantined by the dock and never blocks the rest. Every response carries
 * the server time, so a dock computes its clock offset from (sent, received, serverTime).
 */

/** Largest push batch central takes in one request (one database transaction). */
export const MAX_PUSH_BATCH = 2000;
/** Largest pull page a dock may ask for (in changed records). */
export const MAX_PULL_LIMIT = 500;

/** Opaque to the dock: store it, send it back. "0" means "from the beginning". */
export const SyncCursorSchema = z.string().regex(/^\d{1,15}$/, 'cursor is the opaque string central returned (or "0")');
export type SyncCursor = z.infer<typeof SyncCursorSchema>;

/** An operator as the dock caches it: who may do what at this facility. */
export const SyncOperatorSchema = z.strictObject({
  operatorId: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  facilityId: z.string().min(1).max(64),
  roles: z.array(OperatorRoleSchema),
  active: z.boolean(),
  /**
   * The PIN's hash, checked at the dock offline (shared/domain/operator-pin.ts); null while no PIN
   * is set (that operator cannot sign in). Absent in what a dock cached before PINs existed.
   */
  pinHash: PinHashSchema.nullable().default(null),
});
export type SyncOperator = z.infer<typeof SyncOperatorSchema>;

export const FirmwareStatusSchema = z.enum(["production", "withdrawn"]);
export type FirmwareStatus = z.infer<typeof FirmwareStatusSchema>;

/** One firmware catalogue entry; the signature covers `firmwareSignedMessage(entry)`. */
export const FirmwareEntrySchema = z.strictObject({
  deviceModel: DeviceModelSchema,
  version: HexFirmwareSchema,
  status: FirmwareStatusSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "sha256 is 64 lower-case hex digits"),
  sizeBytes: z.number().int().nonnegative(),
  /** Ed25519 signature, base64, by the key named in keyId. */
  signature: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, "signature is base64")
    .max(200),
  keyId: z.string().min(1).max(64),
  releasedAt: z.string().min(1).max(40),
});
export type FirmwareEntry = z.infer<typeof FirmwareEntrySchema>;

/** The exact bytes (as UTF-8 text) a firmware entry's Ed25519 signature covers. */
export function firmwareSignedMessage(e: Pick<FirmwareEntry, "deviceModel" | "version" | "sha256">): string {
  return `reflash-firmware-v1\n${e.deviceModel}\n${e.version}\n${e.sha256}`;
}

/** A catalogue signing public key (SPKI PEM) the dock trusts, named by keyId. */
export const SigningKeySchema = z.strictObject({
  keyId: z.string().min(1).max(64),
  publicKeyPem: z.string().min(1).max(2000),
});
export type SigningKey = z.infer<typeof SigningKeySchema>;

/** A Party's change to where and when its re-flashed hubs come back (Req 8). */
/**
 * POST /sync/asn-numbers with { count }: a block of ASN numbers reserved for this dock (issue 17).
 * Every number is new for good (central's sequence), across docks, restarts and reinstalls;
 * central refuses an asn.issued whose number it did not reserve for the dock that issues it.
 */
export const AsnBlockResponseSchema = z.strictObject({
  asnNumbers: z
    .array(z.string().regex(/^ASN-\d{8,}$/))
    .min(1)
    .max(100),
  serverTime: z.string(),
});
export type AsnBlockResponse = z.infer<typeof AsnBlockResponseSchema>;

export const RedeliveryAmendmentSchema = z.strictObject({
  bookingRef: BookingRefSchema,
  /** The booking version this amendment produced. */
  bookingVersion: z.number().int().nonnegative(),
  deliveryDate: IsoDateSchema,
  deliveryWindow: DeliveryWindowSchema,
  deliveryLocation: DeliveryLocationSchema,
});
export type RedeliveryAmendment = z.infer<typeof RedeliveryAmendmentSchema>;

/**
 * What a dock tells central of its own outbox with each push and pull (header `x-dock-outbox`,
 * for central's /metrics): how many events it still holds and when the oldest of them was
 * recorded (epoch ms), "0" and "-" when it holds none. Only a figure for watching: a malformed
 * header is ignored, never a reason to refuse the events.
 */
export const DOCK_OUTBOX_HEADER = "x-dock-outbox";
export const DockOutboxReportSchema = z
  .string()
  .max(64)
  .regex(/^(0;-|[1-9]\d{0,8};\d{1,15})$/, "unsent;oldest epoch ms, or 0;-")
  .transform((v) => {
    const [n = "0", at = "-"] = v.split(";");
    return { unsent: Number(n), oldestUnsentAt: at === "-" ? null : Number(at) };
  });
export type DockOutboxReport = z.output<typeof DockOutboxReportSchema>;
export function dockOutboxHeader(r: DockOutboxReport): string {
  return r.unsent === 0 || r.oldestUnsentAt === null ? "0;-" : `${r.unsent};${Math.round(r.oldestUnsentAt)}`;
}

export const PullRequestSchema = z.strictObject({
  cursor: SyncCursorSchema,
  limit: z.number().int().min(1).max(MAX_PULL_LIMIT).optional(),
});
export type PullRequest = z.infer<typeof PullRequestSchema>;

export const PullResponseSchema = z.strictObject({
  serverTime: z.string(),
  cursor: SyncCursorSchema,
  /** True when more changes wait: pull again with the new cursor at once. */
  more: z.boolean(),
  bookings: z.array(BookingSchema),
  firmware: z.array(FirmwareEntrySchema),
  operators: z.array(SyncOperatorSchema),
  redeliveryAmendments: z.array(RedeliveryAmendmentSchema),
  signingKeys: z.array(SigningKeySchema),
});
export type PullResponse = z.infer<typeof PullResponseSchema>;

/**
 * A push batch. Events stay `unknown` on the wire type: central validates each one on its
 * own (shared/events) so a malformed event is rejected alone instead of failing the batch.
 */
export const PushRequestSchema = z.strictObject({
  events: z.array(z.unknown()).min(1).max(MAX_PUSH_BATCH),
});
export type PushRequest = z.infer<typeof PushRequestSchema>;

export const PushResultSchema = z.discriminatedUnion("status", [
  z.strictObject({ index: z.number().int().nonnegative(), id: z.string(), status: z.literal("accepted") }),
  /** Already stored from an earlier push: the dock treats it as acknowledged. */
  z.strictObject({ index: z.number().int().nonnegative(), id: z.string(), status: z.literal("duplicate") }),
  /** Never retried as-is: the dock quarantines it and shows the reason. */
  z.strictObject({
    index: z.number().int().nonnegative(),
    id: z.string().nullable(),
    status: z.literal("rejected"),
    reason: z.string(),
  }),
]);
export type PushResult = z.infer<typeof PushResultSchema>;

export const PushResponseSchema = z.strictObject({
  serverTime: z.string(),
  accepted: z.number().int().nonnegative(),
  duplicate: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  results: z.array(PushResultSchema),
});
export type PushResponse = z.infer<typeof PushResponseSchema>;

/** The error body of every 4xx/5xx central answers. */
export const ErrorBodySchema = z.strictObject({
  error: z.string(),
  reason: z.string(),
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/**
 * Clock offset of a dock against central (NTP-style, one exchange): positive when the dock's
 * clock is behind. `sentMs`/`receivedMs` are dock times around the request.
 */
export function clockOffsetMs(sentMs: number, receivedMs: number, serverTimeIso: string): number | null {
  const server = Date.parse(serverTimeIso);
  if (!Number.isFinite(server) || !Number.isFinite(sentMs) || !Number.isFinite(receivedMs) || receivedMs < sentMs)
    return null;
  return Math.round(server - (sentMs + receivedMs) / 2);
}
