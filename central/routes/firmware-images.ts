import { createHash } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Hono } from "hono";
import type { Kysely } from "kysely";
import { DeviceModelSchema, HexFirmwareSchema } from "../../shared/domain/booking";
import type { Database } from "../db/schema";
import { ApiError } from "../http/api-error";
import { requireKind, type AppEnv } from "../http/auth";
import { parseOrThrow } from "../http/body";
import { listFirmware } from "../services/firmware-catalogue";

/**
 * Firmware image bytes for docks: `GET /firmware/:model/:version/image`. The dock checks
 * what it receives against the catalogue entry's SHA-256 and signature (pinned key), so
 * this only serves; it never signs. Resumable: `Range: bytes=N-` answers 206 with the rest
 * (a dock on a flaky line continues a 16 MiB download rather than starting over). A
 * withdrawn version answers 409 "withdrawn" and an image whose bytes no longer match the catalogue 409 "image-mismatch":
 * neither is ever sent. Images live in `<CENTRAL_DATA_DIR>/firmware/<model>-<version>.bin`.
 */
export function firmwareImageRoutes(db: Kysely<Database>, imagesDir: string): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  // Hashes are computed once per file and process; the file is re-read if it changes size.
  const verified = new Map<string, { size: number; sha256: string }>();

  routes.get("/firmware/:model/:version/image", async (c) => {
    requireKind(c, "dock", "dcc");
    const model = parseOrThrow(DeviceModelSchema, c.req.param("model"), "invalid-path");
    const version = parseOrThrow(HexFirmwareSchema, c.req.param("version"), "invalid-path");
    const [entry] = await listFirmware(db, [{ deviceModel: model, version }]);
    if (!entry) throw new ApiError(404, "unknown-firmware", `no firmware ${version} for model ${model}`);
    if (entry.status === "withdrawn")
      throw new ApiError(409, "withdrawn", `firmware ${version} for model ${model} is withdrawn; it is not sent`);
    const path = join(imagesDir, `${model}-${version}.bin`);
    let size: number;
    const handle = await open(path, "r").catch(() => null);
    if (handle === null)
      throw new ApiError(404, "no-image", `central holds no image for firmware ${version} of model ${model}`);
    try {
      size = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    const known = verified.get(path);
    if (known === undefined || known.size !== size) {
      const sha256 = createHash("sha256")
        .update(await readFile(path))
        .digest("hex");
      verified.set(path, { size, sha256 });
    }
    if (verified.get(path)?.sha256 !== entry.sha256)
      throw new ApiError(
        409,
        "image-mismatch",
        `central's image for firmware ${version} of model ${model} does not match its catalogue entry; it is not sent`,
      );

    const range = /^bytes=(\d+)-$/.exec(c.req.header("range") ?? "");
    const from = range === null ? 0 : Number(range[1]);
    if (from > size) throw new ApiError(400, "bad-range", `the image is ${size} bytes; cannot resume at ${from}`);
    const bytes = (await readFile(path)).subarray(from);
    c.header("content-type", "application/octet-stream");
    c.header("etag", `"${entry.sha256}"`);
    c.header("accept-ranges", "bytes");
    if (range === null) return c.body(bytes, 200);
    c.header("content-range", `bytes ${from}-${size - 1}/${size}`);
    return c.body(bytes, 206);
  });
  return routes;
}
