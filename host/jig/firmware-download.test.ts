import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { firmwareSignedMessage, type FirmwareEntry } from "../../shared/sync";
import { downloadFirmware } from "./firmware-download";
import { loadFirmwareDirectory, PUBLISHER_KEY_FILE } from "./jig-firmware";

const central = generateKeyPairSync("ed25519");
const stranger = generateKeyPairSync("ed25519");
const MODEL = "010A030B";
const image = (seed: number, size = 50_000) =>
  Buffer.from(Uint8Array.from({ length: size }, (_, i) => (i * seed + 5) & 0xff));

function entry(
  version: string,
  bytes: Buffer,
  status: "production" | "withdrawn" = "production",
  key: KeyObject = central.privateKey,
): FirmwareEntry {
  const e = {
    deviceModel: MODEL,
    version,
    status,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    sizeBytes: bytes.length,
    keyId: "central-1",
    releasedAt: "2026-12-01T00:00:00.000Z",
  };
  return { ...e, signature: sign(null, Buffer.from(firmwareSignedMessage(e), "utf8"), key).toString("base64") };
}

/** Central's two endpoints as the dock sees them; `breakAfter` cuts the next image body after that many bytes. */
function fakeCentral(catalogue: FirmwareEntry[], images: Map<string, Buffer>) {
  const state = { breakAfter: null as number | null, ranges: [] as string[], imageRequests: 0 };
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    if (headers.get("authorization") !== "Bearer dock-token") return new Response("{}", { status: 401 });
    if (url.endsWith("/firmware")) return Response.json(catalogue);
    const m = /\/firmware\/([0-9A-F]{8})\/([0-9A-F]{8})\/image$/.exec(url);
    const bytes = m ? images.get(`${m[1]}-${m[2]}`) : undefined;
    if (bytes === undefined)
      return Response.json({ error: "no-image", reason: "central holds no image" }, { status: 404 });
    state.imageRequests++;
    const range = /^bytes=(\d+)-$/.exec(headers.get("range") ?? "");
    state.ranges.push(headers.get("range") ?? "");
    const from = range ? Number(range[1]) : 0;
    const rest = bytes.subarray(from);
    const cut = state.breakAfter;
    state.breakAfter = null;
    // Bytes arrive, then (when cut) the connection resets before the rest.
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(new Uint8Array(cut === null ? rest : rest.subarray(0, cut)));
          return;
        }
        if (cut === null) controller.close();
        else controller.error(new Error("connection reset"));
      },
    });
    return new Response(body, { status: range ? 206 : 200 });
  }) as typeof fetch;
  return { fetchFn, state };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dock-firmware-"));
  await writeFile(join(dir, PUBLISHER_KEY_FILE), central.publicKey.export({ type: "spki", format: "pem" }).toString());
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = (fetchFn: typeof fetch) => ({
  centralUrl: "http://central.test",
  token: "dock-token",
  dir,
  publisherKey: central.publicKey,
  fetch: fetchFn,
});

describe("firmware over the network", () => {
  it("fetches each production image, keeps its signed entry as proof, and the station's store flashes it with no private key on the dock", async () => {
    const v3 = image(3);
    const old = image(7);
    const { fetchFn, state } = fakeCentral(
      [entry("0002012F", old, "withdrawn"), entry("00030000", v3)],
      new Map([
        [`${MODEL}-00030000`, v3],
        [`${MODEL}-0002012F`, old],
      ]),
    );
    const r = await downloadFirmware(options(fetchFn));
    expect(r).toEqual({ catalogueEntries: 2, downloaded: [`${MODEL}-00030000`], cached: [], problems: [] });
    // The withdrawn version is never fetched.
    expect(state.imageRequests).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([
      "010A030B-00030000.bin",
      "010A030B-00030000.entry.json",
      "catalogue.json",
      "publisher.pem",
    ]);
    const loaded = await loadFirmwareDirectory(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.firmware.problems).toEqual([]);
    const prepared = loaded.firmware.store.prepare(loaded.firmware.catalogue, MODEL);
    expect(prepared.ok && Buffer.from(prepared.image.bytes).equals(v3)).toBe(true);
    // A second pass holds it already.
    expect(await downloadFirmware(options(fetchFn))).toMatchObject({ downloaded: [], cached: [`${MODEL}-00030000`] });
    expect(state.imageRequests).toBe(1);
  });

  it("resumes a broken download where it stopped", async () => {
    const v3 = image(3);
    const { fetchFn, state } = fakeCentral([entry("00030000", v3)], new Map([[`${MODEL}-00030000`, v3]]));
    state.breakAfter = 20_000;
    const first = await downloadFirmware(options(fetchFn));
    expect(first.downloaded).toEqual([]);
    expect(first.problems[0]).toMatch(/the download broke off \(connection reset\); it resumes next time/);
    const second = await downloadFirmware(options(fetchFn));
    expect(second.downloaded).toEqual([`${MODEL}-00030000`]);
    expect(state.ranges).toEqual(["", "bytes=20000-"]);
    expect((await readFile(join(dir, `${MODEL}-00030000.bin`))).equals(v3)).toBe(true);
  });

  it("keeps nothing whose bytes differ from the signed entry, and ignores entries the pinned key did not sign", async () => {
    const v3 = image(3);
    const forged = image(9);
    const { fetchFn } = fakeCentral(
      [entry("00030000", v3), entry("00040000", forged, "production", stranger.privateKey)],
      new Map([
        [`${MODEL}-00030000`, image(4)],
        [`${MODEL}-00040000`, forged],
      ]),
    );
    const r = await downloadFirmware(options(fetchFn));
    expect(r.downloaded).toEqual([]);
    expect(r.catalogueEntries).toBe(1);
    expect(r.problems).toEqual([
      "catalogue entry 010A030B/00040000 is not signed by the publisher key; ignored",
      expect.stringMatching(
        /^010A030B-00030000: the bytes received hash to [0-9a-f]{12}…, the signed catalogue says [0-9a-f]{12}…; not kept$/,
      ),
    ]);
    expect((await readdir(dir)).filter((f) => f.endsWith(".bin") || f.endsWith(".part"))).toEqual([]);
  });
});
