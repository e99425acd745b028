import { join } from "node:path";

/** Where central keeps its files under its data folder (documented in docs/central.md). */
export function dataPaths(dataDir: string) {
  return {
    /** PGlite's database folder (unused when DATABASE_URL is set). */
    pglite: join(dataDir, "pgdata"),
    /** Ed25519 catalogue key pair {keyId, publicKeyPem, privateKeyPem}: central signs entries, the jig helper signs images. */
    signingKey: join(dataDir, "keys", "firmware-signing.json"),
    /** Tokens the seed made (dcc, per Party, per dock): shown once, kept here for the demo. */
    tokens: join(dataDir, "tokens.json"),
    /** Demo firmware images, <model>-<version>.bin, matching the catalogue's SHA-256. */
    firmware: join(dataDir, "firmware"),
    /** .eml files when no SMTP server is configured. */
    mail: join(dataDir, "mail"),
  };
}
