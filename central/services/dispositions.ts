import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { FailedHubRow, HubDisposition } from "../../shared/desk-api";
import { ApiError } from "../http/api-error";
import { appendAudit } from "./audit";

/**
 * What becomes of a failed hub (risk R-001, PIA 6.2.1: a hub that cannot be re-flashed may be
 * scrapped): the DCC decides once per hub, scrapped or returned to its manufacturer. The rule
 * is `decideDisposition` (pure); storing writes the decision and its audit row in one
 * transaction. Returns are listed per manufacturer for the shipment back.
 */

export interface DispositionFacts {
  deviceId: string;
  /** The latest Fault Analysis Report on the hub, or null: only a failed hub gets a disposition. */
  faultReport: { eventId: string; at: string } | null;
  /** The latest successful flash, if any: a hub re-flashed after its report is not failed any more. */
  reflashedAt: string | null;
  /** The hub's Party and manufacturer, from its booking and the SMI mirror. */
  partyId: string | null;
  manufacturer: string | null;
  /** A disposition already recorded. */
  existing: { disposition: HubDisposition; decidedAt: string } | null;
}

export type DispositionDecision =
  | { ok: true; row: { partyId: string; manufacturer: string; faultEventId: string } }
  | { ok: false; status: 404 | 409 | 422; code: string; reason: string };

const WORDS: Record<HubDisposition, string> = {
  scrapped: "scrapped",
  "returned-to-manufacturer": "returned to its manufacturer",
};

/** Whether this hub may be given a disposition now. */
export function decideDisposition(f: DispositionFacts, disposition: HubDisposition): DispositionDecision {
  if (f.faultReport === null)
    return {
      ok: false,
      status: 422,
      code: "not-failed",
      reason: `hub ${f.deviceId} has no Fault Analysis Report: only a hub that could not be re-flashed is scrapped or returned`,
    };
  if (f.reflashedAt !== null && f.reflashedAt > f.faultReport.at)
    return {
      ok: false,
      status: 422,
      code: "reflashed",
      reason: `hub ${f.deviceId} was re-flashed after its Fault Analysis Report: it goes back to its Party`,
    };
  if (f.existing !== null)
    return {
      ok: false,
      status: 409,
      code: "already-decided",
      reason: `hub ${f.deviceId} was already ${WORDS[f.existing.disposition]} (${f.existing.decidedAt.slice(0, 10)}); a disposition is decided once`,
    };
  if (f.partyId === null || f.manufacturer === null)
    return {
      ok: false,
      status: 422,
      code: "unknown-hub",
      reason: `hub ${f.deviceId} is on no booking or not in the SMI mirror, so its Party or manufacturer is unknown`,
    };
  if (disposition !== "scrapped" && disposition !== "returned-to-manufacturer")
    return { ok: false, status: 422, code: "bad-disposition", reason: "choose scrapped or returned to manufacturer" };
  return { ok: true, row: { partyId: f.partyId, manufacturer: f.manufacturer, faultEventId: f.faultReport.eventId } };
}

async function factsOf(
  db: Kysely<Database>,
  deviceId: string,
): Promise<DispositionFacts & { bookingRef: string | null }> {
  const far = await db
    .selectFrom("fault_reports")
    .select(["event_id", "at", "booking_ref"])
    .where("device_id", "=", deviceId)
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
  const flashed = await db
    .selectFrom("flash_results")
    .select("at")
    .where("device_id", "=", deviceId)
    .where("ok", "=", true)
    .orderBy("at", "desc")
    .executeTakeFirst();
  const booking =
    far?.booking_ref == null
      ? null
      : await db
          .selectFrom("bookings")
          .select("party_id")
          .where("booking_ref", "=", far.booking_ref)
          .executeTakeFirst();
  const inv = await db
    .selectFrom("inventory")
    .select("manufacturer")
    .where("device_id", "=", deviceId)
    .executeTakeFirst();
  const existing = await db
    .selectFrom("hub_dispositions")
    .select(["disposition", "decided_at"])
    .where("device_id", "=", deviceId)
    .executeTakeFirst();
  return {
    deviceId,
    faultReport: far ? { eventId: far.event_id, at: far.at } : null,
    reflashedAt: flashed?.at ?? null,
    partyId: booking?.party_id ?? null,
    manufacturer: inv?.manufacturer ?? null,
    existing: existing
      ? { disposition: existing.disposition, decidedAt: new Date(existing.decided_at).toISOString() }
      : null,
    bookingRef: far?.booking_ref ?? null,
  };
}

/** Records the DCC's decision for a failed hub and audits it against the hub; refuses by the rule above. */
export async function recordDisposition(
  db: Kysely<Database>,
  deviceId: string,
  request: { disposition: HubDisposition; note: string },
  actor: string,
): Promise<FailedHubRow> {
  await db.transaction().execute(async (trx) => {
    // One decision per hub even when two people press at once: the second waits here, then sees the first.
    await sql`select pg_advisory_xact_lock(hashtext(${`disposition:${deviceId}`}))`.execute(trx);
    const f = await factsOf(trx, deviceId);
    const d = decideDisposition(f, request.disposition);
    if (!d.ok) throw new ApiError(d.status, d.code, d.reason);
    await trx
      .insertInto("hub_dispositions")
      .values({
        device_id: deviceId,
        party_id: d.row.partyId,
        booking_ref: f.bookingRef,
        manufacturer: d.row.manufacturer,
        disposition: request.disposition,
        note: request.note,
        fault_event_id: d.row.faultEventId,
        decided_by: actor,
      })
      .execute();
    await appendAudit(trx, [
      {
        deviceId,
        actor,
        dockId: null,
        facilityId: null,
        action: "hub.disposition",
        detail: { disposition: request.disposition, note: request.note, faultReport: d.row.faultEventId },
      },
    ]);
  });
  const rows = await failedHubs(db, { deviceId });
  const row = rows[0];
  if (!row) throw new ApiError(500, "lost", `the disposition of hub ${deviceId} was stored but cannot be read back`);
  return row;
}

/** Failed hubs (each with its latest Fault Analysis Report) and their dispositions, newest report first. */
export async function failedHubs(
  db: Kysely<Database>,
  filter: { deviceId?: string; partyId?: string; pending?: boolean } = {},
): Promise<FailedHubRow[]> {
  let q = db
    .selectFrom("fault_reports as f")
    .innerJoin("bookings as b", "b.booking_ref", "f.booking_ref")
    .leftJoin("inventory as i", "i.device_id", "f.device_id")
    .leftJoin("hub_dispositions as d", "d.device_id", "f.device_id")
    .select([
      "f.device_id",
      "f.event_id",
      "f.reason",
      "f.at",
      "f.booking_ref",
      "b.party_id",
      "i.manufacturer",
      "i.device_model",
      "d.disposition",
      "d.note",
      "d.decided_by",
      "d.decided_at",
    ])
    // The latest report of each hub stands for it.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("fault_reports as g")
            .select("g.id")
            .whereRef("g.device_id", "=", "f.device_id")
            .where(sql<boolean>`(g.at, g.id) > (f.at, f.id)`),
        ),
      ),
    );
  if (filter.deviceId !== undefined) q = q.where("f.device_id", "=", filter.deviceId);
  if (filter.partyId !== undefined) q = q.where("b.party_id", "=", filter.partyId);
  if (filter.pending === true) q = q.where("d.device_id", "is", null);
  const rows = await q.orderBy("f.at", "desc").limit(2000).execute();
  return rows.map((r) => ({
    deviceId: r.device_id,
    partyId: r.party_id,
    bookingRef: r.booking_ref,
    manufacturer: r.manufacturer ?? "",
    deviceModel: r.device_model ?? "",
    faultReport: r.event_id,
    reason: r.reason,
    reportedAt: r.at,
    disposition:
      r.disposition === null || r.decided_at === null
        ? null
        : {
            disposition: r.disposition,
            note: r.note ?? "",
            decidedBy: r.decided_by ?? "",
            decidedAt: new Date(r.decided_at).toISOString(),
          },
  }));
}

/** The hubs going back to one manufacturer, as rows for the returns list (header first). */
export async function returnsList(db: Kysely<Database>, manufacturer: string): Promise<string[][]> {
  const rows = await db
    .selectFrom("hub_dispositions as d")
    .leftJoin("inventory as i", "i.device_id", "d.device_id")
    .select([
      "d.device_id",
      "d.manufacturer",
      "i.device_model",
      "i.han_variant",
      "d.party_id",
      "d.booking_ref",
      "d.fault_event_id",
      "d.decided_at",
      "d.note",
    ])
    .where("d.disposition", "=", "returned-to-manufacturer")
    .where("d.manufacturer", "=", manufacturer)
    .orderBy("d.decided_at")
    .orderBy("d.device_id")
    .execute();
  return [
    [
      "DeviceID",
      "Manufacturer",
      "DeviceModel",
      "HANVariant",
      "Party",
      "BookingRef",
      "FaultAnalysisReport",
      "DecidedAt",
      "Note",
    ],
    ...rows.map((r) => [
      r.device_id,
      r.manufacturer,
      r.device_model ?? "",
      r.han_variant === "dual-band" ? "Dual Band" : r.han_variant === "single-band" ? "Single Band" : "",
      r.party_id,
      r.booking_ref ?? "",
      r.fault_event_id,
      new Date(r.decided_at).toISOString(),
      r.note,
    ]),
  ];
}
