import { backupCentral } from "../central/backup";

/**
 * `npm run central:backup -- --out DIR`: backs up a running central (same env as central:
 * DATABASE_URL → pg_dump; else PGlite through the running central's GET /backup at CENTRAL_URL,
 * default http://127.0.0.1:$CENTRAL_PORT, with CENTRAL_DCC_TOKEN or the seed's tokens.json).
 */
const i = process.argv.indexOf("--out");
const out = i >= 0 ? process.argv[i + 1] : undefined;
if (!out) {
  console.error("usage: npm run central:backup -- --out DIR");
  process.exit(2);
}
const dataDir = process.env.CENTRAL_DATA_DIR ?? ".data/central";
backupCentral(
  {
    databaseUrl: process.env.DATABASE_URL || null,
    dataDir,
    centralUrl: process.env.CENTRAL_URL ?? `http://127.0.0.1:${process.env.CENTRAL_PORT ?? "4010"}`,
    dccToken: process.env.CENTRAL_DCC_TOKEN || null,
  },
  out,
).then(
  (files) => console.log(`central backup: ${files.join(", ")} in ${out}`),
  (e: unknown) => {
    console.error(`central backup failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
