import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The launch token: how the browser shell tells the page it printed the URL for from any
 * other local process. The secret in index.html alone keeps out other web pages, but any
 * process on the machine could fetch index.html from loopback and read it. So, as
 * Jupyter does, the printed URL carries a per-launch token; the first visit trades it for
 * a session: a fresh random value in an HttpOnly, SameSite=Strict cookie (and a redirect
 * that drops the token from the address bar); index.html and the bridge's upgrade require
 * that cookie. The token works once (issue 15): a URL seen later (a shell's history, a
 * process list) opens nothing, while the browser that used it keeps its session across
 * reloads by the cookie, and a visit to the used URL from that browser just goes on.
 * Cookies are scoped by host, not port, so the name carries the port to keep two hosts apart.
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

/** The Set-Cookie value that admits this browser (its session) for the rest of the launch. */
export function launchCookie(port: number, session: string): string {
  return `${launchCookieName(port)}=${session}; Path=/; HttpOnly; SameSite=Strict`;
}

export type Redemption =
  { ok: true; session: string; fresh: boolean } | { ok: false; why: "other-launch" | "used"; reason: string };

/** The sessions of one launch, and its token, which is traded for a session once. */
export class LaunchGate {
  private used = false;
  private readonly sessions: string[] = [];

  constructor(
    private readonly token: string,
    private readonly newSession: () => string = () => randomBytes(32).toString("hex"),
  ) {}

  /**
   * A visit to the printed URL carrying `given`, from a browser holding `session` (its
   * cookie, or null): a browser already admitted keeps its session; the launch's token is
   * traded for a new session the first time only.
   */
  redeem(given: string, session: string | null): Redemption {
    if (this.admits(session) && session !== null) return { ok: true, session, fresh: false };
    if (!sameToken(this.token, given))
      return {
        ok: false,
        why: "other-launch",
        reason: "this link is from another launch of the dock host; open the URL it printed last",
      };
    if (this.used)
      return {
        ok: false,
        why: "used",
        reason:
          "this link was already used to open the dock; reload the page that opened it, or restart the dock host for a new link",
      };
    this.used = true;
    return { ok: true, session: this.openSession(), fresh: true };
  }

  /** A new session for a caller inside this process (it holds the whole host anyway): in-process tests. */
  openSession(): string {
    const session = this.newSession();
    this.sessions.push(session);
    return session;
  }

  /** Whether a cookie value is a session of this launch (constant-time per session). */
  admits(session: string | null | undefined): boolean {
    let ok = false;
    for (const s of this.sessions) ok = sameToken(s, session) || ok;
    return ok;
  }
}
