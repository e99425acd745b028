import type { DockEvent, DockEventType, EventOf, OperatorRole } from "../../shared/events";
import type { BusinessConfig } from "../config";
import { bookingsOf, hubsPlacedBy, type DockIdentity } from "./event-subjects";
import { manifestHubs } from "../../shared/domain/manifest";
import { smiDispatchCheck, type SmiHubCheck } from "../../shared/domain/smi-before-dispatch";
import { workingHoursProblem } from "./working-time";

/**
 * Central's admission rules for pushed dock events: pure functions, one per event type, that
 * take the facts they need as plain data (looked up beforehand by admission-facts.ts) and
 * answer accept, or a refusal whose code and reason are fields. Central believes no dock
 * blindly: every subject an event names (booking, hub, manifest, ASN) must be this dock's
 * facility's and its booking's Party's; ids are never overwritten; a flash result is only for
 * a hub received and accepted here, to a version the catalogue lists for its model; instants
 * lie within a configured window of central's clock; text central cannot store is refused.
 */

export type RefusalCode =
  | "unstorable-text"
  | "instant-out-of-window"
  | "wrong-dock"
  | "unknown-operator"
  | "operator-inactive"
  | "role"
  | "unknown-booking"
  | "foreign-booking"
  | "foreign-hub"
  | "other-party"
  | "manifest-reused"
  | "unknown-manifest"
  | "foreign-manifest"
  | "hub-not-on-manifest-booking"
  | "asn-reused"
  | "asn-reserved-elsewhere"
  | "unknown-asn"
  | "not-received"
  | "rejected-at-receipt"
  | "unknown-hub"
  | "uncatalogued-version"
  | "bad-date"
  | "outside-working-hours"
  | "purchase-order-missing"
  | "work-order-cancelled"
  | "asn-not-reserved"
  | "smi-not-updated";

export type Admission = { ok: true } | { ok: false; code: RefusalCode; reason: string };

const ACCEPT: Admission = { ok: true };
const refuse = (code: RefusalCode, reason: string): Admission => ({ ok: false, code, reason });

/** Which roles may record each event type (supervisors may do everything). */
export const ROLES_FOR_EVENT: Record<DockEventType, readonly OperatorRole[]> = {
  "operator.signed-in": ["receiver", "technician", "supervisor"],
  "operator.signed-out": ["receiver", "technician", "supervisor"],
  "booking.arrived": ["receiver", "supervisor"],
  "unloading.started": ["receiver", "supervisor"],
  "unloading.completed": ["receiver", "supervisor"],
  "liability.transferred": ["receiver", "supervisor"],
  "scan.recorded": ["receiver", "supervisor"],
  "scan.undone": ["receiver", "supervisor"],
  "receipt.closed": ["receiver", "supervisor"],
  "slot.loaded": ["technician", "supervisor"],
  "slot.unloaded": ["technician", "supervisor"],
  "flash.result": ["technician", "supervisor"],
  "fault.reported": ["technician", "supervisor"],
  "manifest.built": ["supervisor"],
  "label.printed": ["receiver", "technician", "supervisor"],
  "asn.issued": ["supervisor"],
  "asn.cancelled": ["supervisor"],
  "notice.issued": ["supervisor"],
  "outbound.scan.recorded": ["receiver", "supervisor"],
  "dispatch.recorded": ["supervisor"],
  "amendment.acknowledged": ["receiver", "technician", "supervisor"],
  // A second flash of a hub flashed already is a supervisor's decision alone (issue 18).
  "flash.override": ["supervisor"],
};

// ---------------------------------------------------------------- facts

/**
 * `workBlocked`: why the booking may not be worked yet (its Work Order awaits approval against
 * a purchase order at a CSP that needs one, PIA 6.2.2), or null.
 */
export interface BookingFact {
  facilityId: string;
  partyId: string;
  workBlocked: string | null;
}
/** The booking a hub is on (its latest), where hubs named without their booking are placed. */
export interface HubPlace {
  bookingRef: string;
  facilityId: string;
  partyId: string;
  workBlocked: string | null;
}
export interface ManifestFact {
  facilityId: string;
  partyId: string;
  bookingRefs: readonly string[];
}
export interface AsnFact {
  manifestId: string;
  partyId: string;
  status: "reserved" | "issued" | "unverified" | "cancelled";
  reservedByFacility: string | null;
}
/** A hub scanned as expected at this facility, and whether its receipt then rejected it. */
export interface ReceivedFact {
  bookingRef: string;
  rejected: boolean;
}
export interface OperatorFact {
  roles: readonly string[];
  active: boolean;
}

/**
 * What the rules judge by. A key absent from a map is unknown to central (the fetcher looks
 * up every key a batch names, so absent and null mean the same).
 */
export interface AdmissionFacts {
  dock: DockIdentity;
  /** Central's clock, ms since the epoch. */
  nowMs: number;
  business: Pick<BusinessConfig, "eventWindow" | "workingHours" | "asnNumbersFromCentralOnly">;
  operators: ReadonlyMap<string, OperatorFact>;
  bookings: ReadonlyMap<string, BookingFact | null>;
  hubPlaces: ReadonlyMap<string, HubPlace | null>;
  manifests: ReadonlyMap<string, ManifestFact | null>;
  asns: ReadonlyMap<string, AsnFact | null>;
  /** ASN numbers central handed out in blocks: number to the dock it was reserved for (absent: not in a block). */
  asnBlocks: ReadonlyMap<string, string>;
  /** Hubs received at this facility (never at another's: those are not looked up). */
  received: ReadonlyMap<string, ReceivedFact>;
  /** Each hub's device model in the SMI mirror (null: not in the mirror). */
  hubModels: ReadonlyMap<string, string | null>;
  /** The firmware catalogue as `${model}/${version}`, production and withdrawn alike. */
  catalogue: ReadonlySet<string>;
  /** For each manifest a dispatch names: its hubs' SMI update state (Req 10); absent: not looked up or no such manifest. */
  dispatchSmi: ReadonlyMap<string, readonly SmiHubCheck[]>;
}

// ---------------------------------------------------------------- checks that need no facts

/** Longest text central stores in any one field (the schemas bound each field more tightly). */
export const MAX_TEXT_CHARS = 10_000;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a text cannot be stored by PostgreSQL as text or jsonb, or null. */
export function unstorableText(text: string): string | null {
  if (text.includes("\u0000")) return "holds a NUL character (U+0000), which central cannot store";
  if (LONE_SURROGATE.test(text)) return "holds a lone UTF-16 surrogate (not a character), which central cannot store";
  if (text.length > MAX_TEXT_CHARS)
    return `is ${text.length} characters long; central stores at most ${MAX_TEXT_CHARS}`;
  return null;
}

/**
 * The first text anywhere in a value (keys included) that central cannot store, with its path,
 * or null. For parsed events only: their depth is bounded by the schema.
 */
export function unstorableTextIn(value: unknown, path = ""): string | null {
  if (typeof value === "string") {
    const why = unstorableText(value);
    return why === null ? null : `${path === "" ? "(event)" : path} ${why}`;
  }
  if (typeof value !== "object" || value === null) return null;
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  for (const [k, v] of entries) {
    const keyWhy = unstorableText(k);
    const here = path === "" ? k : `${path}.${k}`;
    if (keyWhy !== null) return `a key at ${path === "" ? "(event)" : path} ${keyWhy}`;
    const why = unstorableTextIn(v, here);
    if (why !== null) return why;
  }
  return null;
}

/** Whether YYYY-MM-DD names a day of the calendar (not 2026-02-30 or 2026-13-45). */
export function isCalendarDate(date: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/**
 * Why an event's instant is not believable, or null: its device time corrected by the offset
 * the dock measured must lie within the configured window around central's clock, and the
 * offset it claims may not exceed the configured maximum.
 */
export function instantProblem(
  e: Pick<DockEvent, "at" | "clockOffsetMs">,
  nowMs: number,
  window: BusinessConfig["eventWindow"],
): string | null {
  const offset = e.clockOffsetMs ?? 0;
  const maxOffsetMs = window.maxClockOffsetMinutes * 60_000;
  if (!Number.isFinite(offset) || Math.abs(offset) > maxOffsetMs)
    return `the dock's clock offset ${offset} ms is beyond the ${window.maxClockOffsetMinutes} minutes central allows; fix the dock's clock`;
  const at = Date.parse(e.at);
  if (!Number.isFinite(at)) return `instant ${e.at} is not a time`;
  const corrected = at + offset;
  const earliest = nowMs - window.pastDays * 86_400_000;
  const latest = nowMs + window.futureMinutes * 60_000;
  if (corrected < earliest)
    return `instant ${e.at} is more than ${window.pastDays} days before central's clock (${new Date(nowMs).toISOString()})`;
  if (corrected > latest)
    return `instant ${e.at} is more than ${window.futureMinutes} minutes after central's clock (${new Date(nowMs).toISOString()})`;
  return null;
}

/** What JSON.stringify writes for a NUL or a lone surrogate (one pass over the text). */
const ESCAPED_UNSTORABLE = /\\u(?:0000|d[89a-f])/i;

/**
 * The checks every event meets before any database fact: text central can store, and a
 * believable instant. `json` is the event as JSON.stringify writes it, which escapes a NUL as
 * \u0000 and a lone surrogate as \udXXX: the event is walked for the field to name only when
 * its JSON shows one of those (or is longer than one text may be), so a push of thousands of
 * plain events pays one scan of each event's JSON.
 */
export function admitShape(
  e: DockEvent,
  json: string,
  nowMs: number,
  window: BusinessConfig["eventWindow"],
): Admission {
  const suspicious = json.length > MAX_TEXT_CHARS || ESCAPED_UNSTORABLE.test(json);
  const text = suspicious ? unstorableTextIn(e) : null;
  if (text !== null) return refuse("unstorable-text", text);
  const instant = instantProblem(e, nowMs, window);
  if (instant !== null) return refuse("instant-out-of-window", instant);
  return ACCEPT;
}

/** Who may record it: the token's dock, an operator registered and active at its facility, with a role the type needs. */
export function admitRecorder(e: DockEvent, dock: DockIdentity, op: OperatorFact | undefined): Admission {
  if (e.dockId !== dock.dockId)
    return refuse("wrong-dock", `event was recorded by dock ${e.dockId}, but this token is dock ${dock.dockId}'s`);
  if (!op)
    return refuse("unknown-operator", `operator ${e.operatorId} is not registered at facility ${dock.facilityId}`);
  // As the HTTP actions do (auth.ts): central keeps no deactivation time, so every event of a
  // deactivated operator is refused, even one recorded offline before; the dock quarantines it.
  if (!op.active)
    return refuse(
      "operator-inactive",
      `operator-inactive: operator ${e.operatorId} is deactivated at facility ${dock.facilityId}; their events are refused`,
    );
  const allowed = ROLES_FOR_EVENT[e.type];
  if (!op.roles.some((r) => (allowed as readonly string[]).includes(r)))
    return refuse(
      "role",
      `${e.type} needs role ${allowed.join(" or ")}; operator ${e.operatorId} has ${op.roles.join(", ") || "no role"}`,
    );
  return ACCEPT;
}

// ---------------------------------------------------------------- placement (every type)

/**
 * Every booking an event names must be known and this facility's, and every hub it names
 * without a booking must not be on another facility's booking (else another site could report
 * flashes and faults, and earn credits, for this site's hubs).
 */
export function admitPlacement(e: DockEvent, f: AdmissionFacts): Admission {
  const { dock } = f;
  for (const ref of bookingsOf(e)) {
    const b = f.bookings.get(ref) ?? null;
    if (b === null) return refuse("unknown-booking", `booking ${ref} is unknown to central`);
    if (b.facilityId !== dock.facilityId)
      return refuse(
        "foreign-booking",
        `booking ${ref} belongs to facility ${b.facilityId}, not this dock's (${dock.facilityId})`,
      );
  }
  const foreign = hubsPlacedBy(e).flatMap((deviceId) => {
    const place = f.hubPlaces.get(deviceId) ?? null;
    return place && place.facilityId !== dock.facilityId ? [{ deviceId, ...place }] : [];
  });
  const first = foreign[0];
  if (first === undefined) return ACCEPT;
  const others = foreign.length > 1 ? ` (and ${foreign.length - 1} more hubs of other facilities)` : "";
  return refuse(
    "foreign-hub",
    `hub ${first.deviceId} is on booking ${first.bookingRef}, which belongs to facility ${first.facilityId}, not this dock's (${dock.facilityId})${others}`,
  );
}

// ---------------------------------------------------------------- one rule per event type

/** A manifest id is new everywhere; its Party is every booking's Party; every hub it ships is on one of its bookings. */
export function admitManifestBuilt(e: EventOf<"manifest.built">, f: AdmissionFacts): Admission {
  const p = e.payload;
  if (f.manifests.get(p.manifestId))
    return refuse(
      "manifest-reused",
      `manifest ${p.manifestId} was already built; a manifest id is never reused or overwritten`,
    );
  if (!isCalendarDate(p.deliveryDate))
    return refuse("bad-date", `delivery date ${p.deliveryDate} is not a calendar date`);
  for (const ref of p.bookingRefs) {
    const b = f.bookings.get(ref);
    if (b && b.partyId !== p.partyId)
      return refuse(
        "other-party",
        `booking ${ref} is Party ${b.partyId}'s, not ${p.partyId}'s; a manifest re-delivers one Party's hubs`,
      );
  }
  const refs = new Set(p.bookingRefs);
  for (const h of manifestHubs(p)) {
    const place = f.hubPlaces.get(h.deviceId) ?? null;
    if (place === null || !refs.has(place.bookingRef))
      return refuse(
        "hub-not-on-manifest-booking",
        `hub ${h.deviceId} is on none of the manifest's bookings (${p.bookingRefs.join(", ")})`,
      );
  }
  return ACCEPT;
}

/** The manifest an outbound event names must be known and this facility's. */
function ownManifest(manifestId: string, f: AdmissionFacts, what: string): Admission {
  const m = f.manifests.get(manifestId) ?? null;
  if (m === null) return refuse("unknown-manifest", `${what}: manifest ${manifestId} is unknown to central`);
  if (m.facilityId !== f.dock.facilityId)
    return refuse(
      "foreign-manifest",
      `${what}: manifest ${manifestId} belongs to facility ${m.facilityId}, not this dock's (${f.dock.facilityId})`,
    );
  return ACCEPT;
}

/** An ASN names this facility's manifest and its Party; its number was never issued, nor reserved for another manifest or site. */
export function admitAsnIssued(e: EventOf<"asn.issued">, f: AdmissionFacts): Admission {
  const p = e.payload;
  const a = f.asns.get(p.asnNumber) ?? null;
  const blockDock = f.asnBlocks.get(p.asnNumber);
  if (blockDock !== undefined && blockDock !== f.dock.dockId)
    return refuse(
      "asn-reserved-elsewhere",
      `ASN ${p.asnNumber} was reserved by central for dock ${blockDock}, not this dock (${f.dock.dockId}); issue numbers from this dock's own block`,
    );
  if (f.business.asnNumbersFromCentralOnly && a === null && blockDock === undefined)
    return refuse(
      "asn-not-reserved",
      `ASN ${p.asnNumber} was not reserved by central for dock ${f.dock.dockId}; ASN numbers come from central only: reserve a block with POST /sync/asn-numbers`,
    );
  if (a !== null && a.status !== "reserved")
    return refuse(
      "asn-reused",
      `ASN ${p.asnNumber} was already issued (manifest ${a.manifestId}); every delivery needs a new ASN number`,
    );
  const own = ownManifest(p.manifestId, f, `ASN ${p.asnNumber}`);
  if (!own.ok) return own;
  const m = f.manifests.get(p.manifestId);
  if (m && m.partyId !== p.partyId)
    return refuse(
      "other-party",
      `ASN ${p.asnNumber} names Party ${p.partyId}, but manifest ${p.manifestId} is Party ${m.partyId}'s`,
    );
  if (
    a !== null &&
    (a.manifestId !== p.manifestId ||
      a.partyId !== p.partyId ||
      (a.reservedByFacility !== null && a.reservedByFacility !== f.dock.facilityId))
  )
    return refuse(
      "asn-reserved-elsewhere",
      `ASN ${p.asnNumber} was reserved for manifest ${a.manifestId} of Party ${a.partyId}${a.reservedByFacility !== null ? ` at facility ${a.reservedByFacility}` : ""}`,
    );
  return ACCEPT;
}

/** Only an ASN issued for this facility's manifest, and not dispatched, may be cancelled; the manifest replacing it is this facility's too. */
export function admitAsnCancelled(e: EventOf<"asn.cancelled">, f: AdmissionFacts): Admission {
  const p = e.payload;
  const own = ownManifest(p.manifestId, f, `cancelling ASN ${p.asnNumber}`);
  if (!own.ok) return own;
  const replacement = ownManifest(p.replacedByManifestId, f, `cancelling ASN ${p.asnNumber}`);
  if (!replacement.ok) return replacement;
  const a = f.asns.get(p.asnNumber) ?? null;
  if (a === null || a.status === "reserved")
    return refuse("unknown-asn", `ASN ${p.asnNumber} was never issued, so it cannot be cancelled`);
  if (a.manifestId !== p.manifestId)
    return refuse("unknown-asn", `ASN ${p.asnNumber} is manifest ${a.manifestId}'s, not ${p.manifestId}'s`);
  return ACCEPT;
}

/** A re-delivery notice is for this facility's manifest, on a calendar date within Working Hours (Req 7). */
export function admitNoticeIssued(e: EventOf<"notice.issued">, f: AdmissionFacts): Admission {
  const own = ownManifest(e.payload.manifestId, f, "re-delivery notice");
  if (!own.ok) return own;
  if (!isCalendarDate(e.payload.deliveryDate))
    return refuse("bad-date", `re-delivery notice not sent: ${e.payload.deliveryDate} is not a calendar date`);
  const problem = workingHoursProblem(f.business as BusinessConfig, e.payload.deliveryDate, e.payload.deliveryWindow);
  if (problem !== null) return refuse("outside-working-hours", `re-delivery notice not sent: ${problem}`);
  return ACCEPT;
}

/** A dispatch is of this facility's manifest, under an ASN issued for that manifest. */
export function admitDispatchRecorded(e: EventOf<"dispatch.recorded">, f: AdmissionFacts): Admission {
  const p = e.payload;
  const own = ownManifest(p.manifestId, f, "dispatch");
  if (!own.ok) return own;
  const a = f.asns.get(p.asnNumber) ?? null;
  if (a === null || a.status === "reserved")
    return refuse("unknown-asn", `dispatch: ASN ${p.asnNumber} was never issued`);
  if (a.status === "cancelled")
    return refuse(
      "unknown-asn",
      `dispatch: ASN ${p.asnNumber} was cancelled when its manifest was rebuilt; use the new ASN`,
    );
  if (a.manifestId !== p.manifestId)
    return refuse("unknown-asn", `dispatch: ASN ${p.asnNumber} is manifest ${a.manifestId}'s, not ${p.manifestId}'s`);
  // Req 10: the SMI is updated before re-delivery. Central judges by its own SMI records, never the dock's word.
  const checks = f.dispatchSmi.get(p.manifestId);
  if (checks === undefined)
    return refuse(
      "smi-not-updated",
      `dispatch of ${p.manifestId} refused: central could not look up its hubs' SMI updates`,
    );
  const smi = smiDispatchCheck(checks, checks);
  if (!smi.ok) return refuse("smi-not-updated", `dispatch of ${p.manifestId} refused: ${smi.refusal ?? ""}`);
  return ACCEPT;
}

/** Outbound work (labels, load scans, unloading) naming a manifest of another facility is refused; an unknown one may still be on its way. */
function admitManifestMention(manifestId: string | null, f: AdmissionFacts): Admission {
  if (manifestId === null) return ACCEPT;
  const m = f.manifests.get(manifestId) ?? null;
  if (m !== null && m.facilityId !== f.dock.facilityId)
    return refuse(
      "foreign-manifest",
      `manifest ${manifestId} belongs to facility ${m.facilityId}, not this dock's (${f.dock.facilityId})`,
    );
  return ACCEPT;
}

/** Why a hub was not received and accepted here, or null. */
function receivedHere(deviceId: string, f: AdmissionFacts): Admission {
  const r = f.received.get(deviceId);
  if (r === undefined)
    return refuse("not-received", `hub ${deviceId} was never received and accepted at facility ${f.dock.facilityId}`);
  if (r.rejected)
    return refuse("rejected-at-receipt", `hub ${deviceId} was rejected at receipt of booking ${r.bookingRef}`);
  return ACCEPT;
}

/** A flash result only for a hub received and accepted here, to a version the catalogue lists for its model. */
export function admitFlashResult(e: EventOf<"flash.result">, f: AdmissionFacts): Admission {
  const p = e.payload;
  const here = receivedHere(p.deviceId, f);
  if (!here.ok) return here;
  const model = f.hubModels.get(p.deviceId) ?? null;
  if (model === null) return refuse("unknown-hub", `hub ${p.deviceId} is not in the Smart Metering Inventory`);
  if (!f.catalogue.has(`${model}/${p.toVersion}`))
    return refuse("uncatalogued-version", `firmware ${p.toVersion} is not in the catalogue for model ${model}`);
  return ACCEPT;
}

/** A Fault Analysis Report (which earns the Party a credit) only for a hub received here. */
export function admitFaultReported(e: EventOf<"fault.reported">, f: AdmissionFacts): Admission {
  const r = f.received.get(e.payload.deviceId);
  if (r === undefined)
    return refuse("not-received", `hub ${e.payload.deviceId} was never received at facility ${f.dock.facilityId}`);
  return ACCEPT;
}

/** A supervisor's override of a second flash, only for a hub received here on the booking it names. */
export function admitFlashOverride(e: EventOf<"flash.override">, f: AdmissionFacts): Admission {
  const r = f.received.get(e.payload.deviceId);
  if (r === undefined)
    return refuse("not-received", `hub ${e.payload.deviceId} was never received at facility ${f.dock.facilityId}`);
  if (r.bookingRef !== e.payload.bookingRef)
    return refuse(
      "not-received",
      `hub ${e.payload.deviceId} was received on booking ${r.bookingRef}, not ${e.payload.bookingRef}`,
    );
  return ACCEPT;
}

/**
 * Why a booking cannot be worked yet, or null (PIA 6.2.2): at a CSP configured to need one, its
 * Work Order must first be approved against a purchase order. One rule for admission and the pull.
 */
export function purchaseOrderBlock(
  wo: { id: string; csp: string; purchaseOrder: string | null },
  required: readonly string[],
): string | null {
  if (!required.includes(wo.csp) || wo.purchaseOrder !== null) return null;
  return `its Work Order ${wo.id} is not yet approved against a purchase order, which CSP ${wo.csp === "CentralSouth" ? "Central & South" : wo.csp} needs before work starts`;
}

/**
 * Why a booking's Work Order stops work on it, or null: cancelled from the DCC desk (with the
 * reason given), else the purchase order gate above.
 */
export function workOrderBlock(
  wo: { id: string; csp: string; purchaseOrder: string | null; status: string; statusReason: string | null },
  required: readonly string[],
): string | null {
  if (wo.status === "cancelled")
    return `its Work Order ${wo.id} was cancelled by the DCC${wo.statusReason ? ` (${wo.statusReason})` : ""}`;
  return purchaseOrderBlock(wo, required);
}
const CANCELLED_BLOCK = /^its Work Order \S+ was cancelled/;

/** Why a booking's Work Order blocks work on it (cancelled, or PIA 6.2.2), as a refusal of this event. */
function workable(what: string, ref: string, workBlocked: string | null | undefined): Admission {
  if (!workBlocked) return ACCEPT;
  return CANCELLED_BLOCK.test(workBlocked)
    ? refuse("work-order-cancelled", `${what} refused: booking ${ref} cannot be worked: ${workBlocked}`)
    : refuse("purchase-order-missing", `${what} refused: booking ${ref} cannot be worked yet: ${workBlocked}`);
}

/**
 * Purchase order gate (PIA 6.2.2): unloading, receiving scans, loading a jig and flashing are
 * refused for a booking whose Work Order is not yet approved against a purchase order, at a CSP
 * configured to need one. The lorry's arrival, and a receipt closed to reject it, stay allowed.
 */
export function admitWorkStarted(e: DockEvent, f: AdmissionFacts): Admission {
  switch (e.type) {
    case "unloading.started":
      return e.payload.direction === "inbound"
        ? workable("unloading", e.payload.bookingRef, f.bookings.get(e.payload.bookingRef)?.workBlocked)
        : ACCEPT;
    case "scan.recorded":
      return workable("receiving scan", e.payload.bookingRef, f.bookings.get(e.payload.bookingRef)?.workBlocked);
    case "slot.loaded":
    case "flash.result": {
      const place = f.hubPlaces.get(e.payload.deviceId) ?? null;
      return place === null
        ? ACCEPT
        : workable(
            e.type === "flash.result" ? `flash of hub ${e.payload.deviceId}` : `loading hub ${e.payload.deviceId}`,
            place.bookingRef,
            place.workBlocked,
          );
    }
    default:
      return ACCEPT;
  }
}

/** The rules of one event type, after placement. */
function admitByType(e: DockEvent, f: AdmissionFacts): Admission {
  const gate = admitWorkStarted(e, f);
  if (!gate.ok) return gate;
  switch (e.type) {
    case "manifest.built":
      return admitManifestBuilt(e, f);
    case "asn.issued":
      return admitAsnIssued(e, f);
    case "notice.issued":
      return admitNoticeIssued(e, f);
    case "dispatch.recorded":
      return admitDispatchRecorded(e, f);
    case "asn.cancelled":
      return admitAsnCancelled(e, f);
    case "flash.result":
      return admitFlashResult(e, f);
    case "fault.reported":
      return admitFaultReported(e, f);
    case "flash.override":
      return admitFlashOverride(e, f);
    case "label.printed":
      return admitManifestMention(e.payload.manifestId, f);
    case "outbound.scan.recorded":
      return admitManifestMention(e.payload.manifestId, f);
    case "unloading.started":
    case "unloading.completed":
    case "liability.transferred":
      return e.payload.direction === "outbound" ? admitManifestMention(e.payload.manifestId, f) : ACCEPT;
    case "amendment.acknowledged":
      return admitManifestMention(e.payload.manifestId, f);
    default:
      return ACCEPT;
  }
}

/** Whether central admits an event already parsed, recorded by a trusted recorder and of storable shape: placement, then its type's rule. */
export function admitEvent(e: DockEvent, f: AdmissionFacts): Admission {
  const placed = admitPlacement(e, f);
  return placed.ok ? admitByType(e, f) : placed;
}
