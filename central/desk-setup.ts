import { readFileSync } from "node:fs";
import { loadEnv } from "./config";
import { dataPaths } from "./data-dir";
import { openDatabase } from "./db/connect";
import { deskDb } from "./desk/schema";
import { issueSetupLink } from "./services/people";

/**
 * `npm run desk:setup` (`npx tsx central/desk-setup.ts`): prints a one-time link that creates
 * the desk's first DCC admin. Same environment as main.ts; refused once an admin exists. With
 * PGlite, run it while central is stopped (the data folder belongs to one process).
 */
async function main(): Promise<void> {
  const env = loadEnv(process.env, (p) => readFileSync(p, "utf8"));
  const paths = dataPaths(env.dataDir);
  const hoursArg = process.argv.indexOf("--hours");
  const hours = hoursArg >= 0 ? Number(process.argv[hoursArg + 1]) : 24;
  if (!Number.isFinite(hours) || hours <= 0 || hours > 168)
    throw new Error("--hours takes a number of hours from 1 to 168");
  const database = await openDatabase(
    env.databaseUrl ? { kind: "postgres", url: env.databaseUrl } : { kind: "pglite", dataDir: paths.pglite },
  );
  try {
    const r = await issueSetupLink(deskDb(database.db), hours);
    if (!r.ok) {
      console.error(`desk-setup: ${r.reason}`);
      process.exitCode = 2;
      return;
    }
    const origin = process.env.DESK_PUBLIC_ORIGIN ?? `http://${env.host}:${env.port}`;
    console.log(`desk-setup: open this link once to create the first DCC admin (valid until ${r.expiresAt}):`);
    console.log(`DESK_SETUP_LINK ${origin}/desk/setup#token=${r.token}`);
  } finally {
    await database.close();
  }
}

main().catch((e: unknown) => {
  console.error(`desk-setup: failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
