import { createPublicKey, X509Certificate } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Agent, fetch as undiciFetch } from "undici";
import { z } from "zod";
import { DockIdSchema, describeZodError, type BridgeArgs, type BridgeResult } from "../shared/bridge/channels";
import { DockEnrolmentAnswerSchema, EnrolmentCodeSchema } from "../shared/desk-api";
import { isLoopbackHost, type HostConfig } from "./config";

/**
 * Enrolling this dock with central (issue 20): someone at the dock types central's URL and a
 * one-time code from the DCC desk; the host trades it at POST /enrol for the dock's token and
 * keeps what it must pin from then on: the firmware publisher's public key and central's TLS
 * certificate (or CA). The token is stored encrypted with Electron's `safeStorage` where the
 * shell has it, else in a file only its user can read (mode 0600, in a 0700 folder). A refused
 * or failed enrolment stores nothing and leaves an earlier enrolment as it was. Re-enrolling
 * revokes the dock's earlier tokens at central (central/desk/enrolment.ts).
 */

export const StoredEnrolmentSchema = z.strictObject({
  centralUrl: z.url({ protocol: /^https?$/ }),
  dockId: DockIdSchema,
  facilityId: z.string().min(1).max(64),
  token: z.string().min(16).max(512),
  publisherKeyPem: z.string().max(4096).nullable(),
  centralCertPem: z.string().max(65_536).nullable(),
  enrolledAt: z.iso.datetime(),
});
export type StoredEnrolment = z.infer<typeof StoredEnrolmentSchema>;

/** Electron's safeStorage, or anything that encrypts for this OS user only. */
export interface SecretCipher {
  encrypt(text: string): Buffer;
  decrypt(data: Buffer): string;
}

export interface EnrolmentStore {
  /** The file it keeps (for messages and support). */
  readonly path: string;
  /** The stored enrolment, null when there is none; throws with a plain message when the file is unreadable or loosened. */
  read(): Promise<StoredEnrolment | null>;
  write(enrolment: StoredEnrolment): Promise<void>;
}

/** `enrolment.enc` (safeStorage) or `enrolment.json` (mode 0600) in `dir`, written whole (temp file, fsync, rename). */
export function fileEnrolmentStore(dir: string, cipher: SecretCipher | null): EnrolmentStore {
  const path = join(dir, cipher === null ? "enrolment.json" : "enrolment.enc");
  return {
    path,
    async read() {
      let info;
      try {
        info = await stat(path);
      } catch {
        return null;
      }
      // On Windows modes mean little; elsewhere a file others can read is no longer a secret.
      if (process.platform !== "win32" && (info.mode & 0o077) !== 0)
        throw new Error(`${path} can be read by other users of this PC; enrol the dock again`);
      const bytes = await readFile(path);
      let text: string;
      try {
        text = cipher === null ? bytes.toString("utf8") : cipher.decrypt(bytes);
      } catch {
        throw new Error(`${path} cannot be decrypted by this user's key store; enrol the dock again`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`${path} is damaged; enrol the dock again`);
      }
      const parsed = StoredEnrolmentSchema.safeParse(json);
      if (!parsed.success)
        throw new Error(`${path} is damaged (${describeZodError(parsed.error)}); enrol the dock again`);
      return parsed.data;
    },
    async write(enrolment) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const text = JSON.stringify(StoredEnrolmentSchema.parse(enrolment));
      const data = cipher === null ? Buffer.from(text, "utf8") : cipher.encrypt(text);
      const tmp = `${path}.${process.pid}.tmp`;
      const handle = await open(tmp, "w", 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // The mode given to open() is filtered by the umask; make it exactly owner-only.
      await chmod(tmp, 0o600);
      try {
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
  };
}

export type EnrolOutcome = { ok: true; enrolment: StoredEnrolment } | { ok: false; reason: string };

type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

const ErrorBodySchema = z.object({ reason: z.string().min(1).max(500) });

/**
 * Trades a one-time code for this dock's token. Checks every input and central's whole answer;
 * never throws: each failure is a reason a person at the dock can act on.
 */
export async function enrolWithCentral(o: {
  centralUrl: string;
  dockId: string;
  code: string;
  allowPlainHttp: boolean;
  fetch?: Fetch;
  now?: () => Date;
  timeoutMs?: number;
}): Promise<EnrolOutcome> {
  const url = z.url({ protocol: /^https?$/ }).safeParse(o.centralUrl.trim());
  if (!url.success)
    return { ok: false, reason: "central's address must be a web address, e.g. https://central.example" };
  const base = new URL(url.data);
  if (base.protocol === "http:" && !isLoopbackHost(base.hostname) && !o.allowPlainHttp)
    return {
      ok: false,
      reason: `central at ${base.host} is not on this machine, so it must be reached over https:// (plain HTTP would send the dock's token readable on the network)`,
    };
  const dockId = DockIdSchema.safeParse(o.dockId.trim());
  if (!dockId.success) return { ok: false, reason: `dock ID: ${describeZodError(dockId.error)}` };
  const code = EnrolmentCodeSchema.safeParse(o.code);
  if (!code.success) return { ok: false, reason: describeZodError(code.error) };
  const get: Fetch = o.fetch ?? ((u, init) => fetch(u, init));
  let res;
  try {
    res = await get(new URL("enrol", base.href.endsWith("/") ? base.href : `${base.href}/`).href, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ dockId: dockId.data, code: code.data }),
      signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
    });
  } catch (e) {
    const cause =
      e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : "";
    return {
      ok: false,
      reason: `could not reach central at ${base.host}${cause ? ` (${cause})` : ""}; check the address and the network`,
    };
  }
  const text = await res.text().catch(() => "");
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  if (res.status !== 201) {
    const refusal = ErrorBodySchema.safeParse(json);
    return {
      ok: false,
      reason: refusal.success
        ? `central refused: ${refusal.data.reason}`
        : `central at ${base.host} answered HTTP ${res.status}; is this the address of central?`,
    };
  }
  const answer = DockEnrolmentAnswerSchema.safeParse(json);
  if (!answer.success || answer.data.dockId !== dockId.data)
    return { ok: false, reason: `central at ${base.host} gave an answer this dock cannot use; nothing was stored` };
  const a = answer.data;
  try {
    if (a.publisherKeyPem !== null && createPublicKey(a.publisherKeyPem).asymmetricKeyType !== "ed25519")
      return { ok: false, reason: "central's firmware publisher key is not an Ed25519 key; nothing was stored" };
    if (a.centralCertPem !== null) new X509Certificate(a.centralCertPem);
  } catch {
    return { ok: false, reason: "central's publisher key or certificate cannot be read; nothing was stored" };
  }
  return {
    ok: true,
    enrolment: {
      centralUrl: base.href.replace(/\/$/, ""),
      dockId: a.dockId,
      facilityId: a.facilityId,
      token: a.token,
      publisherKeyPem: a.publisherKeyPem,
      centralCertPem: a.centralCertPem,
      enrolledAt: (o.now ?? (() => new Date()))().toISOString(),
    },
  };
}

/**
 * A fetch that trusts only the certificate (or CA) pinned at enrolment for central: the system's
 * CAs are not consulted, so a certificate another CA issued for central's name is refused.
 * undici's own Agent and fetch (Node's fetch is undici underneath): the `ca` option pins.
 */
export function pinnedFetch(certPem: string): typeof fetch {
  const agent = new Agent({ connect: { ca: certPem } });
  const pinned = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    // The global Request/Response are undici's own classes, so the answer is a Response.
    undiciFetch(input instanceof Request ? input.url : input, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    }) as unknown as Promise<Response>;
  return pinned as typeof fetch;
}

/** How this host has its central credential, and the one service that enrols it. */
export interface DockCredentials {
  state: "enrolled" | "configured" | "needed" | "off";
  /** The config with central's URL, this dock's ID and facility and its token as enrolled (or as configured). */
  config: HostConfig;
  /** What the host uses to reach central: pinned to the enrolled certificate where there is one. */
  fetch: typeof fetch;
  /** Central's certificate (or CA) pinned at enrolment; null without an enrolment or over plain HTTP. */
  pinnedCertPem: string | null;
  /** The `enrolment.enrol` bridge channel. */
  enrol(args: BridgeArgs<"enrolment.enrol">): Promise<BridgeResult<"enrolment.enrol">>;
  current(): { state: DockCredentials["state"]; config: HostConfig };
}

/**
 * Decides where this host's credential comes from: DOCK_CENTRAL_TOKEN (a development and demo
 * setting) wins; else the stored enrolment; else the dock needs enrolling (or, with
 * DOCK_ENROLMENT=off, runs without central as before). A stored file that cannot be read is
 * logged and the dock asks to be enrolled again.
 */
export async function loadDockCredentials(o: {
  config: HostConfig;
  store: EnrolmentStore;
  enrolmentOff: boolean;
  allowPlainHttp: boolean;
  fetch?: Fetch;
  log: (message: string) => void;
  /** After a successful enrolment has been stored (host/main.ts writes the pinned publisher key). */
  onEnrolled?: (enrolment: StoredEnrolment) => Promise<void>;
  now?: () => Date;
}): Promise<DockCredentials> {
  const withEnrolment = (e: StoredEnrolment): HostConfig => ({
    ...o.config,
    centralUrl: e.centralUrl,
    centralToken: e.token,
    dockId: e.dockId,
    site: { ...o.config.site, facilityId: e.facilityId },
  });
  let stored: StoredEnrolment | null = null;
  try {
    stored = await o.store.read();
  } catch (e) {
    o.log(`enrolment: ${e instanceof Error ? e.message : String(e)}`);
  }
  let state: DockCredentials["state"];
  let config: HostConfig;
  if (o.config.centralToken !== null) {
    state = "configured";
    config = o.config;
  } else if (stored !== null) {
    state = "enrolled";
    config = withEnrolment(stored);
  } else {
    state = o.enrolmentOff ? "off" : "needed";
    config = o.config;
  }
  const cert = state === "enrolled" ? (stored?.centralCertPem ?? null) : null;
  return {
    state,
    config,
    fetch: cert !== null ? pinnedFetch(cert) : fetch,
    pinnedCertPem: cert,
    current: () => ({ state, config }),
    async enrol(args) {
      if (state === "configured")
        return {
          ok: false,
          reason:
            "this dock's token is set by DOCK_CENTRAL_TOKEN in its configuration; remove that setting to enrol it",
        };
      const outcome = await enrolWithCentral({
        ...args,
        allowPlainHttp: o.allowPlainHttp,
        ...(o.fetch ? { fetch: o.fetch } : {}),
        ...(o.now ? { now: o.now } : {}),
      });
      if (!outcome.ok) {
        o.log(`enrolment: refused: ${outcome.reason}`);
        return outcome;
      }
      try {
        await o.store.write(outcome.enrolment);
        await o.onEnrolled?.(outcome.enrolment);
      } catch (e) {
        o.log(`enrolment: could not store: ${e instanceof Error ? e.message : String(e)}`);
        return {
          ok: false,
          reason: "the dock could not store its enrolment on this PC; ask support to check its disk",
        };
      }
      state = "enrolled";
      config = withEnrolment(outcome.enrolment);
      o.log(`enrolment: dock ${outcome.enrolment.dockId} enrolled with central at ${outcome.enrolment.centralUrl}`);
      return { ok: true, dockId: outcome.enrolment.dockId, facilityId: outcome.enrolment.facilityId };
    },
  };
}

/**
 * Pins the firmware publisher's key given at enrolment where the firmware download checks it
 * (`publisher.pem` of the firmware folder): written whole, replacing an older pin.
 */
export async function pinPublisherKey(path: string, pem: string | null): Promise<void> {
  if (pem === null) return;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, createPublicKey(pem).export({ type: "spki", format: "pem" }).toString());
  await rename(tmp, path);
}
