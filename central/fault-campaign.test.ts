/**
 * Fault campaign against central (issue 9): hostile HTTP on every endpoint, a dock token
 * used for another site, operators acting outside their role, and every push duplicated,
 * reordered and replayed. Each part prints one summary row
 * (campaign | tried | refused with reason | lost/duplicated | expected) and asserts the
 * expected numbers: every refusal a 4xx (or a per-event rejection) with a specific reason,
 * nothing changed by a refused request, 0 duplicate effects, the same final state.
 *
 * "Nothing changed" is checked with a fingerprint of every table (row count and an md5 of
 * the rows) and of the ASN number sequence, taken before and after each endpoint's attacks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdir } from "node:fs/promises";
import { sql } from "kysely";
import {
  makeEvent,
  liabilityTransferredPayload,
  type DockEvent,
  type DockEventType,
  type EventOf,
} from "../shared/events";
import { PullResponseSchema, PushResponseSchema, type PushResponse } from "../shared/sync";
import type { Booking } from "../shared/domain/booking";
import { hashToken } from "./http/auth";
import { ROLES_FOR_EVENT } from "./services/ingest";
import { loadBooking } from "./services/bookings";
import { flashEvent, faultEvent, hubsOf, scanEvent, type Who } from "./demo-events";
import { oneCartonManifest, openTestWorld, reserveAsnNumbers, testBackends, type TestWorld } from "./test-support";
import { mulberry32 as prng } from "../shared/domain/seeded-random";

const RECV: Who = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
const TECH: Who = { dockId: "DOCK-N1", operatorId: "OP-N-TECH" };
const SUP: Who = { dockId: "DOCK-N1", operatorId: "OP-N-SUP" };

function shuffle<T>(r: () => number, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
function cut<T>(r: () => number, xs: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length;) {
    const n = 1 + Math.floor(r() * max);
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}
/** The same event with its keys (and its payload's keys) in reverse order: equal content, other bytes. */
function reordered(e: DockEvent): Record<string, unknown> {
  const rev = (o: object) => Object.fromEntries(Object.entries(o).reverse());
  return rev({ ...e, payload: rev(e.payload) });
}

/** Columns that record when a row was written, or a generated serial: they differ between two worlds. */
const VOLATILE = [
  "at",
  "created_at",
  "updated_at",
  "received_at",
  "seq",
  "id",
  "next_attempt_at",
  "sent_at",
  "submitted_at",
  "reserved_at",
  "pin_set_at",
];
/** Tables that hold per-world secrets or signatures (random keys and tokens). */
const PER_WORLD = new Set(["api_tokens", "signing_keys", "firmware", "kysely_migration", "kysely_migration_lock"]);

async function tables(w: TestWorld): Promise<string[]> {
  const r = await sql<{
    table_name: string;
  }>`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
    w.database.db,
  );
  return r.rows.map((x) => x.table_name);
}

/** Row count and md5 of every table (and the ASN sequence): any write shows up here. */
async function fingerprint(w: TestWorld, names: readonly string[]): Promise<Record<string, string>> {
  const parts = names.map(
    (t) =>
      `select '${t}' as t, count(*)::text || ':' || md5(coalesce(string_agg(x.j, '|' order by x.j), '')) as h from (select to_jsonb(r)::text as j from "${t}" r) x`,
  );
  parts.push(`select 'asn_numbers' as t, last_value::text || ':' || is_called::text as h from asn_numbers`);
  const r = await sql<{ t: string; h: string }>`${sql.raw(parts.join(" union all "))}`.execute(w.database.db);
  return Object.fromEntries(r.rows.map((x) => [x.t, x.h]));
}

/** The state two worlds fed the same events must share: every table but per-world secrets, without write times and serials. */
async function normalisedState(w: TestWorld, names: readonly string[]): Promise<Record<string, string>> {
  const drop = `'{${VOLATILE.join(",")}}'::text[]`;
  const parts = names
    .filter((t) => !PER_WORLD.has(t))
    .map(
      (t) =>
        `select '${t}' as t, count(*)::text || ':' || md5(coalesce(string_agg(x.j, '|' order by x.j), '')) as h from (select (to_jsonb(r) - ${drop})::text as j from "${t}" r) x`,
    );
  const r = await sql<{ t: string; h: string }>`${sql.raw(parts.join(" union all "))}`.execute(w.database.db);
  return Object.fromEntries(r.rows.map((x) => [x.t, x.h]));
}

function diff(a: Record<string, string>, b: Record<string, string>): string[] {
  return Object.keys({ ...a, ...b }).filter((k) => a[k] !== b[k]);
}

/** A reason a person can act on: more than a word or two, and not a catch-all. */
function specific(reason: unknown): boolean {
  return (
    typeof reason === "string" &&
    reason.trim().length >= 12 &&
    !/^(error|bad request|invalid|forbidden|unauthorized|not found|internal|failed)\.?$/i.test(reason.trim())
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function row(campaign: string, tried: number | string, refused: string, lost: string, expected: string): void {
  console.log(
    `campaign | tried | refused with reason | lost/duplicated | expected\n${campaign} | ${tried} | ${refused} | ${lost} | ${expected}`,
  );
}

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
/** Values no field of any body accepts. */
const HOSTILE_VALUES: Array<[string, string]> = [
  ["null", "null"],
  ["boolean", "true"],
  ["huge number", "1e309"],
  ["negative huge", "-1e308"],
  ["unsafe integer", "9007199254740993"],
  ["sql string", JSON.stringify("'; drop table events; --")],
  ["sql tautology", JSON.stringify("x' or '1'='1")],
  ["object", "{}"],
  ["array", "[1,2]"],
  ["deep nesting", nested(5_000)],
  ["long string", JSON.stringify("A".repeat(100_000))],
  ["control chars", JSON.stringify("\u0000\u001b[2J\r\n")],
];

interface Endpoint {
  method: "GET" | "POST" | "PUT";
  path: string;
  /** Token kinds the endpoint serves; null: any kind. */
  kinds: Array<"dock" | "party" | "dcc"> | null;
  /** A valid body (the attacks mutate it); undefined: the endpoint reads no body. */
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Path with a hostile segment in place of `:param`, when the path has one. */
  param?: (hostile: string) => string;
}

interface Attack {
  endpoint: string;
  name: string;
  status: number;
  error: string;
  reason: string;
  ok: boolean;
}

describe.each(testBackends())("fault campaign against central on %s", (backend) => {
  let w: TestWorld;
  let ref: TestWorld;
  let b: Booking;
  let names: string[];
  let dock: string;
  let csDock: string;
  let partyA: string;
  let revoked: string;
  /** Events earlier tests stored in `w`; the reference world gets them too. */
  const storedBeforeReplay: DockEvent[] = [];

  beforeAll(async () => {
    [w, ref] = await Promise.all([openTestWorld(backend), openTestWorld(backend)]);
    // The day's ASN number, from the block central reserved for the dock (issue 17), in both worlds alike.
    await Promise.all([w, ref].map((x) => reserveAsnNumbers(x, "DOCK-N1", ["ASN-CAMPAIGN-1"])));
    b = (await loadBooking(w.database.db, w.bookingRef))!;
    names = await tables(w);
    dock = w.tokens.docks["DOCK-N1"]!;
    csDock = w.tokens.docks["DOCK-CS1"]!;
    partyA = w.tokens.parties["SUPPLIER-A"]!;
    revoked = "revoked-dock-token-0123456789";
    await w.database.db
      .insertInto("api_tokens")
      .values({
        token_hash: hashToken(revoked),
        kind: "dock",
        subject_id: "DOCK-N1",
        revoked_at: new Date().toISOString(),
      })
      .execute();
  });
  afterAll(async () => {
    await w?.close();
    await ref?.close();
  });

  const tokenOf = (kind: "dock" | "party" | "dcc") =>
    kind === "dock" ? dock : kind === "party" ? partyA : w.tokens.dcc;

  function endpoints(): Endpoint[] {
    const hub = hubsOf(b)[0]!.hub.deviceId;
    return [
      { method: "POST", path: "/sync/pull", kinds: ["dock"], body: { cursor: "0" } },
      {
        method: "POST",
        path: "/sync/push",
        kinds: ["dock"],
        body: { events: [scanEvent(RECV, b.bookingRef, hubsOf(b)[0]!)] },
      },
      {
        method: "POST",
        path: "/sync/asn-numbers",
        kinds: ["dock"],
        body: { manifestId: "MF-0001", partyId: "SUPPLIER-A" },
        headers: { "x-operator-id": "OP-N-SUP" },
      },
      {
        method: "POST",
        path: "/requests",
        kinds: ["party"],
        body: {
          clientRequestId: "0190a8b4-7c3e-7d4f-8a5b-1c2d3e4f5a6b",
          facilityId: "N-DOCK-1",
          deliveryLocationId: "LOC-N-DOCK-1",
          deliveryDate: "2030-01-07",
          deliveryWindow: { start: "10:00", end: "12:00" },
          redelivery: {
            locationId: "SUPPLIER-A-DEPOT",
            deliveryDate: "2030-01-14",
            deliveryWindow: { start: "10:00", end: "12:00" },
          },
          contact: { name: "Pat", email: "pat@supplier-a.example", phone: "+44 161 000 0000" },
          pallets: [],
          looseCartons: [],
        },
      },
      { method: "GET", path: "/requests/REQ-X", kinds: ["party", "dcc"], param: (h) => `/requests/${h}` },
      { method: "GET", path: `/bookings/${b.bookingRef}`, kinds: null, param: (h) => `/bookings/${h}` },
      { method: "GET", path: `/bookings/${b.bookingRef}/label`, kinds: null, param: (h) => `/bookings/${h}/label` },
      {
        method: "POST",
        path: `/bookings/${b.bookingRef}/late-arrival`,
        kinds: ["party"],
        body: { etaDate: "2030-01-07", etaTime: "10:30" },
        param: (h) => `/bookings/${h}/late-arrival`,
      },
      {
        method: "POST",
        path: `/bookings/${b.bookingRef}/redelivery`,
        kinds: ["party"],
        body: {
          deliveryDate: "2030-01-07",
          deliveryWindow: { start: "10:00", end: "12:00" },
          deliveryLocationId: "SUPPLIER-A-DEPOT",
        },
        param: (h) => `/bookings/${h}/redelivery`,
      },
      { method: "GET", path: `/receipts/${b.bookingRef}`, kinds: null, param: (h) => `/receipts/${h}` },
      { method: "POST", path: "/forecasts", kinds: ["party"], body: { periodStart: "2030-01-01", hubs: 100 } },
      { method: "GET", path: "/forecasts", kinds: ["dcc"] },
      {
        method: "GET",
        path: "/parties/SUPPLIER-A/statement?from=2026-01-01&to=2026-12-31",
        kinds: ["party", "dcc"],
        param: (h) => `/parties/${h}/statement?from=2026-01-01&to=2026-12-31`,
      },
      { method: "GET", path: "/work-orders", kinds: null },
      { method: "GET", path: `/work-orders/${b.workOrderId}`, kinds: null, param: (h) => `/work-orders/${h}` },
      {
        method: "POST",
        path: `/work-orders/${b.workOrderId}/approve`,
        kinds: ["dcc"],
        body: { purchaseOrder: "PO-12345" },
        param: (h) => `/work-orders/${h}/approve`,
      },
      {
        method: "POST",
        path: `/work-orders/${b.workOrderId}/close`,
        kinds: ["dcc"],
        param: (h) => `/work-orders/${h}/close`,
      },
      { method: "GET", path: "/firmware", kinds: null },
      { method: "GET", path: "/firmware/010A030B/latest", kinds: null, param: (h) => `/firmware/${h}/latest` },
      {
        method: "PUT",
        path: "/firmware",
        kinds: ["dcc"],
        body: {
          deviceModel: "010A030B",
          version: "00040000",
          status: "production",
          sha256: "d".repeat(64),
          sizeBytes: 1024,
          releasedAt: "2026-06-01T00:00:00Z",
        },
      },
      {
        method: "POST",
        path: "/firmware/010A030B/00030000/withdraw",
        kinds: ["dcc"],
        param: (h) => `/firmware/010A030B/${h}/withdraw`,
      },
      { method: "GET", path: `/hubs/${hub}/audit`, kinds: ["dcc", "dock"], param: (h) => `/hubs/${h}/audit` },
      { method: "GET", path: `/hubs/${hub}`, kinds: ["dcc"], param: (h) => `/hubs/${h}` },
      { method: "POST", path: "/smi/cspm-n3", kinds: ["dcc"] },
      { method: "GET", path: "/smi/ssmi-file", kinds: ["dcc"] },
      {
        method: "POST",
        path: "/smi/ssmi-upload",
        kinds: ["dcc"],
        body: { file: `DeviceID,FirmwareVersion\n${hub},00030000` },
      },
      { method: "GET", path: "/asns/ASN-00000001", kinds: ["dcc", "party"], param: (h) => `/asns/${h}` },
      { method: "GET", path: "/outbox", kinds: ["dcc"] },
      { method: "POST", path: "/outbox/deliver", kinds: ["dcc"] },
    ];
  }

  async function attack(
    e: Endpoint,
    name: string,
    opts: {
      token?: string | null;
      raw?: string;
      contentType?: string | null;
      headers?: Record<string, string>;
      path?: string;
    },
    expect: { status: number | number[]; error?: string | RegExp },
  ): Promise<Attack> {
    // Straight to the app (not TestWorld.call), so a missing content type stays missing.
    const headers = new Headers(e.headers ?? {});
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers.set(k, v);
    if (opts.raw !== undefined && opts.contentType !== null)
      headers.set("content-type", opts.contentType ?? "application/json");
    const token = opts.token === undefined ? tokenOf(e.kinds?.[0] ?? "dcc") : opts.token;
    if (token !== null) headers.set("authorization", `Bearer ${token}`);
    const res = await w.app.request(opts.path ?? e.path, {
      method: e.method,
      headers,
      ...(opts.raw !== undefined ? { body: opts.raw } : {}),
    });
    const text = await res.text();
    const r = { status: res.status, json: parseJson(text) };
    const body = (r.json ?? {}) as { error?: unknown; reason?: unknown };
    const statuses = Array.isArray(expect.status) ? expect.status : [expect.status];
    const errorOk =
      expect.error === undefined ||
      (typeof body.error === "string" &&
        (typeof expect.error === "string" ? body.error === expect.error : expect.error.test(body.error)));
    const ok =
      statuses.includes(r.status) &&
      r.status >= 400 &&
      r.status < 500 &&
      typeof body.error === "string" &&
      body.error !== "" &&
      specific(body.reason) &&
      errorOk;
    return {
      endpoint: `${e.method} ${e.path.split("?")[0]}`,
      name,
      status: r.status,
      error: String(body.error),
      reason: String(body.reason).slice(0, 160),
      ok,
    };
  }

  /** Every hostile request the campaign sends to one endpoint, with the refusal it must get. */
  async function attacksOn(e: Endpoint): Promise<Attack[]> {
    const out: Attack[] = [];
    const withBody = e.body !== undefined ? { raw: JSON.stringify(e.body) } : {};
    // Authentication and header attacks: refused before anything is read.
    out.push(await attack(e, "no token", { token: null, ...withBody }, { status: 401, error: "unauthenticated" }));
    for (const [n, h] of [
      ["basic auth", "Basic ZGNjOmRjYw=="],
      ["garbage bearer", "Bearer !!not*a*token!!"],
      ["empty bearer", "Bearer "],
      ["two tokens", `Bearer ${tokenOf(e.kinds?.[0] ?? "dcc")}, Bearer ${w.tokens.dcc}`],
      ["token with tab", `Bearer\t${tokenOf(e.kinds?.[0] ?? "dcc")}`],
      ["sql in token", "Bearer ' OR 1=1 --"],
      ["oversized token", `Bearer ${"A".repeat(8_000)}`],
    ] as const)
      out.push(
        await attack(
          e,
          n,
          { token: null, headers: { authorization: h }, ...withBody },
          { status: 401, error: "unauthenticated" },
        ),
      );
    out.push(
      await attack(
        e,
        "unknown token",
        { token: "x".repeat(43), ...withBody },
        { status: 401, error: "unauthenticated" },
      ),
    );
    out.push(
      await attack(e, "revoked token", { token: revoked, ...withBody }, { status: 401, error: "token-revoked" }),
    );
    if (e.kinds !== null) {
      const wrong = (["dock", "party", "dcc"] as const).find((k) => !e.kinds?.includes(k));
      if (wrong)
        out.push(
          await attack(
            e,
            `${wrong} token`,
            { token: tokenOf(wrong), ...withBody },
            { status: 403, error: "forbidden" },
          ),
        );
    }
    // Hostile path segments: refused as an invalid path, or found to name nothing.
    if (e.param) {
      for (const [n, seg] of [
        ["sql in path", "x'%20or%20'1'%3D'1"],
        ["traversal", "..%2F..%2Fetc%2Fpasswd"],
        ["NUL", "AB%00CD"],
        ["long", "A".repeat(5_000)],
        ["unicode", "%EF%BC%A2%EF%BC%AB-1"],
        ["__proto__", "__proto__"],
        ["constructor", "constructor"],
      ] as const)
        out.push(await attack(e, `path ${n}`, { path: e.param(seg), ...withBody }, { status: [400, 403, 404] }));
    }
    // Oversize: refused by the body limit before the handler, whatever the endpoint.
    if (e.method !== "GET")
      out.push(
        await attack(
          e,
          "oversize body",
          { raw: JSON.stringify({ pad: "x".repeat(w.business.maxBodyBytes) }) },
          { status: 413, error: "body-too-large" },
        ),
      );
    if (e.body === undefined) return out;
    const valid = e.body;
    // Content type and JSON syntax.
    for (const ct of [
      null,
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      "text/json",
    ])
      out.push(
        await attack(
          e,
          `content-type ${ct ?? "none"}`,
          { raw: JSON.stringify(valid), contentType: ct },
          { status: 415, error: "unsupported-media-type" },
        ),
      );
    for (const [n, raw] of [
      ["truncated", JSON.stringify(valid).slice(0, -3)],
      ["single quotes", "{'cursor':'0'}"],
      ["empty", ""],
      ["NaN", "NaN"],
      ["trailing comma", '{"a":1,}'],
      ["bom+garbage", "\ufeff{]"],
    ] as const)
      out.push(await attack(e, `malformed json: ${n}`, { raw }, { status: 400, error: "malformed-json" }));
    // Schema: not an object, unknown fields, prototype keys, wrong types, SQL and huge numbers in every field.
    for (const [n, raw] of [
      ["array", "[]"],
      ["null", "null"],
      ["number", "1e309"],
      ["string", '"x"'],
      ["deep nesting", nested(100_000)],
    ] as const)
      out.push(await attack(e, `body is ${n}`, { raw }, { status: 400, error: "invalid-body" }));
    const body = JSON.stringify(valid).slice(1, -1);
    for (const [n, extra] of [
      ["unknown field", '"admin":true'],
      ["__proto__ key", '"__proto__":{"polluted":true}'],
      ["constructor key", '"constructor":{"prototype":{"polluted":true}}'],
      ["sql key", '"\'; drop table events; --":1'],
      ["deeply nested extra", `"x":${nested(100_000)}`],
    ] as const)
      out.push(await attack(e, n, { raw: `{${body},${extra}}` }, { status: 400, error: "invalid-body" }));
    for (const field of Object.keys(valid)) {
      for (const [n, v] of HOSTILE_VALUES) {
        // A push of an array is a well-formed batch whose events are then refused one by one (its own test below).
        if (e.path === "/sync/push" && (n === "array" || n === "deep nesting")) continue;
        // A free-text field may legitimately hold text; the SSMI file's rows are checked one by one (422, nothing applied).
        const raw = `{${Object.entries(valid)
          .map(([k, x]) => `${JSON.stringify(k)}:${k === field ? v : JSON.stringify(x)}`)
          .join(",")}}`;
        out.push(
          await attack(
            e,
            `${field} = ${n}`,
            { raw },
            {
              status: e.path === "/smi/ssmi-upload" ? [400, 422] : 400,
              error: e.path === "/smi/ssmi-upload" ? /invalid-body|bad-rows/ : "invalid-body",
            },
          ),
        );
      }
    }
    return out;
  }

  it("hostile bodies and headers on every endpoint: a 4xx with a specific reason, and nothing changes", async () => {
    const all: Attack[] = [];
    const changed: string[] = [];
    for (const e of endpoints()) {
      const before = await fingerprint(w, names);
      all.push(...(await attacksOn(e)));
      const after = await fingerprint(w, names);
      for (const t of diff(before, after)) changed.push(`${e.method} ${e.path}: ${t}`);
    }
    // Wrong methods and unknown paths are named too.
    for (const [m, p] of [
      ["GET", "/sync/push"],
      ["DELETE", "/bookings/BK-1"],
      ["PATCH", "/firmware"],
      ["POST", "/admin"],
      ["GET", "/../../etc/passwd"],
    ] as const) {
      const r = await w.call(m, p, { token: w.tokens.dcc });
      const j = (r.json ?? {}) as { error?: unknown; reason?: unknown };
      all.push({
        endpoint: `${m} ${p}`,
        name: "no such endpoint",
        status: r.status,
        error: String(j.error),
        reason: String(j.reason),
        ok: r.status === 404 && specific(j.reason),
      });
    }
    const polluted =
      ({} as Record<string, unknown>).polluted !== undefined ||
      (Object.prototype as Record<string, unknown>).polluted !== undefined;
    const mail = await readdir(w.mailDir);
    const bad = all.filter((a) => !a.ok);
    const codes = new Map<string, number>();
    for (const a of all) codes.set(`${a.status} ${a.error}`, (codes.get(`${a.status} ${a.error}`) ?? 0) + 1);
    row(
      `hostile HTTP, ${endpoints().length} endpoints (${backend})`,
      all.length,
      `${all.length - bad.length} (${[...codes]
        .sort((x, y) => y[1] - x[1])
        .map(([k, n]) => `${k} ×${n}`)
        .join(", ")})`,
      `${changed.length} tables changed, ${bad.length} not refused properly, prototype polluted: ${polluted}, mail written: ${mail.length}`,
      "all refused 4xx with reason, 0 changes",
    );
    expect(bad.slice(0, 10)).toEqual([]);
    expect(changed).toEqual([]);
    expect(polluted).toBe(false);
    expect(mail).toEqual([]);
    expect(all.length).toBeGreaterThan(800);
  }, 120_000);

  it("operators header attacks on a supervisor action: each refused 403 with its reason", async () => {
    const before = await fingerprint(w, names);
    await w.database.db
      .insertInto("operators")
      .values({
        id: "OP-N-GONE",
        name: "Former Supervisor",
        facility_id: "N-DOCK-1",
        roles: JSON.stringify(["supervisor"]),
        active: false,
      })
      .execute();
    const mid = await fingerprint(w, names);
    const body = { manifestId: "MF-0001", partyId: "SUPPLIER-A" };
    const cases: Array<[string, Record<string, string>, string, RegExp]> = [
      ["no operator", {}, "operator-required", /X-Operator-Id/],
      ["empty operator", { "x-operator-id": "" }, "operator-required", /X-Operator-Id/],
      [
        "receiver",
        { "x-operator-id": "OP-N-RECV" },
        "role-forbidden",
        /needs role supervisor; operator OP-N-RECV has receiver/,
      ],
      [
        "technician",
        { "x-operator-id": "OP-N-TECH" },
        "role-forbidden",
        /needs role supervisor; operator OP-N-TECH has technician/,
      ],
      [
        "other site's supervisor",
        { "x-operator-id": "OP-CS-SUP" },
        "unknown-operator",
        /not registered at facility N-DOCK-1/,
      ],
      ["deactivated supervisor", { "x-operator-id": "OP-N-GONE" }, "operator-inactive", /deactivated/],
      ["two operators in one header", { "x-operator-id": "OP-N-RECV, OP-N-SUP" }, "unknown-operator", /not registered/],
      ["case-folded id", { "x-operator-id": "op-n-sup" }, "unknown-operator", /not registered/],
      ["sql in header", { "x-operator-id": "' OR '1'='1" }, "unknown-operator", /not registered/],
      ["very long header", { "x-operator-id": "S".repeat(8_000) }, "unknown-operator", /not registered/],
    ];
    const problems: string[] = [];
    for (const [n, headers, error, reason] of cases) {
      const r = await w.call("POST", "/sync/asn-numbers", { token: dock, body, headers });
      const j = (r.json ?? {}) as { error?: string; reason?: string };
      if (r.status !== 403 || j.error !== error || !reason.test(j.reason ?? ""))
        problems.push(`${n}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    // A CR/LF cannot even be put into a header: the HTTP layer refuses before central sees it.
    expect(() => new Headers({ "x-operator-id": "OP-N-RECV\r\nX-Operator-Id: OP-N-SUP" })).toThrow();
    expect(diff(mid, await fingerprint(w, names))).toEqual([]);
    await w.database.db.deleteFrom("operators").where("id", "=", "OP-N-GONE").execute();
    expect(diff(before, await fingerprint(w, names))).toEqual([]);
    row(
      `operator header attacks (${backend})`,
      cases.length,
      `${cases.length - problems.length} (403 with reason)`,
      `${problems.length} wrong`,
      "all 403 with reason, 0 ASN numbers used",
    );
    expect(problems).toEqual([]);
  });

  it("a dock token used for another site: bookings, receipts, work orders and audit stay hidden; its events are refused with reasons", async () => {
    const before = await fingerprint(w, names);
    const hs = hubsOf(b);
    const reads: Array<[string, number]> = [
      [`/bookings/${b.bookingRef}`, 404],
      [`/bookings/${b.bookingRef}/label`, 404],
      [`/receipts/${b.bookingRef}`, 404],
      [`/work-orders/${b.workOrderId}`, 404],
    ];
    const problems: string[] = [];
    for (const [p, status] of reads) {
      const r = await w.call("GET", p, { token: csDock });
      if (r.status !== status || !specific((r.json as { reason?: unknown }).reason))
        problems.push(`GET ${p}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    const list = await w.call("GET", "/work-orders", { token: csDock });
    if ((list.json as unknown[]).length !== 0) problems.push("GET /work-orders shows another site's work orders");
    const pull = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: csDock, body: { cursor: "0" } })).json,
    );
    if (pull.bookings.length !== 0 || pull.operators.some((o) => o.facilityId !== "CS-3PL-1"))
      problems.push("pull leaks another site's bookings or operators");
    // Events about the North booking, pushed with the Central & South dock's token.
    const CS_RECV: Who = { dockId: "DOCK-CS1", operatorId: "OP-CS-RECV" };
    const CS_SUP: Who = { dockId: "DOCK-CS1", operatorId: "OP-CS-SUP" };
    const foreign: Array<[DockEvent, RegExp]> = [
      [scanEvent(CS_RECV, b.bookingRef, hs[0]!), /belongs to facility N-DOCK-1, not this dock's \(CS-3PL-1\)/],
      [
        makeEvent("booking.arrived", { bookingRef: b.bookingRef, late: false, reportedEta: null }, CS_RECV),
        /belongs to facility N-DOCK-1/,
      ],
      [
        makeEvent(
          "receipt.closed",
          {
            bookingRef: b.bookingRef,
            outcome: "rejected",
            rejectedHubs: [],
            rejectionReason: "not ours",
            packagingNotes: null,
            damageNotes: null,
          },
          CS_SUP,
        ),
        /belongs to facility N-DOCK-1/,
      ],
      [
        makeEvent(
          "amendment.acknowledged",
          {
            bookingRef: b.bookingRef,
            manifestId: null,
            bookingVersion: 1,
            fields: ["date"],
            deliveryDate: null,
            windowStart: null,
            windowEnd: null,
            withinWorkingHours: null,
            note: null,
          },
          CS_RECV,
        ),
        /belongs to facility N-DOCK-1/,
      ],
      // The North dock's identity claimed with the other dock's token.
      [scanEvent(RECV, b.bookingRef, hs[1]!), /recorded by dock DOCK-N1, but this token is dock DOCK-CS1's/],
      // A North operator on the Central & South dock.
      [
        scanEvent({ dockId: "DOCK-CS1", operatorId: "OP-N-SUP" }, b.bookingRef, hs[2]!),
        /OP-N-SUP is not registered at facility CS-3PL-1/,
      ],
    ];
    const res = PushResponseSchema.parse(
      (await w.call("POST", "/sync/push", { token: csDock, body: { events: foreign.map(([e]) => e) } })).json,
    );
    foreign.forEach(([, reason], i) => {
      const x = res.results[i];
      if (x?.status !== "rejected" || !reason.test(x.reason)) problems.push(`foreign event ${i}: ${JSON.stringify(x)}`);
    });
    // The North dock's own booking, read and pushed to with the North token, still works: the refusals were about the site.
    expect((await w.call("GET", `/bookings/${b.bookingRef}`, { token: dock })).status).toBe(200);
    expect(diff(before, await fingerprint(w, names))).toEqual([]);
    const tried = reads.length + 2 + foreign.length;
    row(
      `dock token for another site (${backend})`,
      tried,
      `${tried - problems.length} (404 hidden / per-event rejection with reason)`,
      `${problems.length} leaks, 0 changes`,
      "0 leaks, 0 changes",
    );
    expect(problems).toEqual([]);
  });

  /** One valid event of each type, by the given operator, about the demo booking. */
  function oneOfEach(who: Who): Map<DockEventType, DockEvent> {
    const hs = hubsOf(b);
    const started = makeEvent(
      "unloading.started",
      { direction: "inbound", bookingRef: b.bookingRef, unloader: "dock" },
      { ...who, now: new Date(Date.now() - 60 * 60_000) },
    );
    const completed = makeEvent(
      "unloading.completed",
      { direction: "inbound", bookingRef: b.bookingRef, unloader: "dock" },
      { ...who, now: new Date(Date.now() - 30 * 60_000) },
    );
    const liability = liabilityTransferredPayload(started, completed);
    if (!liability.ok) throw new Error(liability.reason);
    const m = new Map<DockEventType, DockEvent>();
    const add = (e: DockEvent) => m.set(e.type, e);
    add(makeEvent("operator.signed-in", { role: "receiver", operatorName: "Someone" }, who));
    add(makeEvent("operator.signed-out", {}, who));
    add(makeEvent("booking.arrived", { bookingRef: b.bookingRef, late: false, reportedEta: null }, who));
    add(started);
    add(completed);
    add(makeEvent("liability.transferred", liability.payload, who));
    add(scanEvent(who, b.bookingRef, hs[100]!));
    add(
      makeEvent(
        "scan.undone",
        { bookingRef: b.bookingRef, scanEventId: scanEvent(who, b.bookingRef, hs[100]!).id, reason: "scanned twice" },
        who,
      ),
    );
    add(
      makeEvent(
        "receipt.closed",
        {
          bookingRef: b.bookingRef,
          outcome: "accepted",
          rejectedHubs: [],
          rejectionReason: null,
          packagingNotes: null,
          damageNotes: null,
        },
        who,
      ),
    );
    add(makeEvent("slot.loaded", { jigId: "JIG-N-1", slot: 0, deviceId: hs[100]!.hub.deviceId }, who));
    add(makeEvent("slot.unloaded", { jigId: "JIG-N-1", slot: 0, deviceId: hs[100]!.hub.deviceId }, who));
    add(flashEvent(who, hs[100]!.hub.deviceId, true));
    add(faultEvent(who, hs[101]!.hub.deviceId, null, true));
    add(manifestEvent(who, "MF-ROLE-1", [hs[100]!.hub.deviceId]));
    add(
      makeEvent(
        "label.printed",
        {
          labelKind: "pallet",
          barcode: "]C100005012345000000019",
          sscc: "005012345000000019",
          bookingRef: null,
          manifestId: "MF-ROLE-1",
          output: "pdf",
          copies: 1,
        },
        who,
      ),
    );
    add(
      makeEvent(
        "asn.issued",
        {
          asnNumber: "ASN-ROLE-1",
          manifestId: "MF-ROLE-1",
          partyId: "SUPPLIER-A",
          hubCount: 1,
          documentSha256: "b".repeat(64),
        },
        who,
      ),
    );
    add(
      makeEvent(
        "asn.cancelled",
        {
          asnNumber: "ASN-ROLE-1",
          manifestId: "MF-ROLE-1",
          replacedByManifestId: "MF-ROLE-2",
          reason: "re-delivery MF-ROLE-1 was rebuilt as MF-ROLE-2",
        },
        who,
      ),
    );
    add(
      makeEvent(
        "notice.issued",
        {
          manifestId: "MF-ROLE-1",
          flashedCount: 1,
          failedCount: 0,
          deliveryDate: "2027-02-01",
          deliveryWindow: { start: "10:00", end: "12:00" },
          deliveryLocationId: "SUPPLIER-A-DEPOT",
          reissue: false,
        },
        who,
      ),
    );
    add(
      makeEvent(
        "outbound.scan.recorded",
        {
          manifestId: "MF-ROLE-1",
          source: "wedge",
          raw: "x",
          kind: "unreadable",
          verdict: "unreadable",
          sscc: null,
          reason: "could not be read",
        },
        who,
      ),
    );
    add(
      makeEvent(
        "dispatch.recorded",
        {
          manifestId: "MF-ROLE-1",
          asnNumber: "ASN-ROLE-1",
          unloader: "party",
          carrier: null,
          vehicleRef: null,
          palletCount: 0,
          cartonCount: 1,
          hubCount: 1,
        },
        who,
      ),
    );
    add(
      makeEvent(
        "amendment.acknowledged",
        {
          bookingRef: b.bookingRef,
          manifestId: null,
          bookingVersion: 1,
          fields: ["date"],
          deliveryDate: null,
          windowStart: null,
          windowEnd: null,
          withinWorkingHours: null,
          note: null,
        },
        who,
      ),
    );
    add(
      makeEvent(
        "flash.override",
        {
          deviceId: hs[0]!.hub.deviceId,
          bookingRef: b.bookingRef,
          flashedTo: "00030000",
          reason: "casing replaced, flash again",
        },
        who,
      ),
    );
    return m;
  }

  function manifestEvent(who: Who, manifestId: string, deviceIds: string[]): DockEvent {
    return oneCartonManifest(who, {
      manifestId,
      bookingRef: b.bookingRef,
      cartonSscc: b.pallets[0]!.cartons[0]!.sscc,
      deviceIds,
    });
  }

  it("an operator acting outside their role: every event type refused per event with the role it needs, nothing stored", async () => {
    const before = await fingerprint(w, names);
    const roles: Record<string, string[]> = { "OP-N-RECV": ["receiver"], "OP-N-TECH": ["technician"] };
    const tried: Array<{ e: DockEvent; need: readonly string[]; op: string }> = [];
    for (const op of ["OP-N-RECV", "OP-N-TECH"]) {
      for (const [type, e] of oneOfEach({ dockId: "DOCK-N1", operatorId: op })) {
        const need = ROLES_FOR_EVENT[type];
        if (need.some((r) => roles[op]?.includes(r))) continue;
        tried.push({ e, need, op });
      }
    }
    const res = PushResponseSchema.parse(
      (await w.call("POST", "/sync/push", { token: dock, body: { events: tried.map((t) => t.e) } })).json,
    );
    const problems: string[] = [];
    tried.forEach((t, i) => {
      const x = res.results[i];
      const want = `${t.e.type} needs role ${t.need.join(" or ")}; operator ${t.op} has ${roles[t.op]?.join(", ")}`;
      if (x?.status !== "rejected" || x.reason !== want) problems.push(`${t.e.type} by ${t.op}: ${JSON.stringify(x)}`);
    });
    expect(diff(before, await fingerprint(w, names))).toEqual([]);
    const types = new Set(tried.map((t) => t.e.type));
    row(
      `operator outside role (${backend})`,
      tried.length,
      `${res.rejected} (per-event, naming the role needed) over ${types.size} event types`,
      `${res.accepted} accepted, 0 changes`,
      "all rejected, 0 changes",
    );
    expect(problems).toEqual([]);
    // Every event type that some role lacks was tried.
    expect(types.size).toBe(Object.values(ROLES_FOR_EVENT).filter((r) => r.length < 3).length);
  });

  it("hostile events inside a push are refused one by one with a reason; the batch's good events are stored once", async () => {
    const hs = hubsOf(b);
    const good = scanEvent(RECV, b.bookingRef, hs[200]!);
    const hostile: unknown[] = [
      null,
      42,
      "'; drop table events; --",
      [],
      {},
      JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(scanEvent(RECV, b.bookingRef, hs[201]!)).slice(1)}`),
      JSON.parse(
        `{"constructor":{"prototype":{"polluted":true}},${JSON.stringify(scanEvent(RECV, b.bookingRef, hs[202]!)).slice(1)}`,
      ),
      { ...scanEvent(RECV, b.bookingRef, hs[203]!), type: "scan.recorded'; drop table events; --" },
      { ...scanEvent(RECV, b.bookingRef, hs[204]!), id: "' OR 1=1 --" },
      { ...scanEvent(RECV, b.bookingRef, hs[205]!), at: "2026-13-45T99:99:99Z" },
      { ...scanEvent(RECV, b.bookingRef, hs[206]!), clockOffsetMs: "1e309" },
      {
        ...flashEvent(TECH, hs[207]!.hub.deviceId, true),
        payload: { ...flashEvent(TECH, hs[207]!.hub.deviceId, true).payload, attempts: 1e308 },
      },
      {
        ...flashEvent(TECH, hs[208]!.hub.deviceId, true),
        payload: { ...flashEvent(TECH, hs[208]!.hub.deviceId, true).payload, slot: -1 },
      },
      {
        ...scanEvent(RECV, b.bookingRef, hs[209]!),
        payload: { ...scanEvent(RECV, b.bookingRef, hs[209]!).payload, raw: "x".repeat(1001) },
      },
      {
        ...scanEvent(RECV, b.bookingRef, hs[210]!),
        payload: { ...scanEvent(RECV, b.bookingRef, hs[210]!).payload, bookingRef: "BK' OR '1'='1" },
      },
      { ...scanEvent(RECV, b.bookingRef, hs[211]!), payload: JSON.parse(nested(2_000)) },
    ];
    const before = await fingerprint(w, names);
    const res = PushResponseSchema.parse(
      (await w.call("POST", "/sync/push", { token: dock, body: { events: [good, ...hostile, good] } })).json,
    );
    storedBeforeReplay.push(good);
    const statuses = res.results.map((x) => x.status);
    expect(statuses).toEqual(["accepted", ...hostile.map(() => "rejected"), "duplicate"]);
    const vague = res.results.filter((x) => x.status === "rejected" && !specific(x.reason));
    expect(vague).toEqual([]);
    const after = await fingerprint(w, names);
    // Only the one good event was stored.
    expect(diff(before, after)).toEqual(["events"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    row(
      `hostile events in a push (${backend})`,
      hostile.length + 2,
      `${res.rejected} (per-event with reason)`,
      `${res.accepted} stored (the good one), ${res.duplicate} duplicate`,
      "hostile all rejected, good stored once",
    );
  });

  // Found by the campaign (docs/fault-campaign.md, "Found" 1-5), each now refused with a reason.

  it("found 1: an event whose type is 100,000 arrays deep or a 3 MB string is rejected alone, with a short reason; never a 500", async () => {
    const good = scanEvent(RECV, b.bookingRef, hubsOf(b)[220]!);
    const deepType = `{${JSON.stringify(scanEvent(RECV, b.bookingRef, hubsOf(b)[221]!))
      .slice(1, -1)
      .replace(/"type":"scan\.recorded"/, `"type":${nested(100_000)}`)}}`;
    const hugeType = JSON.stringify({ ...scanEvent(RECV, b.bookingRef, hubsOf(b)[222]!), type: "T".repeat(3_000_000) });
    const r = await w.call("POST", "/sync/push", {
      token: dock,
      rawBody: `{"events":[${deepType},${hugeType},${JSON.stringify(good)}]}`,
    });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.text.length).toBeLessThan(5_000);
    const res = PushResponseSchema.parse(r.json);
    storedBeforeReplay.push(good);
    expect(res.results.map((x) => x.status)).toEqual(["rejected", "rejected", "accepted"]);
    expect(res.results[0]).toMatchObject({ reason: "type: unknown event type an array of 1" });
    expect(res.results[1]?.status === "rejected" && res.results[1].reason).toMatch(
      /^type: unknown event type "T{64}"… \(3000000 characters\)$/,
    );
  });

  it("found 2: a replayed id with a 100,000-deep extra field is refused as a reused id, not a 500", async () => {
    const e = scanEvent(RECV, b.bookingRef, hubsOf(b)[223]!);
    expect(
      PushResponseSchema.parse((await w.call("POST", "/sync/push", { token: dock, body: { events: [e] } })).json)
        .accepted,
    ).toBe(1);
    storedBeforeReplay.push(e);
    const before = await fingerprint(w, names);
    const plain = JSON.stringify(e).slice(1, -1);
    const payloadDeep = JSON.stringify({ ...e, payload: { ...e.payload, raw: "@@" } })
      .slice(1, -1)
      .replace(/"raw":"@@"/, `"raw":${nested(100_000)}`);
    const r = await w.call("POST", "/sync/push", {
      token: dock,
      rawBody: `{"events":[{${plain},"x":${nested(100_000)}},{${payloadDeep}},${JSON.stringify(e)}]}`,
    });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    const res = PushResponseSchema.parse(r.json);
    expect(res.results.map((x) => x.status)).toEqual(["rejected", "rejected", "duplicate"]);
    for (const x of res.results.slice(0, 2))
      expect(x.status === "rejected" && x.reason).toMatch(/already used for a different event; an id is never reused/);
    expect(diff(before, await fingerprint(w, names))).toEqual([]);
  });

  it("found 3: another site's dock cannot report flashes, faults, jig slots or a manifest for this site's hubs", async () => {
    const before = await fingerprint(w, names);
    const hs = hubsOf(b);
    const CS_TECH: Who = { dockId: "DOCK-CS1", operatorId: "OP-CS-TECH" };
    const CS_SUP: Who = { dockId: "DOCK-CS1", operatorId: "OP-CS-SUP" };
    const [h1, h2, h3] = [hs[400]!.hub.deviceId, hs[401]!.hub.deviceId, hs[402]!.hub.deviceId];
    const failed = flashEvent(CS_TECH, h1, false);
    const foreign: Array<[DockEvent, RegExp]> = [
      [
        makeEvent("slot.loaded", { jigId: "JIG-CS-1", slot: 0, deviceId: h1 }, CS_TECH),
        new RegExp(
          `hub ${h1} is on booking ${b.bookingRef}, which belongs to facility N-DOCK-1, not this dock's \\(CS-3PL-1\\)`,
        ),
      ],
      [failed, new RegExp(`hub ${h1} is on booking ${b.bookingRef}, which belongs to facility N-DOCK-1`)],
      [flashEvent(CS_TECH, h2, true), new RegExp(`hub ${h2} is on booking .* facility N-DOCK-1`)],
      [faultEvent(CS_TECH, h1, failed.id), new RegExp(`hub ${h1} is on booking .* facility N-DOCK-1`)],
      [faultEvent(CS_SUP, h3, null, true), new RegExp(`hub ${h3} is on booking .* facility N-DOCK-1`)],
      [makeEvent("slot.unloaded", { jigId: "JIG-CS-1", slot: 0, deviceId: h1 }, CS_TECH), /facility N-DOCK-1/],
      [manifestEvent(CS_SUP, "MF-FOREIGN-1", [h2, h3]), /facility N-DOCK-1, not this dock's \(CS-3PL-1\)/],
    ];
    const res = PushResponseSchema.parse(
      (await w.call("POST", "/sync/push", { token: csDock, body: { events: foreign.map(([e]) => e) } })).json,
    );
    const problems = foreign.flatMap(([e, reason], i) => {
      const x = res.results[i];
      return x?.status === "rejected" && reason.test(x.reason) ? [] : [`${e.type}: ${JSON.stringify(x)}`];
    });
    expect(problems).toEqual([]);
    expect(diff(before, await fingerprint(w, names))).toEqual([]);
    const hub = (await w.call("GET", `/hubs/${h1}`, { token: w.tokens.dcc })).json as {
      credit: unknown;
      flashResults: unknown[];
      faultReports: unknown[];
    };
    expect({ credit: hub.credit, flashes: hub.flashResults.length, faults: hub.faultReports.length }).toEqual({
      credit: null,
      flashes: 0,
      faults: 0,
    });
  });

  it("found 4: a deactivated operator's events are refused per event (operator-inactive), nothing stored", async () => {
    await w.database.db
      .insertInto("operators")
      .values({
        id: "OP-N-LEFT",
        name: "Former Receiver",
        facility_id: "N-DOCK-1",
        roles: JSON.stringify(["receiver", "technician"]),
        active: false,
      })
      .execute();
    const before = await fingerprint(w, names);
    const LEFT: Who = { dockId: "DOCK-N1", operatorId: "OP-N-LEFT" };
    const events = [
      scanEvent(LEFT, b.bookingRef, hubsOf(b)[403]!),
      makeEvent("slot.loaded", { jigId: "JIG-N-1", slot: 1, deviceId: hubsOf(b)[403]!.hub.deviceId }, LEFT),
      makeEvent("operator.signed-in", { role: "receiver", operatorName: "Former Receiver" }, LEFT),
    ];
    const res = PushResponseSchema.parse((await w.call("POST", "/sync/push", { token: dock, body: { events } })).json);
    expect(diff(before, await fingerprint(w, names))).toEqual([]);
    await w.database.db.deleteFrom("operators").where("id", "=", "OP-N-LEFT").execute();
    expect(res.results.map((x) => x.status)).toEqual(["rejected", "rejected", "rejected"]);
    for (const x of res.results)
      expect(x.status === "rejected" && x.reason).toBe(
        "operator-inactive: operator OP-N-LEFT is deactivated at facility N-DOCK-1; their events are refused",
      );
  });

  it("found 5: no ASN number for an unknown Party, and only application/json (with parameters) is read as JSON", async () => {
    const before = await fingerprint(w, names);
    const headers = { "x-operator-id": "OP-N-SUP" };
    const unknown = await w.call("POST", "/sync/asn-numbers", {
      token: dock,
      body: { manifestId: "MF-0001", partyId: "NO-SUCH-PARTY" },
      headers,
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json).toMatchObject({
      error: "unknown-party",
      reason: "party NO-SUCH-PARTY is not known to central; no ASN number was reserved",
    });
    for (const ct of [
      "application/json-patch+json",
      "application/jsonx",
      "application/json5",
      "application/json-seq",
    ]) {
      const r = await w.call("POST", "/sync/asn-numbers", {
        token: dock,
        body: { manifestId: "MF-0001", partyId: "SUPPLIER-A" },
        headers: { ...headers, "content-type": ct },
      });
      expect([ct, r.status, (r.json as { error?: unknown }).error]).toEqual([ct, 415, "unsupported-media-type"]);
    }
    expect(diff(before, await fingerprint(w, names))).toEqual([]);
    // Parameters and case are allowed (a pull changes nothing).
    for (const ct of ["application/json; charset=utf-8", "Application/JSON", "application/json ;charset=UTF-8"])
      expect([
        ct,
        (await w.call("POST", "/sync/pull", { token: dock, body: { cursor: "0" }, headers: { "content-type": ct } }))
          .status,
      ]).toEqual([ct, 200]);
  });

  /** The dock's whole day as events, in the order the outbox would send them. */
  function dayOfEvents(): DockEvent[] {
    const hs = hubsOf(b);
    // A month ago: within central's window of its clock (eventWindow), whenever the campaign runs.
    const t0 = Date.now() - 30 * 86_400_000;
    let tick = 0;
    const at = (who: Who): Who => ({ ...who, now: new Date(t0 + 1000 * tick++) });
    const out: DockEvent[] = [];
    out.push(makeEvent("operator.signed-in", { role: "receiver", operatorName: "Rita Receiver" }, at(RECV)));
    out.push(
      makeEvent(
        "booking.arrived",
        { bookingRef: b.bookingRef, late: true, reportedEta: new Date(t0 + 30 * 60_000).toISOString() },
        at(RECV),
      ),
    );
    const started = makeEvent(
      "unloading.started",
      { direction: "inbound", bookingRef: b.bookingRef, unloader: "party" },
      at(RECV),
    );
    const completed = makeEvent(
      "unloading.completed",
      { direction: "inbound", bookingRef: b.bookingRef, unloader: "party" },
      at(RECV),
    );
    const liability = liabilityTransferredPayload(started, completed);
    if (!liability.ok) throw new Error(liability.reason);
    out.push(started, completed, makeEvent("liability.transferred", liability.payload, at(RECV)));
    const scans = hs.slice(0, 300).map((h) => scanEvent(at(RECV), b.bookingRef, h));
    out.push(...scans);
    out.push(scanEvent(at(RECV), b.bookingRef, hs[3]!, "duplicate"));
    out.push(
      makeEvent(
        "scan.undone",
        { bookingRef: b.bookingRef, scanEventId: scans[5]!.id, reason: "wrong carton open" },
        at(RECV),
      ),
    );
    out.push(
      makeEvent(
        "receipt.closed",
        {
          bookingRef: b.bookingRef,
          outcome: "partial",
          rejectedHubs: [
            { deviceId: hs[298]!.hub.deviceId, code: "damaged", reason: "casing cracked" },
            { deviceId: hs[299]!.hub.deviceId, code: "damaged", reason: "seal broken" },
          ],
          rejectionReason: null,
          packagingNotes: "one pallet re-wrapped",
          damageNotes: "two hubs cracked",
        },
        at(RECV),
      ),
    );
    const ids = hs.slice(0, 48).map((h) => h.hub.deviceId);
    for (const [i, id] of ids.entries()) {
      out.push(makeEvent("slot.loaded", { jigId: "JIG-N-1", slot: i % 8, deviceId: id }, at(TECH)));
      const f = flashEvent(at(TECH), id, i % 12 !== 11);
      out.push(f);
      if (i % 12 === 11) out.push(faultEvent(at(TECH), id, f.id));
      out.push(makeEvent("slot.unloaded", { jigId: "JIG-N-1", slot: i % 8, deviceId: id }, at(TECH)));
    }
    const flashed = ids.filter((_, i) => i % 12 !== 11);
    out.push(manifestEvent(at(SUP), "MF-CAMPAIGN-1", flashed));
    out.push(
      makeEvent(
        "label.printed",
        {
          labelKind: "carton",
          barcode: "]C100005012345000000019",
          sscc: "005012345000000019",
          bookingRef: null,
          manifestId: "MF-CAMPAIGN-1",
          output: "printer",
          copies: 2,
        },
        at(SUP),
      ),
    );
    out.push(
      makeEvent(
        "asn.issued",
        {
          asnNumber: "ASN-CAMPAIGN-1",
          manifestId: "MF-CAMPAIGN-1",
          partyId: "SUPPLIER-A",
          hubCount: flashed.length,
          documentSha256: "c".repeat(64),
        },
        at(SUP),
      ),
    );
    out.push(
      makeEvent(
        "notice.issued",
        {
          manifestId: "MF-CAMPAIGN-1",
          flashedCount: flashed.length,
          failedCount: 4,
          deliveryDate: "2027-02-01",
          deliveryWindow: { start: "10:00", end: "12:00" },
          deliveryLocationId: "SUPPLIER-A-DEPOT",
          reissue: false,
        },
        at(SUP),
      ),
    );
    out.push(
      makeEvent(
        "outbound.scan.recorded",
        {
          manifestId: "MF-CAMPAIGN-1",
          source: "hid-pos",
          raw: "]C100005012345000000019",
          kind: "carton",
          verdict: "expected",
          sscc: "005012345000000019",
          reason: "on the manifest",
        },
        at(SUP),
      ),
    );
    out.push(
      makeEvent(
        "dispatch.recorded",
        {
          manifestId: "MF-CAMPAIGN-1",
          asnNumber: "ASN-CAMPAIGN-1",
          unloader: "party",
          carrier: "Acme Haulage",
          vehicleRef: "AB12CDE",
          palletCount: 0,
          cartonCount: 1,
          hubCount: flashed.length,
        },
        at(SUP),
      ),
    );
    out.push(makeEvent("operator.signed-out", {}, at(SUP)));
    return out;
  }

  it("duplicate, reorder and replay every push: each event takes effect once, and the final state equals one clean in-order delivery", async () => {
    // The dispatch waits for the SMI update (Req 10): central refuses it until the DCC has sent it,
    // so the day is delivered without it, and it follows the CSPM-N3 on both centrals.
    const day = dayOfEvents();
    const dispatch = day.find((e): e is EventOf<"dispatch.recorded"> => e.type === "dispatch.recorded");
    if (dispatch === undefined) throw new Error("the day has a dispatch");
    const events = day.filter((e) => e !== dispatch);
    const SEED = 0x9e3779b9;
    const r = prng(SEED);
    // The reference: the outbox's batches, each delivered once, in order.
    const batches = cut(r, events, 60);
    if (storedBeforeReplay.length > 0)
      await ref.call("POST", "/sync/push", {
        token: ref.tokens.docks["DOCK-N1"],
        body: { events: storedBeforeReplay },
      });
    for (const batch of batches) {
      const res = PushResponseSchema.parse(
        (await ref.call("POST", "/sync/push", { token: ref.tokens.docks["DOCK-N1"], body: { events: batch } })).json,
      );
      expect(res.rejected, JSON.stringify(res.results.filter((x) => x.status === "rejected"))).toBe(0);
    }
    // The hostile network: every batch duplicated inside, retried after a lost answer, earlier batches
    // replayed shuffled with their keys reordered, then a storm of everything in random order.
    const acceptedTimes = new Map<string, number>();
    let pushes = 0,
      sent = 0,
      dups = 0;
    const rejections: string[] = [];
    const push = async (batch: unknown[]) => {
      pushes++;
      sent += batch.length;
      const res: PushResponse = PushResponseSchema.parse(
        (await w.call("POST", "/sync/push", { token: dock, body: { events: batch } })).json,
      );
      for (const x of res.results) {
        if (x.status === "accepted" && x.id) acceptedTimes.set(x.id, (acceptedTimes.get(x.id) ?? 0) + 1);
        if (x.status === "duplicate") dups++;
        if (x.status === "rejected") rejections.push(`${x.id}: ${x.reason}`);
      }
    };
    for (const [i, batch] of batches.entries()) {
      // A copy of one event, somewhere after the original: first deliveries stay in the outbox's order.
      const k = Math.floor(r() * batch.length);
      const at = k + 1 + Math.floor(r() * (batch.length - k));
      await push([...batch.slice(0, at), reordered(batch[k]!), ...batch.slice(at)]);
      if (r() < 0.3) await push(batch);
      if (i > 0 && r() < 0.5)
        await push(shuffle(r, batches[Math.floor(r() * i)]!).map((e) => (r() < 0.5 ? reordered(e) : e)));
    }
    const settled = await fingerprint(w, names);
    for (const batch of cut(r, shuffle(r, events), 200)) await push(batch.map((e) => (r() < 0.5 ? reordered(e) : e)));
    await push([...events].reverse().slice(0, 2000));
    const afterStorm = await fingerprint(w, names);
    const again = makeEvent("dispatch.recorded", dispatch.payload, SUP);
    for (const world of [ref, w]) {
      const token = world.tokens.docks["DOCK-N1"];
      const refused = PushResponseSchema.parse(
        (await world.call("POST", "/sync/push", { token, body: { events: [dispatch] } })).json,
      );
      expect(refused.results[0]).toMatchObject({ status: "rejected", reason: expect.stringContaining("Req 10") });
      expect((await world.call("POST", "/smi/cspm-n3", { token: world.tokens.dcc })).status).toBe(200);
      for (const _ of [1, 2]) {
        const res = PushResponseSchema.parse(
          (await world.call("POST", "/sync/push", { token, body: { events: [again, reordered(again)] } })).json,
        );
        expect(res.rejected, JSON.stringify(res.results)).toBe(0);
      }
    }

    const neverAccepted = events.filter((e) => !acceptedTimes.has(e.id)).length;
    const twice = [...acceptedTimes.values()].filter((n) => n > 1).length;
    const stormChanges = diff(settled, afterStorm);
    const [mine, theirs] = await Promise.all([normalisedState(w, names), normalisedState(ref, names)]);
    const stateDiff = diff(mine, theirs);
    row(
      `duplicate/reorder/replay pushes (${backend}, seed ${SEED})`,
      `${events.length} events in ${pushes} pushes (${sent} sent)`,
      `${dups} answered duplicate, ${rejections.length} rejected`,
      `${neverAccepted} lost, ${twice} applied twice, ${stormChanges.length} tables changed by replays, ${stateDiff.length} tables differ from in-order delivery`,
      "0 lost, 0 twice, 0 changed, 0 differ",
    );
    expect(rejections).toEqual([]);
    expect({ neverAccepted, twice }).toEqual({ neverAccepted: 0, twice: 0 });
    expect(stormChanges).toEqual([]);
    expect(stateDiff).toEqual([]);
    // The day's outputs exist exactly once (not vacuous): one receipt, 44 SMI updates, 4 credits, one ASN, one manifest.
    const count = async (
      t: "receipt_outcomes" | "smi_updates" | "credits" | "asns" | "manifests" | "flash_results" | "fault_reports",
    ) =>
      Number(
        (
          await w.database.db
            .selectFrom(t)
            .select((eb) => eb.fn.countAll<string>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect({
      receipts: await count("receipt_outcomes"),
      smi: await count("smi_updates"),
      credits: await count("credits"),
      asns: await count("asns"),
      manifests: await count("manifests"),
      flashes: await count("flash_results"),
      faults: await count("fault_reports"),
    }).toMatchObject({ receipts: 1, smi: 44, credits: 4, asns: 1, manifests: 1, flashes: 48, faults: 4 });
  }, 120_000);
});
