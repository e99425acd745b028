import { cors } from "hono/cors";
import type { MiddlewareHandler } from "hono";

/**
 * Which web origins may call central from a browser. The dock page calls central directly:
 * from the browser shell its origin is the host's loopback address (any port), from
 * Electron it is `app://dock`. Central authenticates by bearer token, never by cookie, so
 * CORS is not what keeps strangers out; it only lets the dock's own page read the answers.
 * CENTRAL_CORS_ORIGINS (comma-separated exact origins) replaces the default.
 */
export type OriginPolicy = (origin: string) => boolean;

const LOOPBACK_ORIGIN = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/;
export const ELECTRON_ORIGIN = "app://dock";

/** The default: loopback pages (the browser shell) and the Electron app. */
export const dockOrigins: OriginPolicy = (origin) => origin === ELECTRON_ORIGIN || LOOPBACK_ORIGIN.test(origin);

/** An exact allow-list, from CENTRAL_CORS_ORIGINS. */
export function exactOrigins(list: string): OriginPolicy {
  const allowed = new Set(
    list
      .split(",")
      .map((o) => o.trim())
      .filter((o) => o !== ""),
  );
  return (origin) => allowed.has(origin);
}

/** Hono middleware answering preflights and adding CORS headers for allowed origins only. */
export function corsFor(policy: OriginPolicy): MiddlewareHandler {
  return cors({
    origin: (origin) => (policy(origin) ? origin : null),
    allowMethods: ["GET", "POST", "PUT", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "X-Operator-Id", "X-Dock-Outbox"],
    maxAge: 600,
  });
}
