import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { FirmwareEntrySchema, type FirmwareEntry } from "../../shared/sync";
import { CATALOGUE_FILE, verifiedCatalogue } from "./jig-firmware";

/**
 * Firmware over the network: fills the dock's firmware folder (./jig-firmware.ts) from
 * central with no private key anywhere on the dock. The catalogue comes from `GET /firmware`;
 * every entry must be signed by the pinned publisher key (`publisher.pem`, the folder's),
 * or it is ignored. Each production image of a model the catalogue names is fetched from
 * `GET /firmware/:model/:version/image`, resumed from a `.part` file with `Range` after a
 * broken download, and kept only if its bytes hash to the signed entry's SHA-256; the
 * signed entry is written beside it (`<model>-<version>.entry.json`) as its proof, which the
 * firmware store checks again before anything reaches a jig. Images already held are not
 * fetched again. A withdrawn version is never fetched, and the new catalogue (written last)
 * stops it being flashed as soon as the station reloads it.
 */
export interface DownloadOptions {
  centralUrl: string;
  token: string;
  /** The dock's firmware folder. */
  dir: string;
  /** The pinned publisher key. */
  publisherKey: KeyObject;
  fetch?: typeof fetch;
}

export interface DownloadResult {
  catalogueEntries: number;
  /** `<model>-<version>` fetched now. */
  downloaded: string[];
  /** Already held, with the right bytes. */
  cached: string[];
  problems: string[];
}

export async function downloadFirmware(o: DownloadOptions): Promise<DownloadResult> {
  const get = o.fetch ?? fetch;
  const base = o.centralUrl.replace(/\/$/, "");
  const auth = { authorization: `Bearer ${o.token}` };
  const res = await get(`${base}/firmware`, { headers: auth });
  if (!res.ok) throw new Error(`central answered GET /firmware with HTTP ${res.status}`);
  const raw: unknown = await res.json();
  const { catalogue, problems } = verifiedCatalogue(raw, o.publisherKey);
  const entries = z
    .array(z.unknown())
    .parse(raw)
    .flatMap((r) => {
      const e = FirmwareEntrySchema.safeParse(r);
      return e.success &&
        catalogue.some(
          (c) => c.model === e.data.deviceModel && c.version === e.data.version && c.sha256 === e.data.sha256,
        )
        ? [e.data]
        : [];
    });
  await mkdir(o.dir, { recursive: true });
  const downloaded: string[] = [];
  const cached: string[] = [];
  for (const e of entries.filter((x) => x.status === "production")) {
    const name = `${e.deviceModel}-${e.version}`;
    const bin = join(o.dir, `${name}.bin`);
    if ((await sha256OfFile(bin)) === e.sha256) {
      await writeFile(join(o.dir, `${name}.entry.json`), JSON.stringify(e, null, 2) + "\n");
      cached.push(name);
      continue;
    }
    const fetched = await fetchImage(
      get,
      `${base}/firmware/${e.deviceModel}/${e.version}/image`,
      auth,
      `${bin}.part`,
      e,
    );
    if (!fetched.ok) {
      problems.push(`${name}: ${fetched.reason}`);
      continue;
    }
    await rename(`${bin}.part`, bin);
    await writeFile(join(o.dir, `${name}.entry.json`), JSON.stringify(e, null, 2) + "\n");
    downloaded.push(name);
  }
  // Written last: the station reads the images this catalogue names from the folder.
  await writeFile(join(o.dir, CATALOGUE_FILE), JSON.stringify(raw, null, 2) + "\n");
  return { catalogueEntries: entries.length, downloaded, cached, problems };
}

/** Downloads (or resumes) into `part`; ok only when the whole file hashes to the entry's SHA-256. */
async function fetchImage(
  get: typeof fetch,
  url: string,
  auth: Record<string, string>,
  part: string,
  e: FirmwareEntry,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const have = await stat(part).then(
    (s) => s.size,
    () => 0,
  );
  const res = await get(url, { headers: have > 0 ? { ...auth, range: `bytes=${have}-` } : auth }).catch(
    (err: unknown) => err as Error,
  );
  if (res instanceof Error)
    return { ok: false, reason: `central could not be reached (${res.message}); the download resumes next time` };
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { reason?: unknown } | null;
    return {
      ok: false,
      reason: `central refused the image (HTTP ${res.status}${typeof body?.reason === "string" ? `: ${body.reason}` : ""})`,
    };
  }
  // 206: the rest after what we hold; 200: the whole image (the server did not resume).
  const append = res.status === 206 && have > 0;
  const handle = await open(part, append ? "a" : "w");
  try {
    const reader = res.body?.getReader();
    if (reader === undefined) return { ok: false, reason: "central sent no body" };
    for (;;) {
      const chunk = await reader.read().catch((err: unknown) => err as Error);
      if (chunk instanceof Error)
        return { ok: false, reason: `the download broke off (${chunk.message}); it resumes next time` };
      if (chunk.done) break;
      await handle.write(chunk.value);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  const sha = await sha256OfFile(part);
  if (sha !== e.sha256) {
    await rm(part, { force: true });
    return {
      ok: false,
      reason: `the bytes received hash to ${sha?.slice(0, 12) ?? "nothing"}…, the signed catalogue says ${e.sha256.slice(0, 12)}…; not kept`,
    };
  }
  return { ok: true };
}

async function sha256OfFile(path: string): Promise<string | null> {
  const bytes = await readFile(path).catch(() => null);
  return bytes === null ? null : createHash("sha256").update(bytes).digest("hex");
}

/** One pass with the key read from `publisherKeyPath`; never throws (no pinned key yet, central down: logged). */
export async function downloadFirmwareOnce(
  o: Omit<DownloadOptions, "publisherKey"> & { publisherKeyPath: string; log: (message: string) => void },
): Promise<DownloadResult | null> {
  try {
    const publisherKey = createPublicKey(await readFile(o.publisherKeyPath, "utf8"));
    const r = await downloadFirmware({ ...o, publisherKey });
    for (const p of r.problems) o.log(`firmware: ${p}`);
    if (r.downloaded.length > 0) o.log(`firmware: fetched ${r.downloaded.join(", ")} from central`);
    return r;
  } catch (err) {
    o.log(`firmware: could not refresh from central: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/**
 * Keeps the folder current: fetches now, then every `everyMs`, and after each pass that
 * changed something asks the station to read the folder again (`reload`). Never throws;
 * what went wrong is logged and the next pass tries again. Returns the stop function.
 */
export function keepFirmwareCurrent(
  o: Omit<DownloadOptions, "publisherKey"> & {
    publisherKeyPath: string;
    everyMs: number;
    reload: () => Promise<unknown>;
    log: (message: string) => void;
  },
): () => void {
  let running = false;
  const pass = async () => {
    if (running) return;
    running = true;
    try {
      if ((await downloadFirmwareOnce(o)) !== null) await o.reload();
    } catch (err) {
      o.log(
        `firmware: the station could not take the new firmware: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      running = false;
    }
  };
  void pass();
  const timer = setInterval(() => void pass(), o.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
