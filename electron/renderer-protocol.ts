import { readFile } from "node:fs/promises";
import { extname, isAbsolute, relative, resolve, sep } from "node:path";
import { protocol, type Session } from "electron";
import { APP_HOST, APP_SCHEME } from "./app-origin";
import { injectCspMeta } from "./content-security-policy";

/**
 * Serves the built renderer (renderer/dist) on `app://dock/` (see ./app-origin.ts for why
 * a custom scheme rather than file://). Only files inside the renderer directory are
 * served; every response carries the CSP, and index.html carries it again as a <meta>.
 */

/** Must run before the app is ready: Chromium fixes scheme privileges at start-up. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    // standard: a real origin with relative URLs; secure: a secure context (camera); fetch: the renderer's own assets.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

export type ReadRendererFile = (path: string) => Promise<Uint8Array>;

function textResponse(status: number, text: string, csp: string): Response {
  return new Response(text, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Content-Security-Policy": csp },
  });
}

/** The file under `rendererDist` that `url` names, or null when it names anything else. Never throws. */
export function rendererFilePath(url: string, rendererDist: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes("\0")) return null;
  if (path === "/" || path === "") path = "/index.html";
  const root = resolve(rendererDist);
  const file = resolve(root, `.${path}`);
  const inside = relative(root, file);
  // Anything resolving outside the renderer directory (.., encoded separators, drive letters) is refused.
  if (inside === "" || inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) return null;
  return file;
}

/** Answers one app:// request. */
export async function rendererResponse(
  request: { url: string; method: string },
  rendererDist: string,
  csp: string,
  read: ReadRendererFile = readFile,
): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") return textResponse(405, "the renderer is read-only", csp);
  const file = rendererFilePath(request.url, rendererDist);
  if (file === null) return textResponse(404, "not part of the dock renderer", csp);
  const extension = extname(file).toLowerCase();
  let body: Uint8Array;
  let served = file;
  try {
    body = await read(file);
  } catch {
    // Client-side routes (no extension) get the app shell; a missing asset is a plain 404.
    if (extension !== "") return textResponse(404, "not found", csp);
    served = resolve(rendererDist, "index.html");
    try {
      body = await read(served);
    } catch {
      return textResponse(
        503,
        `the renderer is not built (no ${served}); run: npx vite build --config renderer/vite.config.ts`,
        csp,
      );
    }
  }
  const isIndex = served.endsWith(`${sep}index.html`) || extname(served) === ".html";
  const headers: Record<string, string> = {
    "Content-Type": CONTENT_TYPES[extname(served).toLowerCase()] ?? "application/octet-stream",
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": isIndex ? "no-store" : "no-cache",
  };
  if (isIndex) body = new TextEncoder().encode(injectCspMeta(new TextDecoder().decode(body), csp));
  return new Response(request.method === "HEAD" ? null : new Uint8Array(body), { status: 200, headers });
}

/** Serves the renderer on the window's session. */
export function serveRenderer(session: Session, rendererDist: string, csp: string): void {
  session.protocol.handle(APP_SCHEME, (request) => rendererResponse(request, rendererDist, csp));
}
