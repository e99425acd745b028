import { execFileSync } from "node:child_process";
import { readFile, mkdtemp, rm, stat, chmod, writeFile } from "node:fs/promises";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../central/app";
import { issueEnrolmentCode } from "../central/desk/enrolment";
import { deskDb } from "../central/desk/schema";
import { openTestWorld, type TestWorld } from "../central/test-support";
import { loadHostConfig, type HostConfig } from "./config";
import {
  enrolWithCentral,
  fileEnrolmentStore,
  loadDockCredentials,
  pinnedFetch,
  pinPublisherKey,
  type SecretCipher,
} from "./enrolment";

/** Enrolment against a real central (the seeded demo world on PGlite) served over HTTP, and over HTTPS for the pin. */

function listen(server: ServerType): Promise<number> {
  return new Promise((resolve) => {
    if (server.listening) resolve((server.address() as AddressInfo).port);
    else server.once("listening", () => resolve((server.address() as AddressInfo).port));
  });
}

function selfSigned(dir: string, name: string): { cert: string; key: string } {
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
      ...["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
      ...["-keyout", join(dir, `${name}.key`), "-out", join(dir, `${name}.pem`)],
    ],
    { stdio: "ignore" },
  );
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

/** A stand-in for safeStorage: reversible, and never the plain text. */
const xorCipher: SecretCipher = {
  encrypt: (text) => Buffer.from(Buffer.from(text, "utf8").map((b) => b ^ 0x5a)),
  decrypt: (data) => Buffer.from(data.map((b) => b ^ 0x5a)).toString("utf8"),
};

describe("dock enrolment against a real central", () => {
  let w: TestWorld;
  let server: ServerType;
  let centralUrl = "";
  let dir = "";
  const newCode = async () => (await issueEnrolmentCode(deskDb(w.database.db), "DOCK-N1", "test")).code;
  const pull = async (token: string) => (await w.call("POST", "/sync/pull", { token, body: { cursor: "0" } })).json;
  let config: HostConfig;

  beforeAll(async () => {
    w = await openTestWorld("pglite");
    server = serve({ fetch: w.app.fetch, hostname: "127.0.0.1", port: 0 });
    centralUrl = `http://127.0.0.1:${await listen(server)}`;
    dir = await mkdtemp(join(tmpdir(), "enrol-"));
    const loaded = loadHostConfig({ DOCK_DATA_DIR: dir });
    if (!loaded.ok) throw new Error(loaded.error);
    config = loaded.config;
  }, 60_000);
  afterAll(async () => {
    server.close();
    await w.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("trades a code for a token, stores it owner-only, pins the publisher key; re-enrolling revokes the old token", async () => {
    const store = fileEnrolmentStore(join(dir, "a"), null);
    const pinned = join(dir, "a-firmware", "publisher.pem");
    const logs: string[] = [];
    const creds = await loadDockCredentials({
      config,
      store,
      enrolmentOff: false,
      allowPlainHttp: false,
      log: (m) => logs.push(m),
      onEnrolled: (e) => pinPublisherKey(pinned, e.publisherKeyPem),
    });
    expect(creds.current().state).toBe("needed");
    const code = await newCode();
    const first = await creds.enrol({ centralUrl, dockId: "DOCK-N1", code: code.toLowerCase() });
    expect(first).toEqual({ ok: true, dockId: "DOCK-N1", facilityId: "N-DOCK-1" });
    expect(creds.current()).toMatchObject({
      state: "enrolled",
      config: { dockId: "DOCK-N1", centralUrl, site: { facilityId: "N-DOCK-1" } },
    });
    const token = creds.current().config.centralToken;
    if (token === null) throw new Error("no token after enrolment");
    expect(await pull(token)).toMatchObject({ cursor: expect.any(String) });
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(await store.read()).toMatchObject({ token, dockId: "DOCK-N1", publisherKeyPem: w.key.publicKeyPem });
    expect((await readFile(pinned, "utf8")).trim()).toBe(w.key.publicKeyPem.trim());

    // The same code again: refused, and what was stored stays as it was.
    const reused = await creds.enrol({ centralUrl, dockId: "DOCK-N1", code });
    expect(reused).toEqual({ ok: false, reason: expect.stringMatching(/^central refused: .*no open enrolment code/) });
    expect((await store.read())?.token).toBe(token);

    // A fresh start reads the stored enrolment; re-enrolling with a new code revokes the first token at central.
    const restarted = await loadDockCredentials({
      config,
      store,
      enrolmentOff: false,
      allowPlainHttp: false,
      log: () => {},
    });
    expect(restarted.current()).toMatchObject({ state: "enrolled", config: { centralToken: token } });
    expect(await restarted.enrol({ centralUrl, dockId: "DOCK-N1", code: await newCode() })).toMatchObject({ ok: true });
    const second = restarted.current().config.centralToken;
    expect(second).not.toBe(token);
    expect(await pull(token)).toMatchObject({ error: "token-revoked" });
    expect(await pull(String(second))).toMatchObject({ cursor: expect.any(String) });
  });

  it("refuses a wrong code, a code for another dock, a malformed code and plain HTTP to a remote central, storing nothing", async () => {
    const store = fileEnrolmentStore(join(dir, "b"), null);
    const creds = await loadDockCredentials({
      config,
      store,
      enrolmentOff: false,
      allowPlainHttp: false,
      log: () => {},
    });
    await newCode();
    expect(await creds.enrol({ centralUrl, dockId: "DOCK-N1", code: "AAAA-AAAA-AAAA" })).toEqual({
      ok: false,
      reason: "central refused: that is not dock DOCK-N1's enrolment code",
    });
    expect(await creds.enrol({ centralUrl, dockId: "NO-SUCH-DOCK", code: "AAAA-AAAA-AAAA" })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no open enrolment code; ask the DCC/),
    });
    let calls = 0;
    const counting = async () => {
      calls += 1;
      return { status: 500, text: async () => "" };
    };
    const bad = [
      { centralUrl, code: "ABC" },
      { centralUrl: "central.example", code: "AAAA-AAAA-AAAA" },
      { centralUrl: "http://central.example", code: "AAAA-AAAA-AAAA" },
    ];
    for (const b of bad) {
      const r = await enrolWithCentral({ ...b, dockId: "DOCK-N1", allowPlainHttp: false, fetch: counting });
      expect(r.ok).toBe(false);
    }
    expect(calls).toBe(0);
    expect(
      await enrolWithCentral({
        centralUrl: "http://127.0.0.1:9",
        dockId: "DOCK-N1",
        code: "AAAA-AAAA-AAAA",
        allowPlainHttp: false,
      }),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/^could not reach central at 127.0.0.1:9/) });
    expect(creds.current().state).toBe("needed");
    expect(await store.read()).toBeNull();
  });

  it("a configured DOCK_CENTRAL_TOKEN wins and cannot be replaced by enrolling; DOCK_ENROLMENT=off asks for nothing", async () => {
    const store = fileEnrolmentStore(join(dir, "c"), null);
    const fixed = { ...config, centralToken: "dev-token-from-env" };
    const creds = await loadDockCredentials({
      config: fixed,
      store,
      enrolmentOff: false,
      allowPlainHttp: false,
      log: () => {},
    });
    expect(creds.current().state).toBe("configured");
    expect(await creds.enrol({ centralUrl, dockId: "DOCK-N1", code: await newCode() })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/DOCK_CENTRAL_TOKEN/),
    });
    expect(await store.read()).toBeNull();
    const off = await loadDockCredentials({ config, store, enrolmentOff: true, allowPlainHttp: false, log: () => {} });
    expect(off.current().state).toBe("off");
  });

  it("keeps the token encrypted with a cipher (safeStorage), and refuses a file others can read", async () => {
    const store = fileEnrolmentStore(join(dir, "d"), xorCipher);
    const creds = await loadDockCredentials({
      config,
      store,
      enrolmentOff: false,
      allowPlainHttp: false,
      log: () => {},
    });
    expect(await creds.enrol({ centralUrl, dockId: "DOCK-N1", code: await newCode() })).toMatchObject({ ok: true });
    const token = String(creds.current().config.centralToken);
    expect((await readFile(store.path)).toString("utf8")).not.toContain(token);
    expect((await store.read())?.token).toBe(token);
    await chmod(store.path, 0o644);
    await expect(store.read()).rejects.toThrow(/can be read by other users/);
    const logs: string[] = [];
    const after = await loadDockCredentials({
      config,
      store,
      enrolmentOff: false,
      allowPlainHttp: false,
      log: (m) => logs.push(m),
    });
    expect(after.current().state).toBe("needed");
    expect(logs.join("\n")).toMatch(/enrol the dock again/);
    await chmod(store.path, 0o600);
    await writeFile(store.path, "garbage", { mode: 0o600 });
    await expect(store.read()).rejects.toThrow(/damaged/);
  });

  it("pins central's certificate from enrolment: TLS to central then trusts that certificate and no other", async () => {
    const certs = await mkdtemp(join(tmpdir(), "enrol-tls-"));
    try {
      const real = selfSigned(certs, "central");
      const other = selfSigned(certs, "other");
      const certPem = await readFile(real.cert, "utf8");
      const tlsApp = createApp({
        db: w.database.db,
        business: w.business,
        signingKey: w.key,
        mail: { kind: "eml", dir: w.mailDir },
        databaseKind: "pglite",
        tlsCertPem: certPem,
      });
      const https = serve({
        fetch: tlsApp.fetch,
        hostname: "127.0.0.1",
        port: 0,
        createServer: createHttpsServer,
        serverOptions: { cert: certPem, key: await readFile(real.key, "utf8") },
      });
      try {
        const url = `https://127.0.0.1:${await listen(https)}`;
        const code = await newCode();
        // The first contact is verified by whoever the dock already trusts (here: this certificate, as NODE_EXTRA_CA_CERTS would).
        const r = await enrolWithCentral({
          centralUrl: url,
          dockId: "DOCK-N1",
          code,
          allowPlainHttp: false,
          fetch: (u, init) => pinnedFetch(certPem)(u, init),
        });
        if (!r.ok) throw new Error(r.reason);
        expect(r.enrolment.centralCertPem).toBe(certPem);
        const health = await pinnedFetch(r.enrolment.centralCertPem ?? "")(`${url}/health`);
        expect(health.status).toBeLessThan(600);
        const wrongPin = pinnedFetch(await readFile(other.cert, "utf8"));
        await expect(wrongPin(`${url}/health`)).rejects.toThrow();
        // And the system's trust store alone does not know this self-signed certificate.
        await expect(fetch(`${url}/health`)).rejects.toThrow();
      } finally {
        https.close();
      }
    } finally {
      await rm(certs, { recursive: true, force: true });
    }
  }, 60_000);
});
