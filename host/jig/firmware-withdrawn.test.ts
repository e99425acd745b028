import { createHash, generateKeyPairSync, sign as edSign } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firmwareSignedMessage, type FirmwareEntry } from "../../shared/sync";
import { FirmwareStore } from "../../hardware/firmware/firmware-store";
import { verifiedCatalogue } from "./jig-firmware";

/**
 * A version withdrawn at the DCC desk stops new flashes at the dock at its next pull (issue 19/20):
 * from central's catalogue as it goes over the wire (a withdrawal changes the status, the signed
 * model/version/SHA-256 stay), through the dock's signature check (`verifiedCatalogue`) to the
 * firmware store's decision of what may go to a jig (`prepare`, `verifyImage`).
 */
const publisher = generateKeyPairSync("ed25519");
const MODEL = "010A030B";

function centralEntry(version: number, status: FirmwareEntry["status"]): { entry: FirmwareEntry; bytes: Uint8Array } {
  const bytes = new Uint8Array(Buffer.from(`image of version ${version}`.padEnd(512, ".")));
  const e = {
    deviceModel: MODEL,
    version: version.toString(16).toUpperCase().padStart(8, "0"),
    status,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    sizeBytes: bytes.length,
    keyId: "central-key",
    releasedAt: "2026-12-01T00:00:00.000Z",
  };
  const signature = edSign(null, Buffer.from(firmwareSignedMessage(e), "utf8"), publisher.privateKey).toString(
    "base64",
  );
  return { entry: { ...e, signature }, bytes };
}

describe("a withdrawn version at the dock", () => {
  it("is never prepared for a jig and is refused by name; the highest version still in production is flashed instead", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 0xffff }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        (versions, withdrawnFlags) => {
          const published = versions.map((v, i) => centralEntry(v, withdrawnFlags[i] ? "withdrawn" : "production"));
          // The dock pulls the catalogue (JSON over the wire) and keeps only entries the pinned key signed.
          const wire: unknown = JSON.parse(JSON.stringify(published.map((p) => p.entry)));
          const { catalogue, problems } = verifiedCatalogue(wire, publisher.publicKey);
          expect(problems).toEqual([]);
          const store = new FirmwareStore(publisher.publicKey);
          for (const p of published) expect(store.addFromCatalogue(p.entry, p.bytes)).toEqual({ ok: true });

          const inProduction = published.filter((p) => p.entry.status === "production");
          const prepared = store.prepare(catalogue, MODEL);
          if (inProduction.length === 0) expect(prepared).toMatchObject({ ok: false, code: "no-production-version" });
          else {
            const best = inProduction.reduce((a, b) => (a.entry.version > b.entry.version ? a : b));
            expect(prepared.ok && prepared.image.version).toBe(best.entry.version);
          }
          for (const p of published.filter((x) => x.entry.status === "withdrawn"))
            expect(store.verifyImage(p.entry.sha256, MODEL, catalogue)).toMatchObject({ ok: false, code: "withdrawn" });
        },
      ),
    );
  });

  it("withdrawing the version in production switches the next preparation to the one before, with no restart", () => {
    const older = centralEntry(0x20000, "production");
    const newer = centralEntry(0x30000, "production");
    const store = new FirmwareStore(publisher.publicKey);
    for (const p of [older, newer]) store.addFromCatalogue(p.entry, p.bytes);
    const before = verifiedCatalogue([older.entry, newer.entry], publisher.publicKey).catalogue;
    const first = store.prepare(before, MODEL);
    expect(first.ok && first.image.version).toBe("00030000");
    // The next pull: central now lists 00030000 as withdrawn (same signature).
    const after = verifiedCatalogue(
      [older.entry, { ...newer.entry, status: "withdrawn" }],
      publisher.publicKey,
    ).catalogue;
    const next = store.prepare(after, MODEL);
    expect(next.ok && next.image.version).toBe("00020000");
    expect(store.verifyImage(newer.entry.sha256, MODEL, after)).toMatchObject({
      ok: false,
      code: "withdrawn",
      reason: expect.stringContaining("withdrawn (by the catalogue)"),
    });
  });
});
