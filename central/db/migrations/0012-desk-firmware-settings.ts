import { sql, type Kysely } from "kysely";

/**
 * Issue 19 (the desk's firmware catalogue and business configuration):
 * - `firmware_uploads`: an image uploaded at the desk and hashed at central, waiting to be
 *   published (signed with central's key into the catalogue docks pull) or discarded. Docks never
 *   see an upload: only `firmware` rows reach them.
 * - `desk_settings`: the DCC's business configuration and contact details as set at the desk (one
 *   JSON document per key, validated with the shared schemas before it is stored), laid over
 *   CENTRAL_CONFIG when central starts.
 * - `events_report`: the service report reads flash results and dispatches by instant; a partial
 *   index over those two event types only, so the dock's push of every other event pays nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table firmware_uploads (device_model text not null, version text not null, sha256 text not null, size_bytes integer not null, file_name text not null, uploaded_by text not null, uploaded_at timestamptz not null default now(), primary key (device_model, version))`.execute(
    db,
  );
  await sql`create index events_report on events (type, occurred_at) where type in ('flash.result', 'dispatch.recorded')`.execute(
    db,
  );
  await sql`create table desk_settings (key text primary key, value json not null, updated_by text not null, updated_at timestamptz not null default now())`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table desk_settings`.execute(db);
  await sql`drop index events_report`.execute(db);
  await sql`drop table firmware_uploads`.execute(db);
}
