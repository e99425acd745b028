import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { FirmwareEntrySchema } from "../../shared/sync";
import { describeImage, signManifest } from "../../hardware/firmware/firmware-store";
import { createHostLog, fallbackLogger } from "../log";
import { CATALOGUE_FILE, PUBLISHER_KEY_FILE, verifiedCatalogue } from "./jig-firmware";

/**
 * The jig image helper: fills a dock's firmware folder (./jig-firmware.ts) from central.
 * Central serves the catalogue (GET /firmware, signed entries) but not image bytes, so
 * the images come from central's data folder (`firmware/<model>-<version>.bin`, written
 * by central/seed.ts), and their manifests are signed here with central's key pair
 * (`keys/firmware-signing.json`, "the jig image helper may sign images with it",
 * docs/central.md). A demo and development tool: a real publisher ships signed manifests.
 *
 *   npx tsx host/jig/jig-firmware-import.ts --central-data .data/central [--central-url http://127.0.0.1:4010] [--token T] [--out .data/host/firmware]
 */

const SigningKeyFileSchema = z.object({
  keyId: z.string().min(1),
  publicKeyPem: z.string().min(1),
  privateKeyPem: z.string().min(1),
});

export interface ImportOptions {
  centralUrl: string;
  /** Any central token (GET /firmware answers every kind). */
  token: string;
  /** Central's data folder: `keys/firmware-signing.json` and `firmware/*.bin`. */
  centralDataDir: string;
  /** The dock's firmware folder to write. */
  outDir: string;
  fetch?: typeof fetch;
}

export interface ImportResult {
  catalogueEntries: number;
  /** `<model>-<version>` of every image written with its signed manifest. */
  images: string[];
  problems: string[];
}

/** Writes publisher key, verified catalogue and signed images from central into `outDir`. */
export async function importCentralFirmware(o: ImportOptions): Promise<ImportResult> {
  const keyFile = SigningKeyFileSchema.parse(
    JSON.parse(await readFile(join(o.centralDataDir, "keys/firmware-signing.json"), "utf8")),
  );
  const publicKey = createPublicKey(keyFile.publicKeyPem);
  const privateKey = createPrivateKey(keyFile.privateKeyPem);
  const res = await (o.fetch ?? fetch)(`${o.centralUrl.replace(/\/$/, "")}/firmware`, {
    headers: { authorization: `Bearer ${o.token}` },
  });
  if (!res.ok) throw new Error(`central answered GET /firmware with HTTP ${res.status}`);
  const entries = z.array(FirmwareEntrySchema).parse(await res.json());
  // The same check the host makes: an entry central did not sign is not written at all.
  const { problems } = verifiedCatalogue(entries, publicKey);
  if (problems.length > 0) throw new Error(`central's catalogue fails its own key: ${problems.join("; ")}`);
  await mkdir(o.outDir, { recursive: true });
  await writeFile(join(o.outDir, PUBLISHER_KEY_FILE), publicKey.export({ type: "spki", format: "pem" }).toString());
  await writeFile(join(o.outDir, CATALOGUE_FILE), JSON.stringify(entries, null, 2) + "\n");
  const images: string[] = [];
  for (const e of entries) {
    const name = `${e.deviceModel}-${e.version}`;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(join(o.centralDataDir, "firmware", `${name}.bin`)));
    } catch {
      problems.push(`${name}: no image in central's firmware folder`);
      continue;
    }
    const manifest = describeImage(bytes, e.deviceModel, e.version, e.status);
    if (manifest.sha256 !== e.sha256) {
      problems.push(
        `${name}: image hashes to ${manifest.sha256.slice(0, 12)}…, the catalogue says ${e.sha256.slice(0, 12)}…; not imported`,
      );
      continue;
    }
    await writeFile(join(o.outDir, `${name}.bin`), bytes);
    await writeFile(
      join(o.outDir, `${name}.manifest.json`),
      JSON.stringify(signManifest(manifest, privateKey), null, 2) + "\n",
    );
    images.push(name);
  }
  return { catalogueEntries: entries.length, images, problems };
}

async function cli(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const centralDataDir = resolve(arg("--central-data") ?? ".data/central");
  let token = arg("--token") ?? process.env.CENTRAL_TOKEN;
  if (token === undefined) {
    // The seed's tokens file: any dock's token can read the catalogue.
    const tokens = z
      .object({ docks: z.record(z.string(), z.string()) })
      .parse(JSON.parse(await readFile(join(centralDataDir, "tokens.json"), "utf8")));
    token = Object.values(tokens.docks)[0];
  }
  if (token === undefined) throw new Error("no central token: pass --token or seed central first");
  const outDir = resolve(arg("--out") ?? process.env.JIG_FIRMWARE_DIR ?? ".data/host/firmware");
  const r = await importCentralFirmware({
    centralUrl: arg("--central-url") ?? process.env.CENTRAL_URL ?? "http://127.0.0.1:4010",
    token,
    centralDataDir,
    outDir,
  });
  const { logger } = await createHostLog({ dir: null, name: "jig-firmware-import" });
  logger.info(
    `jig firmware: ${r.catalogueEntries} catalogue entries, images ${r.images.join(", ") || "none"} in ${outDir}`,
  );
  for (const p of r.problems) logger.warn(`jig firmware: ${p}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  cli(process.argv.slice(2)).catch((e: unknown) => {
    fallbackLogger().fatal(`jig firmware import failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
