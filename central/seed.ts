import { chmod, mkdir, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadEnv } from "./config";
import { dataPaths } from "./data-dir";
import { openDatabase } from "./db/connect";
import {
  DEMO_FIRMWARE,
  demoFirmwareImage,
  giveDemoOperatorsTheirPins,
  seedBulkHubs,
  seedDemoWorld,
} from "./demo-world";
import { generateSigningKey, readSigningKeyFile } from "./services/firmware-catalogue";
import { seedDemoPeople } from "./desk/demo-people";

/**
 * `npx tsx central/seed.ts [--bulk N]`: creates the demo world in an empty central database
 * (same env as main.ts), writes the signing key pair, tokens and demo firmware images under the
 * data folder, and with --bulk adds about N hubs of benchmark bookings.
 */
async function main(): Promise<void> {
  const env = loadEnv(process.env, (p) => readFileSync(p, "utf8"));
  const paths = dataPaths(env.dataDir);
  const bulkArg = process.argv.indexOf("--bulk");
  const bulk = bulkArg >= 0 ? Number(process.argv[bulkArg + 1]) : 0;
  if (!Number.isInteger(bulk) || bulk < 0) throw new Error("--bulk takes a whole number of hubs");
  const database = await openDatabase(
    env.databaseUrl ? { kind: "postgres", url: env.databaseUrl } : { kind: "pglite", dataDir: paths.pglite },
  );
  try {
    const seeded = await database.db.selectFrom("parties").select("id").limit(1).executeTakeFirst();
    if (seeded) {
      const given = await giveDemoOperatorsTheirPins(database.db);
      if (given > 0)
        console.log(`seed: ${given} demo operator(s) had no PIN (a world seeded before PINs): demo PINs set`);
      console.log(
        `seed: the database already holds the demo world; nothing changed (delete ${env.databaseUrl ? "the database" : paths.pglite} to start again)`,
      );
    } else {
      let key = await readSigningKeyFile(paths.signingKey);
      if (!key) {
        key = generateSigningKey(`demo-${new Date().toISOString().slice(0, 10)}`);
        await mkdir(dirname(paths.signingKey), { recursive: true });
        await writeFile(paths.signingKey, JSON.stringify(key, null, 2) + "\n", { mode: 0o600 });
      }
      const { tokens, bookingRef } = await seedDemoWorld(database.db, key);
      await writeFile(paths.tokens, JSON.stringify(tokens, null, 2) + "\n", { mode: 0o600 });
      await chmod(paths.tokens, 0o600);
      const accounts = await seedDemoPeople(database.db);
      const accountsFile = join(env.dataDir, "desk-accounts.json");
      await writeFile(accountsFile, JSON.stringify(accounts, null, 2) + "\n", { mode: 0o600 });
      await chmod(accountsFile, 0o600);
      await mkdir(paths.firmware, { recursive: true });
      for (const f of DEMO_FIRMWARE)
        await writeFile(
          join(paths.firmware, `${f.deviceModel}-${f.version}.bin`),
          demoFirmwareImage(f.deviceModel, f.version),
        );
      console.log(`seed: demo world created (booking ${bookingRef}, 1,792 hubs on 2 pallets at N-DOCK-1)`);
      console.log(`seed: desk accounts (${accounts.length}) in ${accountsFile}`);
      console.log(
        `seed: tokens in ${paths.tokens}; signing key ${key.keyId} in ${paths.signingKey}; images in ${paths.firmware}`,
      );
    }
    if (bulk > 0) {
      const t0 = performance.now();
      const bookings = await seedBulkHubs(database.db, bulk);
      console.log(
        `seed: ${bookings.length} bulk bookings (${bookings.length * 1792} hubs) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    await database.close();
  }
}

main().catch((e: unknown) => {
  console.error(`seed: failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
