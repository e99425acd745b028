import { EventEmitter } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BRIDGE_CHANNELS } from "../shared/bridge/channels";

/**
 * The Electron main process (electron/electron-shell.ts, which electron/main.ts runs) with
 * the whole electron module replaced: what window it makes, what it installs on the
 * session, and that the IPC it binds answers our window only.
 */

const electron = await vi.hoisted(async () => {
  const { EventEmitter: Emitter } = await import("node:events");
  const { createInMemoryElectron } = await import("./in-memory-ipc");
  const ipc = createInMemoryElectron();
  const app = Object.assign(new Emitter(), {
    lock: true,
    quits: 0,
    userData: "",
    requestSingleInstanceLock: () => app.lock,
    quit: () => {
      app.quits += 1;
    },
    exit: (code: number) => {
      throw new Error(`app.exit(${code})`);
    },
    whenReady: async () => undefined,
    getPath: (name: string) => (name === "userData" ? app.userData : "/nowhere"),
    getAppPath: () => "/opt/reflash-dock/resources/app.asar",
    getVersion: () => "9.8.7",
    isPackaged: true,
  });
  const windows: Array<{ options: Record<string, unknown>; loaded: string[]; webContents: unknown }> = [];
  class BrowserWindow extends Emitter {
    readonly webContents = ipc.contents;
    readonly loaded: string[] = [];
    constructor(readonly options: Record<string, unknown>) {
      super();
      windows.push(this);
    }
    isDestroyed = () => false;
    isMinimized = () => false;
    restore() {}
    focus() {}
    show() {}
    async loadURL(url: string) {
      this.loaded.push(url);
    }
  }
  const session = Object.assign(new Emitter(), {
    headerHook: null as null | ((details: unknown, callback: (r: unknown) => void) => void),
    protocols: new Map<string, unknown>(),
    permissionRequest: null as unknown,
    permissionCheck: null as unknown,
    devicePermission: null as unknown,
    webRequest: {
      onHeadersReceived: (hook: (details: unknown, callback: (r: unknown) => void) => void) =>
        (session.headerHook = hook),
    },
    protocol: { handle: (scheme: string, handler: unknown) => session.protocols.set(scheme, handler) },
    setPermissionRequestHandler: (h: unknown) => (session.permissionRequest = h),
    setPermissionCheckHandler: (h: unknown) => (session.permissionCheck = h),
    setDevicePermissionHandler: (h: unknown) => (session.devicePermission = h),
    verifyProc: null as unknown,
    setCertificateVerifyProc: (p: unknown) => (session.verifyProc = p),
  });
  const errors: string[] = [];
  const crashReports: Array<Record<string, unknown>> = [];
  return {
    ipc,
    crashReports,
    app,
    windows,
    session,
    errors,
    module: {
      ...ipc.module,
      app,
      BrowserWindow,
      session: { defaultSession: session },
      dialog: { showErrorBox: (title: string, text: string) => errors.push(`${title}: ${text}`) },
      crashReporter: { start: (options: Record<string, unknown>) => crashReports.push(options) },
      protocol: { registerSchemesAsPrivileged: () => undefined },
      // A stand-in for the OS key store: reversible, never the plain text.
      safeStorage: {
        isEncryptionAvailable: () => true,
        encryptString: (text: string) => Buffer.from(text, "utf8").reverse(),
        decryptString: (data: Buffer) => Buffer.from(data).reverse().toString("utf8"),
      },
    },
  };
});
vi.mock("electron", () => electron.module);

const { launchDockApp } = await import("./electron-shell");
type Launched = NonNullable<Awaited<ReturnType<typeof launchDockApp>>>;

let launched: Launched;
let userData: string;

beforeAll(async () => {
  userData = await mkdtemp(join(tmpdir(), "dock-electron-"));
  electron.app.userData = userData;
  const app = await launchDockApp({
    preloadPath: "/opt/reflash-dock/dist/electron/preload.js",
    env: { CENTRAL_URL: "https://central.example:8443" },
    log: () => undefined,
  });
  if (app === null) throw new Error("launch returned null");
  launched = app;
});
afterAll(async () => {
  await launched.services.close();
  await rm(userData, { recursive: true, force: true });
});

describe("Electron main process", () => {
  it("opens one window with the secure settings and our preload", () => {
    expect(electron.windows).toHaveLength(1);
    const prefs = electron.windows[0]?.options.webPreferences;
    expect(prefs).toMatchObject({
      preload: "/opt/reflash-dock/dist/electron/preload.js",
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      devTools: false, // packaged
    });
  });

  it("keeps crash dumps on this PC and never uploads them, and tells support where they are", async () => {
    expect(electron.crashReports).toEqual([{ uploadToServer: false, compress: true }]);
    expect(await launched.services.handlers["host.logs"]({})).toEqual({ logDir: null, crashDumpDir: "/nowhere" });
  });

  it("asks to be enrolled when it has no token, and leaves hosts other than a pinned central to Chromium", async () => {
    expect(await launched.services.handlers["host.info"]({})).toMatchObject({
      enrolment: "needed",
      centralToken: null,
    });
    const proc = electron.session.verifyProc as (
      request: { hostname: string; certificate: { data: string } },
      callback: (code: number) => void,
    ) => void;
    const verdicts: number[] = [];
    proc({ hostname: "central.example", certificate: { data: "x" } }, (code) => verdicts.push(code));
    expect(verdicts).toEqual([-3]);
  });

  it("plays the error sound after a reload without a click (autoplay allowed in the dock's window)", () => {
    expect((electron.windows[0]?.options.webPreferences as Record<string, unknown>).autoplayPolicy).toBe(
      "no-user-gesture-required",
    );
  });

  it("loads the built renderer from app://dock, served from inside the app", () => {
    expect(electron.windows[0]?.loaded).toEqual(["app://dock/index.html"]);
    expect(electron.session.protocols.has("app")).toBe(true);
    expect(launched.config.rendererDist).toBe(join("/opt/reflash-dock/resources/app.asar", "renderer", "dist"));
    expect(launched.config.dataDir).toBe(join(userData, "host"));
    expect(launched.config.version).toBe("9.8.7");
  });

  it("puts the CSP header on every response of the session, central's origin allowed for fetch", () => {
    let answer: unknown = null;
    electron.session.headerHook?.(
      { url: "app://dock/index.html", responseHeaders: { "content-security-policy": ["default-src *"] } },
      (r) => (answer = r),
    );
    expect(answer).toEqual({ responseHeaders: { "Content-Security-Policy": [launched.csp] } });
    expect(launched.csp).toMatch(/connect-src 'self' https:\/\/central\.example:8443/);
    expect(launched.csp).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
  });

  it("installs the permission request, check and device handlers", () => {
    expect(typeof electron.session.permissionRequest).toBe("function");
    expect(typeof electron.session.permissionCheck).toBe("function");
    expect(typeof electron.session.devicePermission).toBe("function");
    expect(electron.session.listenerCount("select-hid-device")).toBe(1);
    const check = electron.session.permissionCheck as (wc: unknown, p: string, o: string, d: unknown) => boolean;
    expect(check(electron.ipc.contents, "media", "app://dock", { isMainFrame: true, mediaType: "video" })).toBe(true);
    expect(check({}, "media", "app://dock", { isMainFrame: true, mediaType: "video" })).toBe(false);
  });

  it("hardens every web contents created: navigation blocked, window.open denied", () => {
    const contents = Object.assign(new EventEmitter(), {
      openHandler: null as null | ((d: { url: string }) => unknown),
      setWindowOpenHandler: (h: (d: { url: string }) => unknown) => (contents.openHandler = h),
    });
    electron.app.emit("web-contents-created", {}, contents);
    const navigation = { defaultPrevented: false, preventDefault: () => (navigation.defaultPrevented = true) };
    contents.emit("will-navigate", navigation, "https://evil.example/");
    expect(navigation.defaultPrevented).toBe(true);
    expect(contents.openHandler?.({ url: "https://evil.example/" })).toEqual({ action: "deny" });
  });

  it("binds the host services to ipcMain on exactly the bridge's channels, for our window only", async () => {
    expect(new Set(electron.ipc.handlers.keys())).toEqual(new Set(BRIDGE_CHANNELS.map((c) => `dock:request:${c}`)));
    const ok = await electron.ipc.module.ipcRenderer.invoke("dock:request:host.info", {});
    expect(ok).toMatchObject({
      ok: true,
      result: { shell: "electron", version: "9.8.7", centralUrl: "https://central.example:8443" },
    });
    electron.ipc.sendFrom({
      frame: { ...electron.ipc.contents.mainFrame, url: "https://evil.example/", origin: "https://evil.example" },
    });
    try {
      const refused = await electron.ipc.module.ipcRenderer.invoke("dock:request:host.info", {});
      expect(refused).toMatchObject({ ok: false, error: { code: "bad-request" } });
    } finally {
      electron.ipc.sendFromMainFrame();
    }
  });

  it("holds the quit until the host services are closed", async () => {
    const close = vi.spyOn(launched.services, "close");
    const quitsBefore = electron.app.quits;
    const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
    electron.app.emit("will-quit", event);
    expect(event.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(electron.app.quits).toBe(quitsBefore + 1));
    expect(close).toHaveBeenCalledTimes(1);
    expect(electron.ipc.handlers.size).toBe(0);
    close.mockRestore();
  });

  it("a second instance does nothing but quit", async () => {
    electron.app.lock = false;
    const quitsBefore = electron.app.quits;
    try {
      expect(await launchDockApp({ preloadPath: "/x/preload.js", env: {}, log: () => undefined })).toBeNull();
      expect(electron.app.quits).toBe(quitsBefore + 1);
      expect(electron.windows).toHaveLength(1);
    } finally {
      electron.app.lock = true;
    }
  });
});
