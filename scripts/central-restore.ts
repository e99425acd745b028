import { restoreCentral } from "../central/backup";

/**
 * `npm run central:restore -- --from DIR`: restores a backup into an empty CENTRAL_DATA_DIR
 * (PGlite) or the empty PostgreSQL database named by DATABASE_URL; then start central on it.
 */
const i = process.argv.indexOf("--from");
const from = i >= 0 ? process.argv[i + 1] : undefined;
if (!from) {
  console.error("usage: npm run central:restore -- --from DIR");
  process.exit(2);
}
restoreCentral(from, {
  databaseUrl: process.env.DATABASE_URL || null,
  dataDir: process.env.CENTRAL_DATA_DIR ?? ".data/central",
}).then(
  () => console.log(`central restored from ${from}`),
  (e: unknown) => {
    console.error(`central restore failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
