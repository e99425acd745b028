import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { createApp } from "../app";
import { openTestWorld, testBackends, zipOf, type TestWorld, aMonday } from "../test-support";
import { deskDb } from "./schema";
import {
  issueSetupLink,
  DEFAULT_SIGN_IN_POLICY,
  hashPassword,
  verifyPassword,
  type SignInPolicy,
} from "../services/people";
import { readXlsx } from "./files";
import { withCheckDigit } from "../../shared/domain/demo-booking";
import { TEMPLATE_COLUMNS } from "../../shared/domain/request-template";
import { addDays, dayOfWeek } from "../services/working-time";
import { EXAMPLE_WORKING_HOURS } from "../../shared/domain/working-hours";
import { PullResponseSchema } from "../../shared/sync";
import { verifyPin } from "../../shared/domain/operator-pin";

/** Cheap scrypt for tests (the cost is stored in each hash; production uses 2^17). */
const FAST: SignInPolicy = { ...DEFAULT_SIGN_IN_POLICY, cost: { log2N: 10, r: 8, p: 1 } };
const ORIGIN = "http://desk.test";

/** A browser-like client: keeps cookies, sends Origin and the CSRF header the desk app sends. */
class Browser {
  cookies = new Map<string, string>();
  lastSetCookie: string[] = [];
  constructor(
    private app: ReturnType<typeof createApp>,
    private origin: string | null = ORIGIN,
  ) {}
  get csrf() {
    return this.cookies.get("desk_csrf") ?? "";
  }
  async call(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: string | null; origin?: string | null; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const origin = opts.origin === undefined ? this.origin : opts.origin;
    if (origin !== null && method !== "GET") headers.origin = origin;
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (csrf !== null && method !== "GET") headers["x-csrf-token"] = csrf;
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await this.app.request(`${ORIGIN}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    this.lastSetCookie = res.headers.getSetCookie();
    for (const c of this.lastSetCookie) {
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

const upload = (fileName: string, bytes: Buffer | string) => ({
  fileName,
  contentBase64: Buffer.from(bytes).toString("base64"),
});

async function xlsxOf(rows: Array<Array<string | number | { formula: string }>>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Hubs");
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe("scrypt password hashes", () => {
  it("verify the right password only, and keep their cost in the hash", async () => {
    const h = await hashPassword("correct horse battery", FAST.cost);
    expect(h).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(await verifyPassword("correct horse battery", h)).toBe(true);
    expect(await verifyPassword("correct horse batterY", h)).toBe(false);
    expect(await verifyPassword("x", "not-a-hash")).toBe(false);
    expect(await hashPassword("correct horse battery", FAST.cost)).not.toBe(h);
  });
});

describe.each(testBackends())("the desk on %s", (backend) => {
  let w: TestWorld;
  let app: ReturnType<typeof createApp>;
  let admin: Browser;
  const adminPassword = "first admin password 1";
  beforeAll(async () => {
    w = await openTestWorld(backend);
    app = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      desk: { policy: FAST, deskDist: null },
    });
    admin = new Browser(app);
  });
  afterAll(async () => w?.close());

  const auditActions = async () =>
    (await deskDb(w.database.db).selectFrom("desk_audit").select("action").orderBy("seq").execute()).map(
      (r) => r.action,
    );

  it("creates the first admin from a one-time setup link, and only once", async () => {
    const db = deskDb(w.database.db);
    const link = await issueSetupLink(db);
    if (!link.ok) throw new Error(link.reason);
    expect(
      (
        await admin.call("POST", "/desk/api/setup", {
          token: link.token,
          name: "Ada Admin",
          email: "Ada@DCC.example",
          password: "short",
        })
      ).status,
    ).toBe(400);
    const r = await admin.call("POST", "/desk/api/setup", {
      token: link.token,
      name: "Ada Admin",
      email: "Ada@DCC.example",
      password: adminPassword,
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ role: "dcc-admin", email: "ada@dcc.example" });
    expect((await admin.call("GET", "/desk/api/me")).json).toMatchObject({ name: "Ada Admin" });
    const again = await new Browser(app).call("POST", "/desk/api/setup", {
      token: link.token,
      name: "Eve",
      email: "eve@x.example",
      password: "another long password",
    });
    expect(again).toMatchObject({ status: 409, json: { reason: expect.stringMatching(/already used/) } });
    expect(await issueSetupLink(db)).toMatchObject({ ok: false });
    expect(await auditActions()).toEqual(
      expect.arrayContaining(["setup.link-issued", "setup.completed", "sign-in.ok"]),
    );
    const stored = await db
      .selectFrom("people")
      .select("password_hash")
      .where("email", "=", "ada@dcc.example")
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).not.toContain(adminPassword);
  });

  it("sets an HttpOnly SameSite=Strict session cookie; Secure with the __Host- prefix over HTTPS", async () => {
    const b = new Browser(app);
    await b.call("POST", "/desk/api/sign-in", { email: "ada@dcc.example", password: adminPassword });
    const session = b.lastSetCookie.find((c) => c.startsWith("desk_session="));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(b.lastSetCookie.find((c) => c.startsWith("desk_csrf="))).not.toMatch(/HttpOnly/);
    const https = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      desk: { policy: FAST, publicOrigin: "https://desk.dcc.example" },
    });
    const res = await https.request("https://desk.dcc.example/desk/api/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://desk.dcc.example" },
      body: JSON.stringify({ email: "ada@dcc.example", password: adminPassword }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-desk_session="));
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/Path=\//);
  });

  it("refuses changes without the CSRF token or from another origin, even signed in", async () => {
    const body = { id: "CSRF-PARTY", name: "Never", email: "never@x.example" };
    expect((await admin.call("POST", "/desk/api/parties", body, { csrf: null })).json).toMatchObject({ error: "csrf" });
    expect(
      (await admin.call("POST", "/desk/api/parties", body, { csrf: "wrong-token-of-the-right-length-xxxxxxxxxx" }))
        .status,
    ).toBe(403);
    expect(
      (await admin.call("POST", "/desk/api/parties", body, { origin: "https://evil.example" })).json,
    ).toMatchObject({ error: "cross-origin" });
    expect(
      (
        await admin.call("POST", "/desk/api/parties", body, {
          origin: null,
          headers: { "sec-fetch-site": "cross-site" },
        })
      ).json,
    ).toMatchObject({ error: "cross-origin" });
    expect(
      (
        await new Browser(app, "https://evil.example").call("POST", "/desk/api/sign-in", {
          email: "ada@dcc.example",
          password: adminPassword,
        })
      ).status,
    ).toBe(403);
    expect(
      await w.database.db.selectFrom("parties").select("id").where("id", "=", "CSRF-PARTY").executeTakeFirst(),
    ).toBeUndefined();
    expect((await new Browser(app).call("GET", "/desk/api/parties")).status).toBe(401);
  });

  it("locks an account after 5 wrong passwords, audits every attempt, and an admin's new password unlocks it", async () => {
    const created = await admin.call("POST", "/desk/api/people", {
      name: "Olly Ops",
      email: "olly@dcc.example",
      role: "dcc-ops",
      partyId: null,
      password: "olly password 123",
    });
    expect(created.status).toBe(201);
    const b = new Browser(app);
    for (let i = 0; i < 4; i++)
      expect(
        (await b.call("POST", "/desk/api/sign-in", { email: "olly@dcc.example", password: "wrong password!" })).status,
      ).toBe(401);
    const fifth = await b.call("POST", "/desk/api/sign-in", { email: "olly@dcc.example", password: "wrong password!" });
    expect(fifth).toMatchObject({ status: 403, json: { error: "account-locked" } });
    const right = await b.call("POST", "/desk/api/sign-in", {
      email: "olly@dcc.example",
      password: "olly password 123",
    });
    expect(right).toMatchObject({ status: 403, json: { reason: expect.stringMatching(/locked until/) } });
    const unknown = await b.call("POST", "/desk/api/sign-in", {
      email: "nobody@dcc.example",
      password: "whatever it is",
    });
    expect(unknown.json).toMatchObject({ reason: "the email or the password is wrong" });
    const actions = await auditActions();
    expect(actions.filter((a) => a === "sign-in.failed").length).toBeGreaterThanOrEqual(5);
    expect(actions).toContain("account.locked");
    expect(actions).toContain("sign-in.refused");
    expect(actions).toContain("person.created");
    const id = String(created.json.id);
    expect((await admin.call("PATCH", `/desk/api/people/${id}`, { password: "olly new password 1" })).status).toBe(200);
    expect(
      (await b.call("POST", "/desk/api/sign-in", { email: "olly@dcc.example", password: "olly new password 1" }))
        .status,
    ).toBe(200);
    // An ops account cannot administer.
    expect((await b.call("POST", "/desk/api/parties", { id: "OPS-P", name: "x", email: "x@x.example" })).status).toBe(
      403,
    );
    // Deactivated: the session ends at once.
    expect((await admin.call("PATCH", `/desk/api/people/${id}`, { active: false })).status).toBe(200);
    expect((await b.call("GET", "/desk/api/me")).status).toBe(401);
  });

  it("administers Parties, facilities, docks (token shown once, rotated, revoked) and operators the dock pulls", async () => {
    expect(
      (
        await admin.call("POST", "/desk/api/parties", {
          id: "NEW-SUPPLIER",
          name: "New Supplier Ltd",
          email: "returns@new.example",
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await admin.call("POST", "/desk/api/parties", {
          id: "NEW-SUPPLIER",
          name: "Again",
          email: "returns@new.example",
        })
      ).status,
    ).toBe(409);
    expect(
      (await admin.call("POST", "/desk/api/parties", { id: "bad id", name: "", email: "nope" })).json,
    ).toMatchObject({
      error: "invalid-body",
      issues: expect.arrayContaining([
        expect.objectContaining({ path: "id" }),
        expect.objectContaining({ path: "email" }),
      ]),
    });
    expect(
      (
        await admin.call("POST", "/desk/api/parties/NEW-SUPPLIER/locations", {
          id: "NEW-SUPPLIER-DEPOT",
          name: "Depot",
          address: "1 Road, Leeds",
        })
      ).status,
    ).toBe(201);
    expect((await admin.call("GET", "/desk/api/parties")).json).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: "NEW-SUPPLIER",
          locations: [{ id: "NEW-SUPPLIER-DEPOT", name: "Depot", address: "1 Road, Leeds" }],
        }),
      ]),
    );
    expect(
      (
        await admin.call("POST", "/desk/api/facilities", {
          id: "NEW-DOCK",
          name: "New dock",
          csp: "North",
          maxPallets: 4,
          address: "3 Quay, Hull",
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await admin.call("POST", "/desk/api/facilities", {
          id: "X",
          name: "x",
          csp: "Mars",
          maxPallets: 0,
          address: "x",
        })
      ).status,
    ).toBe(400);
    expect(
      (await admin.call("POST", "/desk/api/docks", { id: "DOCK-NEW", facilityId: "NOPE", name: "PC" })).status,
    ).toBe(422);
    expect(
      (await admin.call("POST", "/desk/api/docks", { id: "DOCK-NEW", facilityId: "NEW-DOCK", name: "Receiving PC" }))
        .status,
    ).toBe(201);
    const t1 = String((await admin.call("POST", "/desk/api/docks/DOCK-NEW/token")).json.token);
    expect((await w.call("POST", "/sync/pull", { token: t1, body: { cursor: "0" } })).status).toBe(200);
    const t2 = (await admin.call("POST", "/desk/api/docks/DOCK-NEW/token")).json;
    expect(t2).toMatchObject({ revokedTokens: 1 });
    expect((await w.call("POST", "/sync/pull", { token: t1, body: { cursor: "0" } })).json).toMatchObject({
      error: "token-revoked",
    });
    expect(
      (
        await admin.call("POST", "/desk/api/operators", {
          id: "OP-NEW-RECV",
          name: "Nia Receiver",
          facilityId: "NEW-DOCK",
          roles: ["receiver", "receiver"],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await admin.call("POST", "/desk/api/operators", {
          id: "OP-NEW-RECV",
          name: "Nia Receiver",
          facilityId: "NEW-DOCK",
          roles: ["receiver"],
        })
      ).status,
    ).toBe(201);
    const pull = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: String(t2.token), body: { cursor: "0" } })).json,
    );
    expect(pull.operators).toEqual([
      {
        operatorId: "OP-NEW-RECV",
        name: "Nia Receiver",
        facilityId: "NEW-DOCK",
        roles: ["receiver"],
        active: true,
        pinHash: null,
      },
    ]);
    // A PIN: refused when it is not 4-12 digits, else hashed (never stored or audited as typed) and pulled.
    expect((await admin.call("POST", "/desk/api/operators/OP-NEW-RECV/pin", { pin: "12a4" })).json).toMatchObject({
      error: "invalid-body",
    });
    expect((await admin.call("POST", "/desk/api/operators/OP-NONE/pin", { pin: "73019264" })).status).toBe(404);
    expect((await admin.call("POST", "/desk/api/operators/OP-NEW-RECV/pin", { pin: "73019264" })).status).toBe(200);
    expect((await admin.call("PATCH", "/desk/api/operators/OP-NEW-RECV", { active: false })).status).toBe(200);
    const pull2 = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: String(t2.token), body: { cursor: pull.cursor } })).json,
    );
    expect(pull2.operators[0]).toMatchObject({ operatorId: "OP-NEW-RECV", active: false });
    const pinHash = pull2.operators[0]!.pinHash!;
    expect(await verifyPin("73019264", pinHash)).toBe(true);
    expect(await verifyPin("73019265", pinHash)).toBe(false);
    expect(JSON.stringify(await deskDb(w.database.db).selectFrom("desk_audit").selectAll().execute())).not.toContain(
      "73019264",
    );
    const listed = (await admin.call("GET", "/desk/api/operators")).json as unknown as Array<{
      id: string;
      pinSetAt: unknown;
    }>;
    expect(listed.find((o) => o.id === "OP-NEW-RECV")?.pinSetAt).toEqual(expect.any(String));
    expect((await admin.call("POST", "/desk/api/docks/DOCK-NEW/revoke")).json).toMatchObject({ revokedTokens: 1 });
    expect((await w.call("POST", "/sync/pull", { token: String(t2.token), body: { cursor: "0" } })).status).toBe(401);
    expect(await auditActions()).toEqual(
      expect.arrayContaining([
        "party.created",
        "party-location.created",
        "facility.created",
        "dock.created",
        "dock.token-issued",
        "dock.token-revoked",
        "operator.created",
        "operator.pin-set",
        "operator.updated",
      ]),
    );
    // The last admin cannot lock everyone out.
    const me = (await admin.call("GET", "/desk/api/me")).json;
    expect(
      (await admin.call("PATCH", `/desk/api/people/${String(me.personId)}`, { active: false })).json,
    ).toMatchObject({ error: "last-admin" });
  });

  it("enrols a dock with its one-time code: once, for that dock only, voided after 5 wrong codes; the token it gets pulls", async () => {
    expect(
      (await admin.call("POST", "/desk/api/docks", { id: "DOCK-ENROL", facilityId: "N-DOCK-1", name: "Enrolling PC" }))
        .status,
    ).toBe(201);
    const old = String((await admin.call("POST", "/desk/api/docks/DOCK-ENROL/token")).json.token);
    const issued = await admin.call("POST", "/desk/api/docks/DOCK-ENROL/enrolment");
    expect(issued.json).toMatchObject({
      dockId: "DOCK-ENROL",
      code: expect.stringMatching(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/),
    });
    const code = String(issued.json.code);
    const enrol = (dockId: string, c: string) => w.call("POST", "/enrol", { token: null, body: { dockId, code: c } });
    expect((await enrol("DOCK-N1", code)).json).toMatchObject({ error: "enrolment-refused" });
    expect((await enrol("DOCK-ENROL", "nope")).status).toBe(400);
    const r = await enrol("DOCK-ENROL", code.toLowerCase().replace(/-/g, " "));
    expect(r.status).toBe(201);
    // What the dock pins from now on: the catalogue's publisher key (no private key), and no certificate over plain HTTP.
    expect(r.json).toMatchObject({
      dockId: "DOCK-ENROL",
      facilityId: "N-DOCK-1",
      publisherKeyPem: w.key.publicKeyPem,
      centralCertPem: null,
    });
    expect(r.text).not.toContain("PRIVATE KEY");
    const token = String((r.json as { token: string }).token);
    expect((await w.call("POST", "/sync/pull", { token, body: { cursor: "0" } })).status).toBe(200);
    expect((await w.call("POST", "/sync/pull", { token: old, body: { cursor: "0" } })).json).toMatchObject({
      error: "token-revoked",
    });
    expect((await enrol("DOCK-ENROL", code)).status).toBe(403);
    // Guessing: five wrong codes void the open one, even for the right code after.
    const second = String((await admin.call("POST", "/desk/api/docks/DOCK-ENROL/enrolment")).json.code);
    for (let i = 0; i < 4; i++)
      expect((await enrol("DOCK-ENROL", "AAAA-AAAA-AAAA")).json).toMatchObject({
        reason: expect.stringMatching(/not dock DOCK-ENROL's enrolment code/),
      });
    expect((await enrol("DOCK-ENROL", "AAAA-AAAA-AAAA")).json).toMatchObject({ reason: expect.stringMatching(/void/) });
    expect((await enrol("DOCK-ENROL", second)).status).toBe(403);
    expect((await w.call("POST", "/sync/pull", { token, body: { cursor: "0" } })).status).toBe(200);
    expect(await auditActions()).toEqual(
      expect.arrayContaining(["dock.enrolment-code-issued", "dock.enrolled", "dock.enrol-refused"]),
    );
  });

  it("lets a person change their own password: the current one checked, their other sessions ended", async () => {
    expect(
      (
        await admin.call("POST", "/desk/api/people", {
          name: "Cy Change",
          email: "cy@dcc.example",
          role: "dcc-ops",
          partyId: null,
          password: "cy first password",
        })
      ).status,
    ).toBe(201);
    const here = new Browser(app);
    const elsewhere = new Browser(app);
    await here.call("POST", "/desk/api/sign-in", { email: "cy@dcc.example", password: "cy first password" });
    await elsewhere.call("POST", "/desk/api/sign-in", { email: "cy@dcc.example", password: "cy first password" });
    expect(
      (await here.call("POST", "/desk/api/password", { current: "not it", next: "cy second password" })).json,
    ).toMatchObject({ error: "password-refused", reason: "the current password is wrong" });
    expect(
      (await here.call("POST", "/desk/api/password", { current: "cy first password", next: "short" })).status,
    ).toBe(400);
    expect(
      (
        await here.call(
          "POST",
          "/desk/api/password",
          { current: "cy first password", next: "cy second password" },
          { csrf: null },
        )
      ).status,
    ).toBe(403);
    expect(
      (await here.call("POST", "/desk/api/password", { current: "cy first password", next: "cy second password" }))
        .status,
    ).toBe(200);
    expect((await here.call("GET", "/desk/api/me")).status).toBe(200);
    expect((await elsewhere.call("GET", "/desk/api/me")).status).toBe(401);
    expect(
      (
        await new Browser(app).call("POST", "/desk/api/sign-in", {
          email: "cy@dcc.example",
          password: "cy first password",
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await new Browser(app).call("POST", "/desk/api/sign-in", {
          email: "cy@dcc.example",
          password: "cy second password",
        })
      ).status,
    ).toBe(200);
    expect(await auditActions()).toEqual(expect.arrayContaining(["password.change-refused", "password.changed"]));
  });

  const inventoryCsv = (rows: string[]) =>
    "\uFEFF" +
    [
      '"DeviceID","GPFDeviceID","DeviceType","Manufacturer","DeviceModel","FirmwareVersion","SMIStatus","AssignedParty","CSPRegion"',
      ...rows,
    ].join("\r\n") +
    "\r\n";
  const hub = (n: number) => `00-DE-5C-00-00-00-00-${n.toString(16).toUpperCase().padStart(2, "0")}`;
  const invRow = (n: number, over: Partial<Record<"status" | "party", string>> = {}) =>
    `"${hub(n)}","${hub(n + 128)}","CHF","AB01","010A030B","0002012F","${over.status ?? "Pending"}","${over.party ?? "SUPPLIER-A"}","North"`;

  it("imports an SMI inventory CSV (BOM, quotes, CRLF); the same file again changes nothing; bad rows are named and nothing is applied", async () => {
    const file = inventoryCsv([1, 2, 3, 4, 5].map((n) => invRow(n)));
    const first = await admin.call("POST", "/desk/api/inventory/import", upload("smi.csv", file));
    expect(first.json).toMatchObject({ rows: 5, added: 5, updated: 0, unchanged: 0, badRows: [] });
    const before = await w.database.db
      .selectFrom("inventory")
      .select(["device_id", "updated_at"])
      .where("device_id", "like", "00-DE-5C-%")
      .orderBy("device_id")
      .execute();
    expect((await admin.call("POST", "/desk/api/inventory/import", upload("smi.csv", file))).json).toMatchObject({
      added: 0,
      updated: 0,
      unchanged: 5,
    });
    expect(
      await w.database.db
        .selectFrom("inventory")
        .select(["device_id", "updated_at"])
        .where("device_id", "like", "00-DE-5C-%")
        .orderBy("device_id")
        .execute(),
    ).toEqual(before);
    const changed = inventoryCsv([invRow(1, { status: "Commissioned" }), invRow(2)]);
    expect((await admin.call("POST", "/desk/api/inventory/import", upload("smi.csv", changed))).json).toMatchObject({
      added: 0,
      updated: 1,
      unchanged: 1,
    });
    expect(
      (await admin.call("POST", "/desk/api/inventory/import", upload("smi.csv", inventoryCsv([invRow(1)])))).json,
    ).toMatchObject({ updated: 1 });
    const bad = inventoryCsv([
      invRow(6),
      invRow(7, { status: "Lost" }),
      invRow(8, { party: "NOBODY" }),
      invRow(6),
      `"ZZ","${hub(9)}","CHF","AB01","010A030B","0002012F","Pending","SUPPLIER-A","North"`,
    ]);
    const r = await admin.call("POST", "/desk/api/inventory/import", upload("smi.csv", bad));
    expect(r.status).toBe(422);
    expect(
      (r.json.badRows as Array<{ line: number; reason: string }>).map((b) => [b.line, b.reason.split(" ")[0]]),
    ).toEqual([
      [3, "SMIStatus"],
      [4, "AssignedParty"],
      [5, "device"],
      [6, "DeviceID"],
    ]);
    expect(
      await w.database.db
        .selectFrom("inventory")
        .select("device_id")
        .where("device_id", "=", hub(6))
        .executeTakeFirst(),
    ).toBeUndefined();
    expect((await admin.call("POST", "/desk/api/inventory/import", upload("smi.csv", '"DeviceID","Oops'))).status).toBe(
      422,
    );
    expect(
      (await admin.call("POST", "/desk/api/inventory/import", upload("smi.csv", "DeviceID,Foo\r\n1,2\r\n"))).json,
    ).toMatchObject({ badRows: [{ line: 1, reason: expect.stringMatching(/lacks column/) }] });
  });

  it("Party portal: template, every row's problem before submitting, then the request through the request service; bad uploads refused", async () => {
    expect(
      (
        await admin.call("POST", "/desk/api/people", {
          name: "Pat Party",
          email: "pat@supplier-a.example",
          role: "party-user",
          partyId: "SUPPLIER-A",
          password: "pat password 123",
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await admin.call("POST", "/desk/api/people", {
          name: "Bo B",
          email: "bo@supplier-b.example",
          role: "party-user",
          partyId: "SUPPLIER-B",
          password: "bo password 1234",
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await admin.call("POST", "/desk/api/people", {
          name: "No Party",
          email: "np@x.example",
          role: "party-user",
          partyId: null,
          password: "np password 1234",
        })
      ).status,
    ).toBe(400);
    const pat = new Browser(app);
    expect(
      (await pat.call("POST", "/desk/api/sign-in", { email: "pat@supplier-a.example", password: "pat password 123" }))
        .json,
    ).toMatchObject({ role: "party-user", partyId: "SUPPLIER-A" });
    expect((await pat.call("GET", "/desk/api/parties")).status).toBe(403);
    expect((await admin.call("GET", "/desk/api/portal/options")).status).toBe(403);
    const cookie = [...pat.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const csv = Buffer.from(
      await (await app.request(`${ORIGIN}/desk/api/portal/template.csv`, { headers: { cookie } })).arrayBuffer(),
    );
    expect(csv.toString("utf8")).toBe(`\uFEFF${TEMPLATE_COLUMNS.join(",")}\r\n`);
    const xlsxRes = await app.request(`${ORIGIN}/desk/api/portal/template.xlsx`, { headers: { cookie } });
    const template = Buffer.from(await xlsxRes.arrayBuffer());
    const read = await readXlsx(template);
    expect(read).toMatchObject({ ok: true, rows: [{ line: 1, cells: [...TEMPLATE_COLUMNS] }] });

    // Fill the downloaded template: 3 hubs in the SMI (imported above), one written wrongly.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template as unknown as ArrayBuffer);
    const ws = wb.getWorksheet("Hubs")!;
    const pallet = withCheckDigit("39999990000000001");
    const carton = withCheckDigit("39999990000000002");
    ws.addRow([pallet, carton, hub(2), "0002012F", "AB01", "010A030B"]);
    ws.addRow([pallet, carton, hub(3).replace(/-/g, ""), "0002012F", "AB01", "010A030B"]);
    ws.addRow([pallet, carton, "00-DE-5C-00-00-00-04", "0002012F", "AB01", "010A030B"]);
    const bad = Buffer.from(await wb.xlsx.writeBuffer());
    const check = await pat.call("POST", "/desk/api/portal/check", upload("filled.xlsx", bad));
    expect(check.json).toMatchObject({
      rows: 3,
      problems: [{ line: 4, reason: expect.stringMatching(/device ID .*hex digits/) }],
    });
    const details = {
      facilityId: "N-DOCK-1",
      deliveryLocationId: "LOC-N-DOCK-1",
      deliveryDate: aMonday(2),
      deliveryWindow: { start: "10:00", end: "12:00" },
      redelivery: {
        locationId: "SUPPLIER-A-DEPOT",
        deliveryDate: addDays(aMonday(2), 14),
        deliveryWindow: { start: "10:00", end: "12:00" },
      },
      contact: { name: "Pat Party", email: "pat@supplier-a.example", phone: "+44 161 000 0000" },
    };
    const refused = await pat.call("POST", "/desk/api/portal/submit", {
      file: upload("filled.xlsx", bad),
      details,
      clientRequestId: randomUUID(),
    });
    expect(refused.status).toBe(422);
    const requestsBefore = await w.database.db.selectFrom("requests").select("id").execute();
    ws.getRow(4).getCell(3).value = hub(4);
    const fixed = Buffer.from(await wb.xlsx.writeBuffer());
    expect((await pat.call("POST", "/desk/api/portal/check", upload("filled.xlsx", fixed))).json).toMatchObject({
      hubs: 3,
      pallets: 1,
      cartons: 1,
      problems: [],
    });
    const ok = await pat.call("POST", "/desk/api/portal/submit", {
      file: upload("filled.xlsx", fixed),
      details,
      clientRequestId: randomUUID(),
    });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ status: "accepted", booking: { bookingRef: expect.stringMatching(/^BK-/) } });
    expect((await w.database.db.selectFrom("requests").select("id").execute()).length).toBe(requestsBefore.length + 1);
    // The same hubs again: central refuses them as already booked, placed on the file's lines.
    const twice = await pat.call("POST", "/desk/api/portal/submit", {
      file: upload("filled.xlsx", fixed),
      details,
      clientRequestId: randomUUID(),
    });
    expect(twice.json).toMatchObject({
      status: "rejected",
      lines: expect.arrayContaining([
        {
          line: 2,
          reason: expect.stringMatching(
            /already on booking BK-[A-Z0-9]+; a hub can be requested again only once that booking is closed out/,
          ),
        },
      ]),
    });
    // Each Party sees its own requests only.
    const bo = new Browser(app);
    await bo.call("POST", "/desk/api/sign-in", { email: "bo@supplier-b.example", password: "bo password 1234" });
    expect((await bo.call("GET", "/desk/api/portal/requests")).json).toEqual([]);
    const own = await w.database.db.selectFrom("requests").select("id").where("party_id", "=", "SUPPLIER-A").execute();
    expect(
      ((await pat.call("GET", "/desk/api/portal/requests")).json as unknown as Array<{ requestId: string }>)
        .map((r) => r.requestId)
        .sort(),
    ).toEqual(own.map((r) => r.id).sort());

    // Bad uploads, each with its reason and nothing stored.
    const n = (await w.database.db.selectFrom("requests").select("id").execute()).length;
    const refuse = async (file: { fileName: string; contentBase64: string }) =>
      (await pat.call("POST", "/desk/api/portal/check", file)).json;
    expect(await refuse({ fileName: "x.csv", contentBase64: "" })).toMatchObject({
      reason: expect.stringMatching(/empty/),
    });
    expect(await refuse(upload("x.csv", ""))).toMatchObject({ reason: expect.stringMatching(/empty/) });
    expect(await refuse(upload("big.csv", Buffer.alloc(2 * 1024 * 1024 + 10, 65)))).toMatchObject({
      reason: expect.stringMatching(/larger than 2 MiB/),
    });
    expect(await refuse(upload("x.xlsx", "this is not a workbook at all"))).toMatchObject({
      reason: expect.stringMatching(/not a valid XLSX/),
    });
    expect(await refuse(upload("x.pdf", "%PDF-1.4"))).toMatchObject({
      reason: expect.stringMatching(/neither a CSV nor an XLSX/),
    });
    expect(await refuse(upload("x.csv", Buffer.from([0xff, 0xfe, 0x41, 0x00])))).toMatchObject({
      reason: expect.stringMatching(/not UTF-8/),
    });
    expect(await refuse(upload("x.csv", `${TEMPLATE_COLUMNS.join(",")}\r\n"${pallet}","oops`))).toMatchObject({
      reason: expect.stringMatching(/CSV cannot be read/),
    });
    const formula = await xlsxOf([
      [...TEMPLATE_COLUMNS],
      [pallet, carton, { formula: 'HYPERLINK("http://evil")' }, "0002012F", "AB01", "010A030B"],
    ]);
    expect(await refuse(upload("f.xlsx", formula))).toMatchObject({
      problems: [{ line: 2, reason: expect.stringMatching(/cell C2 holds a formula/) }],
    });
    expect(
      await refuse(
        upload(
          "f.csv",
          `${TEMPLATE_COLUMNS.join(",")}\r\n${pallet},${carton},=cmd|' /C calc'!A0,0002012F,AB01,010A030B\r\n`,
        ),
      ),
    ).toMatchObject({ problems: [{ line: 2, reason: expect.stringMatching(/formulas are not accepted/) }] });
    const bomb = zipOf([{ name: "xl/worksheets/sheet1.xml", data: Buffer.alloc(60 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(200_000);
    expect(await refuse(upload("bomb.xlsx", bomb))).toMatchObject({ reason: expect.stringMatching(/zip bomb/) });
    const liar = zipOf([
      { name: "xl/worksheets/sheet1.xml", data: Buffer.alloc(30 * 1024 * 1024), declaredSize: 1000 },
    ]);
    expect(await refuse(upload("liar.xlsx", liar))).toMatchObject({ reason: expect.stringMatching(/damaged/) });
    const other = await xlsxOf([
      ["Device", "Firmware"],
      ["00-11-22-33-44-55-66-77", "0002012F"],
    ]);
    expect(await refuse(upload("old.xlsx", other))).toMatchObject({
      problems: [{ line: 1, reason: expect.stringMatching(/not the DCC request template/) }],
    });
    expect((await w.database.db.selectFrom("requests").select("id").execute()).length).toBe(n);
  });

  it("Party portal: its own bookings, a late arrival, a re-delivery amendment and a forecast; never another Party's", async () => {
    const pat = new Browser(app);
    await pat.call("POST", "/desk/api/sign-in", { email: "pat@supplier-a.example", password: "pat password 123" });
    const bookings = (await pat.call("GET", "/desk/api/portal/bookings")).json as unknown as Array<{
      bookingRef: string;
      status: string;
      labelHri: string;
      deliveryDate: string;
    }>;
    const own = await w.database.db
      .selectFrom("bookings")
      .select("booking_ref")
      .where("party_id", "=", "SUPPLIER-A")
      .execute();
    expect(bookings.map((b) => b.bookingRef).sort()).toEqual(own.map((b) => b.booking_ref).sort());
    const mine = bookings.find(
      (b) => b.status === "authorised" && b.bookingRef.startsWith("BK-") && b.bookingRef !== w.bookingRef,
    )!;
    expect(mine.labelHri).toContain(mine.bookingRef);
    const workingDay = (from: string) => {
      let d = from;
      while ([0, 6].includes(dayOfWeek(d)) || EXAMPLE_WORKING_HOURS.bankHolidays.includes(d)) d = addDays(d, 1);
      return d;
    };
    const later = workingDay(addDays(mine.deliveryDate, 7));
    const late = await pat.call("POST", `/desk/api/portal/bookings/${mine.bookingRef}/late-arrival`, {
      etaDate: later,
      etaTime: "13:30",
    });
    expect(late.json, JSON.stringify(late.json)).toMatchObject({
      decision: "accepted",
      slot: { date: later, start: "13:00" },
    });
    expect(
      (
        await pat.call("POST", `/desk/api/portal/bookings/${mine.bookingRef}/late-arrival`, {
          etaDate: later,
          etaTime: "19:30",
        })
      ).json,
    ).toMatchObject({ decision: "offered", freeSlots: expect.any(Array) });
    const locations = (await pat.call("GET", "/desk/api/portal/locations")).json as unknown as Array<{ id: string }>;
    expect(locations.map((l) => l.id)).toEqual(["SUPPLIER-A-DEPOT", "SUPPLIER-A-WAREHOUSE"]);
    const amended = await pat.call("POST", `/desk/api/portal/bookings/${mine.bookingRef}/redelivery`, {
      deliveryDate: workingDay(addDays(later, 7)),
      deliveryWindow: { start: "08:00", end: "10:00" },
      deliveryLocationId: "SUPPLIER-A-WAREHOUSE",
    });
    expect(amended.json).toMatchObject({ redelivery: { deliveryLocation: { id: "SUPPLIER-A-WAREHOUSE" } } });
    expect(
      (
        await pat.call("POST", `/desk/api/portal/bookings/${mine.bookingRef}/redelivery`, {
          deliveryDate: workingDay(addDays(later, 7)),
          deliveryWindow: { start: "08:00", end: "10:00" },
          deliveryLocationId: "SUPPLIER-B-DEPOT",
        })
      ).json,
    ).toMatchObject({ error: "amendment-refused" });
    expect(
      (
        (await pat.call("GET", "/desk/api/portal/bookings")).json as unknown as Array<{
          bookingRef: string;
          redelivery: unknown;
        }>
      ).find((b) => b.bookingRef === mine.bookingRef)?.redelivery,
    ).toMatchObject({ deliveryLocation: { id: "SUPPLIER-A-WAREHOUSE" } });
    expect(
      (await pat.call("POST", "/desk/api/portal/forecasts", { periodStart: "2027-07-01", hubs: 1200 })).status,
    ).toBe(201);
    expect((await pat.call("POST", "/desk/api/portal/forecasts", { periodStart: "2027-03-01", hubs: 1 })).status).toBe(
      400,
    );
    expect((await pat.call("GET", "/desk/api/portal/forecasts")).json).toEqual([
      { periodStart: "2027-07-01", hubs: 1200, submittedAt: expect.any(String) },
    ]);
    // Another Party's user sees none of it and can change none of it.
    const bo = new Browser(app);
    await bo.call("POST", "/desk/api/sign-in", { email: "bo@supplier-b.example", password: "bo password 1234" });
    expect(((await bo.call("GET", "/desk/api/portal/bookings")).json as unknown as unknown[]).length).toBe(0);
    expect(
      (
        await bo.call("POST", `/desk/api/portal/bookings/${mine.bookingRef}/late-arrival`, {
          etaDate: later,
          etaTime: "10:30",
        })
      ).status,
    ).toBe(404);
    expect((await bo.call("GET", "/desk/api/portal/forecasts")).json).toEqual([]);
    expect((await admin.call("GET", "/desk/api/portal/bookings")).status).toBe(403);
  });

  it("Party portal: the statement for a period and the Fault Analysis Reports of the Party's own hubs", async () => {
    const hubs = await w.database.db
      .selectFrom("booking_hubs")
      .select("device_id")
      .where("booking_ref", "=", w.bookingRef)
      .orderBy("device_id")
      .limit(2)
      .execute();
    await w.database.db
      .insertInto("flash_results")
      .values({
        event_id: "desk-t-1",
        device_id: hubs[0]!.device_id,
        booking_ref: w.bookingRef,
        ok: true,
        from_version: "0002012F",
        to_version: "00030000",
        reason: null,
        at: "2027-02-01T10:00:00.000Z",
      })
      .execute();
    await w.database.db
      .insertInto("fault_reports")
      .values({
        event_id: "desk-t-2",
        device_id: hubs[1]!.device_id,
        booking_ref: w.bookingRef,
        reason: "verify mismatch after write",
        manual: false,
        at: "2027-02-01T11:00:00.000Z",
      })
      .execute();
    const pat = new Browser(app);
    await pat.call("POST", "/desk/api/sign-in", { email: "pat@supplier-a.example", password: "pat password 123" });
    const st = await pat.call("GET", "/desk/api/portal/statement?from=2027-02-01&to=2027-02-28");
    expect(st.json).toMatchObject({
      partyId: "SUPPLIER-A",
      counts: { reflashed: 1 },
      byBooking: [{ bookingRef: w.bookingRef, reflashed: 1 }],
    });
    expect((await pat.call("GET", "/desk/api/portal/statement?from=2027-03-01&to=2027-02-01")).status).toBe(400);
    expect((await pat.call("GET", "/desk/api/portal/statement?from=soon")).status).toBe(400);
    expect((await pat.call("GET", "/desk/api/portal/fault-reports")).json).toEqual([
      {
        id: expect.any(Number),
        deviceId: hubs[1]!.device_id,
        bookingRef: w.bookingRef,
        reason: "verify mismatch after write",
        manual: false,
        at: "2027-02-01T11:00:00.000Z",
        disposition: null,
      },
    ]);
    const bo = new Browser(app);
    await bo.call("POST", "/desk/api/sign-in", { email: "bo@supplier-b.example", password: "bo password 1234" });
    expect((await bo.call("GET", "/desk/api/portal/fault-reports")).json).toEqual([]);
    expect((await bo.call("GET", "/desk/api/portal/statement?from=2027-02-01&to=2027-02-28")).json).toMatchObject({
      partyId: "SUPPLIER-B",
      counts: { reflashed: 0 },
    });
  });

  it("DCC operations: requests with every reason, Work Orders approved against a PO and closed, the outbox sent", async () => {
    const requests = (await admin.call("GET", "/desk/api/ops/requests")).json as unknown as Array<{
      status: string;
      reasons: Array<{ code: string }>;
    }>;
    expect(requests.find((r) => r.status === "rejected")?.reasons.map((x) => x.code)).toContain("already-booked");
    const wos = (await admin.call("GET", "/desk/api/ops/work-orders")).json as unknown as Array<{
      id: string;
      status: string;
      bookingRef: string | null;
      partyId: string;
    }>;
    const raised = wos.find((x) => x.status === "raised" && x.partyId === "SUPPLIER-A" && x.bookingRef !== null)!;
    expect(
      (await admin.call("POST", `/desk/api/ops/work-orders/${raised.id}/approve`, { purchaseOrder: "bad po" })).status,
    ).toBe(400);
    expect(
      (await admin.call("POST", `/desk/api/ops/work-orders/${raised.id}/close`, { reason: "done" })).json,
    ).toMatchObject({
      error: "work-order-state",
    });
    expect(
      (await admin.call("POST", `/desk/api/ops/work-orders/${raised.id}/approve`, { purchaseOrder: "PO-7788" })).json,
    ).toMatchObject({ status: "approved" });
    expect(
      (await admin.call("POST", `/desk/api/ops/work-orders/${raised.id}/approve`, { purchaseOrder: "PO-7788" })).status,
    ).toBe(409);
    expect((await w.call("GET", `/work-orders/${raised.id}`, { token: w.tokens.dcc })).json).toMatchObject({
      status: "approved",
      purchaseOrder: "PO-7788",
    });
    const pat = new Browser(app);
    await pat.call("POST", "/desk/api/sign-in", { email: "pat@supplier-a.example", password: "pat password 123" });
    expect((await pat.call("GET", "/desk/api/ops/work-orders")).status).toBe(403);
    expect((await pat.call("POST", `/desk/api/ops/work-orders/${raised.id}/close`, { reason: "done" })).status).toBe(
      403,
    );
    const pending = (
      (await admin.call("GET", "/desk/api/ops/outbox")).json as unknown as Array<{ status: string }>
    ).filter((m) => m.status === "pending").length;
    expect(pending).toBeGreaterThan(0);
    expect((await admin.call("POST", "/desk/api/ops/outbox/deliver")).json).toMatchObject({ sent: pending, failed: 0 });
    expect(
      ((await admin.call("GET", "/desk/api/ops/outbox")).json as unknown as Array<{ status: string }>).filter(
        (m) => m.status === "pending",
      ),
    ).toEqual([]);
    const [sent] = await w.database.db
      .selectFrom("outbox")
      .select("id")
      .where("status", "=", "sent")
      .orderBy("id")
      .limit(1)
      .execute();
    expect((await admin.call("POST", `/desk/api/ops/outbox/${sent!.id}/resend`)).json).toMatchObject({
      error: "notice-state",
    });
    await w.database.db
      .updateTable("outbox")
      .set({ status: "failed", last_error: "550 mailbox unavailable" })
      .where("id", "=", sent!.id)
      .execute();
    expect((await admin.call("POST", `/desk/api/ops/outbox/${sent!.id}/resend`)).json).toMatchObject({
      status: "pending",
    });
    expect((await admin.call("POST", "/desk/api/ops/outbox/deliver")).json).toMatchObject({ sent: 1 });
    expect((await admin.call("POST", "/desk/api/ops/outbox/999999/resend")).status).toBe(404);
    expect(await auditActions()).toEqual(
      expect.arrayContaining(["work-order.approved", "outbox.delivered", "outbox.resend"]),
    );
    // A hub: its SMI record, bookings and history (central's audit of the accepted request).
    const booked = await w.database.db
      .selectFrom("booking_hubs")
      .select(["device_id", "booking_ref"])
      .where("booking_ref", "=", raised.bookingRef!)
      .limit(1)
      .executeTakeFirstOrThrow();
    const hub = await admin.call("GET", `/desk/api/ops/hubs/${booked.device_id.replace(/-/g, "").toLowerCase()}`);
    expect(hub.json).toMatchObject({
      deviceId: booked.device_id,
      inventory: { smiStatus: "Pending" },
      bookings: [booked.booking_ref],
      timeline: [expect.objectContaining({ source: "central", action: "request.authorised" })],
    });
    expect((await admin.call("GET", "/desk/api/ops/hubs/00-00-00-00-00-00-00-99")).status).toBe(404);
    expect((await admin.call("GET", "/desk/api/ops/hubs/not-a-hub")).status).toBe(400);
    expect((await pat.call("GET", `/desk/api/ops/hubs/${booked.device_id}`)).status).toBe(403);
  });

  it("refuses any malformed body at every desk endpoint with a reason, changing nothing", async () => {
    const tables = [
      "parties",
      "party_locations",
      "facilities",
      "facility_locations",
      "docks",
      "operators",
      "people",
      "inventory",
      "requests",
      "api_tokens",
      "forecasts",
      "dock_enrolments",
    ] as const;
    const counts = async () =>
      Promise.all(
        tables.map(async (t) =>
          Number(
            (
              await deskDb(w.database.db)
                .selectFrom(t)
                .select((eb) => eb.fn.countAll<string>().as("n"))
                .executeTakeFirstOrThrow()
            ).n,
          ),
        ),
      );
    const before = await counts();
    const pat = new Browser(app);
    await pat.call("POST", "/desk/api/sign-in", { email: "pat@supplier-a.example", password: "pat password 123" });
    const adminPaths = [
      "/parties",
      "/parties/SUPPLIER-A/locations",
      "/facilities",
      "/docks",
      "/operators",
      "/people",
      "/inventory/import",
      "/ops/work-orders/WO-NONE/approve",
    ];
    const partyPaths = [
      "/portal/check",
      "/portal/submit",
      "/portal/forecasts",
      "/password",
      "/portal/bookings/BK-NONE/late-arrival",
      "/portal/bookings/BK-NONE/redelivery",
    ];
    const odd = fc.oneof(
      fc.anything(),
      fc.string(),
      fc.record({ id: fc.string(), name: fc.string(), email: fc.string() }),
      fc.record({ fileName: fc.string(), contentBase64: fc.base64String() }),
    );
    await fc.assert(
      fc.asyncProperty(odd, fc.nat(adminPaths.length + partyPaths.length - 1), async (body, i) => {
        const who = i < adminPaths.length ? admin : pat;
        const path = i < adminPaths.length ? adminPaths[i]! : partyPaths[i - adminPaths.length]!;
        const r = await who.call("POST", `/desk/api${path}`, body === undefined ? null : body);
        expect(r.status, `${path} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(typeof r.json.reason).toBe("string");
      }),
      { numRuns: 150 },
    );
    // Raw text that is not JSON, and JSON under the wrong content type.
    for (const path of adminPaths) {
      const res = await app.request(`${ORIGIN}/desk/api${path}`, {
        method: "POST",
        headers: {
          origin: ORIGIN,
          "x-csrf-token": admin.csrf,
          cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
          "content-type": "application/json",
        },
        body: "{not json",
      });
      expect(res.status).toBe(400);
      const typed = await app.request(`${ORIGIN}/desk/api${path}`, {
        method: "POST",
        headers: {
          origin: ORIGIN,
          "x-csrf-token": admin.csrf,
          cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
          "content-type": "text/plain",
        },
        body: "{}",
      });
      expect(typed.status).toBe(415);
    }
    expect(await counts()).toEqual(before);
  });

  it("serves the desk page with a strict CSP, or says how to build it", async () => {
    const r = await app.request(`${ORIGIN}/desk/`);
    expect([200, 503]).toContain(r.status);
    expect(r.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(r.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    const built = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      desk: { policy: FAST, deskDist: fileURLToPath(new URL("../../desk/dist", import.meta.url)) },
    });
    if ((await built.request(`${ORIGIN}/desk/`)).status === 200) {
      expect((await built.request(`${ORIGIN}/desk/admin/parties`)).headers.get("content-type")).toMatch(/text\/html/);
      expect((await built.request(`${ORIGIN}/desk/assets/not-there.js`)).status).toBe(404);
    }
  });
});
