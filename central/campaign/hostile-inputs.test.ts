import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import ExcelJS from "exceljs";
import { parse } from "csv-parse/sync";
import { createApp } from "../app";
import { openTestWorld, testBackends, type TestWorld, zipOf } from "../test-support";
import { DeskClient, DESK_ORIGIN, FAST_POLICY, signedIn } from "../desk/test-client";
import { createPerson } from "../services/people";
import { deskDb } from "../desk/schema";
import { issueEnrolmentCode } from "../desk/enrolment";
import { withCheckDigit } from "../../shared/domain/demo-booking";
import { TEMPLATE_COLUMNS } from "../../shared/domain/request-template";
import { DISPATCH_COLUMNS } from "../../shared/domain/dispatch-document";
import { DEFAULT_LOCKOUT } from "../../shared/domain/operator-pin";
import {
  auditCount,
  bruteForcePins,
  changedTables,
  figuresTable,
  fingerprint,
  FORMULA_CELLS,
  notPlain,
  reasonOf,
  RUNNABLE_CELL,
  type CampaignRow,
} from "./hostile-inputs";

/**
 * Issue 21, "new inputs": the desk, the Party portal and enrolment under hostile use, each
 * attempt a row of the figures table: refused with a reason in plain words, nothing stored
 * (every table fingerprinted before and after; the desk's audit counted apart, where it must
 * show the attempt). A real central (test-support: PGlite, and PostgreSQL with
 * TEST_DATABASE_URL), real cookies and CSRF tokens through app.request, and real HTTP for the
 * 100 MB body. The PIN brute force goes through the dock's own lockout rules.
 */

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** The desk routes a person reaches before signing in (the Origin check still applies). */
const OPEN_ROUTES = new Set(["/desk/api/sign-in", "/desk/api/setup"]);
const EVIL = "https://evil.example";
const DOC = fileURLToPath(new URL("../../docs/fault-campaign.md", import.meta.url));
const SECTION = "### Hostile inputs (desk, portal, enrolment, PINs)";

const upload = (fileName: string, bytes: Buffer | string) => ({
  fileName,
  contentBase64: Buffer.from(bytes).toString("base64"),
});

function aMondayAhead(): string {
  const d = new Date(Date.now() + 21 * 86_400_000);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The route's path with every parameter (`:id`, `:part{regex}`) and wildcard filled in. */
function fill(path: string, value: (param: string) => string): string {
  return path.replace(/:(\w+)(\{[^}]*\})?/g, (_m, name: string) => encodeURIComponent(value(name))).replace(/\*/g, "x");
}

/** Every state-changing route the app serves under `prefix` (Hono's own route table, middleware aside). */
function unsafeRoutes(app: ReturnType<typeof createApp>, prefix: string): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  const out: Array<{ method: string; path: string }> = [];
  for (const r of app.routes) {
    if (!UNSAFE.has(r.method) || !r.path.startsWith(prefix)) continue;
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, path: r.path });
  }
  return out;
}

function getRoutes(app: ReturnType<typeof createApp>): string[] {
  return [...new Set(app.routes.filter((r) => r.method === "GET").map((r) => r.path))];
}

const allRows: Record<string, CampaignRow[]> = {};

describe.each(testBackends())("hostile inputs on %s", (backend) => {
  let w: TestWorld;
  let app: ReturnType<typeof createApp>;
  let admin: DeskClient;
  /** Party A (SUPPLIER-A) owns the demo booking; Party B's user is the attacker. */
  let patA: DeskClient;
  let bob: DeskClient;
  const rows: CampaignRow[] = [];
  allRows[backend] = rows;
  let victim: { bookingRef: string; deliveryRef: string; workOrderId: string; requestId: string; deviceId: string };

  beforeAll(async () => {
    w = await openTestWorld(backend);
    app = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      desk: { policy: FAST_POLICY, deskDist: null },
    });
    admin = await signedIn(app, w.database.db, "dcc-admin");
    patA = await signedIn(app, w.database.db, "party-user", "SUPPLIER-A");
    bob = await signedIn(app, w.database.db, "party-user", "SUPPLIER-B");
    const b = await w.database.db
      .selectFrom("bookings")
      .select(["booking_ref", "delivery_ref", "work_order_id"])
      .where("booking_ref", "=", w.bookingRef)
      .executeTakeFirstOrThrow();
    const req = await w.database.db
      .selectFrom("requests")
      .select("id")
      .where("party_id", "=", "SUPPLIER-A")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const hub = await w.database.db
      .selectFrom("inventory")
      .select("device_id")
      .where("assigned_party", "=", "SUPPLIER-A")
      .orderBy("device_id")
      .executeTakeFirstOrThrow();
    victim = {
      bookingRef: b.booking_ref,
      deliveryRef: b.delivery_ref,
      workOrderId: b.work_order_id,
      requestId: req.id,
      deviceId: hub.device_id,
    };
  });
  afterAll(async () => w?.close());

  const db = () => w.database.db;

  /** A refusal: 4xx (or the one status expected), its reason in plain words. */
  function refusedPlainly(r: { status: number; text: string }, what: string, status?: number | number[]): boolean {
    const okStatus =
      status === undefined ? r.status >= 400 && r.status < 500 : ([] as number[]).concat(status).includes(r.status);
    expect(okStatus, `${what}: answered ${r.status} ${r.text.slice(0, 200)}`).toBe(true);
    expect(notPlain(r.text), what).toBeNull();
    return okStatus;
  }

  /**
   * Runs `attack` between two fingerprints; every table must be unchanged but `bookkeeping` (the
   * tables that count the attempts themselves: a failure count, a lock).
   */
  async function nothingStored<T>(
    what: string,
    attack: () => Promise<T>,
    bookkeeping: readonly string[] = [],
  ): Promise<{ result: T; stored: number }> {
    const before = await fingerprint(db());
    const result = await attack();
    const changed = changedTables(before, await fingerprint(db())).filter((t) => !bookkeeping.includes(t));
    expect(changed, `${what} changed tables`).toEqual([]);
    return { result, stored: changed.length };
  }

  it("CSRF: every state-changing desk route refuses a missing or wrong token and a foreign origin", async () => {
    const routes = unsafeRoutes(app, "/desk/api");
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.map((r) => r.path)).toEqual(expect.arrayContaining(["/desk/api/sign-in", "/desk/api/portal/submit"]));
    const csrf = admin.cookies.get("desk_csrf") ?? "";
    const otherCsrf = bob.cookies.get("desk_csrf") ?? "";
    expect(csrf).not.toBe(otherCsrf);
    const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let attempts = 0;
    let refused = 0;
    let sample = "";
    const { stored } = await nothingStored("CSRF", async () => {
      for (const route of routes) {
        const url = `${DESK_ORIGIN}${fill(route.path, () => "X-1")}`;
        const open = OPEN_ROUTES.has(route.path);
        const body = open ? JSON.stringify({ email: "nobody@x.example", password: "whatever it is" }) : "{}";
        const attacks: Array<{ name: string; headers: Record<string, string>; expect: [number, string] }> = [
          { name: "foreign Origin", headers: { origin: EVIL, "x-csrf-token": csrf }, expect: [403, "cross-origin"] },
          {
            name: "Origin null (a sandboxed frame)",
            headers: { origin: "null", "x-csrf-token": csrf },
            expect: [403, "cross-origin"],
          },
          {
            name: "the desk's host on another port",
            headers: { origin: `${DESK_ORIGIN}:8080`, "x-csrf-token": csrf },
            expect: [403, "cross-origin"],
          },
          {
            name: "a sibling site, no Origin",
            headers: { "sec-fetch-site": "same-site", "x-csrf-token": csrf },
            expect: [403, "cross-origin"],
          },
          {
            name: "cross-site fetch, no Origin",
            headers: { "sec-fetch-site": "cross-site", "x-csrf-token": csrf },
            expect: [403, "cross-origin"],
          },
        ];
        if (!open)
          attacks.push(
            { name: "no CSRF token", headers: { origin: DESK_ORIGIN }, expect: [403, "csrf"] },
            {
              name: "another session's CSRF token",
              headers: { origin: DESK_ORIGIN, "x-csrf-token": otherCsrf },
              expect: [403, "csrf"],
            },
            { name: "empty CSRF token", headers: { origin: DESK_ORIGIN, "x-csrf-token": "" }, expect: [403, "csrf"] },
          );
        for (const a of attacks) {
          attempts += 1;
          const res = await app.request(url, {
            method: route.method,
            headers: { cookie, "content-type": "application/json", ...a.headers },
            body,
          });
          const text = await res.text();
          const what = `${a.name} on ${route.method} ${route.path}`;
          expect(res.status, `${what}: ${text}`).toBe(a.expect[0]);
          expect((JSON.parse(text) as { error: string }).error, what).toBe(a.expect[1]);
          if (refusedPlainly({ status: res.status, text }, what)) refused += 1;
          if (sample === "" && a.expect[1] === "csrf") sample = reasonOf(text);
        }
        if (!open) {
          // No session at all, right origin: signed out, before any handler.
          attempts += 1;
          const res = await app.request(url, {
            method: route.method,
            headers: { origin: DESK_ORIGIN, "content-type": "application/json" },
            body,
          });
          const text = await res.text();
          expect(res.status, `no session on ${route.method} ${route.path}`).toBe(401);
          if (refusedPlainly({ status: res.status, text }, `no session on ${route.path}`)) refused += 1;
        }
      }
    });
    rows.push({
      row: `CSRF on ${routes.length} state-changing desk routes (from the app's route table)`,
      attempts,
      refused,
      stored,
      reason: sample,
    });
    expect(refused).toBe(attempts);
  });

  it("session fixation: a session id chosen before sign-in is never the one after; a signed-out cookie is dead", async () => {
    const email = `fix-${randomUUID()}@test.example`;
    const password = "a fixation test password";
    await createPerson(
      deskDb(db()),
      { email, name: "Fix Target", role: "party-user", partyId: "SUPPLIER-A", password },
      FAST_POLICY.cost,
    );
    let attempts = 0;
    let refused = 0;
    let sample = "";
    const me = async (cookies: Map<string, string>) => {
      const c = new DeskClient(app);
      c.cookies = new Map(cookies);
      return c.call("GET", "/desk/api/me");
    };
    // 1. An attacker-chosen id planted before sign-in.
    const planted = randomBytes(32).toString("base64url");
    const victimBrowser = new DeskClient(app);
    victimBrowser.cookies.set("desk_session", planted);
    victimBrowser.cookies.set("desk_csrf", "attacker-known-csrf");
    const sessionsBefore = await deskDb(db()).selectFrom("desk_sessions").select("token_hash").execute();
    expect((await victimBrowser.call("POST", "/desk/api/sign-in", { email, password })).status).toBe(200);
    expect(victimBrowser.cookies.get("desk_session")).not.toBe(planted);
    expect(victimBrowser.cookies.get("desk_csrf")).not.toBe("attacker-known-csrf");
    attempts += 1;
    const fixed = await me(new Map([["desk_session", planted]]));
    if (refusedPlainly(fixed, "the planted session id after sign-in", 401)) refused += 1;
    sample = reasonOf(fixed.text);
    // 2. The attacker's own real session planted: the victim's sign-in does not turn it into theirs.
    const attackerCookie = bob.cookies.get("desk_session") ?? "";
    const victim2 = new DeskClient(app);
    victim2.cookies.set("desk_session", attackerCookie);
    expect((await victim2.call("POST", "/desk/api/sign-in", { email, password })).status).toBe(200);
    expect(victim2.cookies.get("desk_session")).not.toBe(attackerCookie);
    attempts += 1;
    const still = await me(new Map([["desk_session", attackerCookie]]));
    expect(still.status).toBe(200);
    expect(still.json.email, "the planted session stays the attacker's own").not.toBe(email);
    if (still.json.email !== email) refused += 1;
    // 3. Sign out: the old cookie and CSRF token are dead for reads and writes.
    const old = new Map(victimBrowser.cookies);
    expect((await victimBrowser.call("POST", "/desk/api/sign-out")).status).toBe(200);
    const afterOut = new DeskClient(app);
    afterOut.cookies = old;
    for (const [method, path, body] of [
      ["GET", "/desk/api/me", undefined],
      ["GET", "/desk/api/portal/bookings", undefined],
      ["POST", "/desk/api/portal/forecasts", { periodStart: "2027-01-01", hubs: 10 }],
      ["POST", "/desk/api/password", { currentPassword: password, newPassword: "a brand new password 1" }],
    ] as const) {
      attempts += 1;
      const { result } = await nothingStored(`signed-out ${path}`, () => afterOut.call(method, path, body));
      if (refusedPlainly(result, `signed-out cookie on ${method} ${path}`, 401)) refused += 1;
    }
    // 4. A session id guessed outright.
    for (let i = 0; i < 20; i++) {
      attempts += 1;
      const r = await me(new Map([["desk_session", randomBytes(32).toString("base64url")]]));
      if (refusedPlainly(r, "a guessed session id", 401)) refused += 1;
    }
    const sessionsAfter = await deskDb(db()).selectFrom("desk_sessions").select("token_hash").execute();
    // Two sign-ins made two sessions; signing out ended one; nothing else was stored.
    expect(sessionsAfter.length).toBe(sessionsBefore.length + 1);
    rows.push({
      row: "session fixation: planted id, planted real session, signed-out cookie, guessed ids",
      attempts,
      refused,
      stored: sessionsAfter.length - sessionsBefore.length - 1,
      reason: sample,
    });
    expect(refused).toBe(attempts);
  });

  it("IDOR: a Party user reads or writes nothing of another Party's by id", async () => {
    const secrets = [
      victim.bookingRef,
      victim.deliveryRef,
      victim.workOrderId,
      victim.requestId,
      victim.deviceId,
      "SUPPLIER-A",
      "Supplier A Energy",
    ];
    /** Party A's identifiers in an answer; a refusal may repeat the one id the attacker sent ("you have no booking …"). */
    const leaks = (text: string, status = 200, sent = "") =>
      secrets.filter((s) => text.includes(s) && !(status >= 400 && sent.includes(encodeURIComponent(s))));
    let attempts = 0;
    let refused = 0;
    let sample = "";
    const ids = [victim.bookingRef, victim.requestId, victim.deviceId, victim.workOrderId, "SUPPLIER-A"];
    const bearer = w.tokens.parties["SUPPLIER-B"] ?? "";
    const query = `?partyId=SUPPLIER-A&party=SUPPLIER-A&from=2020-01-01&to=2030-12-31`;
    let dccWrites = 0;
    const { stored } = await nothingStored("IDOR", async () => {
      // Every GET route of the app: the desk as Party B's user, the rest with Party B's bearer token.
      for (const path of getRoutes(app)) {
        if (!path.startsWith("/desk/api") && path.startsWith("/desk")) continue;
        const variants = /[:*]/.test(path) ? ids.map((id) => fill(path, () => id)) : [path];
        for (const p of variants) {
          attempts += 1;
          const r = p.startsWith("/desk/api")
            ? await bob.call("GET", `${p}${query}`)
            : await w.call("GET", `${p}${query}`, { token: bearer });
          const leaked = leaks(r.text, r.status, p);
          expect(leaked, `GET ${p} as Party B showed Party A's ${leaked.join(", ")}`).toEqual([]);
          if (r.status >= 400) {
            expect(notPlain(r.text), `GET ${p}`).toBeNull();
            if (sample === "" && /booking/.test(r.text)) sample = reasonOf(r.text);
          }
          if (leaked.length === 0) refused += 1;
        }
      }
      // Writes on Party A's booking by its reference, each body valid so only ownership refuses it.
      const ref = encodeURIComponent(victim.bookingRef);
      const dispatchCsv = `${DISPATCH_COLUMNS.join(",")}\r\n${withCheckDigit("39999990000000001")},P1,${victim.deviceId}\r\n`;
      const writes: Array<[string, unknown]> = [
        [`/desk/api/portal/bookings/${ref}/late-arrival`, { etaDate: aMondayAhead(), etaTime: "11:00" }],
        [
          `/desk/api/portal/bookings/${ref}/redelivery`,
          {
            deliveryDate: aMondayAhead(),
            deliveryWindow: { start: "10:00", end: "12:00" },
            deliveryLocationId: "SUPPLIER-A-DEPOT",
          },
        ],
        [
          `/desk/api/portal/bookings/${ref}/dispatch`,
          { sentAt: new Date().toISOString(), partySignifier: "B", file: upload("d.csv", dispatchCsv) },
        ],
      ];
      for (const [path, body] of writes) {
        attempts += 1;
        const r = await bob.call("POST", path, body);
        expect(leaks(r.text, r.status, path), `POST ${path}`).toEqual([]);
        if (refusedPlainly(r, `Party B's POST ${path}`, [403, 404])) refused += 1;
        sample ||= reasonOf(r.text);
      }
      // Every DCC write at the desk, by Party B's user with a valid session and CSRF token: the role refuses it.
      const own = /^\/desk\/api\/(portal\/|sign-in$|sign-out$|setup$|password$)/;
      for (const route of unsafeRoutes(app, "/desk/api").filter((r) => !own.test(r.path))) {
        for (const id of [victim.bookingRef, "SUPPLIER-A"]) {
          attempts += 1;
          const path = fill(route.path, () => id);
          const r = await bob.call(route.method, path, {});
          if (refusedPlainly(r, `Party B's ${route.method} ${route.path}`, 403)) {
            refused += 1;
            dccWrites += 1;
          }
        }
      }
    });
    rows.push({
      row: "IDOR: Party B's user and token on every GET route, Party A's booking writes and every DCC write, by A's ids",
      attempts,
      refused,
      stored,
      reason: `${sample} (${dccWrites} DCC writes answered 403 for the role)`,
    });
    expect(refused).toBe(attempts);
  });

  it("brute-forced passwords: the lock comes after the configured failures, on that account only", async () => {
    const make = async (tag: string) => {
      const email = `${tag}-${randomUUID()}@test.example`;
      const password = `the right password of ${tag}`;
      await createPerson(
        deskDb(db()),
        { email, name: tag, role: "party-user", partyId: "SUPPLIER-A", password },
        FAST_POLICY.cost,
      );
      return { email, password };
    };
    const target = await make("target");
    const bystander = await make("bystander");
    const guesses = 30;
    let refused = 0;
    let locked = 0;
    let sample = "";
    const auditBefore = await auditCount(db(), ["sign-in.failed", "account.locked", "sign-in.refused"], target.email);
    const { stored } = await nothingStored(
      "password guesses",
      async () => {
        // The lock and the failure count are the only rows these attempts may change.
        for (let i = 0; i < guesses; i++) {
          const c = new DeskClient(app);
          const r = await c.call("POST", "/desk/api/sign-in", {
            email: target.email,
            password: `guess ${i} ${"x".repeat(i)}`,
          });
          if (refusedPlainly(r, `guess ${i}`, i < FAST_POLICY.maxFailures - 1 ? 401 : 403)) refused += 1;
          if (r.status === 403) locked += 1;
          if (i === FAST_POLICY.maxFailures - 1) sample = reasonOf(r.text);
          expect(c.cookies.has("desk_session")).toBe(false);
        }
      },
      ["people"],
    );
    // The right password now: still refused while locked.
    const right = await new DeskClient(app).call("POST", "/desk/api/sign-in", target);
    expect(right.status).toBe(403);
    expect(right.json.error).toBe("account-locked");
    // The lock is on the target only: another account signs in at once.
    expect((await new DeskClient(app).call("POST", "/desk/api/sign-in", bystander)).status).toBe(200);
    const person = await deskDb(db())
      .selectFrom("people")
      .select(["locked_until", "failed_attempts"])
      .where("email", "=", target.email)
      .executeTakeFirstOrThrow();
    expect(person.locked_until).not.toBeNull();
    const other = await deskDb(db())
      .selectFrom("people")
      .select(["locked_until"])
      .where("email", "=", bystander.email)
      .executeTakeFirstOrThrow();
    expect(other.locked_until).toBeNull();
    const sessions = await deskDb(db())
      .selectFrom("desk_sessions")
      .innerJoin("people", "people.id", "desk_sessions.person_id")
      .select("desk_sessions.token_hash")
      .where("people.email", "=", target.email)
      .execute();
    expect(sessions).toEqual([]);
    const audited =
      (await auditCount(db(), ["sign-in.failed", "account.locked", "sign-in.refused"], target.email)) - auditBefore;
    expect(audited).toBe(guesses + 1);
    const perHour = (FAST_POLICY.maxFailures * 60) / FAST_POLICY.lockMinutes;
    rows.push({
      row: `brute-forced password: ${guesses} guesses + the right one (lock after ${FAST_POLICY.maxFailures}, ${FAST_POLICY.lockMinutes} min: at most ${perHour} guesses/hour, ${perHour * 24}/day per account)`,
      attempts: guesses + 1,
      refused: refused + 1,
      stored: stored + sessions.length,
      reason: `${sample} (${locked + 1} answered locked; ${audited} audited; the bystander signs in)`,
    });
  });

  it("enrolment: replayed, wrong, foreign and expired codes and revoked dock tokens are refused", async () => {
    const dockId = "DOCK-N1";
    const otherDock = "DOCK-CS1";
    const enrol = (body: unknown) => w.call("POST", "/enrol", { token: null, body });
    const tokenCount = async () =>
      Number(
        (
          await db()
            .selectFrom("api_tokens")
            .select((e) => e.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    let attempts = 0;
    let refused = 0;
    let sample = "";
    const issued = await admin.call("POST", `/desk/api/docks/${dockId}/enrolment`, {});
    expect(issued.status).toBe(201);
    const code = String(issued.json.code);
    const auditBefore = await auditCount(db(), ["dock.enrol-refused"]);
    const tokensBefore = await tokenCount();
    const refuse = async (what: string, body: unknown) => {
      attempts += 1;
      const { result } = await nothingStored(what, async () => enrol(body), ["dock_enrolments"]);
      if (refusedPlainly(result, what, [400, 403])) refused += 1;
      sample ||= reasonOf(result.text);
      return result;
    };
    // Another dock's code, and codes that are not this one.
    await refuse("the code for another dock", { dockId: otherDock, code });
    await refuse("a malformed code", { dockId, code: "'; drop table api_tokens; --" });
    expect(await tokenCount()).toBe(tokensBefore);
    // The right code once: a token; the same code again: refused.
    const ok = await enrol({ dockId, code });
    expect(ok.status).toBe(201);
    const firstToken = String((ok.json as { token: string }).token);
    await refuse("the same code replayed", { dockId, code });
    // An expired code (issued 25 hours ago for 24 hours).
    const expired = await issueEnrolmentCode(deskDb(db()), dockId, "test", 24, new Date(Date.now() - 25 * 3_600_000));
    await refuse("an expired code", { dockId, code: expired.code });
    // Five wrong codes void an open code: the right one is refused after.
    const fresh = await admin.call("POST", `/desk/api/docks/${dockId}/enrolment`, {});
    const freshCode = String(fresh.json.code);
    for (let i = 0; i < 5; i++) await refuse(`wrong code ${i + 1}`, { dockId, code: "AAAA-BBBB-CCCC" });
    await refuse("the right code after five wrong ones", { dockId, code: freshCode });
    const enrolRefusals = (await auditCount(db(), ["dock.enrol-refused"])) - auditBefore;
    // A revoked dock token: the seed's token was revoked by the enrolment, then the desk revokes the new one.
    const seedToken = w.tokens.docks[dockId] ?? "";
    for (const [what, token] of [["the token an enrolment replaced", seedToken]] as const) {
      attempts += 1;
      const r = await w.call("POST", "/sync/pull", { token, body: { cursor: "0" } });
      if (refusedPlainly(r, what, 401)) refused += 1;
    }
    expect((await admin.call("POST", `/desk/api/docks/${dockId}/revoke`, {})).status).toBe(200);
    attempts += 1;
    const revoked = await w.call("POST", "/sync/pull", { token: firstToken, body: { cursor: "0" } });
    if (refusedPlainly(revoked, "a token the desk revoked", 401)) refused += 1;
    expect(await tokenCount()).toBe(tokensBefore + 1);
    rows.push({
      row: "enrolment: another dock's, malformed, replayed, expired, 5 wrong then right codes; replaced and revoked tokens",
      attempts,
      refused,
      stored: (await tokenCount()) - tokensBefore - 1,
      reason: `${sample} (${enrolRefusals} refusals audited; revoked: ${reasonOf(revoked.text)})`,
    });
    // All but the malformed code (refused by the schema) and the two dead tokens are enrolment refusals the audit shows.
    expect(enrolRefusals).toBe(attempts - 3);
    expect(refused).toBe(attempts);
  });

  it("PINs at the dock: 10,000 guesses through the dock's lockout rules", () => {
    const guesses = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, "0"));
    const r = bruteForcePins({ guesses, secret: "9999", everyMs: 1_000 });
    expect(r.checked).toBe(10_000);
    expect(r.foundAtMs).not.toBeNull();
    // With 5 failures per lock and locks of 5 minutes doubling to an hour, a day holds at most 5 × 24 + the warm-up.
    expect(r.checkedInFirstHour).toBeLessThanOrEqual(DEFAULT_LOCKOUT.maxFailures * 4);
    expect(r.checkedInFirstDay).toBeLessThanOrEqual(DEFAULT_LOCKOUT.maxFailures * 30);
    const days = (r.foundAtMs ?? 0) / 86_400_000;
    if (backend === "pglite")
      console.log(
        `[hostile] PIN brute force: ${r.checkedInFirstHour} guesses checked in the first hour, ${r.checkedInFirstDay} in the first day, all 10,000 after ${days.toFixed(1)} days (${r.lockouts} lockouts, ${r.refusedLocked} typed guesses refused unchecked)`,
      );
    rows.push({
      row: `PIN brute force at one dock, 4 digits, 1 guess/s (dock rule: ${DEFAULT_LOCKOUT.maxFailures} wrong → lock ${DEFAULT_LOCKOUT.lockMs / 60_000} min doubling to ${DEFAULT_LOCKOUT.maxLockMs / 60_000})`,
      attempts: r.checked,
      refused: r.checked - 1,
      stored: 0,
      reason: `${r.checkedInFirstHour} guesses checked in hour 1, ${r.checkedInFirstDay} in day 1; the 10,000th after ${days.toFixed(1)} days (${r.lockouts} lockouts; ${(r.refusedLocked / 1e6).toFixed(2)} M keypresses refused unchecked while locked)`,
    });
  });

  it("malicious CSV and XLSX uploads: refused with a reason on every upload path, nothing stored", async () => {
    const pallet = withCheckDigit("39999990000000011");
    const carton = withCheckDigit("39999990000000012");
    const hubRow = (id: string) => [pallet, carton, id, "0002012F", "AB01", "010A030B"];
    const csv = (rows: string[][]) =>
      [TEMPLATE_COLUMNS, ...rows]
        .map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(","))
        .join("\r\n") + "\r\n";
    const xlsx = async (cells: Array<Array<string | { formula: string }>>, version?: string) => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet("Hubs");
      ws.addRow([...TEMPLATE_COLUMNS]);
      for (const r of cells) ws.addRow(r);
      if (version !== undefined) wb.addWorksheet("About").addRow(["Template", version]);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    const files: Array<{ name: string; file: { fileName: string; contentBase64: string } }> = [];
    FORMULA_CELLS.forEach((f, i) => {
      const row = hubRow(victim.deviceId);
      row[i % row.length] = f;
      files.push({ name: `CSV formula ${JSON.stringify(f.slice(0, 6))}`, file: upload("f.csv", csv([row])) });
    });
    files.push({
      name: "XLSX formula cell",
      file: upload(
        "f.xlsx",
        await xlsx([[pallet, carton, { formula: "cmd|' /C calc'!A0" }, "0002012F", "AB01", "010A030B"]]),
      ),
    });
    const zeros = Buffer.alloc(48 * 1024 * 1024);
    const bomb = zipOf([{ name: "xl/worksheets/sheet1.xml", data: zeros }]);
    const liar = zipOf([
      { name: "xl/worksheets/sheet1.xml", data: zeros.subarray(0, 8 * 1024 * 1024), declaredSize: 1000 },
    ]);
    const ratio = zipOf([{ name: "xl/worksheets/sheet1.xml", data: zeros.subarray(0, 4 * 1024 * 1024) }]);
    files.push(
      { name: `zip bomb XLSX (${(bomb.length / 1024).toFixed(0)} KiB → 48 MiB)`, file: upload("bomb.xlsx", bomb) },
      { name: "zip bomb XLSX lying about its size (declares 1000 B, inflates 8 MiB)", file: upload("liar.xlsx", liar) },
      { name: "XLSX part inflating 1000× (4 MiB)", file: upload("ratio.xlsx", ratio) },
    );
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv([hubRow(victim.deviceId)]), "utf16le")]);
    const latin1 = Buffer.from(csv([hubRow(victim.deviceId)]).replace("Device ID", "Device ID é"), "latin1");
    const midBom = csv([hubRow(victim.deviceId)]) + "\uFEFF" + csv([hubRow("00-DE-5C-00-00-00-00-77")]);
    files.push(
      { name: "UTF-16 CSV", file: upload("u16.csv", utf16) },
      { name: "Latin-1 bytes in a CSV", file: upload("l1.csv", latin1) },
      { name: "a BOM in the middle (two CSVs joined)", file: upload("mid.csv", midBom) },
      {
        // (At a cell's edge a BOM is read as white space, as a scanner's edge noise is: the hub's canonical ID is what counts.)
        name: "a BOM inside a Device ID",
        file: upload("bomcell.csv", csv([hubRow(`${victim.deviceId.slice(0, 5)}\uFEFF${victim.deviceId.slice(5)}`)])),
      },
      {
        name: "a NUL and a lone surrogate in cells",
        file: upload("nul.csv", csv([hubRow(`${victim.deviceId}\u0000`), hubRow("\uD800")])),
      },
      {
        name: "XLSX of another template version",
        file: upload("v0.xlsx", await xlsx([hubRow(victim.deviceId)], "RFD-REQUEST-TEMPLATE-0")),
      },
      {
        name: "a GUID twice in one file",
        file: upload("twice.csv", csv([hubRow(victim.deviceId), hubRow(victim.deviceId)])),
      },
      { name: "garbage bytes named .xlsx", file: upload("junk.xlsx", randomBytes(64 * 1024)) },
      { name: "garbage bytes named .csv", file: upload("junk.csv", randomBytes(64 * 1024)) },
      { name: "not base64", file: { fileName: "x.csv", contentBase64: "%%%not base64%%%" } },
    );
    const details = {
      facilityId: "N-DOCK-1",
      deliveryLocationId: "LOC-N-DOCK-1",
      deliveryDate: aMondayAhead(),
      deliveryWindow: { start: "10:00", end: "12:00" },
      redelivery: {
        locationId: "SUPPLIER-A-DEPOT",
        deliveryDate: aMondayAhead(),
        deliveryWindow: { start: "10:00", end: "12:00" },
      },
      contact: { name: "Pat Party", email: "pat@supplier-a.example", phone: "+44 161 000 0000" },
    };
    const paths: Array<{
      name: string;
      send: (f: { fileName: string; contentBase64: string }) => ReturnType<DeskClient["call"]>;
    }> = [
      { name: "check", send: (f) => patA.call("POST", "/desk/api/portal/check", f) },
      {
        name: "submit",
        send: (f) => patA.call("POST", "/desk/api/portal/submit", { file: f, details, clientRequestId: randomUUID() }),
      },
      {
        name: "dispatch",
        send: (f) =>
          patA.call("POST", `/desk/api/portal/bookings/${encodeURIComponent(victim.bookingRef)}/dispatch`, {
            sentAt: new Date().toISOString(),
            partySignifier: "A",
            file: f,
          }),
      },
      { name: "inventory", send: (f) => admin.call("POST", "/desk/api/inventory/import", f) },
    ];
    for (const f of files) {
      let refused = 0;
      let sample = "";
      const { stored } = await nothingStored(f.name, async () => {
        for (const p of paths) {
          const r = await p.send(f.file);
          const problems = (r.json?.problems as unknown[] | undefined) ?? [];
          // The check is read-only: it answers 200 with the rows' problems, or 422 for a file it cannot read.
          const ok = p.name === "check" && r.status === 200 ? problems.length > 0 : r.status >= 400 && r.status < 500;
          expect(ok, `${f.name} on ${p.name}: ${r.status} ${r.text.slice(0, 300)}`).toBe(true);
          expect(notPlain(r.text), `${f.name} on ${p.name}`).toBeNull();
          if (ok) refused += 1;
          if (p.name === "submit" || sample === "") sample = reasonOf(r.text);
        }
      });
      rows.push({
        row: `upload: ${f.name} (check, submit, dispatch, inventory)`,
        attempts: paths.length,
        refused,
        stored,
        reason: sample,
      });
      expect(refused).toBe(paths.length);
    }
  });

  it("every CSV export neutralises formulas, from free text a DCC admin or a Party typed", async () => {
    // Formula text in every free-text field the desk takes: a Party's name, a facility's, a location's, a dispatch signifier.
    const typed: string[] = [];
    for (const [i, f] of FORMULA_CELLS.entries()) {
      const p = await admin.call("POST", "/desk/api/parties", {
        id: `EVIL-${i}`,
        name: f,
        email: `e${i}@evil.example`,
      });
      typed.push(`party ${p.status}`);
      const fac = await admin.call("POST", "/desk/api/facilities", {
        id: `EVIL-F${i}`,
        name: f,
        csp: "North",
        maxPallets: 10,
        address: f,
      });
      typed.push(`facility ${fac.status}`);
      const loc = await admin.call("POST", "/desk/api/parties/SUPPLIER-A/locations", {
        id: `EVIL-L${i}`,
        name: f,
        address: f,
      });
      typed.push(`location ${loc.status}`);
    }
    // A jig's words and a DCC note reach the manufacturer's returns list: a Fault Analysis Report on Party A's hub
    // (as a dock's fault.reported leaves it), then the hub returned with a formula as its note.
    await db()
      .insertInto("fault_reports")
      .values({
        event_id: `EV-HOSTILE-${backend}`,
        device_id: victim.deviceId,
        booking_ref: victim.bookingRef,
        reason: FORMULA_CELLS[0],
        manual: true,
        at: new Date().toISOString(),
      })
      .execute();
    const returned = await admin.call("POST", `/desk/api/dispositions/${encodeURIComponent(victim.deviceId)}`, {
      disposition: "returned-to-manufacturer",
      note: FORMULA_CELLS[0],
    });
    expect(returned.status, returned.text).toBeLessThan(300);
    const csvRoutes = getRoutes(app).filter((p) => /csv/.test(p));
    let attempts = 0;
    let refused = 0;
    let cells = 0;
    let neutralised = 0;
    const q = "?from=2020-01-01&to=2030-12-31&manufacturer=AB01";
    for (const path of csvRoutes) {
      const p = fill(path, (name) => (name === "part" ? "sites.csv" : victim.bookingRef));
      const r = p.startsWith("/desk/api/portal")
        ? await patA.call("GET", `${p}${q}`)
        : p.startsWith("/desk/api")
          ? await admin.call("GET", `${p}${q}`)
          : await w.call("GET", `${p}${q}`, { token: w.tokens.dcc });
      if (r.status !== 200) continue;
      attempts += 1;
      const records = parse(r.text, { bom: true, relax_column_count: true }) as string[][];
      const runnable = records.flat().filter((c) => RUNNABLE_CELL.test(c));
      cells += records.flat().length;
      neutralised += records.flat().filter((c) => /^'[=+\-@\t\r]/.test(c)).length;
      expect(runnable, `${p} exports runnable cells`).toEqual([]);
      if (runnable.length === 0) refused += 1;
    }
    rows.push({
      row: `formulas on every CSV export (${csvRoutes.length} routes; ${FORMULA_CELLS.length} formulas typed as Party, facility and location names and a returned hub's note: ${[...new Set(typed)].join(", ")}, note ${returned.status})`,
      attempts,
      refused,
      stored: 0,
      reason: `${cells} cells exported (${neutralised} neutralised with a leading '), none begins with = + - @ tab or CR`,
    });
    // The returned hub's note did reach an export, neutralised: the check above is not vacuous.
    expect(neutralised).toBeGreaterThan(0);
  });

  it("a 100 MB body over real HTTP is refused by its size before parsing, streamed, memory flat", async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await once(server, "listening");
    const port = (server.address() as AddressInfo).port;
    const origin = `http://127.0.0.1:${port}`;
    const total = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, "A");
    const cookie = [...patA.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const send = (declared: boolean) =>
      new Promise<{ status: number; text: string; written: number; rssGrowth: number }>((resolve, reject) => {
        const rss0 = process.memoryUsage().rss;
        let peak = rss0;
        let written = 0;
        let answered = false;
        const req = httpRequest({
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/desk/api/portal/submit",
          headers: {
            origin,
            cookie,
            "x-csrf-token": patA.cookies.get("desk_csrf") ?? "",
            "content-type": "application/json",
            ...(declared ? { "content-length": String(total) } : {}),
          },
        });
        req.on("response", (res) => {
          answered = true;
          const parts: Buffer[] = [];
          res.on("data", (d: Buffer) => parts.push(d));
          res.on("end", () => {
            req.destroy();
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(parts).toString("utf8"),
              written,
              rssGrowth: peak - rss0,
            });
          });
        });
        req.on("error", (e) => {
          if (!answered) reject(e);
        });
        const pump = () => {
          while (!answered && written < total) {
            peak = Math.max(peak, process.memoryUsage().rss);
            const n = Math.min(chunk.length, total - written);
            written += n;
            if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
          }
          if (!answered) req.end();
        };
        req.write('{"file":{"fileName":"big.csv","contentBase64":"');
        pump();
      });
    let attempts = 0;
    let refused = 0;
    let sample = "";
    const figures: string[] = [];
    try {
      const { result } = await nothingStored("100 MB bodies", async () => [await send(true), await send(false)]);
      for (const [i, r] of result.entries()) {
        attempts += 1;
        if (refusedPlainly(r, `100 MB body (${i === 0 ? "declared" : "chunked"})`, 413)) refused += 1;
        sample ||= reasonOf(r.text);
        // Refused long before the 100 MB were sent, and central held no copy of them.
        expect(r.written).toBeLessThan(total);
        expect(r.rssGrowth).toBeLessThan(96 * 1024 * 1024);
        figures.push(
          `${i === 0 ? "Content-Length 100 MiB" : "chunked"}: answered after ${(r.written / 1024 / 1024).toFixed(1)} MiB sent, rss +${(r.rssGrowth / 1024 / 1024).toFixed(0)} MiB`,
        );
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
    rows.push({
      row: "100 MiB upload body over HTTP (declared, and chunked without a length)",
      attempts,
      refused,
      stored: 0,
      reason: `${sample} (${figures.join("; ")})`,
    });
    expect(refused).toBe(attempts);
  });

  it("password spraying and code guessing from one address: counted per address, then 429 before any work", async () => {
    // A central of its own (its own rate limiter), over real HTTP: the address is the socket's.
    const sprayed = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      desk: { policy: FAST_POLICY, deskDist: null },
    });
    const server = serve({ fetch: sprayed.fetch, port: 0, hostname: "127.0.0.1" });
    await once(server, "listening");
    const port = (server.address() as AddressInfo).port;
    const origin = `http://127.0.0.1:${port}`;
    const post = (path: string, body: unknown, from = "127.0.0.1") =>
      new Promise<{ status: number; text: string; retryAfter: string | undefined }>((resolve, reject) => {
        const data = JSON.stringify(body);
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            localAddress: from,
            method: "POST",
            path,
            headers: { origin, "content-type": "application/json", "content-length": String(Buffer.byteLength(data)) },
          },
          (res) => {
            const parts: Buffer[] = [];
            res.on("data", (d: Buffer) => parts.push(d));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                text: Buffer.concat(parts).toString("utf8"),
                retryAfter: res.headers["retry-after"] as string | undefined,
              }),
            );
          },
        );
        req.on("error", reject);
        req.end(data);
      });
    const limit = w.business.rateLimit.failedAuthPerAddressPerMinute;
    // Real accounts, one wrong password each: no account reaches its own lock.
    const people: Array<{ email: string; password: string }> = [];
    for (let i = 0; i < 10; i++) {
      const email = `spray-${i}-${randomUUID()}@test.example`;
      const password = `spray password number ${i}`;
      await createPerson(
        deskDb(db()),
        { email, name: `Spray ${i}`, role: "party-user", partyId: "SUPPLIER-B", password },
        FAST_POLICY.cost,
      );
      people.push({ email, password });
    }
    const tries = 2 * limit;
    const auditBefore = await auditCount(db(), ["sign-in.failed", "dock.enrol-refused"]);
    let refused = 0;
    let limited = 0;
    let sample = "";
    try {
      const { stored } = await nothingStored(
        "spraying",
        async () => {
          for (let i = 0; i < tries; i++) {
            const r =
              i % 3 === 2
                ? await post("/enrol", { dockId: "DOCK-N1", code: "AAAA-BBBB-CCCC" })
                : await post("/desk/api/sign-in", {
                    email: people[i % people.length]?.email ?? "x@x.example",
                    password: `spray guess ${i}`,
                  });
            if (refusedPlainly(r, `spray ${i}`, [401, 403, 429])) refused += 1;
            if (r.status === 429) {
              limited += 1;
              expect(r.retryAfter).toMatch(/^[1-9][0-9]*$/);
              sample ||= reasonOf(r.text);
            }
          }
        },
        ["people"],
      );
      const audited = (await auditCount(db(), ["sign-in.failed", "dock.enrol-refused"])) - auditBefore;
      // Every attempt past the limit was refused before it was checked or written down.
      expect(limited).toBe(tries - limit);
      expect(audited).toBe(limit);
      // Another address is not held back: a right password from 127.0.0.2 signs in.
      const other = people[0];
      if (other === undefined) throw new Error("no person");
      const fromElsewhere = await post("/desk/api/sign-in", other, "127.0.0.2");
      expect(fromElsewhere.status, fromElsewhere.text).toBe(200);
      rows.push({
        row: `password spraying and enrolment-code guessing from one address over HTTP (${people.length} accounts, 1 wrong password each; wrong codes)`,
        attempts: tries,
        refused,
        stored,
        reason: `${sample} (${limited} answered 429 before any check; ${audited} checked and audited; another address signs in)`,
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(refused).toBe(tries);
  });
});

afterAll(async () => {
  // The figures of this run go into docs/fault-campaign.md (PGlite's table; PostgreSQL's when it ran).
  const pglite = allRows.pglite ?? [];
  const postgres = allRows.postgres ?? [];
  const ran = postgres.length > 0 ? "PGlite and PostgreSQL (a count that differs shows both, PGlite first)" : "PGlite";
  const tables = `One run on ${ran}, ${new Date().toISOString().slice(0, 10)}:\n\n${figuresTable(pglite, postgres)}\n`;
  console.log(`\n[hostile] the figures\n${tables}`);
  if (process.env.HOSTILE_WRITE_DOC !== "1") return;
  const doc = await readFile(DOC, "utf8");
  const start = doc.indexOf(SECTION);
  const end = start === -1 ? -1 : doc.indexOf("\n<!-- /hostile -->", start);
  const body = `${SECTION}\n\n<!-- written by central/campaign/hostile-inputs.test.ts (HOSTILE_WRITE_DOC=1) -->\n\n${tables}\n<!-- /hostile -->`;
  const next =
    start === -1 || end === -1
      ? `${doc.trimEnd()}\n\n${body}\n`
      : `${doc.slice(0, start)}${body}${doc.slice(end + "\n<!-- /hostile -->".length)}`;
  await writeFile(DOC, next);
});
