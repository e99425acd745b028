import { generateKeyPairSync, sign as edSign } from "node:crypto";
import { firmwareSignedMessage } from "../../shared/sync";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeImage, FirmwareStore, signManifest } from "./firmware-store";
import type { FirmwareCatalogue } from "./manifest";
import { latestProduction } from "./manifest";

const publisher = generateKeyPairSync("ed25519");
const stranger = generateKeyPairSync("ed25519");
const MODEL = "010A030B";
const image = (seed: number) => Uint8Array.from({ length: 4096 }, (_, i) => (i * seed) & 0xff);

function setup() {
  const store = new FirmwareStore(publisher.publicKey.export({ type: "spki", format: "pem" }).toString());
  const v1 = image(3);
  const v2 = image(7);
  const m1 = describeImage(v1, MODEL, "00020100");
  const m2 = describeImage(v2, MODEL, "00020200");
  store.add(signManifest(m1, publisher.privateKey), v1);
  store.add(signManifest(m2, publisher.privateKey), v2);
  const catalogue: FirmwareCatalogue = [
    { model: MODEL, version: "00020100", status: "production", sha256: m1.sha256 },
    { model: MODEL, version: "00020200", status: "production", sha256: m2.sha256 },
  ];
  return { store, v1, v2, m1, m2, catalogue };
}

describe("FirmwareStore", () => {
  it("prepares the latest production version for the model, verified", () => {
    const { store, v2, catalogue } = setup();
    const r = store.prepare(catalogue, MODEL);
    if (!r.ok) throw new Error(r.reason);
    expect(r.image.version).toBe("00020200");
    expect([...r.image.bytes]).toEqual([...v2]);
  });

  it("skips a version the catalogue withdrew, and refuses it if asked directly", () => {
    const { store, catalogue, m2 } = setup();
    const withdrawn = catalogue.map((e) => (e.version === "00020200" ? { ...e, status: "withdrawn" as const } : e));
    expect(latestProduction(withdrawn, MODEL)?.version).toBe("00020100");
    const prepared = store.prepare(withdrawn, MODEL);
    expect(prepared.ok && prepared.image.version).toBe("00020100");
    expect(store.verifyImage(m2.sha256, MODEL, withdrawn)).toMatchObject({ ok: false, code: "withdrawn" });
  });

  it("refuses tampered bytes", () => {
    const { store, v2, m2, catalogue } = setup();
    const bad = v2.slice();
    bad[100] = (bad[100] ?? 0) ^ 1;
    store.add(signManifest(m2, publisher.privateKey), bad);
    expect(store.prepare(catalogue, MODEL)).toMatchObject({ ok: false, code: "tampered" });
  });

  it("refuses an unsigned image, and one signed by another key or with an edited manifest", () => {
    const { store, v2, m2, catalogue } = setup();
    store.add({ manifest: m2 }, v2);
    expect(store.prepare(catalogue, MODEL)).toMatchObject({ ok: false, code: "unsigned" });
    store.add(signManifest(m2, stranger.privateKey), v2);
    expect(store.prepare(catalogue, MODEL)).toMatchObject({ ok: false, code: "bad-signature" });
    const signed = signManifest({ ...m2, status: "withdrawn" }, publisher.privateKey);
    store.add({ manifest: { ...m2 }, signature: signed.signature }, v2);
    expect(store.prepare(catalogue, MODEL)).toMatchObject({ ok: false, code: "bad-signature" });
  });

  it("refuses an image the manifest itself marks withdrawn", () => {
    const { store, v2, m2, catalogue } = setup();
    store.add(signManifest({ ...m2, status: "withdrawn" }, publisher.privateKey), v2);
    expect(store.prepare(catalogue, MODEL)).toMatchObject({ ok: false, code: "withdrawn" });
  });

  it("refuses an image for another model, with both models in the reason", () => {
    const { store, v2, m2, catalogue } = setup();
    const other = "010A0300";
    const r = store.verifyImage(m2.sha256, other, catalogue);
    expect(r).toEqual({
      ok: false,
      code: "wrong-model",
      reason: `image is for model ${MODEL}, the hub is model ${other}`,
    });
    // A catalogue that points model B at model A's image is refused too.
    store.add(signManifest(m2, publisher.privateKey), v2);
    expect(
      store.prepare([{ model: other, version: m2.version, status: "production", sha256: m2.sha256 }], other),
    ).toMatchObject({ ok: false, code: "wrong-model" });
  });

  it("names a missing production version, a missing image and a bad catalogue", () => {
    const { store, catalogue } = setup();
    expect(store.prepare(catalogue, "FFFFFFFF")).toMatchObject({ ok: false, code: "no-production-version" });
    expect(store.prepare([{ ...catalogue[0]!, sha256: "0".repeat(64) }], MODEL)).toMatchObject({
      ok: false,
      code: "not-in-store",
    });
    expect(store.prepare([{ model: MODEL }], MODEL)).toMatchObject({ ok: false, code: "bad-catalogue" });
  });

  it("loads images from a folder and reports files it cannot use", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fw-"));
    const bytes = image(5);
    const m = describeImage(bytes, MODEL, "00030000");
    writeFileSync(join(dir, "hub-3.bin"), bytes);
    writeFileSync(join(dir, "hub-3.manifest.json"), JSON.stringify(signManifest(m, publisher.privateKey)));
    writeFileSync(join(dir, "junk.manifest.json"), '{"manifest":1}');
    const store = new FirmwareStore(publisher.publicKey);
    const problems = await store.loadDirectory(dir);
    expect(problems.map((p) => p.file)).toEqual(["junk.manifest.json"]);
    expect(
      store.prepare([{ model: MODEL, version: "00030000", status: "production", sha256: m.sha256 }], MODEL).ok,
    ).toBe(true);
  });

  it("refuses a publisher key that is not Ed25519", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() => new FirmwareStore(rsa.publicKey)).toThrow(/Ed25519/);
  });

  it("takes a downloaded image on central's signed catalogue entry (no manifest, no private key on the dock), and refuses a forged or mismatched one", () => {
    const bytes = image(11);
    const sha256 = describeImage(bytes, MODEL, "00020300").sha256;
    const entry = (key: typeof publisher.privateKey, over: Partial<{ sha256: string; version: string }> = {}) => {
      const e = {
        deviceModel: MODEL,
        version: over.version ?? "00020300",
        status: "production" as const,
        sha256: over.sha256 ?? sha256,
        sizeBytes: bytes.length,
        keyId: "k1",
        releasedAt: "2026-12-01T00:00:00.000Z",
      };
      return { ...e, signature: edSign(null, Buffer.from(firmwareSignedMessage(e), "utf8"), key).toString("base64") };
    };
    const catalogue: FirmwareCatalogue = [{ model: MODEL, version: "00020300", status: "production", sha256 }];
    const store = new FirmwareStore(publisher.publicKey);
    expect(store.addFromCatalogue(entry(publisher.privateKey), bytes)).toEqual({ ok: true });
    const ok = store.prepare(catalogue, MODEL);
    expect(ok.ok && ok.image.version).toBe("00020300");
    // Signed by another key: refused when prepared, as an unsigned manifest would be.
    const forged = new FirmwareStore(publisher.publicKey);
    forged.addFromCatalogue(entry(stranger.privateKey), bytes);
    expect(forged.prepare(catalogue, MODEL)).toMatchObject({ ok: false, code: "bad-signature" });
    // The entry is genuine but the bytes are not the ones it names.
    const swapped = new FirmwareStore(publisher.publicKey);
    swapped.addFromCatalogue(entry(publisher.privateKey), image(13));
    expect(swapped.prepare(catalogue, MODEL)).toMatchObject({ ok: false, code: "tampered" });
    expect(new FirmwareStore(publisher.publicKey).addFromCatalogue({ deviceModel: MODEL }, bytes)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("catalogue entry does not parse"),
    });
  });
});
