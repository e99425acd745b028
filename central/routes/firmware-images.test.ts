import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { DEMO_FIRMWARE, demoFirmwareImage } from "../demo-world";
import { openTestWorld, type TestWorld } from "../test-support";

/** GET /firmware/:model/:version/image on PGlite with the demo catalogue and its images in a folder. */
let world: TestWorld;
let dir: string;
let app: ReturnType<typeof createApp>;
const target = DEMO_FIRMWARE.find((f) => f.status === "production")!;
const withdrawn = DEMO_FIRMWARE.find((f) => f.status === "withdrawn")!;
const bytes = demoFirmwareImage(target.deviceModel, target.version);

beforeAll(async () => {
  world = await openTestWorld("pglite");
  dir = await mkdtemp(join(tmpdir(), "central-firmware-"));
  for (const f of DEMO_FIRMWARE)
    await writeFile(join(dir, `${f.deviceModel}-${f.version}.bin`), demoFirmwareImage(f.deviceModel, f.version));
  app = createApp({
    db: world.database.db,
    business: world.business,
    signingKey: world.key,
    mail: { kind: "eml", dir: world.mailDir },
    databaseKind: "pglite",
    firmwareImagesDir: dir,
  });
});
afterAll(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

const dockToken = () => Object.values(world.tokens.docks)[0] ?? "";
const get = (path: string, headers: Record<string, string> = {}, token = dockToken()) =>
  app.request(path, { headers: { authorization: `Bearer ${token}`, ...headers } });

describe("firmware images for docks", () => {
  it("sends a production image whole, with its SHA-256 as ETag, matching the catalogue", async () => {
    const res = await get(`/firmware/${target.deviceModel}/${target.version}/image`);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(bytes)).toBe(true);
    const sha = createHash("sha256").update(body).digest("hex");
    expect(res.headers.get("etag")).toBe(`"${sha}"`);
    const catalogue = (await (await get("/firmware")).json()) as Array<{ version: string; sha256: string }>;
    expect(catalogue.find((e) => e.version === target.version)?.sha256).toBe(sha);
  });

  it("resumes from a byte offset (206 with Content-Range)", async () => {
    const res = await get(`/firmware/${target.deviceModel}/${target.version}/image`, { range: "bytes=40000-" });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 40000-${bytes.length - 1}/${bytes.length}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(40000))).toBe(true);
  });

  it("never sends a withdrawn version, an image that differs from the catalogue, or to a Party", async () => {
    const w = await get(`/firmware/${withdrawn.deviceModel}/${withdrawn.version}/image`);
    expect(w.status).toBe(409);
    expect(await w.json()).toMatchObject({ error: "withdrawn" });
    await writeFile(join(dir, `${target.deviceModel}-${target.version}.bin`), Buffer.concat([bytes, Buffer.from([0])]));
    const m = await get(`/firmware/${target.deviceModel}/${target.version}/image`);
    expect(m.status).toBe(409);
    expect(await m.json()).toMatchObject({ error: "image-mismatch" });
    await writeFile(join(dir, `${target.deviceModel}-${target.version}.bin`), bytes);
    const party = await get(
      `/firmware/${target.deviceModel}/${target.version}/image`,
      {},
      Object.values(world.tokens.parties)[0] ?? "",
    );
    expect(party.status).toBe(403);
    expect((await get(`/firmware/${target.deviceModel}/0009FFFF/image`)).status).toBe(404);
    expect((await get(`/firmware/..%2F..%2Fetc/${target.version}/image`)).status).toBe(400);
  });
});
