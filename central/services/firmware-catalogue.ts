import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../db/schema";
import { firmwareSignedMessage, type FirmwareEntry, type SigningKey } from "../../shared/sync";
import { recordChange } from "./changes";

/** A catalogue signing key pair as stored on disk (JSON) for central and the jig image helper. */
export const SigningKeyFileSchema = z.strictObject({
  keyId: z.string().min(1).max(64),
  publicKeyPem: z.string().min(1),
  privateKeyPem: z.string().min(1),
});
export type SigningKeyFile = z.infer<typeof SigningKeyFileSchema>;

/** A fresh Ed25519 key pair (node:crypto), PEM-encoded. */
export function generateSigningKey(keyId: string): SigningKeyFile {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    keyId,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** Reads a key file, or null when it is absent. Throws on a malformed file (a configuration error). */
export async function readSigningKeyFile(path: string): Promise<SigningKeyFile | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return null;
  }
  return SigningKeyFileSchema.parse(JSON.parse(text));
}

/** Ed25519 signature (base64) over an entry's signed message. */
export function signEntry(key: SigningKeyFile, e: Pick<FirmwareEntry, "deviceModel" | "version" | "sha256">): string {
  return sign(null, Buffer.from(firmwareSignedMessage(e), "utf8"), createPrivateKey(key.privateKeyPem)).toString(
    "base64",
  );
}

/** True when the entry's signature verifies against the PEM public key. */
export function verifyEntry(publicKeyPem: string | KeyObject, e: FirmwareEntry): boolean {
  try {
    const key = typeof publicKeyPem === "string" ? createPublicKey(publicKeyPem) : publicKeyPem;
    return verify(null, Buffer.from(firmwareSignedMessage(e), "utf8"), key, Buffer.from(e.signature, "base64"));
  } catch {
    return false;
  }
}

function toEntry(r: {
  device_model: string;
  version: string;
  status: "production" | "withdrawn";
  sha256: string;
  size_bytes: number;
  signature: string;
  key_id: string;
  released_at: Date | string;
}): FirmwareEntry {
  return {
    deviceModel: r.device_model,
    version: r.version,
    status: r.status,
    sha256: r.sha256,
    sizeBytes: r.size_bytes,
    signature: r.signature,
    keyId: r.key_id,
    releasedAt: new Date(r.released_at).toISOString(),
  };
}

/** Every catalogue entry, or those named by model/version pairs. */
export async function listFirmware(
  db: Kysely<Database>,
  only?: ReadonlyArray<{ deviceModel: string; version: string }>,
): Promise<FirmwareEntry[]> {
  let q = db.selectFrom("firmware").selectAll();
  if (only !== undefined) {
    if (only.length === 0) return [];
    q = q.where((eb) =>
      eb.or(only.map((o) => eb.and([eb("device_model", "=", o.deviceModel), eb("version", "=", o.version)]))),
    );
  }
  const rows = await q.orderBy("device_model").orderBy("version").execute();
  return rows.map(toEntry);
}

/** The latest production firmware for a device model: a query over the catalogue, never a constant. */
export async function latestProduction(db: Kysely<Database>, deviceModel: string): Promise<FirmwareEntry | null> {
  // Versions are 8 upper-case hex digits, so text order is numeric order.
  const row = await db
    .selectFrom("firmware")
    .selectAll()
    .where("device_model", "=", deviceModel)
    .where("status", "=", "production")
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? toEntry(row) : null;
}

/** Adds (signed) or replaces a catalogue entry and tells every dock to pull it. */
export async function putFirmware(
  db: Kysely<Database>,
  key: SigningKeyFile,
  e: Omit<FirmwareEntry, "signature" | "keyId">,
): Promise<FirmwareEntry> {
  const signature = signEntry(key, e);
  await db
    .insertInto("signing_keys")
    .values({ key_id: key.keyId, public_key_pem: key.publicKeyPem })
    .onConflict((oc) => oc.column("key_id").doNothing())
    .execute();
  const values = {
    device_model: e.deviceModel,
    version: e.version,
    status: e.status,
    sha256: e.sha256,
    size_bytes: e.sizeBytes,
    signature,
    key_id: key.keyId,
    released_at: e.releasedAt,
  };
  await db
    .insertInto("firmware")
    .values(values)
    .onConflict((oc) =>
      oc.columns(["device_model", "version"]).doUpdateSet({
        status: values.status,
        sha256: values.sha256,
        size_bytes: values.size_bytes,
        signature,
        key_id: key.keyId,
        released_at: values.released_at,
      }),
    )
    .execute();
  await recordChange(db, "firmware", `${e.deviceModel}/${e.version}`, null);
  return { ...e, signature, keyId: key.keyId };
}

/** Withdraws a version (it stays listed, so docks stop using it); false when it does not exist. */
export async function withdrawFirmware(db: Kysely<Database>, deviceModel: string, version: string): Promise<boolean> {
  const r = await db
    .updateTable("firmware")
    .set({ status: "withdrawn" })
    .where("device_model", "=", deviceModel)
    .where("version", "=", version)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return false;
  await recordChange(db, "firmware", `${deviceModel}/${version}`, null);
  return true;
}

/** Every public key docks should trust. */
export async function listSigningKeys(db: Kysely<Database>): Promise<SigningKey[]> {
  const rows = await db.selectFrom("signing_keys").select(["key_id", "public_key_pem"]).orderBy("key_id").execute();
  return rows.map((r) => ({ keyId: r.key_id, publicKeyPem: r.public_key_pem }));
}
