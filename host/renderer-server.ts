import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono, type Context } from "hono";
import { LAUNCH_PARAM, launchCookie, launchCookieName, readCookie, type LaunchGate } from "./launch-token";

/**
 * Serves the built renderer to the one browser tab that should drive the dock. The
 * per-launch bridge secret is injected into index.html as
 * `<meta name="dock-bridge-secret">`; only a page from this origin can read it (the
 * same-origin policy keeps it from every other page), and the Host check keeps a
 * DNS-rebound name from fetching it; the launch cookie (./launch-token.ts) keeps other
 * local processes from it. index.html is read per request and never cached,
 * so a rebuilt renderer or a restarted host (new secret) is picked up by a reload.
 */

export const SECRET_META_NAME = "dock-bridge-secret";

export interface RendererServerOptions {
  rendererDist: string;
  secret: string;
  /** The launch's token and sessions (./launch-token.ts). */
  gate: LaunchGate;
  /** The shell's port, known after listen (names the launch cookie). */
  port: () => number;
  allowedHosts: () => readonly string[];
}

/** Puts the secret meta tag into the page's head (or at the top when there is no head). */
export function injectSecret(html: string, secret: string): string {
  const tag = `<meta name="${SECRET_META_NAME}" content="${secret}">`;
  const head = html.search(/<head[^>]*>/i);
  if (head === -1) return `${tag}\n${html}`;
  const end = html.indexOf(">", head) + 1;
  return `${html.slice(0, end)}\n    ${tag}${html.slice(end)}`;
}

/** The HTTP app of the browser shell (the bridge's WebSocket is attached to the same server). */
export function createRendererApp(options: RendererServerOptions): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    const host = c.req.header("host");
    if (host === undefined || !options.allowedHosts().includes(host)) {
      return c.text(`host ${host ?? "(none)"} is not this shell; open the URL the host printed`, 403);
    }
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "no-referrer");
  });

  // The printed URL's token is traded, once, for a session cookie, and dropped from the address
  // bar; the browser holding that session keeps it on a reload or a second visit to the URL.
  // Other query parameters (the renderer reads some, e.g. central's `token`) are kept.
  app.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    const token = url.searchParams.get(LAUNCH_PARAM);
    if (token === null) return next();
    const r = options.gate.redeem(token, readCookie(c.req.header("cookie"), launchCookieName(options.port())));
    c.header("Cache-Control", "no-store");
    if (!r.ok) return c.text(r.reason, 403);
    url.searchParams.delete(LAUNCH_PARAM);
    if (r.fresh) c.header("Set-Cookie", launchCookie(options.port(), r.session));
    return c.redirect(`${url.pathname}${url.search}`, 303);
  });

  const index = async (c: Context) => {
    if (!options.gate.admits(readCookie(c.req.header("cookie"), launchCookieName(options.port())))) {
      c.header("Cache-Control", "no-store");
      return c.text("open the URL the dock host printed (it carries this launch's token)", 401);
    }
    let html: string;
    try {
      html = await readFile(join(options.rendererDist, "index.html"), "utf8");
    } catch {
      return c.text(
        `the renderer is not built (no ${join(options.rendererDist, "index.html")}); run: npx vite build --config renderer/vite.config.ts`,
        503,
      );
    }
    c.header("Cache-Control", "no-store");
    // Cross-origin isolated: no page of another origin holds a window reference to this one (it
    // carries the bridge secret), nothing of another origin is embedded without consent (the
    // page embeds nothing; central is reached by CORS fetch and EventSource, which this allows),
    // and the renderer's own timings (performance.now, the scan's User Timing) are precise to
    // microseconds rather than rounded to 0.1 ms (as long as most single steps of a scan).
    c.header("Cross-Origin-Opener-Policy", "same-origin");
    c.header("Cross-Origin-Embedder-Policy", "require-corp");
    return c.html(injectSecret(html, options.secret));
  };
  app.get("/", index);
  app.get("/index.html", index);
  app.use("*", serveStatic({ root: options.rendererDist }));
  return app;
}
