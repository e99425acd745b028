import type { ColumnType, Generated, Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { PersonRole } from "../../shared/desk-api";

/** The desk's tables (migration 0006), kept beside the desk so central's main schema file stays as it is. */
type Stamp = ColumnType<Date, string | undefined, string>;
type StampNullable = ColumnType<Date | null, string | null | undefined, string | null>;

export type DeskTables = {
  people: {
    id: string;
    email: string;
    name: string;
    role: PersonRole;
    party_id: string | null;
    password_hash: string;
    active: Generated<boolean>;
    failed_attempts: Generated<number>;
    locked_until: StampNullable;
    last_sign_in_at: StampNullable;
    created_at: Stamp;
  };
  desk_sessions: {
    token_hash: string;
    person_id: string;
    csrf_token: string;
    created_at: Stamp;
    last_seen_at: Stamp;
    expires_at: ColumnType<Date, string, string>;
  };
  desk_setup_links: {
    token_hash: string;
    created_at: Stamp;
    expires_at: ColumnType<Date, string, string>;
    used_at: StampNullable;
  };
  dock_enrolments: {
    code_hash: string;
    dock_id: string;
    created_at: Stamp;
    expires_at: ColumnType<Date, string, string>;
    used_at: StampNullable;
    failed_attempts: Generated<number>;
  };
  desk_audit: {
    seq: Generated<number>;
    actor: string;
    action: string;
    detail: ColumnType<unknown, string, string>;
    at: Stamp;
  };
  /** Migration 0012: images uploaded at the desk, hashed at central, not yet published. */
  firmware_uploads: {
    device_model: string;
    version: string;
    sha256: string;
    size_bytes: number;
    file_name: string;
    uploaded_by: string;
    uploaded_at: Stamp;
  };
  /** Migration 0012: business configuration and DCC contact details set at the desk. */
  desk_settings: {
    key: string;
    value: ColumnType<unknown, string, string>;
    updated_by: string;
    updated_at: Stamp;
  };
};

export type DeskDatabase = Database & DeskTables;

/** Central's database seen with the desk's tables too. */
export function deskDb(db: Kysely<Database>): Kysely<DeskDatabase> {
  return db.withTables<DeskTables>();
}
