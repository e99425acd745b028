import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { DockEvent, EventOf } from "../../shared/events";
import type { BusinessConfig } from "../config";
import type { HanVariant } from "../../shared/domain/charges";
import { asnCsv, asnJson, asnSha256, buildAsnDocument } from "../../shared/domain/asn";
import { CspSchema } from "../../shared/domain/booking";
import { manifestHubs as manifestHubPlaces } from "../../shared/domain/manifest";
import { appendAudit } from "./audit";
import { amendBooking } from "./bookings";
import { asnCancelledNotice, asnNotice, faultReportNotice, receiptOutcomeNotice, redeliveryNotice } from "./notices";
import { enqueueNotice } from "./outbox";
import { advanceWorkOrdersOfBookings } from "./work-orders";
import type { DockIdentity } from "./event-subjects";

/**
 * Central's records and outputs derived from newly stored dock events. Called inside the push
 * transaction with only the events stored for the first time, so a replay derives nothing twice.
 */
export async function projectEvents(
  db: Kysely<Database>,
  dock: DockIdentity,
  events: readonly DockEvent[],
  business: BusinessConfig,
): Promise<void> {
  // Dock events need no audit row of their own: the events table is itself append-only and
  // indexed by hub, and hubHistory() reads it with the audit rows central derives.
  for (const e of events) {
    switch (e.type) {
      case "booking.arrived":
        await bookingArrived(db, e);
        break;
      case "unloading.started":
        if (e.payload.direction === "inbound")
          await setBookingStatus(db, e.payload.bookingRef, ["authorised", "arrived"], "receiving");
        break;
      case "receipt.closed":
        await receiptClosed(db, dock, e);
        break;
      case "flash.result":
        await flashResult(db, e);
        break;
      case "fault.reported":
        await faultReported(db, e, business);
        break;
      case "manifest.built":
        await manifestBuilt(db, dock, e);
        break;
      case "asn.issued":
        await asnIssued(db, e);
        break;
      case "notice.issued":
        await noticeIssued(db, e);
        break;
      case "asn.cancelled":
        await asnCancelled(db, e);
        break;
      case "dispatch.recorded":
        await dispatchRecorded(db, dock, e);
        break;
      case "flash.override":
        // Issue 18: a supervisor's second flash of a hub is audited against the hub at central.
        await appendAudit(db, [
          {
            deviceId: e.payload.deviceId,
            actor: e.operatorId,
            dockId: e.dockId,
            facilityId: dock.facilityId,
            action: "flash.override",
            detail: {
              eventId: e.id,
              bookingRef: e.payload.bookingRef,
              flashedTo: e.payload.flashedTo,
              reason: e.payload.reason,
            },
          },
        ]);
        break;
      default:
        break;
    }
  }
}

async function partyEmailOfBooking(
  db: Kysely<Database>,
  ref: string,
): Promise<{ partyId: string; email: string } | null> {
  const r = await db
    .selectFrom("bookings")
    .innerJoin("parties", "parties.id", "bookings.party_id")
    .select(["parties.id", "parties.email"])
    .where("bookings.booking_ref", "=", ref)
    .executeTakeFirst();
  return r ? { partyId: r.id, email: r.email } : null;
}

async function setBookingStatus(
  db: Kysely<Database>,
  ref: string,
  from: string[],
  to: "arrived" | "receiving" | "closed",
): Promise<void> {
  const b = await db.selectFrom("bookings").select("status").where("booking_ref", "=", ref).executeTakeFirst();
  if (b && from.includes(b.status)) await amendBooking(db, ref, { status: to });
}

async function bookingArrived(db: Kysely<Database>, e: EventOf<"booking.arrived">): Promise<void> {
  await setBookingStatus(db, e.payload.bookingRef, ["authorised"], "arrived");
}

/** Req 5: the receipt outcome, the work order's goods-received step, and the notice to the Party. */
async function receiptClosed(db: Kysely<Database>, dock: DockIdentity, e: EventOf<"receipt.closed">): Promise<void> {
  const ref = e.payload.bookingRef;
  const listed = await db
    .selectFrom("booking_hubs")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("booking_ref", "=", ref)
    .executeTakeFirstOrThrow();
  // Through the booking's hubs and the events' device index (events carry no booking index: migration 0002).
  const received = await db
    .selectFrom("booking_hubs")
    .innerJoin("events", "events.device_id", "booking_hubs.device_id")
    .select((eb) => eb.fn.count<string>("events.device_id").distinct().as("n"))
    .where("booking_hubs.booking_ref", "=", ref)
    .where("events.booking_ref", "=", ref)
    .where("events.type", "=", "scan.recorded")
    .where(sql<string>`events.payload->'payload'->>'verdict'`, "=", "expected")
    .executeTakeFirstOrThrow();
  const outcome = e.payload.outcome === "accepted" ? "whole" : e.payload.outcome === "partial" ? "part" : "reject";
  const detail = {
    listed: Number(listed.n),
    received: Number(received.n),
    rejectedHubs: e.payload.rejectedHubs,
    rejectionReason: e.payload.rejectionReason,
    packagingNotes: e.payload.packagingNotes,
    damageNotes: e.payload.damageNotes,
  };
  await db
    .insertInto("receipt_outcomes")
    .values({ booking_ref: ref, outcome, detail: JSON.stringify(detail), event_id: e.id })
    .onConflict((oc) =>
      oc.column("booking_ref").doUpdateSet({ outcome, detail: JSON.stringify(detail), event_id: e.id }),
    )
    .execute();
  await setBookingStatus(db, ref, ["authorised", "arrived", "receiving"], "closed");
  await appendAudit(
    db,
    e.payload.rejectedHubs.map((h) => ({
      deviceId: h.deviceId,
      actor: e.operatorId,
      dockId: e.dockId,
      facilityId: dock.facilityId,
      action: "receipt.rejected",
      detail: { bookingRef: ref, code: h.code, reason: h.reason, eventId: e.id },
    })),
  );
  if (e.payload.outcome !== "rejected") await advanceWorkOrdersOfBookings(db, [ref], "goods-received");
  const party = await partyEmailOfBooking(db, ref);
  if (party) {
    const notes = [e.payload.packagingNotes, e.payload.damageNotes].filter((n): n is string => n !== null && n !== "");
    const lists = await receiptGuidLists(
      db,
      ref,
      e.payload.rejectedHubs.map((h) => h.deviceId),
    );
    await enqueueNotice(
      db,
      receiptOutcomeNotice(party.email, {
        bookingRef: ref,
        outcome: e.payload.outcome,
        listed: detail.listed,
        received: detail.received,
        rejected: e.payload.rejectedHubs,
        rejectionReason: e.payload.rejectionReason,
        notes,
        ...lists,
      }),
    );
  }
}

/** Scan verdicts that name a hub the booking does not list as expected here. */
const UNEXPECTED_VERDICTS = ["unexpected", "other-booking", "not-eligible", "wrong-device-type", "test-lab"];

/**
 * Req 5's GUID lists, from the dock's scans of this booking: hubs listed and never received
 * (nor rejected, which has its own list), and hubs that arrived but were not listed, with the
 * dock's verdict for each.
 */
async function receiptGuidLists(
  db: Kysely<Database>,
  ref: string,
  rejected: readonly string[],
): Promise<{ missing: string[]; unexpected: Array<{ deviceId: string; reason: string }> }> {
  const scans = await db
    .selectFrom("events")
    .select([
      "id",
      "device_id",
      sql<string>`events.payload->'payload'->>'verdict'`.as("verdict"),
      sql<string | null>`events.payload->'payload'->>'reason'`.as("reason"),
    ])
    .where("booking_ref", "=", ref)
    .where("type", "=", "scan.recorded")
    .where("device_id", "is not", null)
    .orderBy("seq")
    .execute();
  // A scan the operator undid does not count.
  const undone = new Set(
    (
      await db
        .selectFrom("events")
        .select(sql<string>`events.payload->'payload'->>'scanEventId'`.as("scan"))
        .where("booking_ref", "=", ref)
        .where("type", "=", "scan.undone")
        .execute()
    ).map((r) => r.scan),
  );
  const received = new Set<string>();
  const unexpected = new Map<string, string>();
  for (const r of scans) {
    if (r.device_id === null || undone.has(r.id)) continue;
    if (r.verdict === "expected") received.add(r.device_id);
    else if (UNEXPECTED_VERDICTS.includes(r.verdict) && !unexpected.has(r.device_id))
      unexpected.set(r.device_id, r.reason ?? r.verdict);
  }
  const listed = await db
    .selectFrom("booking_hubs")
    .select("device_id")
    .where("booking_ref", "=", ref)
    .orderBy("device_id")
    .execute();
  const away = new Set(rejected);
  return {
    missing: listed.map((h) => h.device_id).filter((id) => !received.has(id) && !away.has(id)),
    unexpected: [...unexpected].filter(([id]) => !received.has(id)).map(([deviceId, reason]) => ({ deviceId, reason })),
  };
}

async function bookingOfHub(db: Kysely<Database>, deviceId: string): Promise<string | null> {
  const r = await db
    .selectFrom("booking_hubs")
    .innerJoin("bookings", "bookings.booking_ref", "booking_hubs.booking_ref")
    .select("booking_hubs.booking_ref")
    .where("booking_hubs.device_id", "=", deviceId)
    .orderBy("bookings.created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return r?.booking_ref ?? null;
}

/**
 * Req 6 and 10: a flash result; a flashed hub becomes due for its SMI firmware update, which
 * replaces any update of it still pending (the SMI learns the version the hub holds last).
 * A hub flagged by the dock (its image withdrawn or replaced since) is recorded with the
 * notice and gets no SMI update: it is flashed again, and that result brings the update.
 */
async function flashResult(db: Kysely<Database>, e: EventOf<"flash.result">): Promise<void> {
  const p = e.payload;
  const ref = await bookingOfHub(db, p.deviceId);
  const ok = p.outcome === "flashed";
  const reason = p.failure
    ? `${p.failure.step}: ${p.failure.detail}`
    : p.notice !== undefined
      ? `notice: ${p.notice}`
      : null;
  await db
    .insertInto("flash_results")
    .values({
      event_id: e.id,
      device_id: p.deviceId,
      booking_ref: ref,
      ok,
      from_version: p.fromVersion,
      to_version: p.toVersion,
      reason,
      at: e.at,
    })
    .execute();
  if (ok && p.notice === undefined) {
    const inv = await db
      .selectFrom("inventory")
      .select("device_model")
      .where("device_id", "=", p.deviceId)
      .executeTakeFirst();
    await db
      .updateTable("smi_updates")
      .set({ status: "superseded" })
      .where("device_id", "=", p.deviceId)
      .where("status", "=", "pending")
      .execute();
    await db
      .insertInto("smi_updates")
      .values({
        event_id: e.id,
        device_id: p.deviceId,
        booking_ref: ref,
        device_model: inv?.device_model ?? "",
        new_firmware: p.toVersion,
        status: "pending",
      })
      .execute();
  }
  if (ref !== null) await advanceWorkOrdersOfBookings(db, [ref], "in-progress");
}

/** Req 6: a Fault Analysis Report, and the Party's credit for a hub that cannot be re-flashed. */
async function faultReported(
  db: Kysely<Database>,
  e: EventOf<"fault.reported">,
  business: BusinessConfig,
): Promise<void> {
  const p = e.payload;
  const ref = await bookingOfHub(db, p.deviceId);
  const reason = p.manual
    ? `manual report: ${[p.damage, p.notes].filter((t) => t !== undefined && t !== "").join("; ")}`
    : `${p.step ?? "unknown step"}: ${p.jigSaid ?? p.notes}`;
  await db
    .insertInto("fault_reports")
    .values({ event_id: e.id, device_id: p.deviceId, booking_ref: ref, reason, manual: p.manual, at: e.at })
    .execute();
  const party =
    ref === null
      ? null
      : await db.selectFrom("bookings").select("party_id").where("booking_ref", "=", ref).executeTakeFirst();
  // Req 6: each report, automatic or manual, goes to the Party that sent the hub.
  const to = ref === null ? null : await partyEmailOfBooking(db, ref);
  if (to && ref !== null) {
    await enqueueNotice(
      db,
      faultReportNotice(to.email, {
        reference: e.id,
        deviceId: p.deviceId,
        bookingRef: ref,
        at: e.at,
        manual: p.manual,
        step: p.step,
        jigId: p.jigId,
        slot: p.slot,
        jigSaid: p.jigSaid,
        notes: p.notes,
        damage: p.damage ?? null,
        disposition: p.disposition,
        flashEventId: p.flashEventId,
      }),
    );
  }
  if (party) {
    // Priced by the hub's HAN variant from the SMI mirror (unpriced only where the mirror does not know it).
    const inv = await db
      .selectFrom("inventory")
      .select("han_variant")
      .where("device_id", "=", p.deviceId)
      .executeTakeFirst();
    // One credit per hub, whatever the number of reports about it.
    await db
      .insertInto("credits")
      .values({
        device_id: p.deviceId,
        party_id: party.party_id,
        booking_ref: ref,
        amount_pence: creditFor(business, inv?.han_variant ?? null),
        reason: `not re-flashable (${p.disposition}): ${reason}`.slice(0, 500),
        event_id: e.id,
      })
      .onConflict((oc) => oc.column("device_id").doNothing())
      .execute();
  }
}

/**
 * The credit for a hub not re-flashable, by the shared charges model: its HAN variant's rate,
 * or null (unpriced) when the SMI mirror does not know the variant.
 */
function creditFor(business: BusinessConfig, variant: HanVariant | null): number | null {
  if (variant === null) return null;
  return variant === "single-band"
    ? business.charges.creditPerUnreflashableHub.singleBand
    : business.charges.creditPerUnreflashableHub.dualBand;
}

async function manifestBuilt(db: Kysely<Database>, dock: DockIdentity, e: EventOf<"manifest.built">): Promise<void> {
  const p = e.payload;
  await db
    .insertInto("manifests")
    .values({
      manifest_id: p.manifestId,
      party_id: p.partyId,
      facility_id: dock.facilityId,
      event_id: e.id,
      doc: JSON.stringify(p),
    })
    // Admission refuses a manifest id already built; should one slip past (two pushes racing), the first stands.
    .onConflict((oc) => oc.column("manifest_id").doNothing())
    .execute();
  const hubs = manifestHubPlaces(p);
  await appendAudit(
    db,
    hubs.map((h) => ({
      deviceId: h.deviceId,
      actor: e.operatorId,
      dockId: e.dockId,
      facilityId: dock.facilityId,
      action: "manifest.built",
      detail: { manifestId: p.manifestId, firmwareVersion: h.firmwareVersion, eventId: e.id },
    })),
  );
}

type ManifestDoc = EventOf<"manifest.built">["payload"];

async function loadManifest(db: Kysely<Database>, manifestId: string): Promise<ManifestDoc | null> {
  const r = await db.selectFrom("manifests").select("doc").where("manifest_id", "=", manifestId).executeTakeFirst();
  return r ? (r.doc as ManifestDoc) : null;
}

function manifestHubs(m: ManifestDoc): string[] {
  return manifestHubPlaces(m).map((h) => h.deviceId);
}

/**
 * Req 9: the ASN, recorded (its number can never be issued again) and sent to the Party as a
 * file. Central rebuilds the dock's own document from the event and the manifest it holds and
 * publishes it only when its SHA-256 is the one the dock recorded, so the Party receives the
 * very bytes the dock hashed; otherwise the number stays consumed, the ASN is stored as
 * unverified with the reason, and no file is sent.
 */
/** An ASN withdrawn (its manifest rebuilt): marked cancelled, and the Party told (issue 18). */
async function asnCancelled(db: Kysely<Database>, e: EventOf<"asn.cancelled">): Promise<void> {
  const p = e.payload;
  const row = await db
    .updateTable("asns")
    .set({ status: "cancelled" })
    .where("asn_number", "=", p.asnNumber)
    .where("status", "in", ["issued", "unverified"])
    .returning("party_id")
    .executeTakeFirst();
  if (!row) return;
  const party = await db.selectFrom("parties").select("email").where("id", "=", row.party_id).executeTakeFirst();
  if (party) await enqueueNotice(db, asnCancelledNotice(party.email, p));
}

async function asnIssued(db: Kysely<Database>, e: EventOf<"asn.issued">): Promise<void> {
  const p = e.payload;
  const m = await loadManifest(db, p.manifestId);
  const party = await db.selectFrom("parties").select(["name", "email"]).where("id", "=", p.partyId).executeTakeFirst();
  const site = await db
    .selectFrom("docks")
    .innerJoin("facilities", "facilities.id", "docks.facility_id")
    .select(["facilities.id", "facilities.csp"])
    .where("docks.id", "=", e.dockId)
    .executeTakeFirst();
  const csp = CspSchema.safeParse(site?.csp);
  let problem: string | null = null;
  let document: Parameters<typeof asnJson>[0] | null = null;
  if (!m) problem = `manifest ${p.manifestId} is not known to central`;
  else if (!party) problem = `party ${p.partyId} is not known to central`;
  else if (!site || !csp.success) problem = `dock ${e.dockId} has no facility with a CSP`;
  else {
    const built = buildAsnDocument({
      asnNumber: p.asnNumber,
      issuedAt: e.at,
      manifest: m,
      partyName: party.name,
      shipFrom: { csp: csp.data, facilityId: site.id },
    });
    if (!built.ok) problem = `the ASN document cannot be rebuilt: ${built.reason}`;
    else {
      const sha = await asnSha256(built.document);
      if (sha !== p.documentSha256)
        problem = `the rebuilt document's SHA-256 is ${sha}, the dock recorded ${p.documentSha256}`;
      else document = built.document;
    }
  }
  const content = document
    ? asnJson(document)
    : JSON.stringify({ asnNumber: p.asnNumber, manifestId: p.manifestId, documentSha256: p.documentSha256, problem });
  const status = document ? "issued" : "unverified";
  await db
    .insertInto("asns")
    .values({
      asn_number: p.asnNumber,
      manifest_id: p.manifestId,
      party_id: p.partyId,
      status,
      event_id: e.id,
      content,
    })
    .onConflict((oc) =>
      oc.column("asn_number").doUpdateSet({ status, event_id: e.id, manifest_id: p.manifestId, content }),
    )
    .execute();
  if (document && party) {
    const notice = asnNotice(party.email, p.asnNumber, p.manifestId, {
      filename: `ASN-${p.asnNumber}.json`,
      contentType: "application/json",
      content,
    });
    notice.attachments = [
      ...(notice.attachments ?? []),
      { filename: `ASN-${p.asnNumber}.csv`, contentType: "text/csv", content: asnCsv(document) },
    ];
    await enqueueNotice(db, notice);
  }
}

/** Req 7 (and 8 when re-issued): the re-delivery notice, with GUIDs re-flashed and failed. */
async function noticeIssued(db: Kysely<Database>, e: EventOf<"notice.issued">): Promise<void> {
  const m = await loadManifest(db, e.payload.manifestId);
  if (!m) return;
  const party = await db.selectFrom("parties").select("email").where("id", "=", m.partyId).executeTakeFirst();
  if (!party) return;
  // "Failed" is a failed re-flash with its Fault Analysis Report (Req 6/7), and nothing else:
  // hubs left out because they were never received, rejected at receipt or not yet flashed
  // are listed apart, neither failed nor credited.
  const reported = await faultReportsOf(
    db,
    m.excludedHubs.map((h) => h.deviceId),
  );
  const failed: Array<{ deviceId: string; faultReport: string }> = [];
  const notIncluded: Array<{ deviceId: string; reason: string }> = [];
  for (const h of m.excludedHubs) {
    const far = h.faultEventId ?? reported.get(h.deviceId) ?? null;
    if (far !== null) failed.push({ deviceId: h.deviceId, faultReport: far });
    else notIncluded.push({ deviceId: h.deviceId, reason: h.reason });
  }
  await enqueueNotice(
    db,
    redeliveryNotice(party.email, {
      manifestId: m.manifestId,
      flashed: manifestHubs(m),
      failed,
      notIncluded,
      deliveryDate: e.payload.deliveryDate,
      windowStart: e.payload.deliveryWindow.start,
      windowEnd: e.payload.deliveryWindow.end,
      locationName: m.deliveryLocation.name,
      locationAddress: m.deliveryLocation.address,
      reissue: e.payload.reissue,
    }),
  );
}

/** The latest Fault Analysis Report (its event id, the report's reference) of each of these hubs. */
async function faultReportsOf(db: Kysely<Database>, deviceIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < deviceIds.length; i += 5000) {
    const chunk = deviceIds.slice(i, i + 5000);
    if (chunk.length === 0) continue;
    for (const r of await db
      .selectFrom("fault_reports")
      .select(["device_id", "event_id"])
      .where("device_id", "in", chunk)
      .orderBy("id")
      .execute())
      out.set(r.device_id, r.event_id);
  }
  return out;
}

async function dispatchRecorded(
  db: Kysely<Database>,
  dock: DockIdentity,
  e: EventOf<"dispatch.recorded">,
): Promise<void> {
  const m = await loadManifest(db, e.payload.manifestId);
  if (!m) return;
  await appendAudit(
    db,
    manifestHubs(m).map((deviceId) => ({
      deviceId,
      actor: e.operatorId,
      dockId: e.dockId,
      facilityId: dock.facilityId,
      action: "dispatch.recorded",
      detail: { manifestId: m.manifestId, asnNumber: e.payload.asnNumber, eventId: e.id },
    })),
  );
  await advanceWorkOrdersOfBookings(db, m.bookingRefs, "completed");
}
