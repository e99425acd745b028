import { sql, type Kysely } from "kysely";

/**
 * Issue 16. A request may list hubs on a pallet without cartons (the Party's document lists
 * pallet identifiers and GUIDs; cartons in their original packaging need not be listed), so a
 * booked hub's carton is now optional. Existing rows all have one and keep it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table booking_hubs alter column carton_sscc drop not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from booking_hubs where carton_sscc is null`.execute(db);
  await sql`alter table booking_hubs alter column carton_sscc set not null`.execute(db);
}
