import type { Context, MiddlewareHandler } from "hono";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { getConnInfo } from "@hono/node-server/conninfo";
import { ApiError } from "./api-error";
import { hashToken } from "./auth";

/**
 * Request rate limits (issue 15), with rate-limiter-flexible's in-memory counters: per bearer
 * token, per client address, and failed authentications per address (a token brute force).
 * Over a limit, central answers 429 with Retry-After in whole seconds, before any work.
 */

export interface RateLimits {
  perTokenPerMinute: number;
  perAddressPerMinute: number;
  failedAuthPerAddressPerMinute: number;
}

/** The client's address from the socket (never a header a client can forge); null when there is none (in-process calls). */
export type AddressOf = (c: Context) => string | null;

export const socketAddress: AddressOf = (c) => {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
};

function tooMany(res: unknown, what: string): never {
  const ms = res instanceof RateLimiterRes ? res.msBeforeNext : 60_000;
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  throw new ApiError(429, "rate-limited", `too many ${what}; try again in ${seconds} s`, undefined, {
    "retry-after": String(seconds),
  });
}

export interface RateLimiter {
  /** Counts a request against its token and its address (before authentication). */
  requests: MiddlewareHandler;
  /** Counts a failed authentication from an address; 429 once over the limit. */
  failedAuth(c: Context): Promise<void>;
}

export function rateLimiter(limits: RateLimits, addressOf: AddressOf = socketAddress): RateLimiter {
  const perToken = new RateLimiterMemory({ points: limits.perTokenPerMinute, duration: 60 });
  const perAddress = new RateLimiterMemory({ points: limits.perAddressPerMinute, duration: 60 });
  const failed = new RateLimiterMemory({ points: limits.failedAuthPerAddressPerMinute, duration: 60 });
  return {
    requests: async (c, next) => {
      const address = addressOf(c);
      // Blocked for failing authentication: refused before the token is even looked at.
      if (address !== null) {
        const f = await failed.get(address);
        if (f !== null && f.remainingPoints <= 0) tooMany(f, "failed sign-ins from this address");
        await perAddress.consume(address).catch((r: unknown) => tooMany(r, "requests from this address"));
      }
      const header = c.req.header("authorization");
      const token = header?.startsWith("Bearer ") ? header.slice(7) : null;
      if (token !== null && token.length <= 200)
        await perToken.consume(hashToken(token)).catch((r: unknown) => tooMany(r, "requests with this token"));
      await next();
    },
    async failedAuth(c) {
      const address = addressOf(c);
      if (address === null) return;
      await failed.consume(address).catch((r: unknown) => tooMany(r, "failed sign-ins from this address"));
    },
  };
}
