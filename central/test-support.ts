import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { crc32, deflateRawSync } from "node:zlib";
import pg from "pg";
import { createApp } from "./app";
import { DEFAULT_BUSINESS_CONFIG, type BusinessConfig } from "./config";
import { openDatabase, type CentralDatabase } from "./db/connect";
import { seedDemoWorld, type DemoTokens } from "./demo-world";
import { generateSigningKey, type SigningKeyFile } from "./services/firmware-catalogue";
import type { MailTarget } from "./services/outbox";
import { makeEvent, type EventContext, type EventOf, type PayloadOf } from "../shared/events";
import { EXAMPLE_WORKING_HOURS } from "../shared/domain/working-hours";
import { addDays, dayOfWeek } from "./services/working-time";

/**
 * Test harness shared by central's suites (kept free of vitest so the central tsconfig checks
 * it): every suite runs on in-memory PGlite, and on PostgreSQL too when TEST_DATABASE_URL is
 * set, each test file in a database of its own so parallel files never collide.
 */

export type Backend = "pglite" | "postgres";

/** The backends this run covers. */
export function testBackends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface TestWorld {
  backend: Backend;
  database: CentralDatabase;
  app: ReturnType<typeof createApp>;
  tokens: DemoTokens;
  bookingRef: string;
  key: SigningKeyFile;
  mailDir: string;
  business: BusinessConfig;
  /** Calls the app in-process, JSON in and out. */
  call(
    method: string,
    path: string,
    opts?: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; json: unknown; text: string }>;
  close(): Promise<void>;
}

export async function freshPostgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      // Without FORCE: terminating a connection the pool is still closing surfaces as an
      // unhandled error; the last backends exit within moments, so retry briefly instead.
      for (let i = 0; ; i++) {
        try {
          await c.query(`drop database if exists ${name}`);
          break;
        } catch (e) {
          if (i >= 50) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await c.end();
    },
  };
}

/** A seeded central (demo world) on the given backend, with .eml mail into a temp folder unless `mail` is given. */
export async function openTestWorld(
  backend: Backend,
  opts: { business?: BusinessConfig; mail?: MailTarget } = {},
): Promise<TestWorld> {
  let drop = async () => {};
  let database: CentralDatabase;
  if (backend === "postgres") {
    const adminUrl = process.env.TEST_DATABASE_URL;
    if (!adminUrl) throw new Error("TEST_DATABASE_URL is not set");
    const fresh = await freshPostgresDatabase(adminUrl);
    drop = fresh.drop;
    database = await openDatabase({ kind: "postgres", url: fresh.url });
  } else {
    database = await openDatabase({ kind: "pglite", dataDir: null });
  }
  const key = generateSigningKey("test-key");
  const { tokens, bookingRef } = await seedDemoWorld(database.db, key);
  const mailDir = await mkdtemp(join(tmpdir(), "central-mail-"));
  const business = opts.business ?? DEFAULT_BUSINESS_CONFIG;
  const app = createApp({
    db: database.db,
    business,
    signingKey: key,
    mail: opts.mail ?? { kind: "eml", dir: mailDir },
    databaseKind: backend,
  });
  return {
    backend,
    database,
    app,
    tokens,
    bookingRef,
    key,
    mailDir,
    business,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token !== null && o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined && headers["content-type"] === undefined) headers["content-type"] = "application/json";
      const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: res.status, json, text };
    },
    async close() {
      await database.close();
      await drop();
      await rm(mailDir, { recursive: true, force: true });
    },
  };
}

/**
 * Records that central reserved these ASN numbers for `dockId`, as POST /sync/asn-numbers does
 * (ASN numbers come from central only, issue 17): for suites that push an asn.issued with a
 * number of their own choosing to test something else.
 */
export async function reserveAsnNumbers(
  w: Pick<TestWorld, "database">,
  dockId: string,
  numbers: readonly string[],
  reservedBy = "OP-N-SUP",
): Promise<void> {
  await w.database.db
    .insertInto("asn_blocks")
    .values(numbers.map((asn_number) => ({ asn_number, dock_id: dockId, reserved_by: reservedBy })))
    .execute();
}

/**
 * A supervisor's manifest of one loose carton of re-flashed hubs back to SUPPLIER-A's depot, the
 * shape most of central's suites push before an ASN or a dispatch; `over` changes what a test is about.
 */
export function oneCartonManifest(
  ctx: EventContext,
  o: {
    manifestId: string;
    bookingRef: string;
    cartonSscc: string;
    deviceIds: readonly string[];
    deliveryDate?: string;
    partyId?: string;
    bookingRefs?: string[];
    excludedHubs?: PayloadOf<"manifest.built">["excludedHubs"];
  },
): EventOf<"manifest.built"> {
  return makeEvent(
    "manifest.built",
    {
      manifestId: o.manifestId,
      partyId: o.partyId ?? "SUPPLIER-A",
      bookingRefs: o.bookingRefs ?? [o.bookingRef],
      deliveryLocation: { id: "SUPPLIER-A-DEPOT", name: "Depot", address: "10 Meter Way, Leeds" },
      deliveryDate: o.deliveryDate ?? "2027-02-01",
      deliveryWindow: { start: "10:00", end: "12:00" },
      pallets: [],
      looseCartons: [
        { sscc: o.cartonSscc, hubs: o.deviceIds.map((deviceId) => ({ deviceId, firmwareVersion: "00030000" })) },
      ],
      excludedHubs: o.excludedHubs ?? [],
    },
    ctx,
  );
}

/** A minimal zip (deflated entries, sizes as declared, which may lie): for zip-bomb and lying-header uploads. */
export function zipOf(entries: Array<{ name: string; data: Buffer; declaredSize?: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const comp = deflateRawSync(e.data, { level: 9 });
    const name = Buffer.from(e.name);
    const size = e.declaredSize ?? e.data.length;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(comp.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, comp);
    centrals.push(central, name);
    offset += 30 + name.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The first Monday at least `weeksAhead` weeks from today that is no bank holiday: a working day a request may name. */
export function aMonday(weeksAhead = 1): string {
  let d = addDays(new Date().toISOString().slice(0, 10), 7 * weeksAhead);
  while (dayOfWeek(d) !== 1 || EXAMPLE_WORKING_HOURS.bankHolidays.includes(d)) d = addDays(d, 1);
  return d;
}

/** SMI records a Party may ask to re-flash (by default Pending, Supplier A's, North, a CHF on old firmware). */
export async function seedInventory(
  db: CentralDatabase["db"],
  hubs: ReadonlyArray<{ deviceId: string; gpfDeviceId: string }>,
  over: Partial<{ smi_status: string; assigned_party: string; csp_region: string; device_type: string }> = {},
): Promise<void> {
  await db
    .insertInto("inventory")
    .values(
      hubs.map((h) => ({
        device_id: h.deviceId,
        gpf_device_id: h.gpfDeviceId,
        device_type: over.device_type ?? "CHF",
        manufacturer: "AB01",
        device_model: "010A030B",
        firmware_version: "0002012F",
        smi_status: over.smi_status ?? "Pending",
        assigned_party: over.assigned_party ?? "SUPPLIER-A",
        csp_region: over.csp_region ?? "North",
      })),
    )
    .execute();
}
