import { sql, type Kysely } from "kysely";

/**
 * A push stores every dock event, so each index on `events` is paid for 300,000 times a year.
 * The booking index served one query (the receipt's count of hubs scanned as expected), which
 * now reaches the same rows through the booking's hubs and the device index; dropping it takes
 * about a fifth off the database's share of a push.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists events_booking`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists events_booking on events (booking_ref) where booking_ref is not null`.execute(
    db,
  );
}
