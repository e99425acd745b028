import { sql, type Kysely } from "kysely";

/**
 * Issue 20 (operator PINs): each dock operator's PIN hash (PBKDF2-SHA256, shared/domain/operator-pin.ts),
 * set or reset by a DCC admin at the desk and pulled by the docks of the operator's facility, so sign-in
 * works offline. Central keeps only the hash, never the PIN. Every existing operator is put back on the
 * pull feed so docks that synced before this change receive the new field.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table operators add column pin_hash jsonb`.execute(db);
  await sql`alter table operators add column pin_set_at timestamptz`.execute(db);
  await sql`insert into changes (kind, key, facility_id) select 'operator', id, facility_id from operators order by id`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table operators drop column pin_set_at`.execute(db);
  await sql`alter table operators drop column pin_hash`.execute(db);
}
