import { ErrorBodySchema } from "../../../shared/sync";

/** Central answered with an HTTP error status; `reason` is its ErrorBody in words (or the start of its text). */
export class SyncHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    /** How long central asked the dock to wait (a 429's or 503's Retry-After), or null. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(`central answered ${status}: ${reason}`);
    this.name = "SyncHttpError";
  }
}

/**
 * Statuses that say nothing about the events sent: the token (401, 403), a timeout or rate
 * limit (408, 429) or a gateway before central (502, 503, 504). They are retried with backoff
 * like a network error; any other error status is an answer about the batch (see sync-push.ts).
 */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([401, 403, 408, 429, 502, 503, 504]);

/** Whether a failed request is about the events in it (bisect and quarantine) rather than the way to central (retry). */
export function isAnswerAboutTheBatch(e: unknown): e is SyncHttpError {
  return e instanceof SyncHttpError && !TRANSIENT_STATUSES.has(e.status);
}

export interface CentralTarget {
  baseUrl: string;
  /** The dock's device token; null in tests that need none. */
  token: string | null | undefined;
  fetch: typeof fetch;
}

/** POSTs JSON to central and returns the parsed answer; throws SyncHttpError on an error status, TypeError when offline. */
export async function postToCentral(
  target: CentralTarget,
  path: string,
  body: unknown,
  extraHeaders: Readonly<Record<string, string>> = {},
): Promise<unknown> {
  const headers: Record<string, string> = { ...extraHeaders, "content-type": "application/json" };
  if (target.token !== null && target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  const res = await target.fetch(new URL(path, target.baseUrl).toString(), {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === "" ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = ErrorBodySchema.safeParse(json);
    throw new SyncHttpError(
      res.status,
      err.success ? `${err.data.error}: ${err.data.reason}` : text.slice(0, 200) || res.statusText,
      retryAfterMs(res.headers.get("retry-after")),
    );
  }
  return json;
}

/** Longest wait a Retry-After may impose on the dock (a wrong header must not park sync for days). */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** A Retry-After header (whole seconds, as central sends it) in ms, capped; null when absent or not seconds. */
export function retryAfterMs(header: string | null): number | null {
  if (header === null || !/^\d{1,9}$/.test(header.trim())) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Number(header.trim()) * 1000);
}
