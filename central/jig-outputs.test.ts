import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeEvent, type DockEvent } from "../shared/events";
import { PushResponseSchema } from "../shared/sync";
import type { Booking } from "../shared/domain/booking";
import { loadBooking } from "./services/bookings";
import { flashEvent, hubsOf, scanEvent } from "./demo-events";
import { openTestWorld, testBackends, type TestWorld } from "./test-support";

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
