import { join } from "node:path";
import {
  app,
  BrowserWindow,
  crashReporter,
  dialog,
  safeStorage,
  session as electronSession,
  type WebContents,
} from "electron";
import type { HostConfig } from "../host/config";
import { createDockHardware } from "../host/dock-hardware";
import { fileEnrolmentStore, loadDockCredentials, pinPublisherKey, type SecretCipher } from "../host/enrolment";
import { createHostLog, fallbackLogger, logLine } from "../host/log";
import { createHostServices, type HostServices } from "../host/host-services";
import { downloadFirmwareOnce, keepFirmwareCurrent } from "../host/jig/firmware-download";
import { loadJigStationConfig, startJigStation } from "../host/jig/jig-station-setup";
import { APP_ENTRY_URL } from "./app-origin";
import { chainOf, pinVerdict } from "./certificate-pin";
import { contentSecurityPolicy, withCspHeader } from "./content-security-policy";
import { loadElectronConfig, readConfigFile } from "./electron-config";
import type { PrintHandlers } from "./print-channels";
import { createPrintService } from "./print-service";
import { serveRenderer } from "./renderer-protocol";
import { hardenWebContents, installPermissionHandlers, secureWebPreferences, type SecurityLog } from "./security";
import { serveBridgeOverIpc } from "./typed-ipc";
import { loadUpdateConfig, startDockUpdater, updateHandlers, type DockUpdater } from "./updater";

/**
 * The Electron shell: one window on the built renderer, the host services bound to it over
 * IPC. electron/main.ts calls `launchDockApp`; the tests call it with the electron module
 * replaced. The same `createHostServices` the browser shell uses (host/browser-shell.ts)
 * does the work; this file only wires it to Electron.
 */

export interface LaunchOptions {
  /** Absolute path of the bundled preload (dist/electron/preload.js). */
  preloadPath: string;
  env: Record<string, string | undefined>;
  log?: SecurityLog;
}

export interface DockApp {
  config: HostConfig;
  services: HostServices;
  window(): BrowserWindow | null;
  /** The printing handlers (print.printers, print.page), bound to the bridge over the host's "unavailable" ones. */
  print: PrintHandlers;
  /** The Content-Security-Policy every response of the window's session carries. */
  csp: string;
  /** Updates through electron-updater; null when `DOCK_UPDATE_URL` is unset. */
  updater: DockUpdater | null;
}

/** Creates the dock window with the secure settings. */
export function createDockWindow(preloadPath: string, devTools: boolean): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    title: "Re-Flash Dock",
    show: false,
    backgroundColor: "#0f2a44",
    webPreferences: secureWebPreferences(preloadPath, { devTools }),
  });
  window.once("ready-to-show", () => window.show());
  return window;
}

/**
 * Starts the dock app: the single-instance lock, then (once Electron is ready) the host
 * services, the session's security, the renderer protocol, the IPC bridge and the window.
 * Resolves with null when another instance already runs (that one is focused instead).
 */
export async function launchDockApp(options: LaunchOptions): Promise<DockApp | null> {
  // Crash dumps of every Electron process, kept on this PC and never uploaded; `host.logs` tells support where.
  crashReporter.start({ uploadToServer: false, compress: true });
  // Until userData is known (app ready) messages go to stderr; then to the rolling log files.
  let log = options.log ?? ((message: string) => fallbackLogger().warn(message));
  // Two instances would fight over the journal file and the USB devices.
  if (!app.requestSingleInstanceLock()) {
    log("another Re-Flash Dock is already running; focusing it");
    app.quit();
    return null;
  }
  let window: BrowserWindow | null = null;
  app.on("second-instance", () => {
    if (window === null || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  // Every web contents (the window, devtools, anything unexpected) gets the navigation and window.open locks.
  app.on("web-contents-created", (_event, contents) => hardenWebContents(contents, log));

  await app.whenReady();

  const fileVars = readConfigFile(app.getPath("userData"));
  const loaded = fileVars.ok
    ? loadElectronConfig(options.env, fileVars.vars, {
        userData: app.getPath("userData"),
        appPath: app.getAppPath(),
        version: app.getVersion(),
      })
    : fileVars;
  if (!loaded.ok) {
    dialog.showErrorBox("Re-Flash Dock cannot start", loaded.error);
    app.exit(2);
    return null;
  }
  // The update server: checked here so a wrong DOCK_UPDATE_URL stops the start with its reason, like any other setting.
  const updates = loadUpdateConfig({ ...(fileVars.ok ? fileVars.vars : {}), ...options.env });
  if (!updates.ok) {
    dialog.showErrorBox("Re-Flash Dock cannot start", updates.error);
    app.exit(2);
    return null;
  }
  const configured = loaded.config;
  const logDir = join(app.getPath("userData"), "logs");
  const hostLog = options.log === undefined ? await createHostLog({ dir: logDir, name: "dock" }) : null;
  if (hostLog !== null) log = logLine(hostLog.logger);
  const logger = hostLog?.logger ?? fallbackLogger();
  // The enrolment's token encrypted with the OS key store (safeStorage); where there is none, an owner-only file.
  const cipher: SecretCipher | null = safeStorage.isEncryptionAvailable()
    ? { encrypt: (text) => safeStorage.encryptString(text), decrypt: (data) => safeStorage.decryptString(data) }
    : null;
  if (cipher === null)
    log("enrolment: the OS offers no key store to Electron; the token is kept in an owner-only file");
  const configuredJig = loadJigStationConfig({ ...(fileVars.ok ? fileVars.vars : {}), ...options.env }, configured);
  const credentials = await loadDockCredentials({
    config: configured,
    store: fileEnrolmentStore(configured.dataDir, cipher),
    enrolmentOff: configured.enrolment?.off ?? false,
    allowPlainHttp: configured.enrolment?.allowPlainHttp ?? false,
    log,
    onEnrolled: async (e) => {
      if (configuredJig.ok) await pinPublisherKey(configuredJig.config.publisherKeyPath, e.publisherKeyPem);
      // A fresh start takes the new central everywhere: the CSP, the certificate pin, the firmware sync.
      setTimeout(() => {
        app.relaunch();
        app.exit(0);
      }, 2000);
    },
  });
  const config = credentials.config;
  // USB scanners and jigs (DOCK_HARDWARE=auto, the default here) or the simulators, and the jig station beside them.
  const hardware = await createDockHardware(config, logger);
  const jigConfig = configuredJig;
  // Firmware over the network, as the browser shell does (host/main.ts): once before the station starts, then on its period.
  const token = config.centralToken;
  const sync =
    jigConfig.ok && jigConfig.config.mode !== "off" && jigConfig.config.firmwareSyncMs > 0 && token !== null
      ? { ...jigConfig.config, token }
      : null;
  if (sync !== null)
    await downloadFirmwareOnce({
      centralUrl: config.centralUrl,
      token: sync.token,
      dir: sync.firmwareDir,
      publisherKeyPath: sync.publisherKeyPath,
      fetch: credentials.fetch,
      log,
    });
  const jig = jigConfig.ok
    ? await startJigStation(jigConfig.config, log)
    : { ok: false as const, reason: jigConfig.error };
  if (jig.ok) hardware.onJig((link) => jig.station.attachJig(link));
  const stopFirmwareSync =
    jig.ok && sync !== null
      ? keepFirmwareCurrent({
          centralUrl: config.centralUrl,
          token: sync.token,
          dir: sync.firmwareDir,
          publisherKeyPath: sync.publisherKeyPath,
          fetch: credentials.fetch,
          everyMs: sync.firmwareSyncMs,
          reload: () => jig.station.reloadFirmware(),
          log,
        })
      : () => undefined;
  log(jig.ok ? jig.station.summary : `jig station: not started: ${jig.reason}`);
  await hardware.start();
  const services = await createHostServices({
    shell: "electron",
    config,
    dataDir: config.dataDir,
    scanner: hardware.scanner,
    devices: hardware.devices,
    logger,
    logDir: hostLog === null ? null : logDir,
    crashDumpDir: app.getPath("crashDumps"),
    ...(jig.ok ? { jig: jig.station.binding } : {}),
    credentials,
  });
  // Updates (./updater.ts): checked at start and on their period, installed on quit or when an operator asks between flashes.
  const updater =
    updates.config === null
      ? null
      : await startDockUpdater({
          config: updates.config,
          logger,
          flashesUnderway: () =>
            jig.ok
              ? jig.station.binding.service
                  .slotViews()
                  .filter((v) => v.phase === "flashing" || v.phase === "waiting-for-jig").length
              : 0,
        }).catch((err: unknown) => {
          // No updates is better than no dock: the reason goes to the log.
          log(`updater: could not start: ${err instanceof Error ? err.message : String(err)}`);
          return null;
        });
  if (updates.config === null) log("updater: off (DOCK_UPDATE_URL is not set)");
  const csp = contentSecurityPolicy({ centralUrl: config.centralUrl });
  const ses = electronSession.defaultSession;
  const trusted = (): WebContents | null => (window === null || window.isDestroyed() ? null : window.webContents);

  ses.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: withCspHeader(details.responseHeaders, csp) }),
  );
  installPermissionHandlers(ses, (contents) => contents !== null && contents === trusted(), log);
  // The window's own TLS to central trusts only the certificate (or CA) pinned at enrolment (./certificate-pin.ts).
  const pinnedCert = credentials.pinnedCertPem;
  const pin = pinnedCert === null ? null : { hostname: new URL(config.centralUrl).hostname, certPem: pinnedCert };
  ses.setCertificateVerifyProc((request, callback) =>
    callback(pinVerdict(request.hostname, chainOf(request.certificate), pin)),
  );
  serveRenderer(ses, config.rendererDist, csp);
  // Electron has a print path: its print service answers the print.* channels the host services leave "unavailable".
  const print = createPrintService({ contents: trusted, pdfDir: join(config.dataDir, "prints") });
  const stopIpc = serveBridgeOverIpc({
    handlers: { ...services.handlers, ...print, ...(updater === null ? {} : updateHandlers(updater)) },
    subscribe: (l) => services.subscribe(l),
    trustedContents: trusted,
    log,
  });

  window = createDockWindow(options.preloadPath, !app.isPackaged);
  window.on("closed", () => {
    window = null;
  });
  void window
    .loadURL(APP_ENTRY_URL)
    .catch((err: unknown) => log(`could not load the renderer: ${err instanceof Error ? err.message : String(err)}`));

  app.on("window-all-closed", () => app.quit());
  let closing = false;
  app.on("will-quit", (event) => {
    if (closing) return;
    // Hold the quit until the journal and the scanners are closed cleanly.
    closing = true;
    event.preventDefault();
    stopIpc();
    stopFirmwareSync();
    updater?.stop();
    void services
      .close()
      .then(() => (jig.ok ? jig.station.close() : undefined))
      .finally(() => {
        hostLog?.flush();
        app.quit();
      });
  });

  return { config, services, window: () => window, print, csp, updater };
}
