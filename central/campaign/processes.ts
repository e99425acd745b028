import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openDatabase, type CentralDatabase, type DatabaseTarget } from "../db/connect";
import { dataPaths } from "../data-dir";
import { seedBulkHubs, seedDemoWorld, type DemoTokens } from "../demo-world";
import { generateSigningKey } from "../services/firmware-catalogue";
import { loadBooking } from "../services/bookings";
import type { Booking } from "../../shared/domain/booking";

/**
 * Real central processes for the trust campaign (issue 21): each a child process running
 * central/main.ts (through tsx, as `npm run central` does) on a free loopback port, killed
 * with real signals. Used by the campaign tests with small counts and by the soak scripts.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface CentralProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed, for a failure message. */
  log(): string;
  /** Ends it with SIGKILL (no clean-up of any kind) and waits until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM: central closes its server and database, then exits. */
  stop(): Promise<void>;
}

/**
 * Starts `central/main.ts` with this environment (CENTRAL_PORT 0: a free port) and waits until it listens.
 * `inspect`: with Node's inspector on a free loopback port (its address is in `log()`), for the day soak's heap probe.
 */
export async function startCentral(
  env: Record<string, string>,
  opts: { timeoutMs?: number; inspect?: boolean } = {},
): Promise<CentralProcess> {
  const inspect = opts.inspect ? ["--inspect=127.0.0.1:0"] : [];
  const child = spawn(process.execPath, [...inspect, "--import", "tsx", resolve(repoRoot, "central/main.ts")], {
    cwd: repoRoot,
    env: { ...process.env, CENTRAL_PORT: "0", CENTRAL_HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  child.stderr?.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`central did not start within ${opts.timeoutMs ?? 60_000} ms:\n${out}`));
    }, opts.timeoutMs ?? 60_000);
    const onData = () => {
      const m = /listening on (https?:\/\/[^\s]+:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolveUrl(m[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`central exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    url,
    child,
    log: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A central database for a campaign: a fresh PostgreSQL database on the test server, or a PGlite folder. */
export interface CampaignDatabase {
  target: DatabaseTarget;
  /** Environment for central processes on it. */
  env: Record<string, string>;
  dataDir: string;
  tokens: DemoTokens;
  bookings: Booking[];
  /** Opens the database in this process (for PGlite: only while no central process runs on it). */
  open(): Promise<CentralDatabase>;
  drop(): Promise<void>;
}

/**
 * Seeds the demo world (and `bulkHubs` more hubs) in this process, then closes the database so
 * central processes can open it. `dataDir` holds PGlite's folder and each process's mail.
 */
export async function seedCampaignDatabase(
  kind: "pglite" | "postgres",
  dataDir: string,
  opts: { adminUrl?: string; bulkHubs?: number } = {},
): Promise<CampaignDatabase> {
  if (kind === "postgres" && !opts.adminUrl)
    throw new Error("a PostgreSQL campaign needs the test server's URL (TEST_DATABASE_URL)");
  const { target, drop } = await campaignDatabaseTarget(kind, dataDir, opts.adminUrl, "campaign");
  const database = await openDatabase(target);
  let tokens: DemoTokens;
  let bookings: Booking[];
  try {
    const seeded = await seedDemoWorld(database.db, generateSigningKey("campaign"));
    tokens = seeded.tokens;
    const demo = await loadBooking(database.db, seeded.bookingRef);
    if (!demo) throw new Error("the demo booking was not seeded");
    bookings = [demo, ...(opts.bulkHubs ? await seedBulkHubs(database.db, opts.bulkHubs) : [])];
  } finally {
    await database.close();
  }
  const env: Record<string, string> = {
    CENTRAL_DATA_DIR: dataDir,
    ...(target.kind === "postgres" ? { DATABASE_URL: target.url } : {}),
  };
  return { target, env, dataDir, tokens, bookings, open: () => openDatabase(target), drop };
}

/**
 * Where a campaign's central keeps its data: a fresh PostgreSQL database named `prefix_…` on the
 * server at `adminUrl` (dropped WITH (FORCE) after, since central processes may have been killed
 * with connections open), or a PGlite folder under `dataDir`.
 */
export async function campaignDatabaseTarget(
  kind: "pglite" | "postgres",
  dataDir: string,
  adminUrl: string | undefined,
  prefix: string,
): Promise<{ target: DatabaseTarget; drop: () => Promise<void> }> {
  if (kind === "pglite" || adminUrl === undefined)
    return { target: { kind: "pglite", dataDir: dataPaths(dataDir).pglite }, drop: async () => {} };
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    target: { kind: "postgres", url: url.toString() },
    drop: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

export interface HttpAnswer {
  status: number;
  text: string;
}

const agent = new Agent({ keepAlive: false });

/** One HTTP(S) request; rejects on a network failure (a killed process: reset or refused). */
export function post(
  url: string,
  path: string,
  token: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  ca?: string,
): Promise<HttpAnswer> {
  const u = new URL(path, url);
  const send = u.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolveAnswer, reject) => {
    const req = send(
      u,
      {
        method: "POST",
        ...(u.protocol === "https:" ? (ca ? { ca } : {}) : { agent }),
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolveAnswer({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A seeded pseudo-random generator (mulberry32), so a failing run replays exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
