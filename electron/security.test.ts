import { EventEmitter } from "node:events";
import type { Session, WebContents } from "electron";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  denyWindowOpen,
  hardenWebContents,
  installPermissionHandlers,
  isPermissionGranted,
  refuseSender,
  secureWebPreferences,
  type PermissionQuery,
} from "./security";

const OURS = "app://dock";

describe("window security settings", () => {
  it("isolates and sandboxes the renderer, with no Node and web security on", () => {
    const prefs = secureWebPreferences("/app/dist/electron/preload.js", { devTools: false });
    expect(prefs).toMatchObject({
      preload: "/app/dist/electron/preload.js",
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      autoplayPolicy: "no-user-gesture-required",
      devTools: false,
    });
  });
});

/** A web contents stand-in: events plus the window.open handler slot. */
function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = Object.assign(emitter, {
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      openHandler = handler;
    },
  });
  const event = () => {
    const e = { defaultPrevented: false, preventDefault: () => (e.defaultPrevented = true) };
    return e;
  };
  return {
    contents: contents as unknown as WebContents,
    emitter,
    event,
    open: (url: string) => openHandler?.({ url }),
  };
}

describe("navigation and new windows", () => {
  it("blocks navigation and redirects away from our origin, allows our own pages", () => {
    const log: string[] = [];
    const { contents, emitter, event } = fakeContents();
    hardenWebContents(contents, (m) => log.push(m));
    for (const url of [
      "https://evil.example/",
      "file:///etc/passwd",
      "http://127.0.0.1:4020/",
      "app://dock.evil/",
      "javascript:alert(1)",
      "app://user:pw@dock/",
    ]) {
      const nav = event();
      emitter.emit("will-navigate", nav, url);
      expect(nav.defaultPrevented, url).toBe(true);
      const redirect = event();
      emitter.emit("will-redirect", redirect, url);
      expect(redirect.defaultPrevented, url).toBe(true);
      const frameNav = Object.assign(event(), { url });
      emitter.emit("will-frame-navigate", frameNav);
      expect(frameNav.defaultPrevented, url).toBe(true);
    }
    const own = event();
    emitter.emit("will-navigate", own, "app://dock/index.html");
    expect(own.defaultPrevented).toBe(false);
    expect(log.filter((m) => m.includes("blocked navigation"))).toHaveLength(6);
  });

  it("denies every window.open, including our own origin", () => {
    const { contents, open } = fakeContents();
    hardenWebContents(contents, () => undefined);
    expect(open("https://evil.example/")).toEqual({ action: "deny" });
    expect(open("app://dock/index.html")).toEqual({ action: "deny" });
    expect(denyWindowOpen(() => undefined)({ url: "about:blank" } as never)).toEqual({ action: "deny" });
  });

  it("refuses <webview> attachment", () => {
    const { contents, emitter, event } = fakeContents();
    hardenWebContents(contents, () => undefined);
    const attach = event();
    emitter.emit("will-attach-webview", attach, {}, {});
    expect(attach.defaultPrevented).toBe(true);
  });
});

describe("the permission rule", () => {
  const base: PermissionQuery = {
    permission: "media",
    requester: OURS,
    isMainFrame: true,
    mediaTypes: ["video"],
    fromOurWindow: true,
  };

  it("grants the camera (video only) and HID to our own main frame", () => {
    expect(isPermissionGranted(base)).toBe(true);
    expect(isPermissionGranted({ ...base, requester: "app://dock/index.html" })).toBe(true);
    expect(isPermissionGranted({ ...base, permission: "hid", mediaTypes: [] })).toBe(true);
  });

  it("refuses the camera with audio, audio alone, or no media named", () => {
    expect(isPermissionGranted({ ...base, mediaTypes: ["video", "audio"] })).toBe(false);
    expect(isPermissionGranted({ ...base, mediaTypes: ["audio"] })).toBe(false);
    expect(isPermissionGranted({ ...base, mediaTypes: [] })).toBe(false);
  });

  it("refuses camera and HID to other origins, subframes and other web contents", () => {
    for (const permission of ["media", "hid"]) {
      expect(isPermissionGranted({ ...base, permission, requester: "https://evil.example" })).toBe(false);
      expect(isPermissionGranted({ ...base, permission, requester: "file:///index.html" })).toBe(false);
      expect(isPermissionGranted({ ...base, permission, requester: "app://dock.evil" })).toBe(false);
      expect(isPermissionGranted({ ...base, permission, isMainFrame: false })).toBe(false);
      expect(isPermissionGranted({ ...base, permission, fromOurWindow: false })).toBe(false);
    }
  });

  it("refuses every other permission, even to us", () => {
    fc.assert(
      fc.property(fc.string(), (permission) => {
        fc.pre(permission !== "media" && permission !== "hid");
        return !isPermissionGranted({ ...base, permission });
      }),
      { numRuns: 300 },
    );
    for (const permission of [
      "geolocation",
      "notifications",
      "clipboard-read",
      "display-capture",
      "openExternal",
      "fileSystem",
      "usb",
      "serial",
      "midi",
      "pointerLock",
      "fullscreen",
    ]) {
      expect(isPermissionGranted({ ...base, permission }), permission).toBe(false);
    }
  });
});

/** A session stand-in that records the handlers installed on it. */
function fakeSession() {
  const emitter = new EventEmitter();
  const installed: {
    request?: (wc: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void;
    check?: (wc: unknown, permission: string, origin: string, details: unknown) => boolean;
    device?: (details: unknown) => boolean;
  } = {};
  const session = Object.assign(emitter, {
    setPermissionRequestHandler: (h: typeof installed.request) => (installed.request = h),
    setPermissionCheckHandler: (h: typeof installed.check) => (installed.check = h),
    setDevicePermissionHandler: (h: typeof installed.device) => (installed.device = h),
  });
  return { session: session as unknown as Session, emitter, installed };
}

describe("permission handlers on the session", () => {
  const window = { id: "dock" };
  const other = { id: "other" };
  const { session, emitter, installed } = fakeSession();
  installPermissionHandlers(
    session,
    (wc) => (wc as unknown) === window,
    () => undefined,
  );

  function request(wc: unknown, permission: string, details: Record<string, unknown>): boolean {
    let granted: boolean | null = null;
    installed.request?.(wc, permission, (g) => (granted = g), { isMainFrame: true, ...details });
    if (granted === null) throw new Error("the request handler never answered");
    return granted;
  }

  it("request handler: camera to us, nothing to others, nothing else to us", () => {
    expect(request(window, "media", { requestingUrl: "app://dock/index.html", mediaTypes: ["video"] })).toBe(true);
    expect(request(window, "media", { requestingUrl: "app://dock/index.html", mediaTypes: ["video", "audio"] })).toBe(
      false,
    );
    expect(request(window, "media", { requestingUrl: "https://evil.example/", mediaTypes: ["video"] })).toBe(false);
    expect(request(other, "media", { requestingUrl: "app://dock/index.html", mediaTypes: ["video"] })).toBe(false);
    expect(
      request(window, "media", { requestingUrl: "app://dock/index.html", mediaTypes: ["video"], isMainFrame: false }),
    ).toBe(false);
    expect(request(window, "geolocation", { requestingUrl: "app://dock/index.html" })).toBe(false);
    expect(request(window, "notifications", { requestingUrl: "app://dock/index.html" })).toBe(false);
  });

  it("check handler: camera and HID to us, refused to others", () => {
    const check = (wc: unknown, permission: string, origin: string, details: Record<string, unknown> = {}) =>
      installed.check?.(wc, permission, origin, { isMainFrame: true, ...details });
    expect(check(window, "media", OURS, { mediaType: "video" })).toBe(true);
    expect(check(window, "media", OURS, { mediaType: "audio" })).toBe(false);
    expect(check(window, "hid", OURS)).toBe(true);
    expect(check(window, "hid", "https://evil.example")).toBe(false);
    expect(check(null, "hid", OURS)).toBe(false);
    expect(check(window, "usb", OURS)).toBe(false);
    expect(check(window, "serial", OURS)).toBe(false);
    expect(check(window, "clipboard-read", OURS)).toBe(false);
  });

  it("device handler: HID devices to our origin only", () => {
    expect(installed.device?.({ deviceType: "hid", origin: OURS, device: {} })).toBe(true);
    expect(installed.device?.({ deviceType: "hid", origin: "https://evil.example", device: {} })).toBe(false);
    expect(installed.device?.({ deviceType: "usb", origin: OURS, device: {} })).toBe(false);
    expect(installed.device?.({ deviceType: "serial", origin: OURS, device: {} })).toBe(false);
  });

  it("HID chooser: our main frame gets the (filtered) device, a foreign frame gets none", () => {
    const choose = (frame: unknown) => {
      let chosen: unknown = "unanswered";
      const event = { preventDefault: () => undefined };
      emitter.emit(
        "select-hid-device",
        event,
        { frame, deviceList: [{ deviceId: "scanner-1" }, { deviceId: "scanner-2" }] },
        (id: unknown) => (chosen = id),
      );
      return chosen;
    };
    expect(choose({ origin: OURS, parent: null })).toBe("scanner-1");
    expect(choose({ origin: "https://evil.example", parent: null })).toBe(null);
    expect(choose({ origin: OURS, parent: {} })).toBe(null);
    expect(choose(null)).toBe(null);
  });
});

describe("IPC sender validation", () => {
  const mainFrame = { url: "app://dock/index.html", origin: OURS, parent: null, processId: 4, routingId: 1 };
  const contents = { isDestroyed: () => false, mainFrame } as unknown as WebContents;
  const event = (frame: unknown, sender: unknown = contents) => ({
    sender: sender as WebContents,
    senderFrame: frame as never,
  });

  it("accepts our window's main frame on our origin", () => {
    expect(refuseSender(event(mainFrame), contents)).toBeNull();
  });

  it("refuses foreign frames, subframes, other contents, and a closed window", () => {
    expect(
      refuseSender(event({ ...mainFrame, url: "https://evil.example/", origin: "https://evil.example" }), contents),
    ).toMatch(/origin/);
    expect(refuseSender(event({ ...mainFrame, origin: "null", url: "file:///x.html" }), contents)).toMatch(/origin/);
    expect(refuseSender(event({ ...mainFrame, parent: mainFrame, routingId: 3 }), contents)).toMatch(/subframe/);
    expect(refuseSender(event({ ...mainFrame, routingId: 3 }), contents)).toMatch(/main frame/);
    expect(refuseSender(event({ ...mainFrame, processId: 5 }), contents)).toMatch(/main frame/);
    expect(refuseSender(event(mainFrame, { isDestroyed: () => false }), contents)).toMatch(/another web contents/);
    expect(refuseSender(event(null), contents)).toMatch(/gone/);
    expect(refuseSender(event(mainFrame), null)).toMatch(/not open/);
  });
});
