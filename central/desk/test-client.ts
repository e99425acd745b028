import type { createApp } from "../app";
import { DEFAULT_SIGN_IN_POLICY, createPerson, type SignInPolicy } from "../services/people";
import { deskDb } from "./schema";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { PersonRole } from "../../shared/desk-api";

/** Cheap scrypt for tests (the cost is stored in each hash; production uses 2^17). */
export const FAST_POLICY: SignInPolicy = { ...DEFAULT_SIGN_IN_POLICY, cost: { log2N: 10, r: 8, p: 1 } };
export const DESK_ORIGIN = "http://desk.test";

/** A body sent as it is (a file upload), not as JSON. */
export class RawBody {
  constructor(
    readonly bytes: Uint8Array,
    readonly contentType = "application/octet-stream",
  ) {}
}

/** A browser-like desk client: keeps cookies, sends Origin and the CSRF header as the desk app does. */
export class DeskClient {
  cookies = new Map<string, string>();
  constructor(private app: ReturnType<typeof createApp>) {}

  async call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
    const headers: Record<string, string> = { ...extra };
    if (method !== "GET") {
      headers.origin ??= DESK_ORIGIN;
      headers["x-csrf-token"] ??= this.cookies.get("desk_csrf") ?? "";
    }
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const raw = body instanceof RawBody ? body : null;
    if (raw !== null) headers["content-type"] ??= raw.contentType;
    else if (body !== undefined) headers["content-type"] = "application/json";
    const res = await this.app.request(`${DESK_ORIGIN}${path}`, {
      method,
      headers,
      ...(raw !== null ? { body: Buffer.from(raw.bytes) } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [k, v] = (pair ?? "").split("=");
      if (k && v !== undefined) {
        if (v === "") this.cookies.delete(k);
        else this.cookies.set(k, v);
      }
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json: json as Record<string, unknown>, text, headers: res.headers };
  }
}

/** A person of this role made in the database, signed in through the desk's own sign-in. */
export async function signedIn(
  app: ReturnType<typeof createApp>,
  db: Kysely<Database>,
  role: PersonRole,
  partyId: string | null = null,
): Promise<DeskClient> {
  const email = `${role}-${Math.random().toString(36).slice(2, 10)}@test.example`;
  const password = "a long test password";
  await createPerson(deskDb(db), { email, name: `Test ${role}`, role, partyId, password }, FAST_POLICY.cost);
  const c = new DeskClient(app);
  const r = await c.call("POST", "/desk/api/sign-in", { email, password });
  if (r.status !== 200) throw new Error(`sign-in failed: ${r.text}`);
  return c;
}
