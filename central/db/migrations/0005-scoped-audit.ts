import { sql, type Kysely } from "kysely";

/**
 * Issue 15. A dock reads only its facility's history of a hub, central's own audit rows
 * included: each audit row now names the facility it belongs to (the acting dock's, the
 * booking's, or the hub's latest booking's for central's SMI rows). Rows written before are
 * attributed the same way. A Party's idempotency key is compared without letter case, through
 * an index on its lower-case form (existing keys are kept as written).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit add column facility_id text`.execute(db);
  await sql`update audit a set facility_id = coalesce(
      (select d.facility_id from docks d where d.id = a.dock_id),
      (select b.facility_id from bookings b where b.booking_ref = a.detail->>'bookingRef'),
      (select b.facility_id from booking_hubs h join bookings b on b.booking_ref = h.booking_ref where h.device_id = a.device_id order by b.created_at desc limit 1))`.execute(
    db,
  );
  await sql`create index requests_client_request_id_lower on requests (lower(client_request_id))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index requests_client_request_id_lower`.execute(db);
  await sql`alter table audit drop column facility_id`.execute(db);
}
