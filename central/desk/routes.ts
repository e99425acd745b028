import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { timingSafeEqual } from "node:crypto";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { BusinessConfig } from "../config";
import { ApiError } from "../http/api-error";
import { hashToken, newToken } from "../http/auth";
import { readBody } from "../http/body";
import { recordChange } from "../services/changes";
import { ForecastSchema, LateArrivalSchema, RedeliveryAmendSchema, StatementQuerySchema } from "../api-schemas";
import { partyStatement } from "../services/charges";
import { bookingLabelPdfOf } from "../services/booking-label-pdf";
import { amendRedelivery, reportLateArrival, submitForecast } from "../services/party-actions";
import { BookingRefSchema } from "../../shared/domain/booking";
import { encodeBookingLabel } from "../../shared/domain/labels";
import { hashPin } from "../../shared/domain/operator-pin";
import {
  changeOwnPassword,
  closeSession,
  completeSetup,
  createPerson,
  DEFAULT_SIGN_IN_POLICY,
  deskAudit,
  hashPassword,
  openSession,
  sessionPerson,
  signIn,
  type SessionPerson,
  type SignInPolicy,
} from "../services/people";
import {
  DESK_CSRF_COOKIE,
  DESK_CSRF_HEADER,
  DeskIdSchema,
  DispatchSubmitSchema,
  DockCreateSchema,
  FacilityCreateSchema,
  OperatorCreateSchema,
  OperatorPinSchema,
  OperatorUpdateSchema,
  PartyCreateSchema,
  PasswordChangeSchema,
  PartyLocationCreateSchema,
  PersonCreateSchema,
  PersonUpdateSchema,
  PortalSubmitSchema,
  SetupSchema,
  SignInSchema,
  UploadSchema,
  type DeskAuditRow,
  type DockRow,
  type FacilityRow,
  type Me,
  type OperatorRow,
  type PartyRow,
  type PersonRow,
  type PortalOptions,
  type PortalBooking,
  type PortalFaultReport,
  type PortalForecast,
  type PortalOutcome,
  type RowProblem,
} from "../../shared/desk-api";
import { TEMPLATE_COLUMNS, TEMPLATE_VERSION } from "../../shared/domain/request-template";
import { deskDb, type DeskDatabase } from "./schema";
import { decodeUpload, templateXlsx, toCsv } from "./files";
import { checkOf, readTemplate, submitTemplate } from "./template-request";
import { dispatchDocumentOf, portalDispatch, submitDispatchDocument } from "./dispatch";
import { DISPATCH_COLUMNS } from "../../shared/domain/dispatch-document";
import { importInventory } from "./inventory-import";
import { issueEnrolmentCode } from "./enrolment";
import { operationsRoutes } from "./operations";
import { serviceReportRoutes } from "./service-report";
import { opsBookingsRoutes } from "./ops-bookings";
import { firmwareDeskRoutes } from "./firmware";
import { smiUpdateRoutes } from "./smi-updates";
import { settingsRoutes } from "./settings";
import type { SigningKeyFile } from "../services/firmware-catalogue";
import { needRole, type DeskEnv } from "./session";
import { dispositionsRoutes } from "./dispositions";
import type { MailTarget } from "../services/outbox";

/**
 * The desk (issue 19): people's sign-in, DCC administration, the SMI inventory import and the
 * Party portal under /desk/api, and the desk web app (desk/dist) under /desk. Mounted before
 * central's bearer-token middleware: the desk authenticates people by session cookie, docks
 * and machine clients keep their bearer tokens on the rest of the API.
 *
 * CSRF: every state-changing request must come from the desk's own origin (the Origin header,
 * else Sec-Fetch-Site, is checked) and, once signed in, carry the session's CSRF token in the
 * X-CSRF-Token header (the desk reads it from the desk_csrf cookie or /desk/api/me). The session
 * cookie is HttpOnly and SameSite=Strict, and Secure (with the __Host- prefix) over HTTPS.
 */

export interface DeskDeps {
  db: Kysely<Database>;
  business: BusinessConfig;
  /** The built desk web app (desk/dist); null or missing: /desk says how to build it. */
  deskDist?: string | null;
  policy?: SignInPolicy;
  /** The desk's public origin (e.g. https://desk.dcc.example behind a TLS proxy); default: the origin each request was sent to. */
  publicOrigin?: string | null;
  /** Where the outbox sends mail (the operations page's "send now"); null: that button answers 503. */
  mail?: MailTarget | null;
  /** Central's catalogue signing key (the firmware page publishes with it); null: publishing answers 503. */
  signingKey?: SigningKeyFile | null;
  /** Where central keeps firmware images (`<data>/firmware`); null: uploads answer 503. */
  firmwareImagesDir?: string | null;
  /**
   * Counts a failed sign-in or setup against the caller's address (central's failed-authentication
   * limit, shared with wrong bearer tokens: 429 once over it, before any work); absent: not counted.
   */
  failedSignIn?: ((c: Context) => Promise<void>) | null;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function deskRoutes(deps: DeskDeps): Hono<DeskEnv> {
  const db = deskDb(deps.db);
  const policy = deps.policy ?? DEFAULT_SIGN_IN_POLICY;
  const desk = new Hono<DeskEnv>();

  const expectedOrigin = (c: Context) => deps.publicOrigin ?? new URL(c.req.url).origin;
  const secure = (c: Context) => expectedOrigin(c).startsWith("https:");
  const sessionCookie = (c: Context) => (secure(c) ? "__Host-desk_session" : "desk_session");

  /** The Origin check: a browser sends Origin on every POST; Sec-Fetch-Site where it does not. */
  const sameOrigin: MiddlewareHandler = async (c, next) => {
    if (UNSAFE.has(c.req.method)) {
      const origin = c.req.header("origin");
      const site = c.req.header("sec-fetch-site");
      if (origin !== undefined && origin !== expectedOrigin(c))
        throw new ApiError(403, "cross-origin", `a request from ${origin} cannot change anything at the desk`);
      if (origin === undefined && site !== undefined && site !== "same-origin" && site !== "none")
        throw new ApiError(403, "cross-origin", "a request from another site cannot change anything at the desk");
    }
    await next();
  };

  const setSession = (c: Context, token: string, csrf: string) => {
    const base = { path: "/", secure: secure(c), sameSite: "Strict" as const, maxAge: policy.sessionHours * 3600 };
    setCookie(c, sessionCookie(c), token, { ...base, httpOnly: true });
    setCookie(c, DESK_CSRF_COOKIE, csrf, { ...base, httpOnly: false });
  };

  const api = new Hono<DeskEnv>();
  api.use("*", secureHeaders({ crossOriginResourcePolicy: "same-origin" }));
  api.use("*", async (c, next) => {
    await next();
    c.header("cache-control", "no-store");
  });
  api.use("*", sameOrigin);

  // ------------------------------------------------------------ open: sign-in, first admin
  api.post("/sign-in", async (c) => {
    const body = await readBody(c, SignInSchema);
    const r = await signIn(db, body.email, body.password, policy);
    // Per address too: the account lock stops guessing one password, this stops spraying many accounts.
    if (!r.ok) await deps.failedSignIn?.(c);
    if (!r.ok) throw new ApiError(r.locked ? 403 : 401, r.locked ? "account-locked" : "sign-in-failed", r.reason);
    setSession(c, r.sessionToken, r.csrfToken);
    return c.json(await me(db, r.personId, r.csrfToken));
  });

  api.post("/setup", async (c) => {
    const body = await readBody(c, SetupSchema);
    const r = await completeSetup(db, body.token, body, policy.cost);
    if (!r.ok) await deps.failedSignIn?.(c);
    if (!r.ok) throw new ApiError(409, "setup-refused", r.reason);
    const s = await openSession(db, r.personId, policy);
    await deskAudit(db, `person:${r.personId}`, "sign-in.ok", { email: body.email, via: "setup" });
    setSession(c, s.sessionToken, s.csrfToken);
    return c.json(await me(db, r.personId, s.csrfToken), 201);
  });

  // ------------------------------------------------------------ everything else: a session
  api.use("*", async (c, next) => {
    const token = getCookie(c, sessionCookie(c));
    const person = token === undefined ? null : await sessionPerson(db, token, policy);
    if (!person)
      throw new ApiError(401, "signed-out", "sign in to the desk first (your session ended or was never started)");
    if (UNSAFE.has(c.req.method)) {
      const sent = c.req.header(DESK_CSRF_HEADER) ?? "";
      const a = Buffer.from(sent);
      const b = Buffer.from(person.csrfToken);
      if (a.length !== b.length || !timingSafeEqual(a, b))
        throw new ApiError(403, "csrf", "this request lacks the desk's CSRF token; reload the page and try again");
    }
    c.set("person", person);
    await next();
  });

  api.get("/me", async (c) => c.json(await me(db, c.get("person").personId, c.get("person").csrfToken)));

  api.post("/sign-out", async (c) => {
    const p = c.get("person");
    await closeSession(db, p.tokenHash);
    await deskAudit(db, `person:${p.personId}`, "sign-out", {});
    deleteCookie(c, sessionCookie(c), { path: "/", secure: secure(c) });
    deleteCookie(c, DESK_CSRF_COOKIE, { path: "/", secure: secure(c) });
    return c.json({ ok: true });
  });

  api.post("/password", async (c) => {
    const p = c.get("person");
    const body = await readBody(c, PasswordChangeSchema);
    const r = await changeOwnPassword(db, p.personId, p.tokenHash, body.current, body.next, policy);
    if (!r.ok) throw new ApiError(403, "password-refused", r.reason);
    return c.json({ ok: true });
  });

  const need = needRole;
  const actor = (p: SessionPerson) => `person:${p.personId}`;
  const idParam = (c: Context, name: string) => {
    const r = DeskIdSchema.safeParse(c.req.param(name));
    if (!r.success) throw new ApiError(400, "invalid-path", `${name} is not an id`);
    return r.data;
  };

  // ------------------------------------------------------------ Parties and their re-delivery locations
  api.get("/parties", async (c) => {
    need(c, "dcc-admin", "dcc-ops");
    const [parties, locations] = await Promise.all([
      db.selectFrom("parties").selectAll().orderBy("id").execute(),
      db.selectFrom("party_locations").selectAll().orderBy("id").execute(),
    ]);
    return c.json(
      parties.map((p): PartyRow => ({
        ...p,
        locations: locations
          .filter((l) => l.party_id === p.id)
          .map((l) => ({ id: l.id, name: l.name, address: l.address })),
      })),
    );
  });

  api.post("/parties", async (c) => {
    const p = need(c, "dcc-admin");
    const body = await readBody(c, PartyCreateSchema);
    if (await db.selectFrom("parties").select("id").where("id", "=", body.id).executeTakeFirst())
      throw new ApiError(409, "exists", `Party ${body.id} already exists`);
    await db.transaction().execute(async (trx) => {
      await trx.insertInto("parties").values(body).execute();
      await deskAudit(trx, actor(p), "party.created", body);
    });
    return c.json(body, 201);
  });

  api.post("/parties/:id/locations", async (c) => {
    const p = need(c, "dcc-admin");
    const partyId = idParam(c, "id");
    const body = await readBody(c, PartyLocationCreateSchema);
    if (!(await db.selectFrom("parties").select("id").where("id", "=", partyId).executeTakeFirst()))
      throw new ApiError(404, "unknown-party", `no Party ${partyId}`);
    if (await db.selectFrom("party_locations").select("id").where("id", "=", body.id).executeTakeFirst())
      throw new ApiError(409, "exists", `location ${body.id} already exists`);
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("party_locations")
        .values({ ...body, party_id: partyId })
        .execute();
      await deskAudit(trx, actor(p), "party-location.created", { partyId, ...body });
    });
    return c.json({ partyId, ...body }, 201);
  });

  // ------------------------------------------------------------ facilities
  api.get("/facilities", async (c) => {
    need(c, "dcc-admin", "dcc-ops");
    return c.json(await facilities(db));
  });

  api.post("/facilities", async (c) => {
    const p = need(c, "dcc-admin");
    const body = await readBody(c, FacilityCreateSchema);
    if (await db.selectFrom("facilities").select("id").where("id", "=", body.id).executeTakeFirst())
      throw new ApiError(409, "exists", `facility ${body.id} already exists`);
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("facilities")
        .values({ id: body.id, name: body.name, csp: body.csp, max_pallets: body.maxPallets, address: body.address })
        .execute();
      // The listed inbound location Parties deliver to (Req 1): the facility's own dock.
      await trx
        .insertInto("facility_locations")
        .values({ id: `LOC-${body.id}`, facility_id: body.id, name: body.name, address: body.address })
        .execute();
      await deskAudit(trx, actor(p), "facility.created", body);
    });
    return c.json(body, 201);
  });

  // ------------------------------------------------------------ docks and their bearer tokens
  api.get("/docks", async (c) => {
    need(c, "dcc-admin");
    const [docks, tokens] = await Promise.all([
      db.selectFrom("docks").selectAll().orderBy("id").execute(),
      db
        .selectFrom("api_tokens")
        .select(["subject_id", "created_at", "revoked_at"])
        .where("kind", "=", "dock")
        .orderBy("created_at")
        .execute(),
    ]);
    return c.json(
      docks.map((d): DockRow => ({
        id: d.id,
        facilityId: d.facility_id,
        name: d.name,
        tokens: tokens
          .filter((t) => t.subject_id === d.id)
          .map((t) => ({
            createdAt: new Date(t.created_at).toISOString(),
            revokedAt: t.revoked_at === null ? null : new Date(t.revoked_at).toISOString(),
          })),
      })),
    );
  });

  api.post("/docks", async (c) => {
    const p = need(c, "dcc-admin");
    const body = await readBody(c, DockCreateSchema);
    if (!(await db.selectFrom("facilities").select("id").where("id", "=", body.facilityId).executeTakeFirst()))
      throw new ApiError(422, "unknown-facility", `no facility ${body.facilityId}`);
    if (await db.selectFrom("docks").select("id").where("id", "=", body.id).executeTakeFirst())
      throw new ApiError(409, "exists", `dock ${body.id} already exists`);
    await db.transaction().execute(async (trx) => {
      await trx.insertInto("docks").values({ id: body.id, facility_id: body.facilityId, name: body.name }).execute();
      await deskAudit(trx, actor(p), "dock.created", body);
    });
    return c.json(body, 201);
  });

  /** Issues the dock a new bearer token (shown once), revoking any it had: issue and rotate are one action. */
  api.post("/docks/:id/token", async (c) => {
    const p = need(c, "dcc-admin");
    const dockId = idParam(c, "id");
    if (!(await db.selectFrom("docks").select("id").where("id", "=", dockId).executeTakeFirst()))
      throw new ApiError(404, "unknown-dock", `no dock ${dockId}`);
    const token = newToken();
    const revoked = await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable("api_tokens")
        .set({ revoked_at: new Date().toISOString() })
        .where("kind", "=", "dock")
        .where("subject_id", "=", dockId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      await trx
        .insertInto("api_tokens")
        .values({ token_hash: hashToken(token), kind: "dock", subject_id: dockId })
        .execute();
      await deskAudit(trx, actor(p), "dock.token-issued", { dockId, revokedTokens: Number(r.numUpdatedRows) });
      return Number(r.numUpdatedRows);
    });
    return c.json({ dockId, token, revokedTokens: revoked }, 201);
  });

  /** A one-time code the dock trades for its token at POST /enrol (central/desk/enrolment.ts); shown once. */
  api.post("/docks/:id/enrolment", async (c) => {
    const p = need(c, "dcc-admin");
    const dockId = idParam(c, "id");
    if (!(await db.selectFrom("docks").select("id").where("id", "=", dockId).executeTakeFirst()))
      throw new ApiError(404, "unknown-dock", `no dock ${dockId}`);
    return c.json({ dockId, ...(await issueEnrolmentCode(db, dockId, actor(p))) }, 201);
  });

  api.post("/docks/:id/revoke", async (c) => {
    const p = need(c, "dcc-admin");
    const dockId = idParam(c, "id");
    const n = await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable("api_tokens")
        .set({ revoked_at: new Date().toISOString() })
        .where("kind", "=", "dock")
        .where("subject_id", "=", dockId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      await deskAudit(trx, actor(p), "dock.token-revoked", { dockId, revokedTokens: Number(r.numUpdatedRows) });
      return Number(r.numUpdatedRows);
    });
    return c.json({ dockId, revokedTokens: n });
  });

  // ------------------------------------------------------------ dock operators
  api.get("/operators", async (c) => {
    need(c, "dcc-admin");
    const rows = await db.selectFrom("operators").selectAll().orderBy("facility_id").orderBy("id").execute();
    return c.json(
      rows.map((o): OperatorRow => ({
        id: o.id,
        name: o.name,
        facilityId: o.facility_id,
        roles: o.roles,
        active: o.active,
        pinSetAt: o.pin_set_at === null ? null : new Date(o.pin_set_at).toISOString(),
      })),
    );
  });

  api.post("/operators", async (c) => {
    const p = need(c, "dcc-admin");
    const body = await readBody(c, OperatorCreateSchema);
    if (!(await db.selectFrom("facilities").select("id").where("id", "=", body.facilityId).executeTakeFirst()))
      throw new ApiError(422, "unknown-facility", `no facility ${body.facilityId}`);
    if (await db.selectFrom("operators").select("id").where("id", "=", body.id).executeTakeFirst())
      throw new ApiError(409, "exists", `operator ${body.id} already exists`);
    const { pin, ...recorded } = body;
    const pinHash = pin === undefined ? null : JSON.stringify(await hashPin(pin));
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("operators")
        .values({
          id: body.id,
          name: body.name,
          facility_id: body.facilityId,
          roles: JSON.stringify(body.roles),
          pin_hash: pinHash,
          pin_set_at: pinHash === null ? null : new Date(),
        })
        .execute();
      await recordChange(trx as unknown as Kysely<Database>, "operator", body.id, body.facilityId);
      // The audit says a PIN was set, never what it is.
      await deskAudit(trx, actor(p), "operator.created", { ...recorded, pinSet: pin !== undefined });
    });
    return c.json(recorded, 201);
  });

  api.post("/operators/:id/pin", async (c) => {
    const p = need(c, "dcc-admin");
    const id = idParam(c, "id");
    const body = await readBody(c, OperatorPinSchema);
    const op = await db.selectFrom("operators").select(["facility_id"]).where("id", "=", id).executeTakeFirst();
    if (!op) throw new ApiError(404, "unknown-operator", `no operator ${id}`);
    const pinHash = JSON.stringify(await hashPin(body.pin));
    const at = new Date();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable("operators").set({ pin_hash: pinHash, pin_set_at: at }).where("id", "=", id).execute();
      // The docks of its facility pull the new hash; the old PIN stops working there at that pull.
      await recordChange(trx as unknown as Kysely<Database>, "operator", id, op.facility_id);
      await deskAudit(trx, actor(p), "operator.pin-set", { id });
    });
    return c.json({ id, pinSetAt: at.toISOString() });
  });

  api.patch("/operators/:id", async (c) => {
    const p = need(c, "dcc-admin");
    const id = idParam(c, "id");
    const body = await readBody(c, OperatorUpdateSchema);
    const op = await db.selectFrom("operators").selectAll().where("id", "=", id).executeTakeFirst();
    if (!op) throw new ApiError(404, "unknown-operator", `no operator ${id}`);
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable("operators")
        .set({
          ...(body.roles ? { roles: JSON.stringify(body.roles) } : {}),
          ...(body.active !== undefined ? { active: body.active } : {}),
        })
        .where("id", "=", id)
        .execute();
      // The docks of its facility pull the change (a deactivated operator can no longer sign in there).
      await recordChange(trx as unknown as Kysely<Database>, "operator", id, op.facility_id);
      await deskAudit(trx, actor(p), "operator.updated", { id, ...body });
    });
    return c.json({ id, ...body });
  });

  // ------------------------------------------------------------ people
  api.get("/people", async (c) => {
    need(c, "dcc-admin");
    const rows = await db
      .selectFrom("people")
      .select(["id", "name", "email", "role", "party_id", "active", "locked_until", "last_sign_in_at"])
      .orderBy("role")
      .orderBy("email")
      .execute();
    return c.json(
      rows.map((r): PersonRow => ({
        id: r.id,
        name: r.name,
        email: r.email,
        role: r.role,
        partyId: r.party_id,
        active: r.active,
        lockedUntil: r.locked_until === null ? null : new Date(r.locked_until).toISOString(),
        lastSignInAt: r.last_sign_in_at === null ? null : new Date(r.last_sign_in_at).toISOString(),
      })),
    );
  });

  api.post("/people", async (c) => {
    const p = need(c, "dcc-admin");
    const body = await readBody(c, PersonCreateSchema);
    if (
      body.partyId !== null &&
      !(await db.selectFrom("parties").select("id").where("id", "=", body.partyId).executeTakeFirst())
    )
      throw new ApiError(422, "unknown-party", `no Party ${body.partyId}`);
    if (await db.selectFrom("people").select("id").where("email", "=", body.email).executeTakeFirst())
      throw new ApiError(409, "exists", `${body.email} already has an account`);
    const id = await createPerson(db, body, policy.cost);
    await deskAudit(db, actor(p), "person.created", { id, email: body.email, role: body.role, partyId: body.partyId });
    return c.json({ id, name: body.name, email: body.email, role: body.role, partyId: body.partyId }, 201);
  });

  api.patch("/people/:id", async (c) => {
    const p = need(c, "dcc-admin");
    const id = c.req.param("id");
    const body = await readBody(c, PersonUpdateSchema);
    const person = await db.selectFrom("people").selectAll().where("id", "=", id).executeTakeFirst();
    if (!person) throw new ApiError(404, "unknown-person", `no account ${id}`);
    if (body.role !== undefined && (body.role === "party-user") !== (person.party_id !== null))
      throw new ApiError(
        422,
        "role",
        "a Party user stays a Party user, DCC staff stay DCC staff: make a new account instead",
      );
    const losesAdmin =
      person.role === "dcc-admin" && (body.active === false || (body.role !== undefined && body.role !== "dcc-admin"));
    if (losesAdmin) {
      const others = await db
        .selectFrom("people")
        .select("id")
        .where("role", "=", "dcc-admin")
        .where("active", "=", true)
        .where("id", "!=", id)
        .limit(1)
        .executeTakeFirst();
      if (!others) throw new ApiError(409, "last-admin", "this is the last active DCC admin; make another admin first");
    }
    const hash = body.password !== undefined ? await hashPassword(body.password, policy.cost) : undefined;
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable("people")
        .set({
          ...(body.active !== undefined ? { active: body.active } : {}),
          ...(body.role !== undefined ? { role: body.role } : {}),
          // A new password (set by an admin) also unlocks the account.
          ...(hash !== undefined ? { password_hash: hash, failed_attempts: 0, locked_until: null } : {}),
        })
        .where("id", "=", id)
        .execute();
      // Deactivating someone or changing their password or role ends their sessions.
      await trx.deleteFrom("desk_sessions").where("person_id", "=", id).execute();
      await deskAudit(trx, actor(p), "person.updated", {
        id,
        active: body.active,
        role: body.role,
        passwordChanged: hash !== undefined,
      });
    });
    return c.json({ id, ok: true });
  });

  api.get("/audit", async (c) => {
    need(c, "dcc-admin");
    const [rows, people] = await Promise.all([
      db.selectFrom("desk_audit").selectAll().orderBy("seq", "desc").limit(200).execute(),
      db.selectFrom("people").select(["id", "email"]).execute(),
    ]);
    // A person is shown by their email; the row itself keeps the id (emails can change hands).
    const email = new Map(people.map((p) => [`person:${p.id}`, p.email]));
    return c.json(
      rows.map((r): DeskAuditRow => ({
        seq: r.seq,
        actor: email.get(r.actor) ?? r.actor,
        action: r.action,
        detail: r.detail,
        at: new Date(r.at).toISOString(),
      })),
    );
  });

  // ------------------------------------------------------------ SMI inventory import
  api.post("/inventory/import", async (c) => {
    const p = need(c, "dcc-admin", "dcc-ops");
    const body = await readBody(c, UploadSchema);
    const file = decodeUpload(body);
    if (!file.ok) throw new ApiError(422, "bad-file", file.reason);
    const r = await importInventory(db, file.bytes);
    if (r.badRows.length > 0)
      return c.json(
        { error: "bad-rows", reason: `${r.badRows.length} row(s) refused; nothing was imported`, ...r },
        422,
      );
    await deskAudit(db, actor(p), "inventory.imported", {
      fileName: body.fileName,
      rows: r.rows,
      added: r.added,
      updated: r.updated,
      unchanged: r.unchanged,
    });
    return c.json(r);
  });

  // ------------------------------------------------------------ Party portal
  api.get("/portal/options", async (c) => {
    need(c, "party-user");
    const fs = await facilities(db);
    const body: PortalOptions = {
      facilities: fs.map((f) => ({
        id: f.id,
        name: f.name,
        locations: f.locations.map((l) => ({ id: l.id, name: l.name })),
      })),
      slots: deps.business.deliverySlots,
    };
    return c.json(body);
  });

  api.get("/portal/template.csv", (c) => {
    need(c, "party-user");
    return c.body(toCsv([[...TEMPLATE_COLUMNS]]), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${TEMPLATE_VERSION}.csv"`,
    });
  });

  api.get("/portal/template.xlsx", async (c) => {
    need(c, "party-user");
    const bytes = await templateXlsx();
    return c.body(new Uint8Array(bytes), 200, {
      "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "content-disposition": `attachment; filename="${TEMPLATE_VERSION}.xlsx"`,
    });
  });

  api.post("/portal/check", async (c) => {
    need(c, "party-user");
    const body = await readBody(c, UploadSchema);
    const read = await readTemplate(body);
    if (!read.ok) throw new ApiError(422, "bad-file", read.reason);
    return c.json(checkOf(read.parse));
  });

  api.post("/portal/submit", async (c) => {
    const p = need(c, "party-user");
    const partyId = p.partyId;
    if (partyId === null) throw new ApiError(403, "forbidden", "this account names no Party");
    const body = await readBody(c, PortalSubmitSchema);
    const r = await submitTemplate(deps.db, deps.business, partyId, body.file, body.details, body.clientRequestId);
    if (r.kind === "bad-file") throw new ApiError(422, "bad-file", r.reason);
    if (r.kind === "too-large") throw new ApiError(422, "too-large", r.reason);
    if (r.kind === "bad-rows")
      return c.json(
        {
          error: "bad-rows",
          reason: `${r.check.problems.length} row(s) need fixing; nothing was submitted`,
          ...r.check,
        },
        422,
      );
    const { outcome, lines } = r;
    await deskAudit(db, actor(p), "portal.request-submitted", {
      requestId: outcome.requestId,
      status: outcome.status,
      fileName: body.file.fileName,
    });
    const out: PortalOutcome & { lines: RowProblem[] } = { ...outcome, lines };
    return c.json(out, 201);
  });

  api.get("/portal/requests", async (c) => {
    const p = need(c, "party-user");
    const rows = await db
      .selectFrom("requests")
      .select([
        "requests.id",
        "requests.status",
        "requests.delivery_date",
        "requests.created_at",
        "requests.reasons",
        "requests.hub_reasons",
      ])
      .where("requests.party_id", "=", p.partyId ?? "")
      .orderBy("requests.created_at", "desc")
      .limit(50)
      .execute();
    return c.json(
      rows.map((r) => ({
        requestId: r.id,
        status: r.status,
        deliveryDate: r.delivery_date,
        createdAt: new Date(r.created_at).toISOString(),
        reasons: (r.reasons as unknown[]).length + (r.hub_reasons as unknown[]).length,
      })),
    );
  });

  // ------------------------------------------------------------ the Party's bookings: late arrival, re-delivery, forecasts
  const partyOf = (c: Context<DeskEnv>): string => {
    const p = need(c, "party-user");
    if (p.partyId === null) throw new ApiError(403, "forbidden", "this account names no Party");
    return p.partyId;
  };

  api.get("/portal/bookings", async (c) => {
    const partyId = partyOf(c);
    const rows = await db
      .selectFrom("bookings")
      .select([
        "booking_ref",
        "delivery_ref",
        "work_order_id",
        "status",
        "facility_id",
        "doc",
        "redelivery",
        "hub_count",
        "pallet_count",
      ])
      .where("party_id", "=", partyId)
      .orderBy("created_at", "desc")
      .limit(200)
      .execute();
    return c.json(
      rows.map((r): PortalBooking => {
        const doc = r.doc as { deliveryDate: string; deliveryWindow: { start: string; end: string } };
        const red = r.redelivery as PortalBooking["redelivery"];
        const label = encodeBookingLabel({ bookingRef: r.booking_ref, deliveryRef: r.delivery_ref });
        return {
          bookingRef: r.booking_ref,
          deliveryRef: r.delivery_ref,
          workOrderId: r.work_order_id,
          status: r.status,
          facilityId: r.facility_id,
          deliveryDate: doc.deliveryDate,
          deliveryWindow: doc.deliveryWindow,
          hubs: r.hub_count,
          pallets: r.pallet_count,
          labelHri: label.ok ? label.hri : "",
          redelivery:
            red === null
              ? null
              : {
                  deliveryDate: red.deliveryDate,
                  deliveryWindow: red.deliveryWindow,
                  deliveryLocation: { id: red.deliveryLocation.id, name: red.deliveryLocation.name },
                },
        };
      }),
    );
  });

  api.get("/portal/locations", async (c) => {
    const partyId = partyOf(c);
    return c.json(
      await db
        .selectFrom("party_locations")
        .select(["id", "name", "address"])
        .where("party_id", "=", partyId)
        .orderBy("id")
        .execute(),
    );
  });

  const bookingParam = (c: Context) => {
    const r = BookingRefSchema.safeParse(c.req.param("ref"));
    if (!r.success) throw new ApiError(400, "invalid-path", "that is not a booking reference");
    return r.data;
  };

  // Req 3's printable label of the Party's own booking: the builder the acceptance email and the DCC desk use.
  api.get("/portal/bookings/:ref/label.pdf", async (c) => {
    const partyId = partyOf(c);
    const ref = bookingParam(c);
    const own = await db
      .selectFrom("bookings")
      .select("booking_ref")
      .where("booking_ref", "=", ref)
      .where("party_id", "=", partyId)
      .executeTakeFirst();
    const pdf = own ? await bookingLabelPdfOf(deps.db, ref) : null;
    if (pdf === null) throw new ApiError(404, "unknown-booking", `you have no booking ${ref}`);
    return c.body(Buffer.from(pdf), 200, {
      "content-type": "application/pdf",
      "content-disposition": `inline; filename="booking-label-${ref}.pdf"`,
    });
  });

  api.post("/portal/bookings/:ref/late-arrival", async (c) => {
    const partyId = partyOf(c);
    const ref = bookingParam(c);
    const body = await readBody(c, LateArrivalSchema);
    const outcome = await reportLateArrival(deps.db, deps.business, partyId, ref, body);
    await deskAudit(db, actor(c.get("person")), "portal.late-arrival", {
      bookingRef: ref,
      ...body,
      decision: outcome.decision,
    });
    return c.json(outcome);
  });

  api.post("/portal/bookings/:ref/redelivery", async (c) => {
    const partyId = partyOf(c);
    const ref = bookingParam(c);
    const body = await readBody(c, RedeliveryAmendSchema);
    const outcome = await amendRedelivery(deps.db, deps.business, partyId, ref, body);
    await deskAudit(db, actor(c.get("person")), "portal.redelivery-amended", { bookingRef: ref, ...body });
    return c.json(outcome);
  });

  // The dispatch document of Req 4: entered or uploaded, checked against the booking, pulled by the dock.
  api.get("/portal/dispatch-template.csv", (c) => {
    need(c, "party-user");
    return c.body(toCsv([[...DISPATCH_COLUMNS]]), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="RFD-DISPATCH-DOCUMENT.csv"`,
    });
  });

  api.get("/portal/bookings/:ref/dispatch", async (c) => {
    const partyId = partyOf(c);
    return c.json(await portalDispatch(deps.db, partyId, bookingParam(c)));
  });

  api.post("/portal/bookings/:ref/dispatch", async (c) => {
    const p = need(c, "party-user");
    const partyId = partyOf(c);
    const ref = bookingParam(c);
    const body = await readBody(c, DispatchSubmitSchema);
    const doc = await dispatchDocumentOf(body);
    if (!doc.ok)
      return c.json(
        { error: doc.problems ? "bad-rows" : "bad-dispatch", reason: doc.reason, problems: doc.problems ?? [] },
        422,
      );
    const r = await submitDispatchDocument(deps.db, partyId, ref, doc.doc, actor(p));
    if (!r.ok) return c.json({ error: r.error, reason: r.reason, problems: r.problems ?? [] }, r.status);
    await deskAudit(db, actor(p), "portal.dispatch-document", {
      bookingRef: ref,
      partySignifier: doc.doc.partySignifier,
      pallets: doc.doc.pallets.length,
      hubs: doc.doc.pallets.reduce((n, x) => n + x.deviceIds.length, 0),
      fileName: body.file?.fileName ?? null,
    });
    return c.json(r.dispatch, 201);
  });

  api.get("/portal/forecasts", async (c) => {
    const partyId = partyOf(c);
    const rows = await db
      .selectFrom("forecasts")
      .selectAll()
      .where("party_id", "=", partyId)
      .orderBy("period_start", "desc")
      .execute();
    return c.json(
      rows.map((r): PortalForecast => ({
        periodStart: r.period_start,
        hubs: r.hubs,
        submittedAt: new Date(r.submitted_at).toISOString(),
      })),
    );
  });

  api.post("/portal/forecasts", async (c) => {
    const partyId = partyOf(c);
    const body = await readBody(c, ForecastSchema);
    await submitForecast(deps.db, partyId, body);
    await deskAudit(db, actor(c.get("person")), "portal.forecast", body);
    return c.json({ partyId, ...body }, 201);
  });

  api.get("/portal/statement", async (c) => {
    const partyId = partyOf(c);
    const q = StatementQuerySchema.safeParse(c.req.query());
    if (!q.success) throw new ApiError(400, "invalid-query", "choose the period with from and to dates (YYYY-MM-DD)");
    if (q.data.from > q.data.to)
      throw new ApiError(400, "invalid-query", `from ${q.data.from} is after to ${q.data.to}`);
    return c.json(await partyStatement(deps.db, deps.business, partyId, q.data.from, q.data.to));
  });

  api.get("/portal/fault-reports", async (c) => {
    const partyId = partyOf(c);
    const rows = await db
      .selectFrom("fault_reports")
      .innerJoin("bookings", "bookings.booking_ref", "fault_reports.booking_ref")
      .leftJoin("hub_dispositions", "hub_dispositions.device_id", "fault_reports.device_id")
      .select([
        "fault_reports.id",
        "fault_reports.device_id",
        "fault_reports.booking_ref",
        "fault_reports.reason",
        "fault_reports.manual",
        "fault_reports.at",
        "hub_dispositions.disposition",
      ])
      .where("bookings.party_id", "=", partyId)
      .orderBy("fault_reports.id", "desc")
      .limit(500)
      .execute();
    return c.json(
      rows.map((r): PortalFaultReport => ({
        id: r.id,
        deviceId: r.device_id,
        bookingRef: r.booking_ref,
        reason: r.reason,
        manual: r.manual,
        at: r.at,
        disposition: r.disposition,
      })),
    );
  });

  api.route("/ops", operationsRoutes({ db: deps.db, business: deps.business, mail: deps.mail ?? null }));
  api.route("/ops", opsBookingsRoutes({ db: deps.db, business: deps.business }));
  api.route("/report", serviceReportRoutes({ db: deps.db }));
  api.route("/smi", smiUpdateRoutes({ db: deps.db }));
  api.route("/settings", settingsRoutes({ db: deps.db, business: deps.business }));
  api.route(
    "/firmware",
    firmwareDeskRoutes({
      db: deps.db,
      signingKey: deps.signingKey ?? null,
      imagesDir: deps.firmwareImagesDir ?? null,
      maxImageBytes: deps.business.maxBodyBytes,
    }),
  );
  api.route("/dispositions", dispositionsRoutes(deps.db));

  api.all("*", (c) => c.json({ error: "not-found", reason: `no desk endpoint ${c.req.method} ${c.req.path}` }, 404));

  desk.route("/api", api);

  // ------------------------------------------------------------ the web app
  const dist = deps.deskDist ?? null;
  const pages = new Hono();
  pages.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'self'"],
      },
      referrerPolicy: "no-referrer",
    }),
  );
  if (dist !== null && existsSync(join(dist, "index.html"))) {
    pages.get("/assets/*", serveStatic({ root: dist, rewriteRequestPath: (path) => path.replace(/^\/desk/, "") }));
    // A missing asset is a 404, not the app's page (a stale tab after a rebuild then says so).
    pages.get("/assets/*", (c) => c.text("no such desk asset (the desk was rebuilt: reload the page)", 404));
    const index = () => readFile(join(dist, "index.html"), "utf8");
    pages.get("*", async (c) => c.html(await index()));
  } else {
    pages.get("*", (c) =>
      c.html(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>DCC desk</title></head><body><h1>The desk is not built</h1><p>Run <code>npm run build:desk</code> and restart central.</p></body></html>',
        503,
      ),
    );
  }
  desk.route("/", pages);
  return desk;
}

async function me(db: Kysely<DeskDatabase>, personId: string, csrfToken: string): Promise<Me> {
  const p = await db
    .selectFrom("people")
    .leftJoin("parties", "parties.id", "people.party_id")
    .select([
      "people.id",
      "people.name",
      "people.email",
      "people.role",
      "people.party_id",
      "parties.name as party_name",
    ])
    .where("people.id", "=", personId)
    .executeTakeFirstOrThrow();
  return {
    personId: p.id,
    name: p.name,
    email: p.email,
    role: p.role,
    partyId: p.party_id,
    partyName: p.party_name,
    csrfToken,
  };
}

async function facilities(db: Kysely<DeskDatabase>): Promise<FacilityRow[]> {
  const [fs, locations] = await Promise.all([
    db.selectFrom("facilities").selectAll().orderBy("id").execute(),
    db.selectFrom("facility_locations").selectAll().orderBy("id").execute(),
  ]);
  return fs.map((f) => ({
    id: f.id,
    name: f.name,
    csp: f.csp,
    maxPallets: f.max_pallets,
    address: f.address,
    locations: locations
      .filter((l) => l.facility_id === f.id)
      .map((l) => ({ id: l.id, name: l.name, address: l.address })),
  }));
}
