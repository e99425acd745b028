import { sql, type Kysely } from "kysely";

/**
 * Issue 19 (desk, part A).
 * - `email_intake`: every request message the mailbox received, by Message-ID, with what it was
 *   answered: a message delivered twice is recognised and books nothing twice.
 * - `outbox.in_reply_to`: an answer to an emailed request threads under it (In-Reply-To, References).
 * - `dispatch_documents`: the Party's dispatch document of Req 4 for a booking (sent date and
 *   time, the Party's signifier, the pallets with their identifiers and GUIDs); docks pull it with the booking.
 * - `work_orders.status_reason`: why a Work Order was cancelled or closed from the desk.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table email_intake (message_id text primary key, sender text not null, party_id text, subject text not null, outcome text not null, request_id text, reasons jsonb not null, received_at timestamptz not null default now())`.execute(
    db,
  );
  await sql`alter table outbox add column in_reply_to text`.execute(db);
  await sql`create table dispatch_documents (booking_ref text primary key references bookings(booking_ref), party_id text not null, sent_at timestamptz not null, party_signifier text not null, pallets jsonb not null, submitted_by text not null, submitted_at timestamptz not null default now())`.execute(
    db,
  );
  await sql`alter table work_orders add column status_reason text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table work_orders drop column status_reason`.execute(db);
  await sql`drop table dispatch_documents`.execute(db);
  await sql`alter table outbox drop column in_reply_to`.execute(db);
  await sql`drop table email_intake`.execute(db);
}
