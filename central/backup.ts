import { spawn } from "node:child_process";
import { copyFile, cp, mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Hono } from "hono";
import type { AppEnv } from "./http/auth";
import { requireKind } from "./http/auth";
import { ApiError } from "./http/api-error";
import { openDatabase } from "./db/connect";
import { dataPaths } from "./data-dir";

/**
 * Backup and restore of a running central (issue 21). PostgreSQL: `pg_dump --format=custom`,
 * one consistent snapshot however busy central is. PGlite: the folder belongs to the running
 * process, so the copy is taken by it, between two queries (PGlite's `dumpDataDir`, a gzipped
 * tarball; a transaction open at that instant is rolled back by the WAL replay on restore), and
 * handed out at `GET /backup` to the DCC token. Either way the data folder's keys and tokens.json
 * are copied beside it. A restored central remembers no push: a dock resending what it pushed
 * before the backup gets "duplicate", what it pushed after is accepted once (idempotent by id).
 */

export const PGLITE_BACKUP = "pgdata.tar.gz";
export const POSTGRES_BACKUP = "central.pgdump";

/** `GET /backup` (DCC token): PGlite's consistent tarball; on PostgreSQL a pointer to pg_dump. */
export function backupRoutes(dumpDataDir: (() => Promise<Blob>) | undefined): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/backup", async (c) => {
    requireKind(c, "dcc");
    if (!dumpDataDir)
      throw new ApiError(
        409,
        "use-pg-dump",
        "this central runs on a PostgreSQL server: back it up with `npm run central:backup -- --out DIR` (pg_dump), not through central",
      );
    const blob = await dumpDataDir();
    return c.body(await blob.arrayBuffer(), 200, {
      "content-type": "application/gzip",
      "content-disposition": `attachment; filename="${PGLITE_BACKUP}"`,
    });
  });
  return routes;
}

export interface BackupTarget {
  databaseUrl: string | null;
  dataDir: string;
  centralUrl: string;
  dccToken: string | null;
}

/** Writes a backup of a running central into `out` and says what it wrote. */
export async function backupCentral(t: BackupTarget, out: string): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  if (t.databaseUrl) {
    await run("pg_dump", ["--format=custom", "--no-owner", `--file=${join(out, POSTGRES_BACKUP)}`, t.databaseUrl]);
    written.push(POSTGRES_BACKUP);
  } else {
    const token = t.dccToken ?? (await dccTokenFrom(t.dataDir));
    const res = await fetch(new URL("/backup", t.centralUrl), { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200)
      throw new Error(`central at ${t.centralUrl} refused the backup: ${res.status} ${await res.text()}`);
    await writeFile(join(out, PGLITE_BACKUP), Buffer.from(await res.arrayBuffer()));
    written.push(PGLITE_BACKUP);
  }
  const paths = dataPaths(t.dataDir);
  if (await exists(paths.tokens)) {
    await copyFile(paths.tokens, join(out, "tokens.json"));
    written.push("tokens.json");
  }
  const keys = join(t.dataDir, "keys");
  if (await exists(keys)) {
    await cp(keys, join(out, "keys"), { recursive: true });
    written.push("keys/");
  }
  return written;
}

/** Restores a backup into an empty data folder (PGlite) or an empty PostgreSQL database. */
export async function restoreCentral(from: string, t: { databaseUrl: string | null; dataDir: string }): Promise<void> {
  const paths = dataPaths(t.dataDir);
  if (t.databaseUrl) {
    if (!(await exists(join(from, POSTGRES_BACKUP))))
      throw new Error(`${from} holds no ${POSTGRES_BACKUP} (a PostgreSQL backup)`);
    await run("pg_restore", [
      "--no-owner",
      "--exit-on-error",
      `--dbname=${t.databaseUrl}`,
      join(from, POSTGRES_BACKUP),
    ]);
  } else {
    if (!(await exists(join(from, PGLITE_BACKUP))))
      throw new Error(`${from} holds no ${PGLITE_BACKUP} (a PGlite backup)`);
    if ((await exists(paths.pglite)) && (await readdir(paths.pglite)).length > 0)
      throw new Error(`${paths.pglite} is not empty: restore into a new data folder`);
    const blob = new Blob([await readFile(join(from, PGLITE_BACKUP))]);
    const database = await openDatabase({ kind: "pglite", dataDir: paths.pglite }, { loadDataDir: blob });
    await database.close();
  }
  await mkdir(t.dataDir, { recursive: true });
  if (await exists(join(from, "tokens.json"))) await copyFile(join(from, "tokens.json"), paths.tokens);
  if (await exists(join(from, "keys"))) await cp(join(from, "keys"), join(t.dataDir, "keys"), { recursive: true });
}

async function dccTokenFrom(dataDir: string): Promise<string> {
  try {
    const parsed: unknown = JSON.parse(await readFile(dataPaths(dataDir).tokens, "utf8"));
    if (typeof parsed === "object" && parsed !== null && "dcc" in parsed && typeof parsed.dcc === "string")
      return parsed.dcc;
  } catch {
    /* said below */
  }
  throw new Error(`no DCC token: set CENTRAL_DCC_TOKEN, or keep the seed's tokens.json in ${dataDir}`);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      err += s;
    });
    child.on("error", (e) => reject(new Error(`${cmd} could not run: ${e.message}`)));
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} failed (${code}): ${err.trim().slice(0, 500)}`)),
    );
  });
}
