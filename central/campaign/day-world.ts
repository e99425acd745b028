import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sql } from "kysely";
import { z } from "zod";
import { openDatabase, type CentralDatabase, type DatabaseTarget } from "../db/connect";
import { dataPaths } from "../data-dir";
import { campaignDatabaseTarget } from "./processes";
import { addToken, demoRedelivery, insertAuthorisedBooking, insertInventoryFor } from "../demo-world";
import { demoBookings, DEMO_FACILITY, DEMO_PARTIES } from "../../shared/domain/demo-booking";
import type { Booking } from "../../shared/domain/booking";

/**
 * The central side of the one-day soak (issue 21): the demo world made by the real seed
 * (`central/seed.ts` as a child process, so the signing key, tokens and firmware images land
 * in the data folder exactly as `npm start` has them), then more docks at CSP North and the
 * day's bookings (inventory, Work Order, booking) added in this process.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface DayWorld {
  target: DatabaseTarget;
  /** Environment for central processes on it. */
  env: Record<string, string>;
  dataDir: string;
  /** Dock ID → its device token. */
  dockTokens: Record<string, string>;
  bookings: Booking[];
  /** The firmware publisher's public key, pinned by each dock (as start.sh does). */
  publisherKeyPem: string;
  open(): Promise<CentralDatabase>;
  drop(): Promise<void>;
}

export interface DayWorldOptions {
  kind: "pglite" | "postgres";
  dataDir: string;
  adminUrl?: string;
  /** Dock IDs at CSP North; DOCK-N1 is the seed's, the others are added. */
  docks: readonly string[];
  bookings: number;
  /** Each booking: one pallet of `cartons` cartons of `hubsPerCarton` hubs. */
  cartons: number;
  hubsPerCarton: number;
  deliveryDate: string;
}

const TokensSchema = z.object({ docks: z.record(z.string(), z.string()) });
const KeySchema = z.object({ publicKeyPem: z.string().min(1) });

export async function seedDayWorld(o: DayWorldOptions): Promise<DayWorld> {
  if (o.kind === "postgres" && !o.adminUrl)
    throw new Error("a PostgreSQL soak needs a server URL (DATABASE_URL or TEST_DATABASE_URL)");
  const { target, drop } = await campaignDatabaseTarget(o.kind, o.dataDir, o.adminUrl, "soak");
  const env: Record<string, string> = {
    CENTRAL_DATA_DIR: o.dataDir,
    ...(target.kind === "postgres" ? { DATABASE_URL: target.url } : {}),
  };
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (target.kind === "pglite") delete childEnv.DATABASE_URL;
  await promisify(execFile)(process.execPath, ["--import", "tsx", resolve(repoRoot, "central/seed.ts")], {
    cwd: repoRoot,
    env: childEnv,
  });
  const paths = dataPaths(o.dataDir);
  const seededTokens = TokensSchema.parse(JSON.parse(await readFile(paths.tokens, "utf8")));
  const publisherKeyPem = KeySchema.parse(JSON.parse(await readFile(paths.signingKey, "utf8"))).publicKeyPem;
  const bookings = demoBookings(o.bookings, {
    seed: 21,
    csp: "North",
    partyId: DEMO_PARTIES[1].id,
    pallets: 1,
    cartonsPerPallet: o.cartons,
    hubsPerCarton: o.hubsPerCarton,
    deliveryDate: o.deliveryDate,
  }).map((b) => {
    const named = {
      ...b,
      partyName: DEMO_PARTIES[1].name,
      bookingRef: `BD-${b.bookingRef.slice(3)}`,
      deliveryRef: `DD-${b.deliveryRef.slice(3)}`,
      workOrderId: `WD-${b.workOrderId.slice(3)}`,
    };
    return { ...named, redelivery: demoRedelivery(named) };
  });
  const dockTokens: Record<string, string> = {};
  const database = await openDatabase(target);
  try {
    for (const dockId of o.docks) {
      const seeded = seededTokens.docks[dockId];
      if (seeded !== undefined) {
        dockTokens[dockId] = seeded;
        continue;
      }
      await database.db
        .insertInto("docks")
        .values({ id: dockId, facility_id: DEMO_FACILITY.North, name: `CSP North receiving PC ${dockId}` })
        .execute();
      dockTokens[dockId] = await addToken(database.db, "dock", dockId);
    }
    for (const b of bookings)
      await database.db.transaction().execute(async (trx) => {
        await insertInventoryFor(trx, [b]);
        await insertAuthorisedBooking(trx, b);
      });
  } finally {
    await database.close();
  }
  return {
    target,
    env,
    dataDir: o.dataDir,
    dockTokens,
    bookings,
    publisherKeyPem,
    open: () => openDatabase(target),
    drop,
  };
}

/** Every event central holds (id, type, the hub it is about, a flash result's outcome: the column holds the whole event), for the soak's accounting. */
export async function centralHubEvents(
  database: CentralDatabase,
): Promise<Array<{ id: string; type: string; deviceId: string | null; outcome: string | null }>> {
  const rows = await database.db
    .selectFrom("events")
    .select(["id", "type", "device_id", sql<string | null>`payload->'payload'->>'outcome'`.as("outcome")])
    .execute();
  return rows.map((r) => ({ id: r.id, type: r.type, deviceId: r.device_id, outcome: r.outcome }));
}
