import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { openTestWorld, testBackends, type TestWorld } from "../test-support";
import { loadBooking } from "../services/bookings";
import { hubsOf, scanEvent } from "../demo-events";
import { makeEvent, type DockEvent } from "../../shared/events";
import { PushResponseSchema } from "../../shared/sync";
import type { Booking } from "../../shared/domain/booking";
import type { Statement } from "../../shared/domain/charges";
import type { OpsBookingRow, OpsForecastRow } from "../../shared/desk-api";
import { FAST_POLICY, signedIn, type DeskClient } from "./test-client";

const RECV = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
const STRAY = "00-AA-BB-CC-DD-EE-FF-01";

describe.each(testBackends())("the desk's bookings, receipts, forecasts and statements on %s", (backend) => {
  let w: TestWorld;
  let b: Booking;
  let ops: DeskClient;
  let admin: DeskClient;
  let party: DeskClient;
  let app: ReturnType<typeof createApp>;
  const push = async (events: DockEvent[]) => {
    const r = await w.call("POST", "/sync/push", { token: w.tokens.docks["DOCK-N1"], body: { events } });
    expect(r.status).toBe(200);
    expect(PushResponseSchema.parse(r.json).rejected).toBe(0);
  };

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
    ops = await signedIn(app, w.database.db, "dcc-ops");
    admin = await signedIn(app, w.database.db, "dcc-admin");
    party = await signedIn(app, w.database.db, "party-user", "SUPPLIER-A");
    b = (await loadBooking(w.database.db, w.bookingRef))!;
  });
  afterAll(async () => w?.close());

  it("lists every Party's bookings with the label's line, filtered by Party and status", async () => {
    const all = await ops.call("GET", "/desk/api/ops/bookings");
    expect(all.status).toBe(200);
    const rows = all.json as unknown as OpsBookingRow[];
    const mine = rows.find((r) => r.bookingRef === b.bookingRef);
    expect(mine).toMatchObject({
      partyId: b.partyId,
      facilityId: b.facilityId,
      deliveryDate: b.deliveryDate,
      status: "authorised",
      receipt: null,
    });
    expect(mine?.labelHri).toContain(b.bookingRef);
    const byParty = (await ops.call("GET", `/desk/api/ops/bookings?partyId=${b.partyId}`))
      .json as unknown as OpsBookingRow[];
    expect(byParty.length).toBeGreaterThan(0);
    expect(byParty.every((r) => r.partyId === b.partyId)).toBe(true);
    const closed = (await admin.call("GET", "/desk/api/ops/bookings?status=closed")).json as unknown as OpsBookingRow[];
    expect(closed).toEqual([]);
    const none = (await ops.call("GET", "/desk/api/ops/bookings?partyId=NOBODY")).json as unknown as OpsBookingRow[];
    expect(none).toEqual([]);
  });

  it("serves the booking's printable label PDF, the one the acceptance email attaches", async () => {
    const r = await ops.call("GET", `/desk/api/ops/bookings/${b.bookingRef}/label.pdf`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/pdf");
    expect(r.text.startsWith("%PDF-")).toBe(true);
    expect((await ops.call("GET", "/desk/api/ops/bookings/NO-SUCH-REF/label.pdf")).status).toBe(404);
    expect((await ops.call("GET", "/desk/api/ops/bookings/bad%20ref/label.pdf")).status).toBe(400);
  });

  it("gives the Party its own booking's label PDF from the same builder, never another Party's", async () => {
    const own = await party.call("GET", `/desk/api/portal/bookings/${b.bookingRef}/label.pdf`);
    expect(own.status).toBe(200);
    expect(own.headers.get("content-type")).toBe("application/pdf");
    expect(own.text.startsWith("%PDF-")).toBe(true);
    const other = await signedIn(app, w.database.db, "party-user", "SUPPLIER-B");
    expect((await other.call("GET", `/desk/api/portal/bookings/${b.bookingRef}/label.pdf`)).status).toBe(404);
    expect((await ops.call("GET", `/desk/api/portal/bookings/${b.bookingRef}/label.pdf`)).status).toBe(403);
  });

  it("shows a closed receipt's outcome: counts, missing, unexpected and rejected hubs with reasons", async () => {
    const hs = hubsOf(b);
    const taken = hs.slice(0, 6);
    await push([
      makeEvent("booking.arrived", { bookingRef: b.bookingRef, late: false, reportedEta: null }, RECV),
      ...taken.map((h) => scanEvent(RECV, b.bookingRef, h)),
      scanEvent(
        RECV,
        b.bookingRef,
        {
          hub: { ...taken[0]!.hub, deviceId: STRAY },
          palletSscc: taken[0]!.palletSscc,
          cartonSscc: taken[0]!.cartonSscc,
        },
        "unexpected",
      ),
      makeEvent(
        "receipt.closed",
        {
          bookingRef: b.bookingRef,
          outcome: "partial",
          rejectedHubs: [{ deviceId: taken[5]!.hub.deviceId, code: "damaged", reason: "seal broken" }],
          rejectionReason: null,
          packagingNotes: null,
          damageNotes: "one carton crushed",
        },
        RECV,
      ),
    ]);
    const rows = (await ops.call("GET", "/desk/api/ops/bookings?status=closed")).json as unknown as OpsBookingRow[];
    expect(rows.map((r) => r.bookingRef)).toEqual([b.bookingRef]);
    const receipt = rows[0]!.receipt!;
    expect(receipt).toMatchObject({
      outcome: "part",
      listed: hs.length,
      received: 6,
      unexpected: [{ deviceId: STRAY, verdict: "unexpected" }],
      rejectedHubs: [{ deviceId: taken[5]!.hub.deviceId, code: "damaged", reason: "seal broken" }],
      damageNotes: "one carton crushed",
    });
    expect(receipt.missing.count).toBe(hs.length - 6);
    expect(receipt.missing.deviceIds.length).toBe(Math.min(100, hs.length - 6));
    expect(receipt.missing.deviceIds).not.toContain(taken[0]!.hub.deviceId);
  });

  it("lists every Party's six-monthly forecasts (D-001)", async () => {
    expect(
      (await party.call("POST", "/desk/api/portal/forecasts", { periodStart: "2027-07-01", hubs: 1200 })).status,
    ).toBe(201);
    const r = await ops.call("GET", "/desk/api/ops/forecasts");
    expect(r.status).toBe(200);
    expect((r.json as unknown as OpsForecastRow[]).find((f) => f.partyId === "SUPPLIER-A")).toMatchObject({
      periodStart: "2027-07-01",
      hubs: 1200,
    });
  });

  it("gives the same statement a Party sees for itself, for any Party and period", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const q = `from=2020-01-01&to=${today}`;
    const staffView = await ops.call("GET", `/desk/api/ops/statement?partyId=SUPPLIER-A&${q}`);
    expect(staffView.status).toBe(200);
    const partyView = await party.call("GET", `/desk/api/portal/statement?${q}`);
    expect(staffView.json).toEqual(partyView.json);
    expect((staffView.json as unknown as Statement).period).toEqual({ from: "2020-01-01", to: today });
    expect((await ops.call("GET", `/desk/api/ops/statement?partyId=NOBODY&${q}`)).status).toBe(404);
  });

  it("refuses a Party's user on every staff endpoint", async () => {
    for (const path of [
      "/desk/api/ops/bookings",
      `/desk/api/ops/bookings/${b.bookingRef}/label.pdf`,
      "/desk/api/ops/forecasts",
      "/desk/api/ops/statement?partyId=SUPPLIER-A&from=2020-01-01&to=2020-02-01",
    ])
      expect((await party.call("GET", path)).status, path).toBe(403);
  });

  it("refuses bad query parameters with the reason for each", async () => {
    const bad = async (path: string) => {
      const r = await ops.call("GET", path);
      expect(r.status, path).toBe(400);
      return String((r.json as { reason?: unknown }).reason ?? r.text);
    };
    expect(await bad("/desk/api/ops/bookings?status=lost")).toMatch(/^status: /);
    expect(await bad("/desk/api/ops/bookings?partyId=lower%20case")).toMatch(/^partyId: ids are capital letters/);
    expect(await bad("/desk/api/ops/bookings?colour=red")).toMatch(/colour/);
    const noParty = await bad("/desk/api/ops/statement?from=2020-01-01&to=2020-02-01");
    expect(noParty).toMatch(/^partyId: /);
    expect(await bad("/desk/api/ops/statement?partyId=SUPPLIER-A&from=1%20May&to=2020-02-01")).toMatch(
      /from: date must be YYYY-MM-DD/,
    );
    expect(await bad("/desk/api/ops/statement?partyId=SUPPLIER-A&from=2020-03-01&to=2020-02-01")).toBe(
      "from 2020-03-01 is after to 2020-02-01",
    );
  });
});
