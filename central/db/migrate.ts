import { Migrator, type Kysely, type Migration, type MigrationProvider } from "kysely";
import * as m0001 from "./migrations/0001-initial";
import * as m0002 from "./migrations/0002-lighter-events";
import * as m0003 from "./migrations/0003-credit-by-band";
import * as m0004 from "./migrations/0004-smi-update-per-hub";
import * as m0005 from "./migrations/0005-scoped-audit";
import * as m0006 from "./migrations/0006-desk-people";
import * as m0007 from "./migrations/0007-pallet-listed-hubs";
import * as m0008 from "./migrations/0008-asn-blocks";
import * as m0010 from "./migrations/0010-dispositions-han-variant";
import * as m0011 from "./migrations/0011-intake-dispatch-cancel";
import * as m0012 from "./migrations/0012-desk-firmware-settings";
import * as m0013 from "./migrations/0013-operator-pins";

/**
 * Migrations are imported statically rather than read from a folder at run time, so the same
 * list runs under tsx, vitest and a bundled build, on PGlite and on PostgreSQL alike.
 */
const migrations: Record<string, Migration> = {
  "0001-initial": m0001,
  "0002-lighter-events": m0002,
  "0003-credit-by-band": m0003,
  "0004-smi-update-per-hub": m0004,
  "0005-scoped-audit": m0005,
  "0006-desk-people": m0006,
  "0007-pallet-listed-hubs": m0007,
  "0008-asn-blocks": m0008,
  "0010-dispositions-han-variant": m0010,
  "0011-intake-dispatch-cancel": m0011,
  "0012-desk-firmware-settings": m0012,
  "0013-operator-pins": m0013,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema to the newest version; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error !== undefined) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? "(unknown)"} failed: ${why}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
