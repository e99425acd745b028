import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import fc from "fast-check";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

/**
 * electron/updater.ts with electron-updater replaced (`vi.mock("electron-updater")`) and,
 * for the launched app, the electron module replaced the way main.test.ts does it.
 */

const fakes = await vi.hoisted(async () => {
  const { EventEmitter: Emitter } = await import("node:events");
  const { createInMemoryElectron } = await import("./in-memory-ipc");
  // electron-updater's autoUpdater: an emitter whose checks the tests script.
  const autoUpdater = Object.assign(new Emitter(), {
    autoDownload: false,
    autoInstallOnAppQuit: false,
    logger: null as unknown,
    feeds: [] as unknown[],
    checks: 0,
    installs: [] as Array<[boolean | undefined, boolean | undefined]>,
    nextCheck: null as null | (() => Promise<unknown>),
    setFeedURL(options: unknown) {
      autoUpdater.feeds.push(options);
    },
    async checkForUpdates() {
      autoUpdater.checks += 1;
      const next = autoUpdater.nextCheck;
      return next === null ? null : next();
    },
    quitAndInstall(isSilent?: boolean, forceRunAfter?: boolean) {
      autoUpdater.installs.push([isSilent, forceRunAfter]);
    },
  });
  const ipc = createInMemoryElectron();
  const app = Object.assign(new Emitter(), {
    userData: "",
    exits: [] as number[],
    quits: 0,
    requestSingleInstanceLock: () => true,
    quit: () => {
      app.quits += 1;
    },
    exit: (code: number) => {
      app.exits.push(code);
    },
    relaunch: () => undefined,
    whenReady: async () => undefined,
    getPath: (name: string) => (name === "userData" ? app.userData : "/nowhere"),
    getAppPath: () => "/opt/reflash-dock/resources/app.asar",
    getVersion: () => "1.0.0",
    isPackaged: true,
  });
  class BrowserWindow extends Emitter {
    readonly webContents = ipc.contents;
    constructor(readonly options: Record<string, unknown>) {
      super();
    }
    isDestroyed = () => false;
    show() {}
    async loadURL() {}
  }
  const session = Object.assign(new Emitter(), {
    webRequest: { onHeadersReceived: () => undefined },
    protocol: { handle: () => undefined },
    setPermissionRequestHandler: () => undefined,
    setPermissionCheckHandler: () => undefined,
    setDevicePermissionHandler: () => undefined,
    setCertificateVerifyProc: () => undefined,
  });
  const errors: string[] = [];
  return {
    autoUpdater,
    ipc,
    app,
    errors,
    electron: {
      ...ipc.module,
      app,
      BrowserWindow,
      session: { defaultSession: session },
      dialog: { showErrorBox: (title: string, text: string) => errors.push(`${title}: ${text}`) },
      crashReporter: { start: () => undefined },
      protocol: { registerSchemesAsPrivileged: () => undefined },
      safeStorage: {
        isEncryptionAvailable: () => true,
        encryptString: (text: string) => Buffer.from(text, "utf8").reverse(),
        decryptString: (data: Buffer) => Buffer.from(data).reverse().toString("utf8"),
      },
    },
  };
});
vi.mock("electron", () => fakes.electron);
vi.mock("electron-updater", () => ({ autoUpdater: fakes.autoUpdater }));

const { loadUpdateConfig, startDockUpdater, RESTART_DELAY_MS } = await import("./updater");
const { launchDockApp } = await import("./electron-shell");

const HOUR = 3_600_000;

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

function resetUpdater() {
  const u = fakes.autoUpdater;
  u.removeAllListeners();
  Object.assign(u, { autoDownload: false, autoInstallOnAppQuit: false, logger: null, feeds: [], checks: 0 });
  u.installs = [];
  u.nextCheck = null;
}

describe("loadUpdateConfig", () => {
  it("is off when DOCK_UPDATE_URL is unset or empty", () => {
    expect(loadUpdateConfig({})).toEqual({ ok: true, config: null });
    expect(loadUpdateConfig({ DOCK_UPDATE_URL: " ", DOCK_UPDATE_CHECK_HOURS: "2" })).toEqual({
      ok: true,
      config: null,
    });
  });

  it("takes an https URL, or plain http to this machine, checking every 6 hours unless told", () => {
    expect(loadUpdateConfig({ DOCK_UPDATE_URL: "https://updates.example/dock/linux/x64" })).toEqual({
      ok: true,
      config: { url: "https://updates.example/dock/linux/x64", everyMs: 6 * HOUR },
    });
    expect(loadUpdateConfig({ DOCK_UPDATE_URL: "http://127.0.0.1:8080/u", DOCK_UPDATE_CHECK_HOURS: "0.5" })).toEqual({
      ok: true,
      config: { url: "http://127.0.0.1:8080/u", everyMs: HOUR / 2 },
    });
  });

  it("refuses plain http to another machine, other schemes and non-URLs, saying which setting and why", () => {
    fc.assert(
      fc.property(fc.domain(), (host) => {
        const r = loadUpdateConfig({ DOCK_UPDATE_URL: `http://${host}/dock` });
        expect(r).toEqual({
          ok: false,
          error: `DOCK_UPDATE_URL must be an https:// address (plain http:// only to this machine), not "http://${host}/dock"`,
        });
      }),
    );
    expect(loadUpdateConfig({ DOCK_UPDATE_URL: "ftp://updates.example/" })).toMatchObject({ ok: false });
    expect(loadUpdateConfig({ DOCK_UPDATE_URL: "updates.example" })).toEqual({
      ok: false,
      error: 'DOCK_UPDATE_URL "updates.example" is not a URL',
    });
  });

  it("refuses a period that is not a number of hours between a quarter hour and a week", () => {
    const url = "https://updates.example/";
    expect(loadUpdateConfig({ DOCK_UPDATE_URL: url, DOCK_UPDATE_CHECK_HOURS: "often" })).toEqual({
      ok: false,
      error: "DOCK_UPDATE_CHECK_HOURS must be a number of hours",
    });
    expect(loadUpdateConfig({ DOCK_UPDATE_URL: url, DOCK_UPDATE_CHECK_HOURS: "0" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("at least 0.25") as unknown,
    });
    expect(loadUpdateConfig({ DOCK_UPDATE_URL: url, DOCK_UPDATE_CHECK_HOURS: "200" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("at most 168") as unknown,
    });
  });
});

describe("startDockUpdater (electron-updater replaced)", () => {
  beforeEach(() => {
    resetUpdater();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const config = { url: "https://updates.example/dock/linux/x64", everyMs: 6 * HOUR };

  it("uses the generic provider at the URL, downloads by itself, installs on quit, and checks at start and every period", async () => {
    const { logger, lines } = capturedLogger();
    const updater = await startDockUpdater({ config, logger, flashesUnderway: () => 0 });
    expect(fakes.autoUpdater.feeds).toEqual([{ provider: "generic", url: config.url }]);
    expect(fakes.autoUpdater.autoDownload).toBe(true);
    expect(fakes.autoUpdater.autoInstallOnAppQuit).toBe(true);
    expect(fakes.autoUpdater.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(config.everyMs - 1);
    expect(fakes.autoUpdater.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fakes.autoUpdater.checks).toBe(2);
    await vi.advanceTimersByTimeAsync(config.everyMs);
    expect(fakes.autoUpdater.checks).toBe(3);
    updater.stop();
    await vi.advanceTimersByTimeAsync(config.everyMs * 3);
    expect(fakes.autoUpdater.checks).toBe(3);
    expect(
      lines.some((l) => l.component === "updater" && l.msg === "updater: on; checks at start and on its period"),
    ).toBe(true);
  });

  it("logs each step and tells the operator what it found", async () => {
    const { logger, lines } = capturedLogger();
    const updater = await startDockUpdater({ config, logger, flashesUnderway: () => 0 });
    fakes.autoUpdater.emit("checking-for-update");
    expect(updater.status().message).toBe("Checking for an update.");
    fakes.autoUpdater.emit("update-available", { version: "1.1.0" });
    fakes.autoUpdater.emit("download-progress", { percent: 30 });
    expect(updater.status()).toMatchObject({
      state: { kind: "downloading", version: "1.1.0", percent: 30 },
      message: "Downloading version 1.1.0 (30%).",
    });
    fakes.autoUpdater.emit("update-downloaded", { version: "1.1.0" });
    expect(updater.status()).toMatchObject({ state: { kind: "downloaded", version: "1.1.0" }, restartNow: false });
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        "updater: checking for an update",
        "updater: version 1.1.0 found; downloading",
        "updater: downloading",
        "updater: version 1.1.0 downloaded; it installs when the app quits",
      ]),
    );
    updater.stop();
  });

  it("logs a failed check and a failed download without throwing, and says so in plain words", async () => {
    const { logger, lines } = capturedLogger();
    fakes.autoUpdater.nextCheck = () => Promise.reject(new Error("net::ERR_NAME_NOT_RESOLVED at /tmp/x"));
    const updater = await startDockUpdater({ config, logger, flashesUnderway: () => 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(lines.find((l) => l.level === 50)).toMatchObject({
      component: "updater",
      err: "net::ERR_NAME_NOT_RESOLVED at /tmp/x",
    });
    const { message } = updater.status();
    expect(message).toBe(
      "The last update check failed (the update server did not give a usable answer); the dock keeps working and tries again later.",
    );
    expect(message).not.toContain("/tmp");
    // The next period tries again; an error event (electron-updater's other way of failing) is logged too.
    fakes.autoUpdater.nextCheck = null;
    await vi.advanceTimersByTimeAsync(config.everyMs);
    expect(fakes.autoUpdater.checks).toBe(2);
    fakes.autoUpdater.emit("error", new Error("sha512 checksum mismatch"));
    expect(lines.filter((l) => l.level === 50).map((l) => l.err)).toContain("sha512 checksum mismatch");
    await expect(updater.check()).resolves.toBeUndefined();
    updater.stop();
  });

  it("restarts to install only when the rule allows it: a downloaded update, asked for, no flash under way", async () => {
    const { logger } = capturedLogger();
    let underway = 2;
    const updater = await startDockUpdater({ config, logger, flashesUnderway: () => underway });
    expect(updater.restartToUpdate()).toEqual({
      restartNow: false,
      message: "No update is ready to install yet. No update check has run yet.",
    });
    fakes.autoUpdater.emit("update-downloaded", { version: "1.2.0" });
    expect(updater.restartToUpdate()).toMatchObject({ restartNow: false });
    expect(fakes.autoUpdater.installs).toEqual([]);
    underway = 0;
    expect(updater.restartToUpdate()).toEqual({ restartNow: true, message: "Restarting to install version 1.2.0." });
    // The answer goes to the window first; then the app quits and installs.
    await vi.advanceTimersByTimeAsync(RESTART_DELAY_MS);
    expect(fakes.autoUpdater.installs).toEqual([[false, true]]);
    // Once downloaded, the periodic check does not fetch again before it is installed.
    const before = fakes.autoUpdater.checks;
    await vi.advanceTimersByTimeAsync(config.everyMs);
    expect(fakes.autoUpdater.checks).toBe(before);
    updater.stop();
  });
});

describe("launchDockApp with electron and electron-updater replaced", () => {
  let userData: string;
  beforeEach(async () => {
    resetUpdater();
    fakes.errors.length = 0;
    fakes.app.exits = [];
    userData = await mkdtemp(join(tmpdir(), "dock-updater-"));
    fakes.app.userData = userData;
  });
  afterEach(async () => {
    fakes.app.removeAllListeners();
    await rm(userData, { recursive: true, force: true });
  });

  /** Quits the way Electron does (will-quit): the IPC, the updater's timer and the host services close. */
  const quit = async () => {
    const before = fakes.app.quits;
    fakes.app.emit("will-quit", { preventDefault: () => undefined });
    await vi.waitFor(() => expect(fakes.app.quits).toBe(before + 1));
  };

  const launch = (env: Record<string, string>) =>
    launchDockApp({
      preloadPath: "/x/preload.js",
      env: { CENTRAL_URL: "https://central.example:8443", ...env },
      log: () => undefined,
    });

  it("has no updater and never checks when DOCK_UPDATE_URL is unset", async () => {
    const launched = await launch({});
    try {
      expect(launched?.updater).toBeNull();
      expect(fakes.autoUpdater.checks).toBe(0);
      expect(fakes.autoUpdater.feeds).toEqual([]);
      expect(await fakes.ipc.module.ipcRenderer.invoke("dock:request:update.status", {})).toEqual({
        ok: true,
        result: {
          on: false,
          ready: false,
          message: "This dock does not update itself: support installs new versions.",
        },
      });
    } finally {
      await quit();
    }
  });

  it("starts the updater against the configured URL and checks at start", async () => {
    const launched = await launch({ DOCK_UPDATE_URL: "https://updates.example/dock/linux/x64" });
    try {
      expect(launched?.updater).not.toBeNull();
      expect(fakes.autoUpdater.feeds).toEqual([{ provider: "generic", url: "https://updates.example/dock/linux/x64" }]);
      expect(fakes.autoUpdater.checks).toBe(1);
      fakes.autoUpdater.emit("update-downloaded", { version: "1.3.0" });
      // The window learns of it over the bridge and may ask to restart: allowed, no hub is being flashed.
      expect(await fakes.ipc.module.ipcRenderer.invoke("dock:request:update.status", {})).toEqual({
        ok: true,
        result: {
          on: true,
          ready: true,
          message: "Version 1.3.0 is ready. It installs when Re-Flash Dock is closed, or choose Restart to update.",
        },
      });
      expect(await fakes.ipc.module.ipcRenderer.invoke("dock:request:update.restart", {})).toEqual({
        ok: true,
        result: { restarting: true, message: "Restarting to install version 1.3.0." },
      });
      await vi.waitFor(() => expect(fakes.autoUpdater.installs).toEqual([[false, true]]), {
        timeout: RESTART_DELAY_MS * 3,
      });
    } finally {
      await quit();
    }
  });

  it("refuses to start with a plain-http update URL to another machine, saying why", async () => {
    expect(await launch({ DOCK_UPDATE_URL: "http://updates.example/dock" })).toBeNull();
    expect(fakes.errors).toEqual([
      'Re-Flash Dock cannot start: DOCK_UPDATE_URL must be an https:// address (plain http:// only to this machine), not "http://updates.example/dock"',
    ]);
    expect(fakes.app.exits).toEqual([2]);
    expect(fakes.autoUpdater.checks).toBe(0);
  });
});
