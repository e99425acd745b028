import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../app";
import { openTestWorld, testBackends, type TestWorld } from "../test-support";
import { verifyEntry } from "../services/firmware-catalogue";
import { deskDb } from "./schema";
import { FirmwareEntrySchema, type FirmwareEntry } from "../../shared/sync";
import type { DeskFirmwareView } from "../../shared/desk-api";
import { FAST_POLICY, RawBody, signedIn, type DeskClient } from "./test-client";

const MODEL = "010A030B";

describe.each(testBackends())("the firmware catalogue at the desk on %s", (backend) => {
  let w: TestWorld;
  let app: ReturnType<typeof createApp>;
  let admin: DeskClient;
  let ops: DeskClient;
  let images: string;
  const image = new Uint8Array(Array.from({ length: 5000 }, (_, i) => (i * 7 + 3) % 256));
  const sha = createHash("sha256").update(image).digest("hex");

  /** The demo dock calling this central (with its image folder), as the host does. */
  const dock = async (method: string, path: string) => {
    const res = await app.request(path, { method, headers: { authorization: `Bearer ${w.tokens.docks["DOCK-N1"]}` } });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json, text };
  };
  const dockCatalogue = async () =>
    ((await dock("GET", "/firmware")).json as FirmwareEntry[]).map((e) => FirmwareEntrySchema.parse(e));
  const upload = (who: DeskClient, version: string, bytes: Uint8Array = image, type?: string) =>
    who.call(
      "POST",
      `/desk/api/firmware/uploads?model=${MODEL}&version=${version}&fileName=hub-${version}.bin`,
      new RawBody(bytes, type),
    );
  const auditActions = async () =>
    (await deskDb(w.database.db).selectFrom("desk_audit").select("action").orderBy("seq").execute()).map(
      (r) => r.action,
    );

  beforeAll(async () => {
    w = await openTestWorld(backend);
    images = await mkdtemp(join(tmpdir(), "desk-firmware-"));
    app = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      firmwareImagesDir: images,
      desk: { policy: FAST_POLICY, deskDist: null },
    });
    admin = await signedIn(app, w.database.db, "dcc-admin");
    ops = await signedIn(app, w.database.db, "dcc-ops");
  });
  afterAll(async () => {
    await w?.close();
    await rm(images, { recursive: true, force: true });
  });

  it("an upload is hashed at central and reaches no dock until it is published", async () => {
    const r = await upload(admin, "00040000");
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ deviceModel: MODEL, version: "00040000", sha256: sha, sizeBytes: 5000 });
    const view = (await admin.call("GET", "/desk/api/firmware")).json as unknown as DeskFirmwareView;
    expect(view.uploads).toEqual([
      expect.objectContaining({ version: "00040000", sha256: sha, fileName: "hub-00040000.bin" }),
    ]);
    expect(view.signingKeyId).toBe(w.key.keyId);
    expect((await dockCatalogue()).some((e) => e.version === "00040000")).toBe(false);
    expect((await dock("GET", `/firmware/${MODEL}/00040000/image`)).status).toBe(404);
  });

  it("publishing signs the entry with central's key; docks then see it and can download the very bytes", async () => {
    const r = await admin.call("POST", `/desk/api/firmware/uploads/${MODEL}/00040000/publish`);
    expect(r.status).toBe(201);
    const entry = FirmwareEntrySchema.parse(r.json);
    expect(entry).toMatchObject({ status: "production", sha256: sha, sizeBytes: 5000, keyId: w.key.keyId });
    expect(verifyEntry(w.key.publicKeyPem, entry)).toBe(true);
    expect(verifyEntry(w.key.publicKeyPem, { ...entry, sha256: "0".repeat(64) })).toBe(false);
    const listed = (await dockCatalogue()).find((e) => e.version === "00040000");
    expect(listed).toEqual(entry);
    const res = await app.request(`/firmware/${MODEL}/00040000/image`, {
      headers: { authorization: `Bearer ${w.tokens.docks["DOCK-N1"]}` },
    });
    expect(res.status).toBe(200);
    expect(
      createHash("sha256")
        .update(new Uint8Array(await res.arrayBuffer()))
        .digest("hex"),
    ).toBe(sha);
    expect((await dock("GET", `/firmware/${MODEL}/latest`)).json).toMatchObject({ version: "00040000" });
    const view = (await admin.call("GET", "/desk/api/firmware")).json as unknown as DeskFirmwareView;
    expect(view.uploads).toEqual([]);
    expect(view.catalogue.find((e) => e.version === "00040000")).toMatchObject({
      imageHeld: true,
      status: "production",
    });
    expect(await auditActions()).toEqual(expect.arrayContaining(["firmware.uploaded", "firmware.published"]));
  });

  it("a published version is never replaced, nor published twice", async () => {
    const again = await upload(admin, "00040000", new Uint8Array([1, 2, 3]));
    expect(again).toMatchObject({ status: 409, json: { reason: expect.stringMatching(/never replaced/) } });
    expect((await admin.call("POST", `/desk/api/firmware/uploads/${MODEL}/00040000/publish`)).status).toBe(404);
    expect((await dockCatalogue()).find((e) => e.version === "00040000")?.sha256).toBe(sha);
  });

  it("withdrawing stops central sending the image and takes it out of the latest production; docks see the status", async () => {
    const r = await admin.call("POST", `/desk/api/firmware/${MODEL}/00040000/withdraw`);
    expect(r).toMatchObject({ status: 200, json: { status: "withdrawn" } });
    expect((await dockCatalogue()).find((e) => e.version === "00040000")?.status).toBe("withdrawn");
    expect((await dock("GET", `/firmware/${MODEL}/00040000/image`)).status).toBe(409);
    expect((await dock("GET", `/firmware/${MODEL}/latest`)).json).toMatchObject({ version: "00030000" });
    expect((await admin.call("POST", `/desk/api/firmware/${MODEL}/00040000/withdraw`)).status).toBe(409);
    expect((await admin.call("POST", `/desk/api/firmware/${MODEL}/0000FFFF/withdraw`)).status).toBe(404);
    expect(await auditActions()).toContain("firmware.withdrawn");
  });

  it("an image changed on central's disk after upload is not published; a discarded upload is gone", async () => {
    expect((await upload(admin, "00050000")).status).toBe(201);
    await writeFile(join(images, `${MODEL}-00050000.bin`), new Uint8Array([9, 9, 9]));
    const r = await admin.call("POST", `/desk/api/firmware/uploads/${MODEL}/00050000/publish`);
    expect(r).toMatchObject({ status: 409, json: { error: "image-changed" } });
    expect((await dockCatalogue()).some((e) => e.version === "00050000")).toBe(false);
    expect((await admin.call("POST", `/desk/api/firmware/uploads/${MODEL}/00050000/discard`)).status).toBe(200);
    expect(((await admin.call("GET", "/desk/api/firmware")).json as unknown as DeskFirmwareView).uploads).toEqual([]);
    expect((await admin.call("POST", `/desk/api/firmware/uploads/${MODEL}/00050000/discard`)).status).toBe(404);
  });

  it("refuses bad uploads with a reason, operations staff, and a request without the CSRF token", async () => {
    expect(
      (
        await admin.call(
          "POST",
          `/desk/api/firmware/uploads?model=XYZ&version=00060000&fileName=a.bin`,
          new RawBody(image),
        )
      ).status,
    ).toBe(400);
    expect((await upload(admin, "00060000", image, "application/json")).status).toBe(415);
    expect((await upload(admin, "00060000", new Uint8Array())).json).toMatchObject({ error: "empty-image" });
    expect((await upload(ops, "00060000")).status).toBe(403);
    expect((await ops.call("GET", "/desk/api/firmware")).status).toBe(403);
    expect(
      (
        await admin.call(
          "POST",
          `/desk/api/firmware/uploads?model=${MODEL}&version=00060000&fileName=a.bin`,
          new RawBody(image),
          { "x-csrf-token": "nope" },
        )
      ).status,
    ).toBe(403);
    const big = new Uint8Array(w.business.maxBodyBytes + 1);
    expect((await upload(admin, "00060000", big)).status).toBe(413);
    expect(((await admin.call("GET", "/desk/api/firmware")).json as unknown as DeskFirmwareView).uploads).toEqual([]);
  });

  it("a central without a signing key cannot publish, and says so", async () => {
    const unsigned = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: null,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      firmwareImagesDir: images,
      desk: { policy: FAST_POLICY, deskDist: null },
    });
    const a = await signedIn(unsigned, w.database.db, "dcc-admin");
    expect((await upload(a, "00070000")).status).toBe(201);
    const r = await a.call("POST", `/desk/api/firmware/uploads/${MODEL}/00070000/publish`);
    expect(r).toMatchObject({ status: 503, json: { reason: expect.stringMatching(/no catalogue signing key/) } });
  });
});
