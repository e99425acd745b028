/**
 * Firmware images held at the dock, content-addressed by SHA-256. Nothing leaves here
 * for a jig unless its manifest is signed by the configured publisher key (Ed25519,
 * node:crypto), its bytes hash to what the manifest says, the model is the hub's, and
 * neither the manifest nor central's catalogue has withdrawn it. An image downloaded from
 * central (host/jig/firmware-download.ts) carries no manifest of its own: its proof is the
 * catalogue entry's signature over (model, version, SHA-256), checked with the same key
 * (`addFromCatalogue`), so no dock ever needs a private key.
 */
import { createHash, createPublicKey, sign as edSign, verify as edVerify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { FirmwareEntrySchema, firmwareSignedMessage } from "../../shared/sync";
import type { FirmwareCatalogue, FirmwareManifest, SignedManifest } from "./manifest";
import { FirmwareCatalogueSchema, latestProduction, manifestSigningBytes, SignedManifestSchema } from "./manifest";

/** An image that passed every check; the bytes are the store's own copy. */
export interface VerifiedImage {
  model: string;
  version: string;
  sha256: Uint8Array;
  sha256Hex: string;
  bytes: Uint8Array;
}

export type FirmwareRefusalCode =
  | "bad-catalogue"
  | "no-production-version"
  | "not-in-store"
  | "unsigned"
  | "bad-signature"
  | "tampered"
  | "withdrawn"
  | "wrong-model";

export type PrepareResult =
  { ok: true; image: VerifiedImage } | { ok: false; code: FirmwareRefusalCode; reason: string };

interface StoredImage {
  signed: SignedManifest;
  /** What the signature signs when it is a catalogue entry's (shared/sync firmwareSignedMessage); absent for a manifest's. */
  signedMessage?: string;
  bytes: Uint8Array;
  /** Set once the hash has passed; the bytes are the store's private copy, never written to. */
  checked: { sha256: Uint8Array; bytes: Uint8Array } | null;
  /** True once the signature has verified against the store's key (the entry is never changed after). */
  signatureOk?: boolean;
}

export class FirmwareStore {
  private readonly publicKey: KeyObject;
  /** Keyed by the manifest's claimed SHA-256 (lower-case hex). */
  private readonly images = new Map<string, StoredImage>();

  /** `publicKey`: the publisher's Ed25519 key, as a KeyObject or PEM text. */
  constructor(publicKey: KeyObject | string) {
    this.publicKey = typeof publicKey === "string" ? createPublicKey(publicKey) : publicKey;
    if (this.publicKey.asymmetricKeyType !== "ed25519") throw new Error("firmware publisher key must be Ed25519");
  }

  /** Adds an image with its manifest file contents; refuses a manifest that does not parse. */
  add(manifestFile: unknown, bytes: Uint8Array): { ok: true } | { ok: false; reason: string } {
    const parsed = SignedManifestSchema.safeParse(manifestFile);
    if (!parsed.success)
      return {
        ok: false,
        reason: `manifest does not parse: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      };
    // The store keeps its own copy, so a caller changing its buffer later cannot change what was checked.
    this.images.set(parsed.data.manifest.sha256, { signed: parsed.data, bytes: bytes.slice(), checked: null });
    return { ok: true };
  }

  /**
   * Adds an image whose proof is central's signed catalogue entry (`<name>.entry.json` beside
   * the image); refuses an entry that does not parse. The signature is checked, as a
   * manifest's, whenever the image is prepared.
   */
  addFromCatalogue(entryFile: unknown, bytes: Uint8Array): { ok: true } | { ok: false; reason: string } {
    const parsed = FirmwareEntrySchema.safeParse(entryFile);
    if (!parsed.success)
      return {
        ok: false,
        reason: `catalogue entry does not parse: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      };
    const e = parsed.data;
    const manifest: FirmwareManifest = {
      model: e.deviceModel,
      version: e.version,
      status: e.status,
      size: bytes.length,
      sha256: e.sha256,
    };
    this.images.set(e.sha256, {
      signed: { manifest, signature: e.signature },
      signedMessage: firmwareSignedMessage(e),
      bytes: bytes.slice(),
      checked: null,
    });
    return { ok: true };
  }

  /** Loads every `<name>.bin` with its `<name>.manifest.json` (or downloaded: `<name>.entry.json`) from a folder; returns problems by file. */
  async loadDirectory(dir: string): Promise<Array<{ file: string; reason: string }>> {
    const problems: Array<{ file: string; reason: string }> = [];
    for (const file of (await readdir(dir)).filter((f) => f.endsWith(".manifest.json") || f.endsWith(".entry.json"))) {
      const binFile = file.replace(/\.(manifest|entry)\.json$/, ".bin");
      try {
        const proof: unknown = JSON.parse(await readFile(join(dir, file), "utf8"));
        const bytes = new Uint8Array(await readFile(join(dir, binFile)));
        const r = file.endsWith(".entry.json") ? this.addFromCatalogue(proof, bytes) : this.add(proof, bytes);
        if (!r.ok) problems.push({ file, reason: r.reason });
      } catch (error) {
        problems.push({ file, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return problems;
  }

  /** The image to flash a hub of `model` with, per central's catalogue, fully checked. */
  prepare(catalogue: unknown, model: string): PrepareResult {
    const cat = FirmwareCatalogueSchema.safeParse(catalogue);
    if (!cat.success)
      return refuse("bad-catalogue", `firmware catalogue does not parse: ${cat.error.issues[0]?.message ?? "invalid"}`);
    const entry = latestProduction(cat.data, model);
    if (!entry) return refuse("no-production-version", `the catalogue has no production firmware for model ${model}`);
    const stored = this.images.get(entry.sha256);
    if (!stored)
      return refuse(
        "not-in-store",
        `image ${entry.version} for model ${model} (sha256 ${entry.sha256.slice(0, 12)}…) is not in the firmware store`,
      );
    return this.check(stored, model, entry.version, cat.data);
  }

  /** Checks a stored image, found by SHA-256, for a hub of `model` against the catalogue. */
  verifyImage(sha256Hex: string, model: string, catalogue: FirmwareCatalogue): PrepareResult {
    const stored = this.images.get(sha256Hex);
    if (!stored) return refuse("not-in-store", `no image with sha256 ${sha256Hex.slice(0, 12)}…`);
    return this.check(stored, model, stored.signed.manifest.version, catalogue);
  }

  private check(stored: StoredImage, model: string, version: string, catalogue: FirmwareCatalogue): PrepareResult {
    const { manifest, signature } = stored.signed;
    if (!signature)
      return refuse("unsigned", `image ${manifest.version} for model ${manifest.model} carries no signature`);
    // The store's entry never changes once added (a new image replaces the entry) and the
    // publisher key is the store's for life, so a good signature is checked once an image,
    // not once a hub; a bad one is checked (and refused) every time.
    if (!stored.signatureOk) {
      const message =
        stored.signedMessage === undefined ? manifestSigningBytes(manifest) : Buffer.from(stored.signedMessage, "utf8");
      stored.signatureOk = edVerify(null, message, this.publicKey, Buffer.from(signature, "base64"));
    }
    if (!stored.signatureOk)
      return refuse(
        "bad-signature",
        `the manifest of image ${manifest.version} is not signed by the firmware publisher key`,
      );
    if (manifest.model !== model)
      return refuse("wrong-model", `image is for model ${manifest.model}, the hub is model ${model}`);
    if (manifest.version !== version)
      return refuse("tampered", `manifest says version ${manifest.version}, catalogue says ${version}`);
    const withdrawnBy =
      manifest.status === "withdrawn"
        ? "its manifest"
        : catalogue.some((e) => e.model === model && e.version === version && e.status === "withdrawn")
          ? "the catalogue"
          : null;
    if (withdrawnBy)
      return refuse("withdrawn", `firmware ${version} for model ${model} is withdrawn (by ${withdrawnBy})`);
    if (!stored.checked) {
      // The bytes are the store's own copy (see add), so what was checked is exactly what
      // goes to the jig; signature and hash hold for the life of the copy, so they are checked once.
      const bytes = stored.bytes;
      if (bytes.length !== manifest.size)
        return refuse("tampered", `image is ${bytes.length} bytes, manifest says ${manifest.size}`);
      const digest = createHash("sha256").update(bytes).digest();
      if (digest.toString("hex") !== manifest.sha256)
        return refuse(
          "tampered",
          `image bytes hash to ${digest.toString("hex").slice(0, 12)}…, manifest says ${manifest.sha256.slice(0, 12)}…`,
        );
      stored.checked = { sha256: new Uint8Array(digest), bytes };
    }
    return {
      ok: true,
      image: { model, version, sha256: stored.checked.sha256, sha256Hex: manifest.sha256, bytes: stored.checked.bytes },
    };
  }
}

/** Signs a manifest with the publisher's private key (tools, tests and the demo publisher). */
export function signManifest(manifest: FirmwareManifest, privateKey: KeyObject): SignedManifest {
  return { manifest, signature: edSign(null, manifestSigningBytes(manifest), privateKey).toString("base64") };
}

/** The manifest describing `bytes`. */
export function describeImage(
  bytes: Uint8Array,
  model: string,
  version: string,
  status: FirmwareManifest["status"] = "production",
): FirmwareManifest {
  return { model, version, status, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
}

function refuse(code: FirmwareRefusalCode, reason: string): PrepareResult {
  return { ok: false, code, reason };
}
