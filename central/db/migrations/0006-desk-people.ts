import { sql, type Kysely } from "kysely";

/**
 * The desk (issue 19): people who sign in with a password (DCC admins and operations staff,
 * each Party's users), their server-side sessions, one-time setup links, docks' one-time
 * enrolment codes, and the desk's own append-only audit of sign-ins and administrative changes.
 * Secrets are stored as hashes only: passwords as scrypt, session and setup tokens and
 * enrolment codes as SHA-256.
 */
const statements = [
  `create table people (id text primary key, email text not null unique, name text not null, role text not null check (role in ('dcc-admin','dcc-ops','party-user')), party_id text references parties(id), password_hash text not null, active boolean not null default true, failed_attempts integer not null default 0, locked_until timestamptz, last_sign_in_at timestamptz, created_at timestamptz not null default now(), check ((role = 'party-user') = (party_id is not null)))`,
  `create table desk_sessions (token_hash text primary key, person_id text not null references people(id), csrf_token text not null, created_at timestamptz not null default now(), last_seen_at timestamptz not null default now(), expires_at timestamptz not null)`,
  `create index desk_sessions_person on desk_sessions (person_id)`,
  `create table desk_setup_links (token_hash text primary key, created_at timestamptz not null default now(), expires_at timestamptz not null, used_at timestamptz)`,
  // A one-time code a dock enrols with (it gets its bearer token in exchange); only the code's SHA-256 is kept.
  `create table dock_enrolments (code_hash text primary key, dock_id text not null references docks(id), created_at timestamptz not null default now(), expires_at timestamptz not null, used_at timestamptz, failed_attempts integer not null default 0)`,
  `create index dock_enrolments_dock on dock_enrolments (dock_id)`,
  // Append-only, like the hubs' audit: nothing updates or deletes these rows.
  `create table desk_audit (seq integer generated always as identity primary key, actor text not null, action text not null, detail jsonb not null, at timestamptz not null default now())`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ["desk_audit", "dock_enrolments", "desk_setup_links", "desk_sessions", "people"])
    await sql.raw(`drop table if exists ${t}`).execute(db);
}
