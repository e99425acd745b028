import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeEvent, type DockEvent } from "../shared/events";
import { PushResponseSchema } from "../shared/sync";
import type { Booking } from "../shared/domain/booking";
import { loadBooking } from "./services/bookings";
import { flashEvent, hubsOf, scanEvent } from "./demo-events";
import { openTestWorld, testBackends, type TestWorld } from "./test-support";
import { seedDemoPeople } from "./desk/demo-people";
import { deskDb } from "./desk/schema";
import type { FailedHubRow, PortalFaultReport } from "../shared/desk-api";
import type { Statement } from "../shared/domain/charges";

const RECV = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
const TECH = { dockId: "DOCK-N1", operatorId: "OP-N-TECH" };
const SUP = { dockId: "DOCK-N1", operatorId: "OP-N-SUP" };

/** Issue 17/18, the jig station's outputs at central: manual Fault Analysis Reports and supervisors' overrides. */
describe.each(testBackends())("jig station outputs at central on %s", (backend) => {
  let w: TestWorld;
  let b: Booking;
  let ids: string[];
  const push = async (events: DockEvent[]) => {
    const r = await w.call("POST", "/sync/push", { token: w.tokens.docks["DOCK-N1"], body: { events } });
    expect(r.status).toBe(200);
    return PushResponseSchema.parse(r.json);
  };
  const dcc = (method: string, path: string, body?: unknown) =>
    w.call(method, path, { token: w.tokens.dcc, ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    w = await openTestWorld(backend);
    b = (await loadBooking(w.database.db, w.bookingRef))!;
    ids = hubsOf(b).map((h) => h.hub.deviceId);
    const r = await push(
      hubsOf(b)
        .slice(0, 16)
        .map((h) => scanEvent(RECV, b.bookingRef, h)),
    );
    expect(r.rejected).toBe(0);
  });
  afterAll(async () => w?.close());

  const manualReport = (deviceId: string, who = TECH) =>
    makeEvent(
      "fault.reported",
      {
        deviceId,
        flashEventId: null,
        jigId: null,
        slot: null,
        step: null,
        jigSaid: null,
        stepTimingsMs: {},
        manual: true,
        notes: "dropped from the pallet, corner split",
        damage: "cracked casing, antenna loose",
        disposition: "credit",
      },
      who,
    );

  it("a manual Fault Analysis Report from the jig station reaches the Party by email with its reference and the damage found", async () => {
    const far = manualReport(ids[0]!);
    const r = await push([far]);
    expect(r.results.map((x) => x.status)).toEqual(["accepted"]);
    const mail = await w.database.db
      .selectFrom("outbox")
      .selectAll()
      .where("kind", "=", "fault-analysis-report")
      .where("subject", "like", `%${far.id}%`)
      .executeTakeFirst();
    expect(mail?.subject).toBe(`Fault Analysis Report ${far.id}: hub ${ids[0]} (booking ${b.bookingRef})`);
    expect(mail?.to_address).toBe("returns@supplier-a.example");
    expect(mail?.text_body).toContain("Kind: manual (by a technician)\n");
    expect(mail?.text_body).toContain("Damage found: cracked casing, antenna loose\n");
    expect(mail?.text_body).toContain("Notes: dropped from the pallet, corner split\n");
    const stored = await w.database.db
      .selectFrom("fault_reports")
      .select(["reason", "manual"])
      .where("event_id", "=", far.id)
      .executeTakeFirst();
    expect(stored).toEqual({
      reason: "manual report: cracked casing, antenna loose; dropped from the pallet, corner split",
      manual: true,
    });
  });

  it("a manual report for a hub never received here is refused, and no email goes out", async () => {
    const never = ids[100]!;
    const r = await push([manualReport(never)]);
    expect(r.results[0]).toMatchObject({ status: "rejected" });
    const n = await w.database.db
      .selectFrom("outbox")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("kind", "=", "fault-analysis-report")
      .where("subject", "like", `%hub ${never}%`)
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });

  const override = (deviceId: string, who: { dockId: string; operatorId: string }, bookingRef = b.bookingRef) =>
    makeEvent(
      "flash.override",
      { deviceId, bookingRef, flashedTo: "00030000", reason: "casing replaced, flash again" },
      who,
    );

  it("a supervisor's override of a second flash is admitted and audited against the hub", async () => {
    const first = await push([flashEvent(TECH, ids[1]!, true)]);
    expect(first.rejected).toBe(0);
    const ov = override(ids[1]!, SUP);
    const r = await push([ov]);
    expect(r.results.map((x) => x.status)).toEqual(["accepted"]);
    const audit = await dcc("GET", `/hubs/${ids[1]}/audit`);
    expect(audit.status).toBe(200);
    const rows = (audit.json as { entries: Array<{ source: string; action: string; actor: string; detail: unknown }> })
      .entries;
    expect(rows).toContainEqual(
      expect.objectContaining({
        source: "central",
        action: "flash.override",
        actor: "OP-N-SUP",
        detail: expect.objectContaining({
          eventId: ov.id,
          reason: "casing replaced, flash again",
          flashedTo: "00030000",
        }),
      }),
    );
  });

  it("central checks the role from its own operator records: a technician's or receiver's override is refused, nothing audited", async () => {
    const byTech = override(ids[2]!, TECH);
    const byRecv = override(ids[2]!, RECV);
    const byStranger = override(ids[2]!, { dockId: "DOCK-N1", operatorId: "OP-NOBODY" });
    const r = await push([byTech, byRecv, byStranger]);
    expect(r.results.map((x) => x.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(JSON.stringify(r.results[0])).toMatch(/flash\.override needs role supervisor/);
    const rows = ((await dcc("GET", `/hubs/${ids[2]}/audit`)).json as { entries: Array<{ action: string }> }).entries;
    expect(rows.filter((x) => x.action === "flash.override")).toEqual([]);
  });

  it("an override for a hub on another booking than it was received on, or never received, is refused", async () => {
    const r = await push([override(ids[3]!, SUP, "BK-OTHER-1"), override(ids[200]!, SUP)]);
    expect(r.results.map((x) => x.status)).toEqual(["rejected", "rejected"]);
  });
});

/** A desk session (cookie + CSRF header), as the desk web app holds one. */
async function deskSession(app: TestWorld["app"], email: string, password: string) {
  const origin = "http://desk.test";
  let cookie = "";
  let csrf = "";
  const call = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { cookie };
    if (method !== "GET") Object.assign(headers, { origin, "x-csrf-token": csrf });
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await app.request(`${origin}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const jar = new Map(cookie === "" ? [] : cookie.split("; ").map((c) => c.split("=") as [string, string]));
    for (const c of res.headers.getSetCookie()) {
      const [k, v] = (c.split(";")[0] ?? "").split("=");
      if (k) jar.set(k, v ?? "");
    }
    cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    csrf = jar.get("desk_csrf") ?? csrf;
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json, text, headers: res.headers };
  };
  const signedIn = await call("POST", "/desk/api/sign-in", { email, password });
  if (signedIn.status !== 200) throw new Error(`sign-in as ${email}: ${signedIn.text}`);
  return call;
}

describe.each(testBackends())("dispositions of failed hubs and priced credits on %s", (backend) => {
  let w: TestWorld;
  let b: Booking;
  let ids: string[];
  let ops: Awaited<ReturnType<typeof deskSession>>;
  let portal: Awaited<ReturnType<typeof deskSession>>;
  const push = async (events: DockEvent[]) => {
    const r = await w.call("POST", "/sync/push", { token: w.tokens.docks["DOCK-N1"], body: { events } });
    expect(r.status).toBe(200);
    return PushResponseSchema.parse(r.json);
  };
  const report = (deviceId: string) =>
    makeEvent(
      "fault.reported",
      {
        deviceId,
        flashEventId: null,
        jigId: "JIG-N-1",
        slot: 0,
        step: "verify",
        jigSaid: "E42 verify mismatch",
        stepTimingsMs: {},
        manual: false,
        notes: "",
        disposition: "credit",
      },
      TECH,
    );

  beforeAll(async () => {
    w = await openTestWorld(backend);
    b = (await loadBooking(w.database.db, w.bookingRef))!;
    ids = hubsOf(b).map((h) => h.hub.deviceId);
    const accounts = await seedDemoPeople(w.database.db, { log2N: 10, r: 8, p: 1 });
    const account = (role: string) => accounts.find((a) => a.role === role && (a.partyId ?? b.partyId) === b.partyId)!;
    ops = await deskSession(w.app, account("dcc-ops").email, account("dcc-ops").password);
    portal = await deskSession(w.app, account("party-user").email, account("party-user").password);
    const received = await push(
      hubsOf(b)
        .slice(0, 8)
        .map((h) => scanEvent(RECV, b.bookingRef, h)),
    );
    expect(received.rejected).toBe(0);
    expect((await push([flashEvent(TECH, ids[0]!, false), report(ids[0]!), report(ids[1]!)])).rejected).toBe(0);
  });
  afterAll(async () => w?.close());

  it("each failed hub is listed for a disposition; scrapped or returned, once, audited against the hub and at the desk", async () => {
    const pending = (await ops("GET", "/desk/api/dispositions?pending=1")).json as FailedHubRow[];
    expect(pending.map((r) => r.deviceId).sort()).toEqual([ids[0], ids[1]].sort());
    expect(pending[0]).toMatchObject({ partyId: b.partyId, manufacturer: "AB01", disposition: null });

    const bad = await ops("POST", `/desk/api/dispositions/${ids[0]}`, { disposition: "sold", note: "" });
    expect(bad.status).toBe(400);
    const notFailed = await ops("POST", `/desk/api/dispositions/${ids[5]}`, { disposition: "scrapped", note: "" });
    expect(notFailed).toMatchObject({ status: 422, json: { error: "not-failed" } });

    const scrapped = await ops("POST", `/desk/api/dispositions/${ids[0]}`, {
      disposition: "scrapped",
      note: "casing split",
    });
    expect(scrapped.status, scrapped.text).toBe(201);
    expect(scrapped.json).toMatchObject({
      deviceId: ids[0],
      disposition: { disposition: "scrapped", note: "casing split" },
    });
    const again = await ops("POST", `/desk/api/dispositions/${ids[0]}`, {
      disposition: "returned-to-manufacturer",
      note: "",
    });
    expect(again).toMatchObject({ status: 409, json: { error: "already-decided" } });
    const returned = await ops("POST", `/desk/api/dispositions/${ids[1]}`, {
      disposition: "returned-to-manufacturer",
      note: '=HYPERLINK("x") under warranty',
    });
    expect(returned.status, returned.text).toBe(201);

    const audit = (await w.call("GET", `/hubs/${ids[0]}/audit`, { token: w.tokens.dcc })).json as {
      entries: Array<{ source: string; action: string; actor: string; detail: Record<string, unknown> }>;
    };
    expect(audit.entries).toContainEqual(
      expect.objectContaining({
        source: "central",
        action: "hub.disposition",
        actor: expect.stringMatching(/^person:/),
        detail: expect.objectContaining({ disposition: "scrapped", note: "casing split" }),
      }),
    );
    const deskAudit = await deskDb(w.database.db)
      .selectFrom("desk_audit")
      .select("action")
      .where("action", "=", "hub.disposition")
      .execute();
    expect(deskAudit).toHaveLength(2);
    expect(((await ops("GET", "/desk/api/dispositions?pending=1")).json as FailedHubRow[]).length).toBe(0);
  });

  it("the returns list per manufacturer is a CSV download, safe to open in a spreadsheet", async () => {
    const csv = await ops("GET", "/desk/api/dispositions/returns.csv?manufacturer=AB01");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="returns-AB01.csv"');
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe(
      "DeviceID,Manufacturer,DeviceModel,HANVariant,Party,BookingRef,FaultAnalysisReport,DecidedAt,Note",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${ids[1]},AB01,010A030B,`);
    expect(lines[1]).toContain(`'=HYPERLINK`);
    expect((await ops("GET", "/desk/api/dispositions/returns.csv?manufacturer=zz")).status).toBe(400);
    // Not for a Party's account.
    expect((await portal("GET", "/desk/api/dispositions/returns.csv?manufacturer=AB01")).status).toBe(403);
    expect(
      (await portal("POST", `/desk/api/dispositions/${ids[2]}`, { disposition: "scrapped", note: "" })).status,
    ).toBe(403);
  });

  it("the Party's statement shows what became of each failed hub", async () => {
    const rows = (await portal("GET", "/desk/api/portal/fault-reports")).json as PortalFaultReport[];
    const of = (d: string) => rows.filter((r) => r.deviceId === d).map((r) => r.disposition);
    expect(of(ids[0]!)).toEqual(["scrapped"]);
    expect(of(ids[1]!)).toEqual(["returned-to-manufacturer"]);
  });

  it("credits and return charges are priced by the HAN variant the SMI mirror holds: nothing unpriced", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const s = (await portal("GET", `/desk/api/portal/statement?from=${today}&to=${today}`)).json as Statement;
    expect(s.counts.notReflashable).toBe(2);
    expect(s.unpriced).toEqual([]);
    const credits = await w.database.db
      .selectFrom("credits")
      .select(["device_id", "amount_pence"])
      .where("device_id", "in", [ids[0]!, ids[1]!])
      .execute();
    const rate = w.business.charges.creditPerUnreflashableHub;
    for (const c of credits) {
      const band = hubsOf(b).find((h) => h.hub.deviceId === c.device_id)!.hub.hanVariant;
      expect(c.amount_pence).toBe(band === "dual-band" ? rate.dualBand : rate.singleBand);
    }
    // Where the mirror does not know the variant, the credit stays unpriced rather than guessed.
    await w.database.db.updateTable("inventory").set({ han_variant: null }).where("device_id", "=", ids[2]!).execute();
    expect((await push([report(ids[2]!)])).rejected).toBe(0);
    const unknown = await w.database.db
      .selectFrom("credits")
      .select("amount_pence")
      .where("device_id", "=", ids[2]!)
      .executeTakeFirstOrThrow();
    expect(unknown.amount_pence).toBeNull();
  });
});
