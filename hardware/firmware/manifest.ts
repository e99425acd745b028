/**
 * What a firmware image claims to be, signed by the publisher, and the catalogue
 * central sends down deciding which version is current per Device Model.
 */
import { z } from "zod";

const Hex8 = z.string().regex(/^[0-9A-F]{8}$/, "8 upper-case hex digits");
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "SHA-256 as 64 lower-case hex digits");

export const FirmwareStatusSchema = z.enum(["production", "withdrawn"]);
export type FirmwareStatus = z.infer<typeof FirmwareStatusSchema>;

/** The signed description of one image. */
export const FirmwareManifestSchema = z.strictObject({
  model: Hex8,
  version: Hex8,
  status: FirmwareStatusSchema,
  size: z.number().int().positive(),
  sha256: Sha256Hex,
});
export type FirmwareManifest = z.infer<typeof FirmwareManifestSchema>;

/** The manifest file beside an image: the manifest and its Ed25519 signature (base64). */
export const SignedManifestSchema = z.strictObject({
  manifest: FirmwareManifestSchema,
  signature: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, "base64")
    .optional(),
});
export type SignedManifest = z.infer<typeof SignedManifestSchema>;

/** One entry of central's firmware catalogue. */
export const CatalogueEntrySchema = z.strictObject({
  model: Hex8,
  version: Hex8,
  status: FirmwareStatusSchema,
  sha256: Sha256Hex,
});
export type CatalogueEntry = z.infer<typeof CatalogueEntrySchema>;
export const FirmwareCatalogueSchema = z.array(CatalogueEntrySchema);
export type FirmwareCatalogue = z.infer<typeof FirmwareCatalogueSchema>;

/** The bytes that are signed: fixed field order, so signer and verifier agree exactly. */
export function manifestSigningBytes(m: FirmwareManifest): Buffer {
  return Buffer.from(JSON.stringify([m.model, m.version, m.status, m.size, m.sha256]), "utf8");
}

/** The latest production entry for a model: highest version number, withdrawn ones skipped. */
export function latestProduction(catalogue: FirmwareCatalogue, model: string): CatalogueEntry | null {
  let best: CatalogueEntry | null = null;
  for (const e of catalogue) {
    if (e.model !== model || e.status !== "production") continue;
    if (!best || Number.parseInt(e.version, 16) > Number.parseInt(best.version, 16)) best = e;
  }
  return best;
}
