import { sql, type Kysely } from "kysely";

/**
 * Issue 17. ASN numbers come from central only: a dock reserves a block ahead (while online)
 * and issues from it offline. Each number of a block is held for the dock it was handed to;
 * central's sequence never hands a number out twice, across docks, restarts and reinstalls.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table asn_blocks (asn_number text primary key, dock_id text not null references docks(id), reserved_by text not null, reserved_at timestamptz not null default now())`.execute(
    db,
  );
  await sql`create index asn_blocks_dock on asn_blocks (dock_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table asn_blocks`.execute(db);
}
