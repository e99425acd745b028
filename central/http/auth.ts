import { createHash, randomBytes } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { ApiError } from "./api-error";
import type { OperatorRole } from "../../shared/events";

/** Who is calling: a dock (device token), a Party, or the DCC back office. */
export type Principal =
  | { kind: "dock"; dockId: string; facilityId: string }
  | { kind: "party"; partyId: string }
  | { kind: "dcc"; userId: string };

export type AppEnv = { Variables: { principal: Principal } };

/** Tokens are 32 random bytes, base64url; only their SHA-256 is stored. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The stored form of a token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Resolves `Authorization: Bearer <token>` to a principal, or refuses with 401 and the reason. */
export function authenticate(
  db: Kysely<Database>,
  onFailure: (c: Context) => Promise<void> = async () => {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    try {
      await resolvePrincipal(db, c);
    } catch (e) {
      // A failed authentication counts against the caller's address (rate-limit.ts): 429 once too many.
      if (e instanceof ApiError && e.status === 401) await onFailure(c);
      throw e;
    }
    await next();
  };
}

async function resolvePrincipal(db: Kysely<Database>, c: Context<AppEnv>): Promise<void> {
  const header = c.req.header("authorization");
  if (header === undefined) throw new ApiError(401, "unauthenticated", "send Authorization: Bearer <token>");
  const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header);
  if (!m || m[1] === undefined)
    throw new ApiError(401, "unauthenticated", "the Authorization header must be `Bearer <token>` (base64url token)");
  // The token and, for a dock's, the dock's facility in one round trip: every sync request pays it.
  const row = await db
    .selectFrom("api_tokens")
    .leftJoin("docks", (j) => j.onRef("docks.id", "=", "api_tokens.subject_id").on("api_tokens.kind", "=", "dock"))
    .select([
      "api_tokens.kind",
      "api_tokens.subject_id",
      "api_tokens.revoked_at",
      "docks.id as dock_id",
      "docks.facility_id as dock_facility_id",
    ])
    .where("api_tokens.token_hash", "=", hashToken(m[1]))
    .executeTakeFirst();
  if (!row) throw new ApiError(401, "unauthenticated", "unknown token");
  if (row.revoked_at !== null)
    throw new ApiError(
      401,
      "token-revoked",
      `this token was revoked at ${new Date(row.revoked_at).toISOString()}; ask the DCC for a new one`,
    );
  if (row.kind === "dock") {
    if (row.dock_id === null || row.dock_facility_id === null)
      throw new ApiError(401, "unauthenticated", `dock ${row.subject_id} no longer exists`);
    c.set("principal", { kind: "dock", dockId: row.dock_id, facilityId: row.dock_facility_id });
  } else if (row.kind === "party") {
    c.set("principal", { kind: "party", partyId: row.subject_id });
  } else {
    c.set("principal", { kind: "dcc", userId: row.subject_id });
  }
}

/** Refuses (403) unless the caller is one of the given kinds. */
export function requireKind<K extends Principal["kind"]>(
  c: Context<AppEnv>,
  ...kinds: K[]
): Extract<Principal, { kind: K }> {
  const p = c.get("principal");
  if (!(kinds as string[]).includes(p.kind))
    throw new ApiError(
      403,
      "forbidden",
      `this endpoint is for ${kinds.join(" or ")} tokens; yours is a ${p.kind} token`,
    );
  return p as Extract<Principal, { kind: K }>;
}

/**
 * Checks the operator named in the X-Operator-Id header against the roles allowed for an
 * action at the calling dock's facility; 403 with the reason otherwise.
 */
export async function requireOperator(
  db: Kysely<Database>,
  c: Context<AppEnv>,
  facilityId: string,
  allowed: readonly OperatorRole[],
  action: string,
): Promise<string> {
  const operatorId = c.req.header("x-operator-id");
  if (operatorId === undefined || operatorId === "")
    throw new ApiError(403, "operator-required", `${action} needs the operator's id in the X-Operator-Id header`);
  // Checked before the database sees it: an id is at most 64 printable characters, and a NUL would make the query fail.
  if (!/^[\x21-\x7e]{1,64}$/.test(operatorId))
    throw new ApiError(
      403,
      "unknown-operator",
      `operator ${JSON.stringify(operatorId.slice(0, 64))}${operatorId.length > 64 ? "…" : ""} is not registered at facility ${facilityId} (an operator id is 1-64 printable ASCII characters)`,
    );
  const op = await db.selectFrom("operators").selectAll().where("id", "=", operatorId).executeTakeFirst();
  if (!op || op.facility_id !== facilityId)
    throw new ApiError(
      403,
      "unknown-operator",
      `operator ${JSON.stringify(operatorId)} is not registered at facility ${facilityId}`,
    );
  if (!op.active) throw new ApiError(403, "operator-inactive", `operator ${operatorId} is deactivated`);
  if (!op.roles.some((r) => (allowed as readonly string[]).includes(r)))
    throw new ApiError(
      403,
      "role-forbidden",
      `${action} needs role ${allowed.join(" or ")}; operator ${operatorId} has ${op.roles.join(", ") || "no role"}`,
    );
  return operatorId;
}
