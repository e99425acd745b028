import { bookingHubs, type Booking } from "../../../shared/domain/booking";
import type { ChargeableHub } from "../../../shared/domain/charges";
import { DEFAULT_SITE_TIME_ZONE, wallTime } from "../../../shared/domain/site-clock";
import type { HubResult, ManifestPayload } from "../../../shared/domain/manifest";
import { initialOutboundState, reduceOutbound, type OutboundState } from "../../../shared/domain/outbound";
import { parseScan } from "../../../shared/domain/scan-parser";
import type { DockEvent, EventOf } from "../../../shared/events";

/**
 * What the supervisor's screens know about one booking, projected from the dock's event log
 * (pure: the slice reads the events out of Dexie and hands them here). The log is the truth;
 * nothing here is stored, so a reload rebuilds exactly the same view.
 */

/** Every event of the log that can matter to a booking's re-delivery, in recording order. */
export interface SupervisorLog {
  /** Events whose payload names the booking (receipt, scans). */
  bookingEvents: readonly DockEvent[];
  /** flash.result and fault.reported events (they name hubs, not bookings). */
  hubEvents: readonly DockEvent[];
  /** Manifest-keyed events: manifest.built, label.printed, asn.issued, notice.issued, outbound.*, dispatch, amendments. */
  manifestEvents: readonly DockEvent[];
}

/** The final result of each hub of a booking, for buildManifest: the latest flash result wins (a retry replaces a failure). */
export function hubResults(booking: Booking, log: SupervisorLog): HubResult[] {
  const booked = new Set(bookingHubs(booking).map(({ hub }) => hub.deviceId));
  const flash = new Map<string, EventOf<"flash.result">>();
  const fault = new Map<string, EventOf<"fault.reported">>();
  for (const e of log.hubEvents) {
    if (e.type === "flash.result" && booked.has(e.payload.deviceId)) flash.set(e.payload.deviceId, e);
    if (e.type === "fault.reported" && booked.has(e.payload.deviceId)) fault.set(e.payload.deviceId, e);
  }
  const rejected = new Map<string, string>();
  const received = new Set<string>();
  let closed = false;
  for (const e of log.bookingEvents) {
    if (e.type === "scan.recorded" && e.payload.deviceId !== null && e.payload.verdict === "expected")
      received.add(e.payload.deviceId);
    if (e.type === "receipt.closed") {
      closed = true;
      for (const h of e.payload.rejectedHubs) rejected.set(h.deviceId, h.reason);
      if (e.payload.outcome === "rejected")
        for (const id of booked) rejected.set(id, e.payload.rejectionReason ?? "delivery rejected");
    }
  }
  const out: HubResult[] = [];
  for (const deviceId of booked) {
    const f = flash.get(deviceId);
    if (rejected.has(deviceId))
      out.push({ deviceId, outcome: "rejected", reason: rejected.get(deviceId) ?? "rejected" });
    else if (f?.payload.outcome === "flashed" && f.payload.readBackVersion !== null)
      out.push({ deviceId, outcome: "flashed", firmwareVersion: f.payload.readBackVersion });
    else if (f?.payload.outcome === "failed") {
      const report = fault.get(deviceId);
      out.push({
        deviceId,
        outcome: "failed",
        faultEventId: report?.id ?? null,
        detail: f.payload.failure ? `${f.payload.failure.step}: ${f.payload.failure.detail}` : undefined,
      });
    } else if (f === undefined && closed && !received.has(deviceId)) out.push({ deviceId, outcome: "not-received" });
    // Otherwise no result yet: buildManifest lists it as "no re-flash result yet".
  }
  return out;
}

/**
 * The carton label each hub was scanned in on arrival (an SSCC, or an original supplier's
 * carton number), from its latest counted scan not undone: hubs a booking lists on a pallet
 * alone go back in that carton (issue 16).
 */
export function arrivalCartons(
  log: SupervisorLog,
): Map<string, { cartonSscc: string | null; cartonNumber: string | null }> {
  const undone = new Set<string>();
  for (const e of log.bookingEvents) if (e.type === "scan.undone") undone.add(e.payload.scanEventId);
  const out = new Map<string, { cartonSscc: string | null; cartonNumber: string | null }>();
  for (const e of log.bookingEvents)
    if (
      e.type === "scan.recorded" &&
      e.payload.deviceId !== null &&
      e.payload.verdict === "expected" &&
      !undone.has(e.id)
    )
      out.set(e.payload.deviceId, { cartonSscc: e.payload.cartonSscc, cartonNumber: e.payload.cartonNumber ?? null });
  return out;
}

/**
 * The target firmware per Device Model. The jig service flashes the latest production image
 * of the signed catalogue, so the version a flash result was written with is the target the
 * dock knew; a catalogue synced into Dexie (`catalogue`) wins where it names a model.
 */
export function targetVersions(
  log: SupervisorLog,
  booking: Booking,
  catalogue: ReadonlyArray<{ deviceModel: string; version: string; status: string }> = [],
): Record<string, string> {
  const modelOf = new Map(bookingHubs(booking).map(({ hub }) => [hub.deviceId, hub.deviceModel] as const));
  const out: Record<string, string> = {};
  for (const e of log.hubEvents) {
    if (e.type !== "flash.result") continue;
    const model = modelOf.get(e.payload.deviceId);
    if (model !== undefined) out[model] = e.payload.toVersion;
  }
  for (const entry of catalogue) {
    if (entry.status !== "production") continue;
    const seen = out[entry.deviceModel];
    // Versions are 8 hex digits, so text order is version order.
    if (seen === undefined || entry.version > seen) out[entry.deviceModel] = entry.version;
  }
  return out;
}

/** The manifests built for a booking, oldest first (a rebuild after an amendment adds one). */
export function manifestsOf(bookingRef: string, log: SupervisorLog): Array<EventOf<"manifest.built">> {
  return log.manifestEvents.filter(
    (e): e is EventOf<"manifest.built"> => e.type === "manifest.built" && e.payload.bookingRefs.includes(bookingRef),
  );
}

/** Events of one manifest, by type. */
export function eventsOfManifest<T extends DockEvent["type"]>(
  manifestId: string,
  log: SupervisorLog,
  type: T,
): Array<Extract<DockEvent, { type: T }>> {
  return log.manifestEvents.filter(
    (e): e is Extract<DockEvent, { type: T }> =>
      e.type === type && (e.payload as { manifestId?: unknown }).manifestId === manifestId,
  );
}

/** The load of a manifest, replayed from its outbound scans (the reducer is deterministic, so replay gives the verdicts shown). */
export function replayLoad(manifest: ManifestPayload, log: SupervisorLog): OutboundState {
  let state = initialOutboundState(manifest);
  for (const e of eventsOfManifest(manifest.manifestId, log, "outbound.scan.recorded")) {
    if (e.payload.action === "unload" && e.payload.sscc !== null)
      state = reduceOutbound(state, { type: "unload", scanId: e.id, sscc: e.payload.sscc, at: e.at }).state;
    else state = reduceOutbound(state, { type: "scan", scanId: e.id, scan: parseScan(e.payload.raw), at: e.at }).state;
  }
  return state;
}

/** Each charged hub's latest outcome and its instant, by Device ID. */
export type ChargeOutcomes = ReadonlyMap<string, { outcome: "reflashed" | "not-reflashable"; at: string }>;

/**
 * What each hub is charged or credited for (Req 6): its latest flash re-flashed it, or it has a
 * Fault Analysis Report (fault.reported) saying it cannot be re-flashed. A failed flash with no
 * fault report is not the hub's fault (the target changed before it was touched, a different hub
 * answered in the slot) and is charged nothing until the hub's story ends one way or the other.
 */
export function chargeOutcomes(hubEvents: readonly DockEvent[]): ChargeOutcomes {
  const latest = new Map<string, { outcome: "reflashed" | "not-reflashable"; at: string }>();
  for (const e of hubEvents) {
    if (e.type === "flash.result" && e.payload.outcome === "flashed")
      latest.set(e.payload.deviceId, { outcome: "reflashed", at: e.at });
    else if (e.type === "fault.reported") latest.set(e.payload.deviceId, { outcome: "not-reflashable", at: e.at });
  }
  return latest;
}

/** Who a charged hub belongs to: the booking listing it, its Party, and its HAN variant. */
export interface HubOwner {
  bookingRef: string;
  partyId: string;
  partyName: string;
  hanVariant: ChargeableHub["hanVariant"];
}

/**
 * Adds `booking`'s hubs that have an outcome to `owners` (a later booking listing the same hub
 * wins). Fed one booking at a time, so the charges never hold every cached booking at once
 * (300,000 hubs at a busy dock): only the few fields of the hubs that are charged.
 */
export function addHubOwners(owners: Map<string, HubOwner>, booking: Booking, outcomes: ChargeOutcomes): void {
  for (const { hub } of bookingHubs(booking))
    if (outcomes.has(hub.deviceId))
      owners.set(hub.deviceId, {
        bookingRef: booking.bookingRef,
        partyId: booking.partyId,
        partyName: booking.partyName,
        hanVariant: hub.hanVariant ?? null,
      });
}

/** The charged hubs: each with an outcome and an owner (a hub no cached booking lists is left out). */
export function chargeableHubs(
  owners: ReadonlyMap<string, HubOwner>,
  outcomes: ChargeOutcomes,
  timeZone: string = DEFAULT_SITE_TIME_ZONE,
): ChargeableHub[] {
  const out: ChargeableHub[] = [];
  for (const [deviceId, { outcome, at }] of outcomes) {
    const o = owners.get(deviceId);
    if (o === undefined) continue;
    // The HAN variant comes from the SMI record through the booking; a hub the mirror does not know stays unpriced.
    out.push({
      deviceId,
      partyId: o.partyId,
      bookingRef: o.bookingRef,
      outcome,
      // The day on the site's clock (issue 16), as central dates it: 00:30 BST is that day, not the one before.
      date: wallTime(new Date(at), timeZone).date,
      hanVariant: o.hanVariant,
    });
  }
  return out;
}

/** The next working day at or after `from` plus the site's notice, as a default re-delivery date. */
export function nextDeliveryDate(today: string, isOk: (date: string) => boolean): string {
  const d = new Date(`${today}T12:00:00Z`);
  for (let i = 0; i < 60; i++) {
    const iso = d.toISOString().slice(0, 10);
    if (isOk(iso)) return iso;
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return today;
}
