import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { openTestWorld, reserveAsnNumbers, testBackends, type TestWorld } from "../test-support";
import { emitCspmN3 } from "../services/smi-update";
import { loadBooking } from "../services/bookings";
import { serviceReportDemoBatches } from "../demo-report-events";
import type { DockEvent } from "../../shared/events";
import { PushResponseSchema } from "../../shared/sync";
import type { Booking } from "../../shared/domain/booking";
import type { ServiceReport } from "../../shared/domain/service-report";
import { FAST_POLICY, signedIn, type DeskClient } from "./test-client";

const HOUR = 3_600_000;

describe.each(testBackends())("the service report on %s", (backend) => {
  let w: TestWorld;
  let b: Booking;
  let ops: DeskClient;
  let party: DeskClient;
  // Days ago, on whole UTC days so the period and the day buckets are known.
  const today = new Date().toISOString().slice(0, 10);
  const day0 = new Date(Date.parse(`${today}T00:00:00.000Z`) - 4 * 24 * HOUR);
  const at = (hours: number) => new Date(day0.getTime() + hours * HOUR);
  const iso = (d: Date) => d.toISOString().slice(0, 10);

  const push = async (events: DockEvent[]) => {
    const r = await w.call("POST", "/sync/push", { token: w.tokens.docks["DOCK-N1"], body: { events } });
    expect(r.status).toBe(200);
    const out = PushResponseSchema.parse(r.json);
    expect(out.results.filter((x) => x.status === "rejected")).toEqual([]);
    return out;
  };

  beforeAll(async () => {
    w = await openTestWorld(backend);
    const app = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      desk: { policy: FAST_POLICY, deskDist: null },
    });
    ops = await signedIn(app, w.database.db, "dcc-ops");
    party = await signedIn(app, w.database.db, "party-user", "SUPPLIER-A");
    b = (await loadBooking(w.database.db, w.bookingRef))!;
    const partyName = (
      await w.database.db.selectFrom("parties").select("name").where("id", "=", b.partyId).executeTakeFirstOrThrow()
    ).name;
    const demo = await serviceReportDemoBatches(b, partyName, day0);
    for (const batch of demo.work) await push(batch);
    // Req 10: the manifest's SMI updates go out before dispatch; the ASN number is one central reserved.
    await emitCspmN3(w.database.db);
    await reserveAsnNumbers(w, "DOCK-N1", ["ASN-00000042"]);
    await push(await demo.shipment("ASN-00000042"));
  });
  afterAll(async () => w?.close());

  const report = async (from: string, to: string) => {
    const r = await ops.call("GET", `/desk/api/report/service?from=${from}&to=${to}`);
    expect(r.status).toBe(200);
    return r.json as unknown as ServiceReport;
  };

  it("per site and Party: received, re-flashed, failed and the turnaround from arrival to re-delivery", async () => {
    const r = await report(iso(day0), today);
    expect(r.sites).toEqual([
      {
        facilityId: "N-DOCK-1",
        partyId: "SUPPLIER-A",
        received: 162,
        reflashed: 160 - 12 - 7,
        failed: 12,
        redelivered: 40,
        turnaroundMedianHours: 50,
        turnaroundP90Hours: 50,
      },
    ]);
  });

  it("per jig: yield by day; per slot: slot 3 flagged, the others not", async () => {
    const r = await report(iso(day0), today);
    expect(r.jigs).toHaveLength(1);
    const j = r.jigs[0]!;
    expect(j).toMatchObject({ facilityId: "N-DOCK-1", jigId: "JIG-N-1", attempts: 160, failures: 19 });
    expect(j.days.map((d) => [d.day, d.attempts, d.failures])).toEqual([
      [iso(at(24)), 80, 10 + 7],
      [iso(at(48)), 80, 2],
    ]);
    expect(j.slots.filter((s) => s.flagged).map((s) => s.slot)).toEqual([3]);
    expect(j.slots.find((s) => s.slot === 3)).toMatchObject({ attempts: 20, failures: 12 });
    expect(r.rule).toMatch(/binomial/);
  });

  it("the period filters by the events' days", async () => {
    const dayOne = await report(iso(at(24)), iso(at(24)));
    expect(dayOne.jigs[0]?.attempts).toBe(80);
    expect(dayOne.sites).toEqual([expect.objectContaining({ received: 0, reflashed: 80 - 17, redelivered: 0 })]);
    const before = await report("2020-01-01", "2020-01-31");
    expect(before).toMatchObject({ sites: [], jigs: [] });
  });

  it("downloads each table as CSV", async () => {
    const sites = await ops.call("GET", `/desk/api/report/service/sites.csv?from=${iso(day0)}&to=${today}`);
    expect(sites.status).toBe(200);
    expect(sites.headers.get("content-type")).toMatch(/text\/csv/);
    expect(sites.headers.get("content-disposition")).toMatch(/service-report-sites-/);
    const lines = sites.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe(
      "Facility,Party,Received,Re-flashed,Failed,Re-delivered,Turnaround median (h),Turnaround p90 (h)",
    );
    expect(lines[1]).toBe("N-DOCK-1,SUPPLIER-A,162,141,12,40,50.0,50.0");
    const slots = await ops.call("GET", `/desk/api/report/service/slots.csv?from=${iso(day0)}&to=${today}`);
    const rows = slots.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(rows).toHaveLength(1 + 8);
    expect(rows.filter((l) => l.endsWith(",yes"))).toEqual([expect.stringMatching(/^N-DOCK-1,JIG-N-1,3,20,12,60\.0,/)]);
    const days = await ops.call("GET", `/desk/api/report/service/days.csv?from=${iso(day0)}&to=${today}`);
    expect(
      days.text
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n"),
    ).toHaveLength(3);
  });

  it("refuses a bad period with a reason, and a Party's user", async () => {
    for (const q of [
      "",
      "?from=2026-13-01&to=2026-12-31",
      `?from=${today}&to=2020-01-01`,
      "?from=2020-01-01&to=2026-01-01",
    ]) {
      const r = await ops.call("GET", `/desk/api/report/service${q}`);
      expect(r.status).toBe(400);
      expect(r.json.reason).toEqual(expect.any(String));
    }
    expect((await party.call("GET", `/desk/api/report/service?from=${iso(day0)}&to=${today}`)).status).toBe(403);
    expect((await party.call("GET", `/desk/api/report/service/slots.csv?from=${iso(day0)}&to=${today}`)).status).toBe(
      403,
    );
  });
});
