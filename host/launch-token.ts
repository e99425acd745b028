import { timingSafeEqual } from "node:crypto";

/**
 * The launch token: how the browser shell tells the page it printed the URL for from any
 * other local process. The secret in index.html alone keeps out other web pages, but any
 * process on the machine could fetch index.html from loopback and read it. So, as
 * Jupyter does, the printed URL carries a per-launch token; the first visit trades it for
 * an HttpOnly, SameSite=Strict cookie (and a redirect that drops the token from the
 * address bar); index.html and the bridge's upgrade require that cookie. Cookies are
 * scoped by host, not port, so the name carries the port to keep two hosts apart.
 */

/** The query parameter of the printed URL that carries the launch token. */
export const LAUNCH_PARAM = "launch";

/** The cookie's name for the shell on `port`. */
export function launchCookieName(port: number): string {
  return `dock-launch-${port}`;
}

/** Constant-time comparison of a presented token with the launch's. */
export function sameToken(expected: string, given: string | undefined | null): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of cookie `name` in a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The Set-Cookie value that admits this browser for the rest of the launch. */
export function launchCookie(port: number, token: string): string {
  return `${launchCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}
