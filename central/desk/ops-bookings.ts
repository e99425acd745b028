import { Hono, type Context } from "hono";
import { sql, type Kysely } from "kysely";
import type { z } from "zod";
import type { Database } from "../db/schema";
import type { BusinessConfig } from "../config";
import { ApiError } from "../http/api-error";
import { partyStatement } from "../services/charges";
import { bookingLabelPdfOf } from "../services/booking-label-pdf";
import { BookingRefSchema } from "../../shared/domain/booking";
import { encodeBookingLabel } from "../../shared/domain/labels";
import {
  OpsBookingsQuerySchema,
  OpsStatementQuerySchema,
  type OpsBookingRow,
  type OpsForecastRow,
  type OpsReceiptOutcome,
} from "../../shared/desk-api";
import { needRole, type DeskEnv } from "./session";

const MISSING_SHOWN = 100;

/** Every problem of a query, in plain words: "status: ..." per parameter. */
function queryOf<T>(c: Context, schema: z.ZodType<T>): T {
  const r = schema.safeParse(c.req.query());
  if (r.success) return r.data;
  const reasons = r.error.issues.map((i) =>
    i.path.length > 0 ? `${i.path.map(String).join(".")}: ${i.message}` : i.message,
  );
  throw new ApiError(400, "invalid-query", reasons.join("; "));
}

/**
 * The DCC's view of every Party's bookings (with the label and, once closed, the receipt's
 * outcome), their six-monthly forecasts (D-001) and a Party's statement for a period. Staff
 * only; the statement and the label come from the same builders as the portal and the email.
 */
export function opsBookingsRoutes(deps: { db: Kysely<Database>; business: BusinessConfig }): Hono<DeskEnv> {
  const { db } = deps;
  const r = new Hono<DeskEnv>();
  const staff = (c: Parameters<typeof needRole>[0]) => needRole(c, "dcc-admin", "dcc-ops");

  const receiptOf = async (ref: string): Promise<OpsReceiptOutcome | null> => {
    const row = await db.selectFrom("receipt_outcomes").selectAll().where("booking_ref", "=", ref).executeTakeFirst();
    if (!row) return null;
    const d = row.detail as {
      listed: number;
      received: number;
      rejectedHubs: Array<{ deviceId: string; code: string; reason: string }>;
      rejectionReason: string | null;
      packagingNotes: string | null;
      damageNotes: string | null;
    };
    const scanned = await db
      .selectFrom("events")
      .select(["device_id", sql<string>`events.payload->'payload'->>'verdict'`.as("verdict")])
      .where("booking_ref", "=", ref)
      .where("type", "=", "scan.recorded")
      .where("device_id", "is not", null)
      .execute();
    const expected = new Set(scanned.filter((s) => s.verdict === "expected").map((s) => s.device_id));
    const unexpected = new Map<string, string>();
    for (const s of scanned)
      if (s.device_id !== null && s.verdict !== "expected" && !expected.has(s.device_id))
        unexpected.set(s.device_id, s.verdict);
    const listed = await db
      .selectFrom("booking_hubs")
      .select("device_id")
      .where("booking_ref", "=", ref)
      .orderBy("device_id")
      .execute();
    const missing = listed.map((h) => h.device_id).filter((id) => !expected.has(id));
    return {
      outcome: row.outcome,
      listed: d.listed,
      received: d.received,
      missing: { count: missing.length, deviceIds: missing.slice(0, MISSING_SHOWN) },
      unexpected: [...unexpected].map(([deviceId, verdict]) => ({ deviceId, verdict })),
      rejectedHubs: d.rejectedHubs,
      rejectionReason: d.rejectionReason,
      packagingNotes: d.packagingNotes,
      damageNotes: d.damageNotes,
      closedAt: new Date(row.at).toISOString(),
    };
  };

  r.get("/bookings", async (c) => {
    staff(c);
    const q = queryOf(c, OpsBookingsQuerySchema);
    let query = db
      .selectFrom("bookings")
      .innerJoin("parties", "parties.id", "bookings.party_id")
      .select([
        "bookings.booking_ref",
        "bookings.delivery_ref",
        "bookings.party_id",
        "parties.name as party_name",
        "bookings.facility_id",
        "bookings.status",
        "bookings.doc",
        "bookings.hub_count",
        "bookings.pallet_count",
      ])
      .orderBy("bookings.created_at", "desc")
      .limit(200);
    if (q.partyId !== undefined) query = query.where("bookings.party_id", "=", q.partyId);
    if (q.status !== undefined) query = query.where("bookings.status", "=", q.status);
    const rows = await query.execute();
    const out: OpsBookingRow[] = [];
    for (const b of rows) {
      const doc = b.doc as { deliveryDate: string; deliveryWindow: { start: string; end: string } };
      const label = encodeBookingLabel({ bookingRef: b.booking_ref, deliveryRef: b.delivery_ref });
      out.push({
        bookingRef: b.booking_ref,
        deliveryRef: b.delivery_ref,
        partyId: b.party_id,
        partyName: b.party_name,
        facilityId: b.facility_id,
        deliveryDate: doc.deliveryDate,
        deliveryWindow: doc.deliveryWindow,
        status: b.status,
        hubs: b.hub_count,
        pallets: b.pallet_count,
        labelHri: label.ok ? label.hri : "",
        receipt: b.status === "closed" ? await receiptOf(b.booking_ref) : null,
      });
    }
    return c.json(out);
  });

  r.get("/bookings/:ref/label.pdf", async (c) => {
    staff(c);
    const ref = BookingRefSchema.safeParse(c.req.param("ref"));
    if (!ref.success) throw new ApiError(400, "invalid-path", "that is not a booking reference");
    const pdf = await bookingLabelPdfOf(db, ref.data);
    if (pdf === null) throw new ApiError(404, "unknown-booking", `there is no booking ${ref.data}`);
    return c.body(Buffer.from(pdf), 200, {
      "content-type": "application/pdf",
      "content-disposition": `inline; filename="booking-label-${ref.data}.pdf"`,
    });
  });

  r.get("/forecasts", async (c) => {
    staff(c);
    const rows = await db
      .selectFrom("forecasts")
      .innerJoin("parties", "parties.id", "forecasts.party_id")
      .select([
        "forecasts.party_id",
        "parties.name",
        "forecasts.period_start",
        "forecasts.hubs",
        "forecasts.submitted_at",
      ])
      .orderBy("forecasts.period_start", "desc")
      .orderBy("forecasts.party_id")
      .execute();
    return c.json(
      rows.map((f): OpsForecastRow => ({
        partyId: f.party_id,
        partyName: f.name,
        periodStart: f.period_start,
        hubs: f.hubs,
        submittedAt: new Date(f.submitted_at).toISOString(),
      })),
    );
  });

  r.get("/statement", async (c) => {
    staff(c);
    const q = queryOf(c, OpsStatementQuerySchema);
    if (q.from > q.to) throw new ApiError(400, "invalid-query", `from ${q.from} is after to ${q.to}`);
    const party = await db.selectFrom("parties").select("id").where("id", "=", q.partyId).executeTakeFirst();
    if (!party) throw new ApiError(404, "unknown-party", `there is no Party ${q.partyId}`);
    return c.json(await partyStatement(db, deps.business, q.partyId, q.from, q.to));
  });

  return r;
}
