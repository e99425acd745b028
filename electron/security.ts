import type {
  Event,
  HandlerDetails,
  Session,
  WebContents,
  WebFrameMain,
  WebPreferences,
  WindowOpenHandlerResponse,
} from "electron";
import { isAppOrigin, isAppUrl } from "./app-origin";

/**
 * The Electron security settings of the dock window, each a small function the tests
 * drive with fakes (electron/security.test.ts). Electron's security checklist, applied:
 * isolated, sandboxed, Node-free renderer; no navigation, no new windows, no webviews;
 * permissions granted to our own origin only and only the two the dock needs (the camera
 * for scanning barcodes, HID for scanners); IPC answered only for our main frame.
 */

/** The window's webPreferences: nothing of Node or Electron reaches the page except the preload's `dock`. */
export function secureWebPreferences(preloadPath: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    // The error sound must play on the first wrong scan after a reload, when nobody has clicked yet.
    autoplayPolicy: "no-user-gesture-required",
    devTools: options.devTools,
  };
}

export type SecurityLog = (message: string) => void;

/** Blocks every way the page could leave our origin or open something else. */
export function hardenWebContents(contents: WebContents, log: SecurityLog): void {
  // An SPA never navigates; a navigation to anything but our own pages is an attack or a bug.
  const refuseForeign = (event: Event, url: string, what: string) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    log(`security: blocked ${what} to ${url.slice(0, 200)}`);
  };
  contents.on("will-navigate", (event, url) => refuseForeign(event, url, "navigation"));
  contents.on("will-redirect", (event, url) => refuseForeign(event, url, "redirect"));
  contents.on("will-frame-navigate", (event) => refuseForeign(event, event.url, "frame navigation"));
  contents.setWindowOpenHandler(denyWindowOpen(log));
  contents.on("will-attach-webview", (event) => {
    event.preventDefault();
    log("security: blocked a <webview>");
  });
}

/** The window.open handler: every new window is denied (links to other sites are not part of the dock). */
export function denyWindowOpen(log: SecurityLog): (details: HandlerDetails) => WindowOpenHandlerResponse {
  return (details) => {
    log(`security: denied window.open of ${details.url.slice(0, 200)}`);
    return { action: "deny" };
  };
}

/** What a permission request looks like once Electron's variants are flattened. */
export interface PermissionQuery {
  permission: string;
  /** Origin or URL of the requesting frame. */
  requester: string;
  isMainFrame: boolean;
  /** For "media": the media asked for. */
  mediaTypes: ReadonlyArray<string>;
  /** The request came from our window's web contents (false when unknown). */
  fromOurWindow: boolean;
}

/** The single rule both permission hooks apply: camera (video only) and HID, to our own main frame, nothing else. */
export function isPermissionGranted(query: PermissionQuery): boolean {
  if (!query.fromOurWindow || !query.isMainFrame) return false;
  if (!isAppOrigin(query.requester) && !isAppUrl(query.requester)) return false;
  if (query.permission === "media") {
    // Barcode scanning needs the camera; the dock never records sound.
    return query.mediaTypes.length > 0 && query.mediaTypes.every((type) => type === "video");
  }
  return query.permission === "hid";
}

/** Installs the permission request, check and device handlers, and the HID chooser, on the window's session. */
export function installPermissionHandlers(
  session: Session,
  isOurWebContents: (contents: WebContents | null) => boolean,
  log: SecurityLog,
): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    const mediaTypes = "mediaTypes" in details && Array.isArray(details.mediaTypes) ? details.mediaTypes : [];
    const granted = isPermissionGranted({
      permission,
      requester: details.requestingUrl,
      isMainFrame: details.isMainFrame,
      mediaTypes,
      fromOurWindow: isOurWebContents(contents),
    });
    if (!granted) log(`security: refused permission ${permission} to ${details.requestingUrl.slice(0, 200)}`);
    callback(granted);
  });
  session.setPermissionCheckHandler((contents, permission, requestingOrigin, details) =>
    isPermissionGranted({
      permission,
      requester: requestingOrigin,
      isMainFrame: details.isMainFrame,
      mediaTypes: details.mediaType === undefined ? [] : [details.mediaType],
      fromOurWindow: isOurWebContents(contents),
    }),
  );
  // Device-level grants (a HID device the page was given before) follow the same origin rule.
  session.setDevicePermissionHandler((details) => details.deviceType === "hid" && isAppOrigin(details.origin));
  session.on("select-hid-device", (event, details, callback) => {
    event.preventDefault();
    const frame = details.frame;
    const ours = frame !== null && frame.parent === null && isAppOrigin(frame.origin);
    // The page's requestDevice filters already narrowed the list to its scanners.
    const device = ours ? details.deviceList[0] : undefined;
    if (!ours) log("security: refused a HID device request from a foreign frame");
    callback(device === undefined ? null : device.deviceId);
  });
}

/** The parts of an IPC event the sender check reads. */
export interface IpcSender {
  sender: WebContents;
  senderFrame: WebFrameMain | null;
}

/** The reason an IPC sender is refused, or null when it is our window's main frame on our origin. */
export function refuseSender(event: IpcSender, trusted: WebContents | null): string | null {
  const frame = event.senderFrame;
  if (trusted === null || trusted.isDestroyed()) return "the dock window is not open";
  if (event.sender !== trusted) return "the request came from another web contents";
  if (frame === null) return "the sending frame is gone";
  if (frame.parent !== null) return "the request came from a subframe";
  const main = trusted.mainFrame;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId)
    return "the request did not come from the window's main frame";
  if (!isAppOrigin(frame.origin) || !isAppUrl(frame.url))
    return `the sending frame is not the dock's origin (${frame.origin.slice(0, 100)})`;
  return null;
}
