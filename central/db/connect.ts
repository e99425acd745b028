import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { PGliteDialect } from "./pglite-dialect";
import { CopyAwareClient } from "./copy-in";
import { migrateToLatest } from "./migrate";
import type { Database } from "./schema";

export type DatabaseTarget = { kind: "pglite"; dataDir: string | null } | { kind: "postgres"; url: string };

export interface CentralDatabase {
  db: Kysely<Database>;
  kind: DatabaseTarget["kind"];
  close(): Promise<void>;
  /** PGlite only: a consistent gzipped tarball of the database folder, taken between queries (backup.ts). */
  dumpDataDir?: () => Promise<Blob>;
}

/** Opens (and migrates) the central database: PGlite in a folder or in memory, or a PostgreSQL server. */
export async function openDatabase(
  target: DatabaseTarget,
  opts: { loadDataDir?: Blob } = {},
): Promise<CentralDatabase> {
  let db: Kysely<Database>;
  let dumpDataDir: (() => Promise<Blob>) | undefined;
  if (target.kind === "pglite") {
    if (target.dataDir !== null) await mkdir(target.dataDir, { recursive: true });
    const load = opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {};
    const client = target.dataDir === null ? new PGlite(load) : new PGlite(target.dataDir, load);
    await client.waitReady;
    dumpDataDir = () => client.dumpDataDir("gzip");
    db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  } else {
    // Pool of 10: push batches are one transaction each, so a few docks can push at once.
    // Its clients also run COPY … FROM STDIN (copy-in.ts), the bulk path of a push.
    const pool = new pg.Pool({ connectionString: target.url, max: 10, Client: CopyAwareClient });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return { db, kind: target.kind, close: () => db.destroy(), ...(dumpDataDir ? { dumpDataDir } : {}) };
}
