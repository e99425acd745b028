import { sql, type Kysely } from "kysely";

/**
 * Issue 17. The SMI mirror carries each hub's HAN variant (Single or Dual Band), so credits and
 * return charges are priced by it instead of being left unpriced. And each failed hub gets a
 * disposition (risk R-001, PIA 6.2.1): scrapped, or returned to its manufacturer, decided once
 * at the DCC desk; the decision is also in the hub's audit trail.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table inventory add column han_variant text check (han_variant in ('single-band', 'dual-band'))`.execute(
    db,
  );
  await sql`create table hub_dispositions (
    device_id text primary key,
    party_id text not null,
    booking_ref text,
    manufacturer text not null,
    disposition text not null check (disposition in ('scrapped', 'returned-to-manufacturer')),
    note text not null,
    fault_event_id text not null,
    decided_by text not null,
    decided_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index hub_dispositions_manufacturer on hub_dispositions (disposition, manufacturer)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table hub_dispositions`.execute(db);
  await sql`alter table inventory drop column han_variant`.execute(db);
}
