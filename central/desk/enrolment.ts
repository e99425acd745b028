import { randomInt } from "node:crypto";
import { Hono, type Context } from "hono";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { ApiError } from "../http/api-error";
import { hashToken, newToken } from "../http/auth";
import { readBody } from "../http/body";
import { deskAudit, sha256 } from "../services/people";
import {
  DockEnrolSchema,
  ENROLMENT_ALPHABET,
  type DockEnrolment,
  type DockEnrolmentAnswer,
} from "../../shared/desk-api";
import { deskDb, type DeskDatabase } from "./schema";

/**
 * Enrolling a dock with a one-time code: a DCC admin issues the code at the desk (shown once),
 * someone at the dock types it in, and the dock trades it for its bearer token, which never
 * has to be copied by hand. A code works once, for its dock only, for `hours`; five wrong codes
 * for a dock void its open code. Enrolling revokes the dock's earlier tokens.
 */

export const MAX_ENROL_FAILURES = 5;

export async function issueEnrolmentCode(
  db: Kysely<DeskDatabase>,
  dockId: string,
  actor: string,
  hours = 24,
  now = new Date(),
): Promise<{ code: string; expiresAt: string }> {
  let raw = "";
  for (let i = 0; i < 12; i++) raw += ENROLMENT_ALPHABET[randomInt(ENROLMENT_ALPHABET.length)];
  const expiresAt = new Date(now.getTime() + hours * 3_600_000).toISOString();
  await db.transaction().execute(async (trx) => {
    // One open code per dock: a new one voids the one before.
    await trx
      .updateTable("dock_enrolments")
      .set({ used_at: now.toISOString() })
      .where("dock_id", "=", dockId)
      .where("used_at", "is", null)
      .execute();
    await trx
      .insertInto("dock_enrolments")
      .values({ code_hash: sha256(raw), dock_id: dockId, created_at: now.toISOString(), expires_at: expiresAt })
      .execute();
    await deskAudit(trx, actor, "dock.enrolment-code-issued", { dockId, expiresAt });
  });
  return { code: `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`, expiresAt };
}

export async function enrolDock(
  db: Kysely<DeskDatabase>,
  dockId: string,
  code: string,
  now = new Date(),
): Promise<DockEnrolment> {
  // A refusal is returned, not thrown, inside the transaction: its failure count and audit row must commit.
  const r = await db.transaction().execute(async (trx): Promise<DockEnrolment | { refused: string }> => {
    const dock = await trx
      .selectFrom("docks")
      .select(["id", "facility_id"])
      .where("id", "=", dockId)
      .executeTakeFirst();
    const open = dock
      ? await trx
          .selectFrom("dock_enrolments")
          .selectAll()
          .where("dock_id", "=", dockId)
          .where("used_at", "is", null)
          .where("expires_at", ">", now)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    if (!dock || !open) {
      await deskAudit(trx, `dock:${dockId}`, "dock.enrol-refused", {
        dockId,
        why: !dock ? "unknown dock" : "no open code",
      });
      return { refused: `dock ${dockId} has no open enrolment code; ask the DCC for one` };
    }
    if (open.code_hash !== sha256(code)) {
      const failures = open.failed_attempts + 1;
      const dead = failures >= MAX_ENROL_FAILURES;
      await trx
        .updateTable("dock_enrolments")
        .set({ failed_attempts: failures, ...(dead ? { used_at: now.toISOString() } : {}) })
        .where("code_hash", "=", open.code_hash)
        .execute();
      await deskAudit(trx, `dock:${dockId}`, "dock.enrol-refused", { dockId, why: "wrong code", failures });
      return {
        refused: dead
          ? `${MAX_ENROL_FAILURES} wrong codes: dock ${dockId}'s code is void; ask the DCC for a new one`
          : `that is not dock ${dockId}'s enrolment code`,
      };
    }
    const token = newToken();
    await trx
      .updateTable("dock_enrolments")
      .set({ used_at: now.toISOString() })
      .where("code_hash", "=", open.code_hash)
      .execute();
    const revoked = await trx
      .updateTable("api_tokens")
      .set({ revoked_at: now.toISOString() })
      .where("kind", "=", "dock")
      .where("subject_id", "=", dockId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    await trx
      .insertInto("api_tokens")
      .values({ token_hash: hashToken(token), kind: "dock", subject_id: dockId })
      .execute();
    await deskAudit(trx, `dock:${dockId}`, "dock.enrolled", { dockId, revokedTokens: Number(revoked.numUpdatedRows) });
    return { dockId, facilityId: dock.facility_id, token };
  });
  if ("refused" in r) throw new ApiError(403, "enrolment-refused", r.refused);
  return r;
}

/** What a dock pins at enrolment: the firmware publisher's public key and central's certificate (PEM), each when there is one. */
export interface EnrolmentPins {
  publisherKeyPem: string | null;
  centralCertPem: string | null;
}

/**
 * POST /enrol {dockId, code} → {dockId, facilityId, token, publisherKeyPem, centralCertPem}: the
 * one central endpoint a dock calls without a token.
 */
export function enrolRoutes(
  db: Kysely<Database>,
  pins: EnrolmentPins = { publisherKeyPem: null, centralCertPem: null },
  /** Counts a refused code against the caller's address (central's failed-authentication limit). */
  failed: ((c: Context) => Promise<void>) | null = null,
): Hono {
  const app = new Hono();
  app.post("/", async (c) => {
    const body = await readBody(c, DockEnrolSchema);
    const enrolled = await enrolDock(deskDb(db), body.dockId, body.code).catch(async (e: unknown) => {
      if (e instanceof ApiError && failed !== null) await failed(c);
      throw e;
    });
    const answer: DockEnrolmentAnswer = { ...enrolled, ...pins };
    return c.json(answer, 201);
  });
  return app;
}
