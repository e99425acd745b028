import { sql, type Kysely } from "kysely";

/**
 * The first schema. Plain SQL (one statement per entry) so it reads like the PostgreSQL it
 * is; it runs unchanged on PGlite and on a PostgreSQL server. Identity columns are `integer`
 * because node-postgres returns int8 as a string and PGlite as a number: int4 is a number on
 * both, and two billion rows is far past MP155's 300,000 hubs a year.
 */
const statements = [
  `create table parties (id text primary key, name text not null, email text not null)`,
  `create table party_locations (id text primary key, party_id text not null references parties(id), name text not null, address text not null)`,
  `create table facilities (id text primary key, name text not null, csp text not null, max_pallets integer not null, address text not null)`,
  // Where Parties may deliver inbound (Req 1 "listed locations"); party_locations are where hubs go back to.
  `create table facility_locations (id text primary key, facility_id text not null references facilities(id), name text not null, address text not null)`,
  `create table docks (id text primary key, facility_id text not null references facilities(id), name text not null)`,
  // Tokens are stored as SHA-256 only: a leaked database does not leak working tokens.
  `create table api_tokens (token_hash text primary key, kind text not null check (kind in ('dock','party','dcc')), subject_id text not null, revoked_at timestamptz, created_at timestamptz not null default now())`,
  `create table jigs (id text primary key, facility_id text not null references facilities(id), slots integer not null)`,
  `create table operators (id text primary key, name text not null, facility_id text not null references facilities(id), roles jsonb not null, active boolean not null default true)`,
  // The SMI mirror: what central believes the inventory holds for each hub.
  `create table inventory (device_id text primary key, gpf_device_id text not null, device_type text not null, manufacturer text not null, device_model text not null, firmware_version text not null, smi_status text not null, assigned_party text not null, csp_region text not null, updated_at timestamptz not null default now())`,
  `create table signing_keys (key_id text primary key, public_key_pem text not null, created_at timestamptz not null default now())`,
  `create table firmware (device_model text not null, version text not null, status text not null check (status in ('production','withdrawn')), sha256 text not null, size_bytes integer not null, signature text not null, key_id text not null references signing_keys(key_id), released_at timestamptz not null, primary key (device_model, version))`,
  `create table requests (id text primary key, client_request_id text not null unique, party_id text not null, facility_id text not null, location_id text not null, delivery_date text not null, window_start text not null, window_end text not null, contact jsonb not null, hubs jsonb not null, status text not null, reasons jsonb not null, hub_reasons jsonb not null, created_at timestamptz not null default now())`,
  `create table work_orders (id text primary key, request_id text not null references requests(id), party_id text not null, csp text not null, facility_id text not null, status text not null, purchase_order text, created_at timestamptz not null default now(), updated_at timestamptz not null default now())`,
  `create table work_order_links (work_order_id text not null references work_orders(id), kind text not null, ref text not null, primary key (work_order_id, kind, ref))`,
  `create table bookings (booking_ref text primary key, delivery_ref text not null unique, work_order_id text not null references work_orders(id), party_id text not null, facility_id text not null, status text not null, version integer not null, doc jsonb not null, contact jsonb not null, redelivery jsonb, hub_count integer not null, pallet_count integer not null, created_at timestamptz not null default now(), updated_at timestamptz not null default now())`,
  `create table booking_hubs (device_id text not null, booking_ref text not null references bookings(booking_ref), pallet_sscc text, carton_sscc text not null, primary key (device_id, booking_ref))`,
  `create index booking_hubs_booking on booking_hubs (booking_ref)`,
  // The pull feed: one row per change; a dock's cursor is the last seq it has seen.
  `create table changes (seq integer generated always as identity primary key, kind text not null, key text not null, facility_id text, at timestamptz not null default now())`,
  `create index changes_facility on changes (facility_id, seq)`,
  // content_hash tells a replay (same id, same content: a no-op) from an id reused for different content.
  // payload is json, not jsonb: stored as sent (the event is immutable), which makes the bulk insert of a
  // push batch markedly cheaper; the few queries into it (receipt counts) read it with ->> all the same.
  `create table events (id text primary key, seq integer generated always as identity, dock_id text not null, facility_id text not null, type text not null, operator_id text, occurred_at text not null, booking_ref text, device_id text, content_hash text not null, payload json not null, received_at timestamptz not null default now())`,
  `create index events_booking on events (booking_ref) where booking_ref is not null`,
  `create index events_device on events (device_id) where device_id is not null`,
  `create table receipt_outcomes (booking_ref text primary key, outcome text not null, detail jsonb not null, event_id text not null, at timestamptz not null default now())`,
  `create table flash_results (event_id text primary key, device_id text not null, booking_ref text, ok boolean not null, from_version text, to_version text, reason text, at text not null)`,
  `create index flash_results_device on flash_results (device_id)`,
  `create table fault_reports (id integer generated always as identity primary key, event_id text not null unique, device_id text not null, booking_ref text, reason text not null, manual boolean not null, at text not null)`,
  `create table credits (device_id text primary key, party_id text not null, booking_ref text, amount_pence integer not null, reason text not null, event_id text not null, at timestamptz not null default now())`,
  // ASN numbers come from a sequence and are unique: a number is never handed out twice.
  `create sequence asn_numbers start 100001`,
  `create table asns (asn_number text primary key, manifest_id text not null, party_id text not null, status text not null, reserved_by text, event_id text unique, content jsonb not null, created_at timestamptz not null default now())`,
  `create table manifests (manifest_id text primary key, party_id text not null, facility_id text not null, event_id text not null unique, doc jsonb not null, created_at timestamptz not null default now())`,
  `create table smi_updates (id integer generated always as identity primary key, event_id text not null unique, device_id text not null, booking_ref text, device_model text not null, new_firmware text not null, status text not null, created_at timestamptz not null default now())`,
  `create table late_arrivals (id integer generated always as identity primary key, booking_ref text not null references bookings(booking_ref), eta_date text not null, eta_time text not null, decision text not null, offered jsonb not null, created_at timestamptz not null default now())`,
  `create table amendments (id integer generated always as identity primary key, booking_ref text not null references bookings(booking_ref), version integer not null, fields jsonb not null, created_at timestamptz not null default now())`,
  `create table forecasts (party_id text not null references parties(id), period_start text not null, hubs integer not null, submitted_at timestamptz not null default now(), primary key (party_id, period_start))`,
  `create table outbox (id integer generated always as identity primary key, kind text not null, to_address text not null, subject text not null, text_body text not null, attachments jsonb not null, status text not null default 'pending', attempts integer not null default 0, last_error text, message_id text, next_attempt_at timestamptz not null default now(), created_at timestamptz not null default now(), sent_at timestamptz)`,
  `create index outbox_pending on outbox (status, next_attempt_at)`,
  // Append-only: nothing in the service updates or deletes audit rows. What central derives about a hub
  // goes here; what the dock did is the events table (also append-only), and a hub's history reads both.
  `create table audit (seq integer generated always as identity primary key, device_id text not null, actor text not null, dock_id text, action text not null, detail jsonb not null, at timestamptz not null default now())`,
  `create index audit_device on audit (device_id, seq)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const tables = [
    "audit",
    "outbox",
    "forecasts",
    "amendments",
    "late_arrivals",
    "smi_updates",
    "manifests",
    "asns",
    "credits",
    "fault_reports",
    "flash_results",
    "receipt_outcomes",
    "events",
    "changes",
    "booking_hubs",
    "bookings",
    "work_order_links",
    "work_orders",
    "requests",
    "firmware",
    "signing_keys",
    "inventory",
    "operators",
    "jigs",
    "api_tokens",
    "docks",
    "facility_locations",
    "facilities",
    "party_locations",
    "parties",
  ];
  for (const t of tables) await sql.raw(`drop table if exists ${t}`).execute(db);
  await sql.raw(`drop sequence if exists asn_numbers`).execute(db);
}
