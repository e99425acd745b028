import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { serve } from "@hono/node-server";
import { createApp } from "../central/app";
import { DEFAULT_BUSINESS_CONFIG } from "../central/config";
import { openDatabase, type CentralDatabase } from "../central/db/connect";
import { seedDemoWorld, type DemoTokens } from "../central/demo-world";
import { generateSigningKey } from "../central/services/firmware-catalogue";

/** A seeded central served over real HTTP on loopback, on PGlite (temp folder) or on PostgreSQL (BENCH_DATABASE_URL). */
export interface BenchCentral {
  url: string;
  database: CentralDatabase;
  tokens: DemoTokens;
  bookingRef: string;
  backend: string;
  /** PostgreSQL: the bench database's own URL (for a plain connection beside central's pool); else null. */
  databaseUrl: string | null;
  close(): Promise<void>;
}

/** Reads `--name value` from argv. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** The backends to measure: --backend if given, else PGlite, and PostgreSQL when a server URL is in the environment. */
export function benchBackends(): string[] {
  const i = process.argv.indexOf("--backend");
  if (i >= 0) return [process.argv[i + 1] ?? "pglite"];
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

/** Starts central for a bench on `backend` (pglite: a temp folder; pglite-memory; postgres: a new database on the server). */
export async function startBenchCentral(backend: string): Promise<BenchCentral> {
  let cleanup = async () => {};
  let database: CentralDatabase;
  let databaseUrl: string | null = null;
  if (backend === "postgres") {
    const admin = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
    if (!admin)
      throw new Error("set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server for --backend postgres");
    const name = `bench_${randomBytes(4).toString("hex")}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    database = await openDatabase({ kind: "postgres", url: databaseUrl });
    cleanup = async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      for (let i = 0; ; i++) {
        try {
          await d.query(`drop database if exists ${name}`);
          break;
        } catch (e) {
          if (i >= 50) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await d.end();
    };
  } else {
    const dir = await mkdtemp(join(tmpdir(), "central-bench-"));
    database = await openDatabase({
      kind: "pglite",
      dataDir: backend === "pglite-memory" ? null : join(dir, "pgdata"),
    });
    cleanup = () => rm(dir, { recursive: true, force: true });
  }
  const { tokens, bookingRef } = await seedDemoWorld(database.db, generateSigningKey("bench"));
  const mailDir = await mkdtemp(join(tmpdir(), "central-bench-mail-"));
  const app = createApp({
    db: database.db,
    business: { ...DEFAULT_BUSINESS_CONFIG, maxBodyBytes: 16 * 1024 * 1024 },
    signingKey: null,
    mail: { kind: "eml", dir: mailDir },
    databaseKind: database.kind,
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    database,
    tokens,
    bookingRef,
    backend,
    databaseUrl,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
      await cleanup();
      await rm(mailDir, { recursive: true, force: true });
    },
  };
}
