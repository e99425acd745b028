import { crashRow, runCrashCampaign } from "../central/campaign/crash-campaign";

/**
 * The crash soak (issue 21): central SIGKILLed at random points of 1,000 pushes, on PGlite and
 * (with TEST_DATABASE_URL or BENCH_DATABASE_URL) on PostgreSQL. Prints one row per database.
 *   npm run soak:central-crash -- [--pushes 1000] [--events 10] [--kills 40] [--seed N] [--backend pglite|postgres]
 * The test suite runs the same campaign with small counts (central/campaign/crash.test.ts).
 */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_URL ?? process.env.BENCH_DATABASE_URL;
  const only = arg("backend", "");
  const kinds = (["pglite", "postgres"] as const).filter(
    (k) => (only === "" || only === k) && (k === "pglite" || adminUrl),
  );
  let failed = false;
  for (const kind of kinds) {
    const f = await runCrashCampaign({
      kind,
      adminUrl,
      pushes: Number(arg("pushes", "1000")),
      eventsPerPush: Number(arg("events", "10")),
      kills: Number(arg("kills", "40")),
      seed: Number(arg("seed", String(Date.now() % 2 ** 31))),
      log: (l) => console.log(`  ${l}`),
    });
    console.log(crashRow(f));
    if (f.partial + f.lostAfterKill + f.lost + f.acceptedTwice + f.storedTwice + f.rejected > 0) failed = true;
  }
  if (!adminUrl) console.log("(PostgreSQL skipped: set TEST_DATABASE_URL)");
  process.exit(failed ? 1 : 0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
