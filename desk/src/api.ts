import { DESK_CSRF_COOKIE, DESK_CSRF_HEADER, type Me, type RowProblem } from "../../shared/desk-api";

/**
 * The desk's one way to central: same-origin fetch with the session cookie, the CSRF token on
 * every change, and central's refusal turned into words a person can act on.
 */

export interface Refusal {
  status: number;
  reason: string;
  issues: Array<{ path: string; message: string }>;
  rows: RowProblem[];
  /** Reasons that belong to no row or field (e.g. a dispatch document against its booking). */
  notes?: string[];
}
export type Answer<T> = { ok: true; data: T } | { ok: false; refusal: Refusal };

let csrfToken = "";
export function rememberSession(me: Me | null): void {
  csrfToken = me?.csrfToken ?? "";
}

function csrfFromCookie(): string | null {
  const entry = document.cookie.split("; ").find((c) => c.startsWith(`${DESK_CSRF_COOKIE}=`));
  return entry === undefined ? null : decodeURIComponent(entry.slice(DESK_CSRF_COOKIE.length + 1));
}

interface ErrorShape {
  reason?: unknown;
  issues?: unknown;
  badRows?: unknown;
  problems?: unknown;
}

function refusalOf(status: number, body: unknown): Refusal {
  const b = (typeof body === "object" && body !== null ? body : {}) as ErrorShape;
  const issues = Array.isArray(b.issues)
    ? b.issues.filter(
        (i): i is { path: string; message: string } => typeof i?.path === "string" && typeof i?.message === "string",
      )
    : [];
  const rowsRaw = Array.isArray(b.badRows) ? b.badRows : Array.isArray(b.problems) ? b.problems : [];
  const rows = rowsRaw.filter((r): r is RowProblem => typeof r?.line === "number" && typeof r?.reason === "string");
  const reason =
    typeof b.reason === "string"
      ? b.reason
      : status === 0
        ? "central cannot be reached; check the connection and try again"
        : `central answered ${status}`;
  const notes = Array.isArray(b.problems) ? b.problems.filter((p): p is string => typeof p === "string") : [];
  return { status, reason, issues, rows, ...(notes.length > 0 ? { notes } : {}) };
}

export async function api<T>(method: "GET" | "POST" | "PATCH", path: string, body?: unknown): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  // The cookie holds the current session's token (a sign-in in another tab replaces both); memory is the fallback.
  if (method !== "GET") headers[DESK_CSRF_HEADER] = csrfFromCookie() ?? csrfToken;
  let res: Response;
  try {
    res = await fetch(`/desk/api${path}`, {
      method,
      headers,
      credentials: "same-origin",
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    return { ok: false, refusal: refusalOf(0, null) };
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok) return { ok: false, refusal: refusalOf(res.status, json) };
  return { ok: true, data: json as T };
}

/** A file's bytes as base64 (for the JSON upload body), in chunks so a 2 MiB file does not overflow the call stack. */
export async function fileBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Sends a file's bytes as they are (application/octet-stream), with the CSRF token; central's refusal in words. */
export async function apiUpload<T>(path: string, file: Blob): Promise<Answer<T>> {
  let res: Response;
  try {
    res = await fetch(`/desk/api${path}`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", [DESK_CSRF_HEADER]: csrfFromCookie() ?? csrfToken },
      credentials: "same-origin",
      body: file,
    });
  } catch {
    return { ok: false, refusal: refusalOf(0, null) };
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok) return { ok: false, refusal: refusalOf(res.status, json) };
  return { ok: true, data: json as T };
}
