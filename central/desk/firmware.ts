import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Hono, type Context } from "hono";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { ApiError, describeIssues } from "../http/api-error";
import { listFirmware, putFirmware, withdrawFirmware, type SigningKeyFile } from "../services/firmware-catalogue";
import { deskAudit } from "../services/people";
import {
  FirmwareUploadQuerySchema,
  type DeskFirmwareEntry,
  type DeskFirmwareUpload,
  type DeskFirmwareView,
} from "../../shared/desk-api";
import { DeviceModelSchema, HexFirmwareSchema } from "../../shared/domain/booking";
import { deskDb } from "./schema";
import { needRole, type DeskEnv } from "./session";

/**
 * The firmware catalogue at the desk (issues 19 and 20), for DCC admins:
 * - upload: the image's bytes are the request body; central hashes them (SHA-256) and keeps the
 *   file as `<images>/<model>-<version>.bin`, recorded in `firmware_uploads`. Nothing reaches a
 *   dock yet: central serves an image only for a catalogue entry whose SHA-256 it matches.
 * - publish: central hashes the file again (it must still be what was uploaded), signs the entry
 *   with its own Ed25519 key (`putFirmware`) and docks see it at their next pull. Signing happens
 *   here and only here: no private key is ever on a dock.
 * - withdraw: the version stays listed as withdrawn; docks stop flashing it at their next pull
 *   (the dock's firmware store refuses a version the catalogue withdrew) and central no longer
 *   sends its image.
 * A version once published is never replaced: a new image is a new version.
 */
export function firmwareDeskRoutes(deps: {
  db: Kysely<Database>;
  signingKey: SigningKeyFile | null;
  imagesDir: string | null;
  maxImageBytes: number;
}): Hono<DeskEnv> {
  const { db } = deps;
  const desk = deskDb(db);
  const routes = new Hono<DeskEnv>();
  const admin = (c: Context<DeskEnv>) => needRole(c, "dcc-admin");
  const actor = (c: Context<DeskEnv>) => `person:${c.get("person").personId}`;
  const pathOf = (model: string, version: string) => {
    if (deps.imagesDir === null)
      throw new ApiError(503, "no-image-folder", "central has no firmware image folder configured");
    return join(deps.imagesDir, `${model}-${version}.bin`);
  };
  const nameParams = (c: Context) => {
    const model = DeviceModelSchema.safeParse(c.req.param("model"));
    const version = HexFirmwareSchema.safeParse(c.req.param("version"));
    if (!model.success || !version.success)
      throw new ApiError(400, "invalid-path", "a Device Model and a firmware version are 8 hex digits each");
    return { model: model.data, version: version.data };
  };
  const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

  routes.get("/", async (c) => {
    admin(c);
    const [entries, uploads] = await Promise.all([
      listFirmware(db),
      desk.selectFrom("firmware_uploads").selectAll().orderBy("uploaded_at", "desc").execute(),
    ]);
    const held = async (model: string, version: string) =>
      deps.imagesDir === null
        ? false
        : stat(join(deps.imagesDir, `${model}-${version}.bin`)).then(
            (s) => s.isFile(),
            () => false,
          );
    const catalogue: DeskFirmwareEntry[] = await Promise.all(
      entries.map(async (e) => ({
        deviceModel: e.deviceModel,
        version: e.version,
        status: e.status,
        sha256: e.sha256,
        sizeBytes: e.sizeBytes,
        keyId: e.keyId,
        releasedAt: e.releasedAt,
        imageHeld: await held(e.deviceModel, e.version),
      })),
    );
    const view: DeskFirmwareView = {
      catalogue: catalogue.sort(
        (a, b) => a.deviceModel.localeCompare(b.deviceModel) || b.version.localeCompare(a.version),
      ),
      uploads: uploads.map((u): DeskFirmwareUpload => ({
        deviceModel: u.device_model,
        version: u.version,
        sha256: u.sha256,
        sizeBytes: u.size_bytes,
        fileName: u.file_name,
        uploadedBy: u.uploaded_by,
        uploadedAt: new Date(u.uploaded_at).toISOString(),
      })),
      signingKeyId: deps.signingKey?.keyId ?? null,
      maxImageBytes: deps.maxImageBytes,
    };
    return c.json(view);
  });

  /** POST /uploads?model=&version=&fileName= with the image as an application/octet-stream body. */
  routes.post("/uploads", async (c) => {
    const p = admin(c);
    const q = FirmwareUploadQuerySchema.safeParse(c.req.query());
    if (!q.success) {
      const d = describeIssues(q.error);
      throw new ApiError(400, "invalid-query", d.reason, d.issues);
    }
    const { model, version, fileName } = q.data;
    const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim();
    if (type !== "application/octet-stream")
      throw new ApiError(415, "unsupported-media-type", "send the image's bytes as application/octet-stream");
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new ApiError(422, "empty-image", "the image is empty");
    const [published] = await listFirmware(db, [{ deviceModel: model, version }]);
    if (published)
      throw new ApiError(
        409,
        "version-exists",
        `firmware ${version} for model ${model} is already in the catalogue (${published.status}); a published version is never replaced: upload a new version`,
      );
    const path = pathOf(model, version);
    const digest = sha256(bytes);
    await mkdir(deps.imagesDir ?? "", { recursive: true });
    const tmp = `${path}.${randomUUID()}.upload`;
    await writeFile(tmp, bytes, { mode: 0o640 });
    await rename(tmp, path);
    const row = {
      device_model: model,
      version,
      sha256: digest,
      size_bytes: bytes.length,
      file_name: fileName,
      uploaded_by: p.email,
    };
    await desk.transaction().execute(async (trx) => {
      await trx
        .insertInto("firmware_uploads")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["device_model", "version"]).doUpdateSet({
            sha256: digest,
            size_bytes: bytes.length,
            file_name: fileName,
            uploaded_by: p.email,
            uploaded_at: new Date().toISOString(),
          }),
        )
        .execute();
      await deskAudit(trx, actor(c), "firmware.uploaded", {
        deviceModel: model,
        version,
        sha256: digest,
        sizeBytes: bytes.length,
        fileName,
      });
    });
    return c.json({ deviceModel: model, version, sha256: digest, sizeBytes: bytes.length, fileName }, 201);
  });

  routes.post("/uploads/:model/:version/publish", async (c) => {
    admin(c);
    const { model, version } = nameParams(c);
    const key = deps.signingKey;
    if (key === null)
      throw new ApiError(
        503,
        "no-signing-key",
        "central has no catalogue signing key configured; nothing can be published",
      );
    const up = await desk
      .selectFrom("firmware_uploads")
      .selectAll()
      .where("device_model", "=", model)
      .where("version", "=", version)
      .executeTakeFirst();
    if (!up) throw new ApiError(404, "unknown-upload", `no uploaded image ${version} for model ${model}`);
    const bytes = await readFile(pathOf(model, version)).catch(() => null);
    if (bytes === null || sha256(bytes) !== up.sha256 || bytes.length !== up.size_bytes)
      throw new ApiError(
        409,
        "image-changed",
        `central's copy of image ${version} for model ${model} is missing or no longer what was uploaded; upload it again`,
      );
    const entry = await db.transaction().execute(async (trx) => {
      const [exists] = await listFirmware(trx, [{ deviceModel: model, version }]);
      if (exists)
        throw new ApiError(409, "version-exists", `firmware ${version} for model ${model} is already published`);
      const e = await putFirmware(trx, key, {
        deviceModel: model,
        version,
        status: "production",
        sha256: up.sha256,
        sizeBytes: up.size_bytes,
        releasedAt: new Date().toISOString(),
      });
      await deskDb(trx)
        .deleteFrom("firmware_uploads")
        .where("device_model", "=", model)
        .where("version", "=", version)
        .execute();
      await deskAudit(deskDb(trx), actor(c), "firmware.published", {
        deviceModel: model,
        version,
        sha256: e.sha256,
        keyId: e.keyId,
      });
      return e;
    });
    return c.json(entry, 201);
  });

  routes.post("/uploads/:model/:version/discard", async (c) => {
    admin(c);
    const { model, version } = nameParams(c);
    const r = await desk.transaction().execute(async (trx) => {
      const d = await trx
        .deleteFrom("firmware_uploads")
        .where("device_model", "=", model)
        .where("version", "=", version)
        .executeTakeFirst();
      if (Number(d.numDeletedRows) > 0)
        await deskAudit(trx, actor(c), "firmware.discarded", { deviceModel: model, version });
      return Number(d.numDeletedRows);
    });
    if (r === 0) throw new ApiError(404, "unknown-upload", `no uploaded image ${version} for model ${model}`);
    await rm(pathOf(model, version), { force: true });
    return c.json({ deviceModel: model, version, discarded: true });
  });

  routes.post("/:model/:version/withdraw", async (c) => {
    admin(c);
    const { model, version } = nameParams(c);
    await db.transaction().execute(async (trx) => {
      const [e] = await listFirmware(trx, [{ deviceModel: model, version }]);
      if (!e) throw new ApiError(404, "unknown-firmware", `no firmware ${version} for model ${model} in the catalogue`);
      if (e.status === "withdrawn")
        throw new ApiError(409, "already-withdrawn", `firmware ${version} for model ${model} is already withdrawn`);
      await withdrawFirmware(trx, model, version);
      await deskAudit(deskDb(trx), actor(c), "firmware.withdrawn", { deviceModel: model, version });
    });
    return c.json({ deviceModel: model, version, status: "withdrawn" });
  });

  return routes;
}
