import { Hono, type Context } from "hono";
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import { ApiError } from "../http/api-error";
import { StatementQuerySchema } from "../api-schemas";
import { addDays } from "../services/working-time";
import {
  buildServiceReport,
  type FlashCountFact,
  type ServiceReport,
  type SiteCountFact,
  type TurnaroundFact,
} from "../../shared/domain/service-report";
import type { EventOf } from "../../shared/events";
import { toCsv } from "./files";
import { needRole, type DeskEnv } from "./session";

/**
 * The service report (issue 19, the CSPs' "performance measures and service reporting"): central
 * reads the facts of a period from its records and the shared pure `buildServiceReport` decides
 * the figures and the flagged slots. Days are UTC calendar days of the dock's event instants.
 *
 * - received: hubs scanned as expected at the receipts closed in the period (receipt_outcomes);
 * - re-flashed: hubs with a successful flash result in the period; failed: hubs with a Fault
 *   Analysis Report in the period (each hub counted once per site and Party);
 * - turnaround: for each hub re-delivered (dispatch recorded) in the period, its booking's
 *   arrival at the facility (the dock's first `booking.arrived` or `unloading.started`) to the
 *   dispatch;
 * - per jig and slot: every `flash.result` event in the period is one attempt.
 */

/** The longest period one report covers (a year and a bit: a CSP's annual figures). */
const MAX_DAYS = 400;

type ManifestDoc = EventOf<"manifest.built">["payload"];

export async function serviceReportFacts(
  db: Kysely<Database>,
  from: string,
  to: string,
): Promise<{ counts: SiteCountFact[]; turnarounds: TurnaroundFact[]; flashes: FlashCountFact[] }> {
  const start = `${from}T00:00:00.000Z`;
  const end = `${addDays(to, 1)}T00:00:00.000Z`;

  const received = await sql<{ facility_id: string; party_id: string; n: string | number | null }>`
    select b.facility_id, b.party_id, sum(coalesce((r.detail->>'received')::int, 0)) as n
    from receipt_outcomes r join bookings b on b.booking_ref = r.booking_ref
    where r.at >= ${start}::timestamptz and r.at < ${end}::timestamptz
    group by b.facility_id, b.party_id`.execute(db);
  const reflashed = await sql<{ facility_id: string; party_id: string; n: string | number }>`
    select b.facility_id, b.party_id, count(distinct f.device_id) as n
    from flash_results f join bookings b on b.booking_ref = f.booking_ref
    where f.ok and f.at >= ${start} and f.at < ${end}
    group by b.facility_id, b.party_id`.execute(db);
  const failed = await sql<{ facility_id: string; party_id: string; n: string | number }>`
    select b.facility_id, b.party_id, count(distinct f.device_id) as n
    from fault_reports f join bookings b on b.booking_ref = f.booking_ref
    where f.at >= ${start} and f.at < ${end}
    group by b.facility_id, b.party_id`.execute(db);
  const counts: SiteCountFact[] = [
    ...received.rows.map((r) => ({
      facilityId: r.facility_id,
      partyId: r.party_id,
      received: Number(r.n ?? 0),
      reflashed: 0,
      failed: 0,
    })),
    ...reflashed.rows.map((r) => ({
      facilityId: r.facility_id,
      partyId: r.party_id,
      received: 0,
      reflashed: Number(r.n),
      failed: 0,
    })),
    ...failed.rows.map((r) => ({
      facilityId: r.facility_id,
      partyId: r.party_id,
      received: 0,
      reflashed: 0,
      failed: Number(r.n),
    })),
  ];

  const flashRows = await sql<{
    facility_id: string;
    jig: string;
    slot: string;
    day: string;
    attempts: string | number;
    failures: string | number;
  }>`
    select facility_id, payload->'payload'->>'jigId' as jig, payload->'payload'->>'slot' as slot,
           substr(occurred_at, 1, 10) as day, count(*) as attempts,
           sum(case when payload->'payload'->>'outcome' = 'failed' then 1 else 0 end) as failures
    from events
    where type = 'flash.result' and occurred_at >= ${start} and occurred_at < ${end}
    group by 1, 2, 3, 4`.execute(db);
  const flashes: FlashCountFact[] = flashRows.rows.map((r) => ({
    facilityId: r.facility_id,
    jigId: r.jig,
    slot: Number(r.slot),
    day: r.day,
    attempts: Number(r.attempts),
    failures: Number(r.failures),
  }));

  const dispatches = await sql<{ dispatched_at: string; doc: unknown; facility_id: string; party_id: string }>`
    select e.occurred_at as dispatched_at, m.doc, m.facility_id, m.party_id
    from events e join manifests m on m.manifest_id = e.payload->'payload'->>'manifestId'
    where e.type = 'dispatch.recorded' and e.occurred_at >= ${start} and e.occurred_at < ${end}`.execute(db);
  const turnarounds: TurnaroundFact[] = [];
  if (dispatches.rows.length > 0) {
    const docs = dispatches.rows.map((d) => ({
      ...d,
      doc: (typeof d.doc === "string" ? JSON.parse(d.doc) : d.doc) as ManifestDoc,
    }));
    const refs = [...new Set(docs.flatMap((d) => d.doc.bookingRefs))];
    const arrivals = new Map<string, string>();
    for (let i = 0; i < refs.length; i += 1000) {
      const chunk = refs.slice(i, i + 1000);
      const rows = await db
        .selectFrom("events")
        .select(["booking_ref", (eb) => eb.fn.min<string>("occurred_at").as("at")])
        .where("type", "in", ["booking.arrived", "unloading.started"])
        .where("booking_ref", "in", chunk)
        .groupBy("booking_ref")
        .execute();
      for (const r of rows) if (r.booking_ref !== null) arrivals.set(r.booking_ref, r.at);
    }
    for (const d of docs) {
      const hubs = [...d.doc.pallets.flatMap((p) => p.cartons), ...d.doc.looseCartons].flatMap((c) =>
        c.hubs.map((h) => h.deviceId),
      );
      // A manifest of one booking (the usual case) needs no lookup; several: each hub's own booking.
      const bookingOf = new Map<string, string>();
      const [only] = d.doc.bookingRefs;
      if (d.doc.bookingRefs.length === 1 && only !== undefined) for (const h of hubs) bookingOf.set(h, only);
      else
        for (let i = 0; i < hubs.length; i += 5000) {
          const chunk = hubs.slice(i, i + 5000);
          if (chunk.length === 0 || d.doc.bookingRefs.length === 0) continue;
          for (const r of await db
            .selectFrom("booking_hubs")
            .select(["device_id", "booking_ref"])
            .where("device_id", "in", chunk)
            .where("booking_ref", "in", d.doc.bookingRefs)
            .execute())
            bookingOf.set(r.device_id, r.booking_ref);
        }
      for (const h of hubs) {
        const ref = bookingOf.get(h);
        const arrivedAt = ref === undefined ? undefined : arrivals.get(ref);
        if (arrivedAt !== undefined)
          turnarounds.push({
            facilityId: d.facility_id,
            partyId: d.party_id,
            arrivedAt,
            dispatchedAt: d.dispatched_at,
          });
      }
    }
  }
  return { counts, turnarounds, flashes };
}

export async function serviceReport(db: Kysely<Database>, from: string, to: string): Promise<ServiceReport> {
  return buildServiceReport({ from, to }, await serviceReportFacts(db, from, to));
}

const pct = (x: number) => (x * 100).toFixed(1);
const hours = (x: number | null) => (x === null ? "" : x.toFixed(1));

/** The report's site and Party table as CSV rows (header first). */
export function sitesCsvRows(r: ServiceReport): string[][] {
  return [
    [
      "Facility",
      "Party",
      "Received",
      "Re-flashed",
      "Failed",
      "Re-delivered",
      "Turnaround median (h)",
      "Turnaround p90 (h)",
    ],
    ...r.sites.map((s) => [
      s.facilityId,
      s.partyId,
      String(s.received),
      String(s.reflashed),
      String(s.failed),
      String(s.redelivered),
      hours(s.turnaroundMedianHours),
      hours(s.turnaroundP90Hours),
    ]),
  ];
}

/** The report's per-slot table as CSV rows (header first). */
export function slotsCsvRows(r: ServiceReport): string[][] {
  return [
    ["Facility", "Jig", "Slot", "Attempts", "Failures", "Failure rate %", "Other slots' rate %", "p-value", "Flagged"],
    ...r.jigs.flatMap((j) =>
      j.slots.map((s) => [
        j.facilityId,
        j.jigId,
        String(s.slot),
        String(s.attempts),
        String(s.failures),
        pct(s.failureRate),
        pct(s.othersRate),
        s.pValue === null ? "" : s.pValue.toPrecision(3),
        s.flagged ? "yes" : "no",
      ]),
    ),
  ];
}

/** The per-jig yield by day as CSV rows (header first). */
export function daysCsvRows(r: ServiceReport): string[][] {
  return [
    ["Facility", "Jig", "Day", "Attempts", "Failures", "Yield %"],
    ...r.jigs.flatMap((j) =>
      j.days.map((d) => [j.facilityId, j.jigId, d.day, String(d.attempts), String(d.failures), pct(d.yield)]),
    ),
  ];
}

function periodOf(c: Context): { from: string; to: string } {
  const q = StatementQuerySchema.safeParse(c.req.query());
  if (!q.success) throw new ApiError(400, "invalid-query", "choose the period with from and to dates (YYYY-MM-DD)");
  const { from, to } = q.data;
  if (from > to) throw new ApiError(400, "invalid-query", `from ${from} is after to ${to}`);
  if (addDays(from, MAX_DAYS) < to)
    throw new ApiError(400, "invalid-query", `a report covers at most ${MAX_DAYS} days; choose a shorter period`);
  return { from, to };
}

/** GET /desk/api/report/service (JSON) and its CSV downloads (sites, slots, days). */
export function serviceReportRoutes(deps: { db: Kysely<Database> }): Hono<DeskEnv> {
  const routes = new Hono<DeskEnv>();
  routes.get("/service", async (c) => {
    needRole(c, "dcc-admin", "dcc-ops");
    const { from, to } = periodOf(c);
    return c.json(await serviceReport(deps.db, from, to));
  });
  const csv = { sites: sitesCsvRows, slots: slotsCsvRows, days: daysCsvRows } as const;
  routes.get("/service/:part{(sites|slots|days)\\.csv}", async (c) => {
    needRole(c, "dcc-admin", "dcc-ops");
    const { from, to } = periodOf(c);
    const part = c.req.param("part").replace(/\.csv$/, "") as keyof typeof csv;
    const r = await serviceReport(deps.db, from, to);
    return c.body(toCsv(csv[part](r)), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="service-report-${part}-${from}-to-${to}.csv"`,
    });
  });
  return routes;
}
