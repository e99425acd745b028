import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { FirmwareEntrySchema, firmwareSignedMessage, type FirmwareEntry } from "../../shared/sync";
import { FirmwareStore } from "../../hardware/firmware/firmware-store";
import type { FirmwareCatalogue } from "../../hardware/firmware/manifest";

/**
 * The dock's firmware folder, as the jig station reads it at start-up:
 *
 *   publisher.pem                 the publisher's Ed25519 public key (SPKI PEM)
 *   catalogue.json                central's catalogue entries (shared/sync FirmwareEntry[]), each signed by central
 *   <model>-<version>.bin         an image
 *   <model>-<version>.manifest.json  its signed manifest (hardware/firmware/manifest.ts)
 *
 * Both signatures are checked against the one configured key: a catalogue entry whose
 * signature fails is dropped (so a forged "production" entry cannot pick the target), and
 * the store refuses any image whose manifest is not signed by it (so nothing unsigned
 * reaches a jig). host/jig/jig-firmware-import.ts fills the folder from central.
 */

export const PUBLISHER_KEY_FILE = "publisher.pem";
export const CATALOGUE_FILE = "catalogue.json";

export interface LoadedFirmware {
  store: FirmwareStore;
  /** The verified catalogue in the form the firmware store reads. */
  catalogue: FirmwareCatalogue;
  /** What was refused and why (bad signature, image without manifest…), for the host log. */
  problems: string[];
}

/** Central's catalogue entries whose signature holds under `key`; the rest are listed as problems. */
export function verifiedCatalogue(
  entries: unknown,
  key: KeyObject,
): { catalogue: FirmwareCatalogue; problems: string[] } {
  const parsed = z.array(z.unknown()).safeParse(entries);
  if (!parsed.success)
    return { catalogue: [], problems: [`${CATALOGUE_FILE} is not a JSON array of catalogue entries`] };
  const catalogue: FirmwareCatalogue = [];
  const problems: string[] = [];
  parsed.data.forEach((raw, i) => {
    const entry = FirmwareEntrySchema.safeParse(raw);
    if (!entry.success)
      return void problems.push(`catalogue entry ${i} does not parse: ${entry.error.issues[0]?.message ?? "invalid"}`);
    if (!signedBy(entry.data, key))
      return void problems.push(
        `catalogue entry ${entry.data.deviceModel}/${entry.data.version} is not signed by the publisher key; ignored`,
      );
    catalogue.push({
      model: entry.data.deviceModel,
      version: entry.data.version,
      status: entry.data.status,
      sha256: entry.data.sha256,
    });
  });
  return { catalogue, problems };
}

function signedBy(e: FirmwareEntry, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(firmwareSignedMessage(e), "utf8"), key, Buffer.from(e.signature, "base64"));
  } catch {
    return false;
  }
}

/** Reads the firmware folder; null (with the reason) when it has no publisher key or no catalogue. */
export async function loadFirmwareDirectory(
  dir: string,
  publisherKeyPath = join(dir, PUBLISHER_KEY_FILE),
): Promise<{ ok: true; firmware: LoadedFirmware } | { ok: false; reason: string }> {
  let key: KeyObject;
  try {
    key = createPublicKey(await readFile(publisherKeyPath, "utf8"));
  } catch (error) {
    return { ok: false, reason: `no usable firmware publisher key at ${publisherKeyPath}: ${message(error)}` };
  }
  if (key.asymmetricKeyType !== "ed25519")
    return {
      ok: false,
      reason: `the firmware publisher key at ${publisherKeyPath} is ${key.asymmetricKeyType ?? "unknown"}, not Ed25519`,
    };
  let entries: unknown;
  try {
    entries = JSON.parse(await readFile(join(dir, CATALOGUE_FILE), "utf8"));
  } catch (error) {
    return { ok: false, reason: `no readable firmware catalogue at ${join(dir, CATALOGUE_FILE)}: ${message(error)}` };
  }
  const store = new FirmwareStore(key);
  const { catalogue, problems } = verifiedCatalogue(entries, key);
  for (const p of await store.loadDirectory(dir)) problems.push(`${p.file}: ${p.reason}`);
  return { ok: true, firmware: { store, catalogue, problems } };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
