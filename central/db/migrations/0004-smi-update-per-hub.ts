import { sql, type Kysely } from "kysely";

/**
 * A hub has at most one pending SMI update: a later flash supersedes the earlier one (an SSMI
 * file listing a hub twice is refused whole). Hubs flashed twice before this migration keep
 * their latest pending update. The partial index makes the supersede a lookup, not a scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update smi_updates u set status = 'superseded'
    where status = 'pending' and exists (select 1 from smi_updates later where later.device_id = u.device_id and later.status = 'pending' and later.id > u.id)`.execute(
    db,
  );
  await sql`create unique index smi_updates_one_pending on smi_updates (device_id) where status = 'pending'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index smi_updates_one_pending`.execute(db);
  await sql`update smi_updates set status = 'pending' where status = 'superseded'`.execute(db);
}
