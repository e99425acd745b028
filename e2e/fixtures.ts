import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { test as base } from "@playwright/test";
import type { Kysely } from "kysely";
import pg from "pg";
import WebSocket from "ws";
import { openDatabase } from "../central/db/connect";
import type { Database } from "../central/db/schema";
import { createBridgeClient, type BridgeClient } from "../shared/bridge/client";
import { secretFromHtml } from "../renderer/bridge/connect-bridge";
import { DEMO_FACILITY } from "../shared/domain/demo-booking";
import { freePort, startService, waitForHttp, type ServiceProcess } from "./service-process";

/**
 * The e2e stack: a real central service (when central/main.ts exists) and the browser
 * shell (host/main.ts) with its simulated hardware, each a child process on a free
 * loopback port with a fresh data dir, started before a test and torn down after it.
 * Specs import `test` and `expect` from here:
 *
 *   import { test, expect } from "./fixtures";
 *   test("…", async ({ page, dock }) => { await page.goto(dock.hostUrl); … });
 */

const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));
const builtRenderer = resolve(repoRoot, "renderer/dist");

export interface DockStack {
  /** The URL the host printed (with the launch token): what a person opens. Follows host restarts. */
  readonly hostUrl: string;
  readonly hostOrigin: string;
  host: ServiceProcess;
  /** Null while central/main.ts does not exist yet. stop()/restart() take it offline and back. */
  central: ServiceProcess | null;
  centralUrl: string;
  dockId: string;
  hostDataDir: string;
  centralDataDir: string;
  /** True when renderer/dist was not built and the host serves a placeholder page. */
  rendererIsPlaceholder: boolean;
  /** The seed's tokens (central/data-dir.ts `tokens.json`); null without a seeded central. */
  centralTokens(): { dcc: string; parties: Record<string, string>; docks: Record<string, string> } | null;
  /** hostUrl plus query parameters for the renderer (e.g. central's dock `token`; see renderer/src/app/boot-config.ts). */
  pageUrl(params?: Record<string, string>): string;
  /** A bridge client in the test process (like a second window): drive the simulated hardware from a spec. */
  hostBridge(): Promise<BridgeClient>;
  /** Makes the simulated HID-POS scanner read `raw` (the page receives a scanner.scan event). */
  simulateScan(raw: string, symbology?: string): Promise<void>;
  /** Which database central runs on. */
  centralDatabase: CentralDatabaseKind;
  /**
   * Runs `fn` on central's own database, as an operator of central would (SMI mirror rows,
   * inspection). PGlite is single-process, so central is stopped around it and restarted;
   * PostgreSQL is shared, so central keeps running.
   */
  centralDb<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
}

export type CentralDatabaseKind = "pglite" | "postgres";

export interface DockOptions {
  /** Extra environment for the host (e.g. SITE_CSP); overrides the demo dock identity. */
  hostEnv: Record<string, string>;
  /** Extra environment for central. */
  centralEnv: Record<string, string>;
  /** Start central (when central/main.ts exists). Specs that only need the shell turn it off: `test.use({ withCentral: false })`. */
  withCentral: boolean;
  /** Run `central/seed.ts` (the demo world: booking of 1,792 hubs at N-DOCK-1, dock DOCK-N1) before central starts. */
  seedCentral: boolean;
  /**
   * "pglite" (default): central's embedded database in its data dir. "postgres": a fresh
   * database on the PostgreSQL server named by TEST_DATABASE_URL (scripts/test.sh starts one),
   * handed to central and its seed as DATABASE_URL and dropped afterwards.
   */
  centralDatabase: CentralDatabaseKind;
}

/** A fresh database on the test PostgreSQL server; `drop` removes it once nothing uses it. */
async function freshPostgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `e2e_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/** The host plays the seeded demo's CSP North dock, so central knows it. */
const DEMO_DOCK_ENV = {
  DOCK_ID: "DOCK-N1",
  SITE_FACILITY_ID: DEMO_FACILITY.North,
  SITE_NAME: "CSP North dock",
  SITE_CSP: "North",
};

async function seedCentral(dataDir: string, env: Record<string, string>): Promise<void> {
  const seed = await startService({
    name: "central seed",
    script: "central/seed.ts",
    cwd: repoRoot,
    env: { CENTRAL_DATA_DIR: dataDir, ...env },
    ready: (_output, child) =>
      new Promise((resolve, reject) => {
        const done = (code: number | null) => (code === 0 ? resolve() : reject(new Error(`seed exited with ${code}`)));
        if (child.exitCode !== null) return done(child.exitCode);
        child.once("exit", done);
      }),
  });
  await seed.stop();
}

const PLACEHOLDER = `<!doctype html>
<html><head><meta charset="utf-8"><title>Re-Flash Dock (placeholder)</title></head>
<body><h1>Re-Flash Dock</h1><p>renderer/dist is not built; the e2e harness serves this placeholder.</p></body></html>
`;

async function startCentral(
  port: number,
  dataDir: string,
  env: Record<string, string>,
  seed: boolean,
): Promise<ServiceProcess | null> {
  if (!existsSync(join(repoRoot, "central/main.ts"))) return null;
  if (seed) await seedCentral(dataDir, env);
  const url = `http://127.0.0.1:${port}/health`;
  return startService({
    name: "central",
    script: "central/main.ts",
    cwd: repoRoot,
    env: { CENTRAL_PORT: String(port), CENTRAL_HOST: "127.0.0.1", CENTRAL_DATA_DIR: dataDir, ...env },
    ready: (_output, child) => waitForHttp(url, () => child.exitCode === null),
  });
}

async function startHost(
  port: number,
  dataDir: string,
  rendererDist: string,
  centralUrl: string,
  dockId: string,
  env: Record<string, string>,
): Promise<{ process: ServiceProcess; url: () => string }> {
  let url = "";
  const process = await startService({
    name: "host",
    script: "host/main.ts",
    cwd: repoRoot,
    env: {
      HOST_PORT: String(port),
      DOCK_DATA_DIR: dataDir,
      RENDERER_DIST: rendererDist,
      CENTRAL_URL: centralUrl,
      DOCK_ID: dockId,
      // The fixture hands the page central's token itself (pageUrl({ token })); a spec that enrols sets "required".
      DOCK_ENROLMENT: "off",
      ...env,
    },
    ready: async (output, child) => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const line = /DOCK_HOST_READY (\{.*\})/.exec(output());
        if (line?.[1] !== undefined) {
          url = (JSON.parse(line[1]) as { url: string }).url;
          return;
        }
        if (child.exitCode !== null) throw new Error(`host exited with ${child.exitCode}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("host printed no DOCK_HOST_READY line within 30 s");
    },
  });
  return { process, url: () => url };
}

/**
 * Opens the launch's session the way a browser does, by visiting the printed URL once (the
 * launch token works once: host/launch-token.ts), and returns the Cookie header it got.
 */
async function openLaunchSession(hostUrl: string): Promise<{ name: string; value: string; header: string }> {
  const res = await fetch(hostUrl, { redirect: "manual" });
  const pair = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const eq = pair.indexOf("=");
  if (res.status !== 303 || eq <= 0)
    throw new Error(
      `the host's launch URL opened no session (HTTP ${res.status}): ${(await res.text()).slice(0, 200)}`,
    );
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), header: pair };
}

/** A bridge client over `ws` that presents what the browser would: its session cookie, Origin, page secret. */
async function nodeBridge(hostUrl: string, cookie: string): Promise<BridgeClient> {
  const url = new URL(hostUrl);
  const page = await fetch(`${url.origin}/`, { headers: { Cookie: cookie } });
  const secret = secretFromHtml(await page.text());
  if (secret === null) throw new Error(`the host page at ${url.origin} carries no bridge secret (HTTP ${page.status})`);
  const client = createBridgeClient({
    secret: () => secret,
    timers: { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) },
    openSocket(events) {
      const ws = new WebSocket(`ws://${url.host}/bridge`, { origin: url.origin, headers: { Cookie: cookie } });
      ws.on("open", () => events.open());
      ws.on("message", (data) => events.message(String(data)));
      ws.on("close", (code, reason) => events.close(code, reason.toString()));
      ws.on("error", () => undefined); // a close follows
      return { send: (t) => ws.send(t), close: (c, r) => ws.close(c, r) };
    },
  });
  await client.ready();
  return client;
}

export const test = base.extend<DockOptions & { dock: DockStack }>({
  hostEnv: [{}, { option: true }],
  centralEnv: [{}, { option: true }],
  withCentral: [true, { option: true }],
  seedCentral: [true, { option: true }],
  centralDatabase: ["pglite", { option: true }],
  dock: async (
    { context, hostEnv, centralEnv: centralEnvOption, withCentral, seedCentral: seed, centralDatabase },
    use,
  ) => {
    const identity = { ...DEMO_DOCK_ENV, ...hostEnv };
    const dockId = identity.DOCK_ID;
    const hostDataDir = await mkdtemp(join(tmpdir(), "dock-e2e-host-"));
    const centralDataDir = await mkdtemp(join(tmpdir(), "dock-e2e-central-"));
    let rendererDist = process.env.E2E_RENDERER_DIST ?? builtRenderer;
    const rendererIsPlaceholder = !existsSync(join(rendererDist, "index.html"));
    if (rendererIsPlaceholder) {
      rendererDist = join(hostDataDir, "placeholder-renderer");
      await rm(rendererDist, { recursive: true, force: true });
      await mkdir(rendererDist, { recursive: true });
      await writeFile(join(rendererDist, "index.html"), PLACEHOLDER);
    }
    const centralPort = await freePort();
    const centralUrl = `http://127.0.0.1:${centralPort}`;
    const clients: BridgeClient[] = [];
    let central: ServiceProcess | null = null;
    let host: ServiceProcess | null = null;
    let postgres: { url: string; drop: () => Promise<void> } | null = null;
    try {
      if (centralDatabase === "postgres") {
        const adminUrl = process.env.TEST_DATABASE_URL;
        if (adminUrl === undefined || adminUrl === "")
          throw new Error(
            'centralDatabase "postgres" needs TEST_DATABASE_URL (npm test starts a server: scripts/pg-test-server.sh)',
          );
        postgres = await freshPostgresDatabase(adminUrl);
      }
      const centralEnv = postgres === null ? centralEnvOption : { ...centralEnvOption, DATABASE_URL: postgres.url };
      central = withCentral ? await startCentral(centralPort, centralDataDir, centralEnv, seed) : null;
      const started = await startHost(await freePort(), hostDataDir, rendererDist, centralUrl, dockId, identity);
      host = started.process;
      // The host's URL carries a per-launch token, so it changes when the host restarts.
      const hostUrl = (): string => started.url();
      // The launch URL opens one session: the fixture opens it (at start and after each host
      // restart) and shares it with the test's browser context and its own bridge clients, so
      // the page's visit to the printed URL finds its session and goes on, as a reload does.
      let session: { hostUrl: string; cookie: string } | null = null;
      const launchSession = async (): Promise<string> => {
        const url = hostUrl();
        if (session?.hostUrl === url) return session.cookie;
        const opened = await openLaunchSession(url);
        await context.addCookies([
          {
            name: opened.name,
            value: opened.value,
            url: `${new URL(url).origin}/`,
            httpOnly: true,
            sameSite: "Strict",
          },
        ]);
        session = { hostUrl: url, cookie: opened.header };
        return opened.header;
      };
      await launchSession();
      const hostProcess = host;
      const hostHandle: ServiceProcess = {
        name: hostProcess.name,
        output: () => hostProcess.output(),
        stop: () => hostProcess.stop(),
        running: () => hostProcess.running(),
        async restart() {
          await hostProcess.restart();
          await launchSession();
        },
      };
      let shared: BridgeClient | null = null;
      const hostBridge = async (): Promise<BridgeClient> => {
        const client = await nodeBridge(hostUrl(), await launchSession());
        clients.push(client);
        return client;
      };
      await use({
        get hostUrl() {
          return hostUrl();
        },
        get hostOrigin() {
          return new URL(hostUrl()).origin;
        },
        host: hostHandle,
        central,
        centralUrl,
        dockId,
        hostDataDir,
        centralDataDir,
        rendererIsPlaceholder,
        centralTokens() {
          const file = join(centralDataDir, "tokens.json");
          return existsSync(file)
            ? (JSON.parse(readFileSync(file, "utf8")) as ReturnType<DockStack["centralTokens"]>)
            : null;
        },
        pageUrl(params = {}) {
          const url = new URL(hostUrl());
          for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
          return url.href;
        },
        hostBridge,
        async simulateScan(raw, symbology) {
          // Works destructured too (no `this`).
          shared ??= await hostBridge();
          await shared.invoke("scanner.simulate", symbology === undefined ? { raw } : { raw, symbology });
        },
        centralDatabase,
        async centralDb(fn) {
          if (postgres !== null) {
            const database = await openDatabase({ kind: "postgres", url: postgres.url });
            try {
              return await fn(database.db);
            } finally {
              await database.close();
            }
          }
          const running = central?.running() ?? false;
          if (running) await central?.stop();
          const database = await openDatabase({ kind: "pglite", dataDir: join(centralDataDir, "pgdata") });
          try {
            return await fn(database.db);
          } finally {
            await database.close();
            if (running) await central?.restart();
          }
        },
      });
    } finally {
      for (const client of clients) client.close();
      await host?.stop();
      await central?.stop();
      await postgres?.drop();
      await rm(hostDataDir, { recursive: true, force: true });
      await rm(centralDataDir, { recursive: true, force: true });
    }
  },
});

export { expect } from "@playwright/test";
