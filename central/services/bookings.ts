import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import { BookingSchema, type Booking, type Redelivery } from "../../shared/domain/booking";
import type { RedeliveryAmendment } from "../../shared/sync";
import { recordChange } from "./changes";

export type { Redelivery } from "../../shared/domain/booking";

type BookingRow = { doc: unknown; status: string; version: number };

/** The booking document with its live status and version laid over the stored one. */
function rowToBooking(r: BookingRow): Booking {
  return BookingSchema.parse({ ...(r.doc as object), status: r.status, version: r.version });
}

/** Bookings by reference (all of them when `refs` is omitted), optionally only at one facility. */
export async function loadBookings(
  db: Kysely<Database>,
  refs?: readonly string[],
  facilityId?: string,
): Promise<Booking[]> {
  if (refs !== undefined && refs.length === 0) return [];
  let q = db.selectFrom("bookings").select(["doc", "status", "version"]);
  if (refs !== undefined) q = q.where("booking_ref", "in", refs);
  if (facilityId !== undefined) q = q.where("facility_id", "=", facilityId);
  const rows = await q.orderBy("booking_ref").execute();
  return rows.map(rowToBooking);
}

/** One booking, or null. */
export async function loadBooking(db: Kysely<Database>, ref: string): Promise<Booking | null> {
  return (await loadBookings(db, [ref]))[0] ?? null;
}

/** Stores a new booking (authorised), its hub index and a pull-feed change. */
export async function insertBooking(db: Kysely<Database>, b: Booking, contact: unknown): Promise<void> {
  const hubRows: Array<{
    device_id: string;
    booking_ref: string;
    pallet_sscc: string | null;
    carton_sscc: string | null;
  }> = [];
  for (const p of b.pallets)
    for (const h of p.hubs ?? [])
      hubRows.push({ device_id: h.deviceId, booking_ref: b.bookingRef, pallet_sscc: p.sscc, carton_sscc: null });
  for (const p of b.pallets)
    for (const c of p.cartons)
      for (const h of c.hubs)
        hubRows.push({ device_id: h.deviceId, booking_ref: b.bookingRef, pallet_sscc: p.sscc, carton_sscc: c.sscc });
  for (const c of b.looseCartons)
    for (const h of c.hubs)
      hubRows.push({ device_id: h.deviceId, booking_ref: b.bookingRef, pallet_sscc: null, carton_sscc: c.sscc });
  await db
    .insertInto("bookings")
    .values({
      booking_ref: b.bookingRef,
      delivery_ref: b.deliveryRef,
      work_order_id: b.workOrderId,
      party_id: b.partyId,
      facility_id: b.facilityId,
      status: b.status,
      version: b.version,
      doc: JSON.stringify(b),
      contact: JSON.stringify(contact),
      hub_count: hubRows.length,
      pallet_count: b.pallets.length,
    })
    .execute();
  for (let i = 0; i < hubRows.length; i += 5000)
    await db
      .insertInto("booking_hubs")
      .values(hubRows.slice(i, i + 5000))
      .execute();
  await db
    .insertInto("work_order_links")
    .values({ work_order_id: b.workOrderId, kind: "booking", ref: b.bookingRef })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await recordChange(db, "booking", b.bookingRef, b.facilityId);
}

/** Rewrites fields of the stored document, bumps the version and tells the facility's docks. */
export async function amendBooking(
  db: Kysely<Database>,
  ref: string,
  patch: Partial<Pick<Booking, "deliveryDate" | "deliveryWindow" | "redelivery" | "status">>,
): Promise<number> {
  const row = await db
    .selectFrom("bookings")
    .select(["doc", "facility_id", "version", "status"])
    .where("booking_ref", "=", ref)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const doc = { ...(row.doc as Booking), ...patch, version: row.version + 1 };
  await db
    .updateTable("bookings")
    .set({
      doc: JSON.stringify(doc),
      version: row.version + 1,
      status: patch.status ?? row.status,
      updated_at: sql<string>`now()`,
    })
    .where("booking_ref", "=", ref)
    .execute();
  await recordChange(db, "booking", ref, row.facility_id);
  return row.version + 1;
}

/** Re-delivery amendments (Req 8) for the given bookings. */
export async function loadRedeliveries(db: Kysely<Database>, refs: readonly string[]): Promise<RedeliveryAmendment[]> {
  if (refs.length === 0) return [];
  const rows = await db
    .selectFrom("bookings")
    .select(["booking_ref", "version", "redelivery"])
    .where("booking_ref", "in", refs)
    .where("redelivery", "is not", null)
    .execute();
  return rows.map((r) => {
    const d = r.redelivery as Redelivery;
    return {
      bookingRef: r.booking_ref,
      bookingVersion: r.version,
      deliveryDate: d.deliveryDate,
      deliveryWindow: d.deliveryWindow,
      deliveryLocation: d.deliveryLocation,
    };
  });
}
