/**
 * Where the renderer lives inside Electron: a privileged custom scheme, `app://dock/`.
 *
 * Why not file://: every file:// page shares one opaque origin, so "our origin" would mean
 * "any file on disk" to the CSP ('self'), to the permission handler and to IndexedDB; and
 * the vite build's absolute `/assets/...` URLs would resolve to the filesystem root. A
 * registered standard + secure scheme gives the renderer a real origin of its own that is
 * a secure context (the camera needs one), that nothing else can load, and that the
 * protocol handler serves only from the built renderer directory (Electron's security
 * checklist: "Avoid usage of the file:// protocol and prefer usage of custom protocols").
 */

export const APP_SCHEME = "app";
export const APP_HOST = "dock";
/** The origin Chromium reports for our pages (frame.origin, permission requestingOrigin). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True when `url` is a page of our own origin. Never throws (garbage is simply not ours). */
export function isAppUrl(url: unknown): boolean {
  if (typeof url !== "string" || url.length === 0) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Node's WHATWG URL reports origin "null" for non-special schemes, so compare the parts.
  return (
    parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === "" && parsed.password === ""
  );
}

/** True when `origin` (as Chromium reports it, no trailing slash) is ours. */
export function isAppOrigin(origin: unknown): boolean {
  return origin === APP_ORIGIN;
}
