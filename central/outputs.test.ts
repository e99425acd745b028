import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Statement } from "../shared/domain/charges";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { makeEvent, type DockEvent } from "../shared/events";
import { PushResponseSchema } from "../shared/sync";
import type { Booking } from "../shared/domain/booking";
import { loadBooking } from "./services/bookings";
import { deliverOutbox } from "./services/outbox";
import { flashEvent, faultEvent, hubsOf, scanEvent } from "./demo-events";
import { oneCartonManifest, openTestWorld, reserveAsnNumbers, testBackends, type TestWorld } from "./test-support";
import { asnJson, asnSha256, buildAsnDocument } from "../shared/domain/asn";
import { SmiStatusResponseSchema } from "../shared/domain/smi-before-dispatch";
import { sql } from "kysely";

const RECV = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
const TECH = { dockId: "DOCK-N1", operatorId: "OP-N-TECH" };
const SUP = { dockId: "DOCK-N1", operatorId: "OP-N-SUP" };
/** A hub that arrives with the booking but is not listed on it. */
const STRAY = "00-AA-BB-CC-DD-EE-FF-01";

describe.each(testBackends())("outputs derived from dock events on %s", (backend) => {
  let w: TestWorld;
  let b: Booking;
  let ids: string[];
  const dayMs = 86_400_000;
  const push = async (events: DockEvent[]) => {
    const r = await w.call("POST", "/sync/push", { token: w.tokens.docks["DOCK-N1"], body: { events } });
    expect(r.status).toBe(200);
    return PushResponseSchema.parse(r.json);
  };
  /** Hubs received (scanned as expected) at the dock: only these may be flashed or reported on. */
  const receive = async (from: number, to: number) => {
    const r = await push(
      hubsOf(b)
        .slice(from, to)
        .map((h) => scanEvent(RECV, b.bookingRef, h)),
    );
    expect(r.rejected).toBe(0);
  };
  const dcc = (method: string, path: string, body?: unknown) =>
    w.call(method, path, { token: w.tokens.dcc, ...(body !== undefined ? { body } : {}) });
  const lastMail = async (kind: string) =>
    w.database.db
      .selectFrom("outbox")
      .selectAll()
      .where("kind", "=", kind)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();

  beforeAll(async () => {
    w = await openTestWorld(backend);
    b = (await loadBooking(w.database.db, w.bookingRef))!;
    ids = hubsOf(b).map((h) => h.hub.deviceId);
  });
  afterAll(async () => w?.close());

  it("Req 5: a part-accepted receipt is recorded, the Work Order moves to goods received, the Party is told why", async () => {
    const hs = hubsOf(b).slice(0, 12);
    const r = await push([
      makeEvent("booking.arrived", { bookingRef: b.bookingRef, late: false, reportedEta: null }, RECV),
      ...hs.map((h) => scanEvent(RECV, b.bookingRef, h)),
      scanEvent(
        RECV,
        b.bookingRef,
        { hub: { ...hs[0]!.hub, deviceId: STRAY }, palletSscc: hs[0]!.palletSscc, cartonSscc: hs[0]!.cartonSscc },
        "unexpected",
      ),
      makeEvent(
        "receipt.closed",
        {
          bookingRef: b.bookingRef,
          outcome: "partial",
          rejectedHubs: [
            { deviceId: ids[10]!, code: "damaged", reason: "carton crushed" },
            { deviceId: ids[11]!, code: "damaged", reason: "seal broken" },
          ],
          rejectionReason: null,
          packagingNotes: null,
          damageNotes: "one carton crushed",
        },
        RECV,
      ),
    ]);
    expect(r.rejected).toBe(0);
    const receipt = await dcc("GET", `/receipts/${b.bookingRef}`);
    expect(receipt.json).toMatchObject({
      outcome: "part",
      detail: {
        listed: 1792,
        received: 12,
        rejectedHubs: [expect.objectContaining({ deviceId: ids[10] }), expect.objectContaining({ deviceId: ids[11] })],
      },
    });
    const wo = await dcc("GET", `/work-orders/${b.workOrderId}`);
    expect(wo.json).toMatchObject({ status: "goods-received" });
    const mail = await lastMail("receipt-outcome");
    expect(mail?.subject).toMatch(/accepted in part/);
    expect(mail?.text_body).toContain(`${ids[10]}: carton crushed`);
    // The GUID lists: rejected (and why), listed but never received, received but not listed.
    const text = mail?.text_body ?? "";
    expect(text).toContain(`Hubs rejected (2):\n  ${ids[10]}: carton crushed\n  ${ids[11]}: seal broken\n`);
    const missing = /Hubs listed but not received \((\d+)\):\n((?: {2}\S+\n)+)/.exec(text);
    expect(missing?.[1]).toBe("1780");
    expect(missing?.[2]?.trim().split(/\s+/).sort()).toEqual(ids.slice(12).sort());
    expect(text).toContain(`Hubs received but not listed on this booking (1):\n  ${STRAY}: unexpected\n`);
    expect(mail?.to_address).toBe("returns@supplier-a.example");
  });

  it("Req 6: flash results, a Fault Analysis Report and one credit per failed hub; a technician role is required", async () => {
    const flashed = ids.slice(0, 8).map((id) => flashEvent(TECH, id, true));
    const failed = flashEvent(TECH, ids[8]!, false);
    const fault = faultEvent(TECH, ids[8]!, failed.id);
    const again = faultEvent(TECH, ids[8]!, null, true);
    const byReceiver = flashEvent(RECV, ids[9]!, true);
    const r = await push([...flashed, failed, fault, again, byReceiver]);
    expect(r.results.map((x) => x.status)).toEqual([
      ...flashed.map(() => "accepted"),
      "accepted",
      "accepted",
      "accepted",
      "rejected",
    ]);
    // Each Fault Analysis Report, automatic and manual, is sent to the Party with its reference.
    const reports = await w.database.db
      .selectFrom("outbox")
      .select(["to_address", "subject", "text_body"])
      .where("kind", "=", "fault-analysis-report")
      .orderBy("id")
      .execute();
    expect(reports.map((m) => m.subject)).toEqual([
      `Fault Analysis Report ${fault.id}: hub ${ids[8]} (booking ${b.bookingRef})`,
      `Fault Analysis Report ${again.id}: hub ${ids[8]} (booking ${b.bookingRef})`,
    ]);
    expect(reports[0]).toMatchObject({
      to_address: "returns@supplier-a.example",
      text_body: expect.stringContaining(
        "Failed step: verify\nJig: JIG-N-1, slot 0\nJig reported: E42 verify mismatch",
      ),
    });
    expect(reports[1]?.text_body).toMatch(
      /Kind: manual[\s\S]*Notes: casing cracked, cannot analyse\nOutcome: scrapped/,
    );
    const hub = await dcc("GET", `/hubs/${ids[8]}`);
    const h = hub.json as {
      faultReports: unknown[];
      credit: { amount_pence: number | null } | null;
      flashResults: Array<{ ok: boolean }>;
    };
    expect(h.faultReports.length).toBe(2);
    // One credit, priced by the hub's HAN variant from the SMI mirror (issue 17).
    const band = hubsOf(b)[8]!.hub.hanVariant!;
    const rate = w.business.charges.creditPerUnreflashableHub;
    expect(h.credit).toMatchObject({ amount_pence: band === "single-band" ? rate.singleBand : rate.dualBand });
    expect(h.flashResults.map((f) => f.ok)).toEqual([false]);
    expect((await dcc("GET", `/work-orders/${b.workOrderId}`)).json).toMatchObject({ status: "in-progress" });
  });

  it("Req 10 Option A: a CSPM-N3 per flashed hub with every field; a hub with a field missing is refused and stays pending", async () => {
    const stranger = "00-00-00-00-00-00-0A-0B";
    // A dock cannot flash a hub it never received (issue 15): refused at the push, no SMI update.
    const refused = await push([flashEvent(TECH, stranger, true)]);
    expect(refused.results[0]).toMatchObject({
      status: "rejected",
      reason: expect.stringMatching(/never received and accepted at facility N-DOCK-1/),
    });
    // An update pending from before that rule (a legacy row) for a hub the SMI mirror lacks is still refused field by field.
    await w.database.db
      .insertInto("smi_updates")
      .values({
        event_id: "legacy-flash",
        device_id: stranger,
        booking_ref: null,
        device_model: "",
        new_firmware: "00030000",
        status: "pending",
      })
      .execute();
    const r = await dcc("POST", "/smi/cspm-n3");
    const out = r.json as {
      messages: Array<Record<string, unknown>>;
      refused: Array<{ deviceId: string; reason: string }>;
    };
    expect(out.messages.map((m) => m.deviceId).sort()).toEqual(ids.slice(0, 8).sort());
    for (const m of out.messages) {
      expect(m).toMatchObject({
        messageType: "CSPM-N3",
        deviceFirmwareVersion: "00030000",
        previousFirmwareVersion: "0002012F",
        deviceStatus: "Pending",
        bookingRef: b.bookingRef,
      });
      expect(Object.values(m).every((v) => v !== null && v !== undefined && v !== "")).toBe(true);
    }
    expect(out.refused).toEqual([
      {
        deviceId: stranger,
        reason: expect.stringMatching(
          /every field is mandatory; missing: deviceType, deviceManufacturer, deviceModel, previousFirmwareVersion, gpfDeviceId, deviceStatus, cspRegion, assignedParty, bookingRef/,
        ),
      },
    ]);
    const again = (await dcc("POST", "/smi/cspm-n3")).json as { messages: unknown[]; refused: unknown[] };
    expect(again.messages).toEqual([]);
    expect(again.refused.length).toBe(1);
    const hub = (await dcc("GET", `/hubs/${ids[0]}`)).json as { inventory: { firmware_version: string } };
    expect(hub.inventory.firmware_version).toBe("00030000");
  });

  it("Req 10 Option B: the SSMI file lists pending hubs; an upload with bad rows reports each and applies none", async () => {
    await receive(20, 23);
    await push(ids.slice(20, 23).map((id) => flashEvent(TECH, id, true)));
    const file = await dcc("GET", "/smi/ssmi-file");
    expect(file.text.split("\n")[0]).toBe("DeviceID,FirmwareVersion");
    expect(file.text).toContain(`${ids[20]},00030000`);
    await w.database.db
      .updateTable("inventory")
      .set({ smi_status: "Commissioned" })
      .where("device_id", "=", ids[30]!)
      .execute();
    const bad = [
      "DeviceID,FirmwareVersion",
      `${ids[20]},00030000`,
      `${ids[30]},00030000`,
      "not-a-hub,00030000",
      `${ids[21]},0002012F`,
      "00-00-00-00-00-00-00-09,00030000",
      `${ids[22]},00030000,extra`,
      `${ids[20]},00030000`,
    ].join("\n");
    const r = await dcc("POST", "/smi/ssmi-upload", { file: bad });
    expect(r.status).toBe(422);
    const rows = (r.json as { badRows: Array<{ line: number; reason: string }> }).badRows;
    expect(rows.map((x) => x.line)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(rows[0]?.reason).toMatch(/Commissioned; only Pending/);
    expect(rows[1]?.reason).toMatch(/not a device ID/);
    expect(rows[2]?.reason).toMatch(/not a production firmware/);
    expect(rows[3]?.reason).toMatch(/not in the Smart Metering Inventory/);
    expect(rows[4]?.reason).toMatch(/2 columns/);
    expect(rows[5]?.reason).toMatch(/listed twice/);
    const hub = (await dcc("GET", `/hubs/${ids[20]}`)).json as { inventory: { firmware_version: string } };
    expect(hub.inventory.firmware_version).toBe("0002012F");
    const good = await dcc("POST", "/smi/ssmi-upload", {
      file: ["DeviceID,FirmwareVersion", ...ids.slice(20, 23).map((id) => `${id},00030000`)].join("\r\n"),
    });
    expect(good.json).toEqual({ applied: 3, badRows: [] });
    expect(
      ((await dcc("GET", `/hubs/${ids[20]}`)).json as { inventory: { firmware_version: string } }).inventory
        .firmware_version,
    ).toBe("00030000");
    expect((await dcc("POST", "/smi/ssmi-upload", { file: "" })).status).toBe(400);
    expect((await dcc("POST", "/smi/ssmi-upload", { file: "DeviceID,FirmwareVersion\n" })).status).toBe(422);
  });

  it("Req 7 and 9: manifest, a new ASN (a reused number is refused), the re-delivery notice, dispatch completes the Work Order", async () => {
    const manifest = oneCartonManifest(SUP, {
      manifestId: "MF-TEST-1",
      bookingRef: b.bookingRef,
      cartonSscc: b.pallets[0]!.cartons[0]!.sscc,
      deviceIds: ids.slice(0, 8),
      excludedHubs: [
        { deviceId: ids[8]!, faultEventId: null, reason: "verify failed" },
        { deviceId: ids[30]!, faultEventId: null, reason: "not re-flashed yet" },
        { deviceId: ids[10]!, faultEventId: null, reason: "rejected at receipt: carton crushed" },
      ],
    });
    // The dock's own ASN document for this manifest, hashed as the dock does (shared/domain/asn).
    // Within central's window of its own clock (an instant days ahead is refused).
    const issuedAt = new Date(Date.now() - 60_000);
    const party = await w.database.db
      .selectFrom("parties")
      .select("name")
      .where("id", "=", "SUPPLIER-A")
      .executeTakeFirstOrThrow();
    const built = buildAsnDocument({
      asnNumber: "ASN-SUPPLIERA-20270128-001",
      issuedAt: issuedAt.toISOString(),
      manifest: manifest.payload,
      partyName: party.name,
      shipFrom: { csp: "North", facilityId: "N-DOCK-1" },
    });
    if (!built.ok) throw new Error(built.reason);
    const asn = makeEvent(
      "asn.issued",
      {
        asnNumber: "ASN-SUPPLIERA-20270128-001",
        manifestId: "MF-TEST-1",
        partyId: "SUPPLIER-A",
        hubCount: 8,
        documentSha256: await asnSha256(built.document),
      },
      { ...SUP, now: issuedAt },
    );
    // A document central cannot rebuild to the recorded hash: the number is consumed, no file is sent.
    const forged = makeEvent(
      "asn.issued",
      {
        asnNumber: "ASN-SUPPLIERA-20270128-002",
        manifestId: "MF-TEST-1",
        partyId: "SUPPLIER-A",
        hubCount: 8,
        documentSha256: "b".repeat(64),
      },
      SUP,
    );
    const reused = makeEvent(
      "asn.issued",
      {
        asnNumber: "ASN-SUPPLIERA-20270128-001",
        manifestId: "MF-TEST-2",
        partyId: "SUPPLIER-A",
        hubCount: 8,
        documentSha256: "c".repeat(64),
      },
      SUP,
    );
    const notice = makeEvent(
      "notice.issued",
      {
        manifestId: "MF-TEST-1",
        flashedCount: 8,
        failedCount: 1,
        deliveryDate: "2027-02-01",
        deliveryWindow: { start: "10:00", end: "12:00" },
        deliveryLocationId: "SUPPLIER-A-DEPOT",
        reissue: false,
      },
      SUP,
    );
    const weekend = makeEvent(
      "notice.issued",
      {
        manifestId: "MF-TEST-1",
        flashedCount: 8,
        failedCount: 1,
        deliveryDate: "2027-02-06",
        deliveryWindow: { start: "10:00", end: "12:00" },
        deliveryLocationId: "SUPPLIER-A-DEPOT",
        reissue: false,
      },
      SUP,
    );
    const evening = makeEvent(
      "notice.issued",
      {
        manifestId: "MF-TEST-1",
        flashedCount: 8,
        failedCount: 1,
        deliveryDate: "2027-02-01",
        deliveryWindow: { start: "16:00", end: "19:00" },
        deliveryLocationId: "SUPPLIER-A-DEPOT",
        reissue: false,
      },
      SUP,
    );
    const dispatch = makeEvent(
      "dispatch.recorded",
      {
        manifestId: "MF-TEST-1",
        asnNumber: "ASN-SUPPLIERA-20270128-001",
        unloader: "party",
        carrier: "Acme Haulage",
        vehicleRef: "AB12CDE",
        palletCount: 0,
        cartonCount: 1,
        hubCount: 8,
      },
      SUP,
    );
    // Numbers central reserved for this dock (issue 17); the reused one is refused as reused, not as unreserved.
    await reserveAsnNumbers(w, "DOCK-N1", ["ASN-SUPPLIERA-20270128-001", "ASN-SUPPLIERA-20270128-002"]);
    const r = await push([manifest, asn, reused, notice, weekend, evening, dispatch, forged]);
    expect(r.results.map((x) => x.status)).toEqual([
      "accepted",
      "accepted",
      "rejected",
      "accepted",
      "rejected",
      "rejected",
      "accepted",
      "accepted",
    ]);
    expect(r.results[4]).toMatchObject({
      reason: expect.stringMatching(/the site is closed on saturdays \(2027-02-06\)/),
    });
    expect(r.results[5]).toMatchObject({
      reason: expect.stringMatching(/window ends at 19:00, after closing at 17:00 on monday/),
    });
    expect(r.results[2]).toMatchObject({ reason: expect.stringMatching(/already issued.*new ASN number/) });
    const stored = await dcc("GET", "/asns/ASN-SUPPLIERA-20270128-001");
    expect(stored.json).toMatchObject({
      status: "issued",
      manifestId: "MF-TEST-1",
      content: { asnNumber: "ASN-SUPPLIERA-20270128-001", totals: { hubs: 8 }, deliveryDate: "2027-02-01" },
    });
    const asnMail = await lastMail("asn");
    expect(asnMail?.attachments.map((a) => a.filename)).toEqual([
      "ASN-ASN-SUPPLIERA-20270128-001.json",
      "ASN-ASN-SUPPLIERA-20270128-001.csv",
    ]);
    // The Party receives the very bytes the dock hashed.
    expect(asnMail?.attachments[0]?.content).toBe(asnJson(built.document));
    const unverified = await dcc("GET", "/asns/ASN-SUPPLIERA-20270128-002");
    expect(unverified.json).toMatchObject({
      status: "unverified",
      content: { problem: expect.stringMatching(/SHA-256/) },
    });
    const note = await lastMail("redelivery-notice");
    expect(note?.subject).toMatch(/8 re-flashed, 1 failed/);
    for (const id of ids.slice(0, 9)) expect(note?.text_body).toContain(id);
    // Only the failed re-flash is under "failed", with its Fault Analysis Report; the others are listed apart.
    const farRef = (
      await w.database.db
        .selectFrom("fault_reports")
        .select("event_id")
        .where("device_id", "=", ids[8]!)
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirstOrThrow()
    ).event_id;
    const [, failedPart = "", rest = ""] =
      /Failed re-flash \(1, credited; each with its Fault Analysis Report\):\n([\s\S]*?)\n\n(Not in this re-delivery[\s\S]*)/.exec(
        note?.text_body ?? "",
      ) ?? [];
    expect(failedPart).toBe(`  ${ids[8]}: Fault Analysis Report ${farRef}`);
    expect(rest).toContain(
      `Not in this re-delivery, not failed (2):\n  ${ids[30]}: not re-flashed yet\n  ${ids[10]}: rejected at receipt: carton crushed`,
    );
    expect(note?.text_body).toContain("10:00-12:00");
    expect((await dcc("GET", `/work-orders/${b.workOrderId}`)).json).toMatchObject({ status: "completed" });
    expect((await dcc("POST", `/work-orders/${b.workOrderId}/close`)).json).toMatchObject({ status: "closed" });
    expect((await dcc("POST", `/work-orders/${b.workOrderId}/close`)).status).toBe(409);
  });

  it("audit: everything done to a hub, by whom, in order, queryable by GUID", async () => {
    const r = await w.call("GET", `/hubs/${ids[0]}/audit`, { token: w.tokens.docks["DOCK-N1"] });
    const actions = (r.json as { entries: Array<{ action: string; actor: string }> }).entries.map((e) => e.action);
    expect(actions).toEqual([
      "scan.recorded",
      "flash.result",
      "smi.cspm-n3-emitted",
      "manifest.built",
      "dispatch.recorded",
    ]);
    expect((await w.call("GET", "/hubs/not-a-guid/audit", { token: w.tokens.dcc })).status).toBe(400);
    expect((await w.call("GET", `/hubs/${ids[0]}/audit`, { token: w.tokens.parties["SUPPLIER-A"] })).status).toBe(403);
  });

  it("charges: a statement per Party and period from configured rates", async () => {
    // A failed flash with no Fault Analysis Report (a withdrawn target, the wrong hub in the slot)
    // is not the hub's fault: neither charged nor credited.
    expect((await push([flashEvent(TECH, ids[20]!, false)])).accepted).toBe(1);
    const from = new Date(Date.now() - dayMs).toISOString().slice(0, 10);
    const to = new Date(Date.now() + dayMs).toISOString().slice(0, 10);
    const r = await w.call("GET", `/parties/SUPPLIER-A/statement?from=${from}&to=${to}`, {
      token: w.tokens.parties["SUPPLIER-A"],
    });
    expect(r.status).toBe(200);
    const s = r.json as Statement;
    const c = w.business.charges;
    const ret = c.returnCharges?.redeployable ?? 0;
    // The shared rule: re-flashed hubs pay the Explicit Charge and the redeployable return charge;
    // the failed hub's credit and return charge are priced by its HAN variant from the SMI mirror.
    const band = hubsOf(b)[8]!.hub.hanVariant!;
    const Band = band === "single-band" ? "singleBand" : "dualBand";
    const credit = c.creditPerUnreflashableHub[Band];
    const notRedeployable = c.returnCharges?.notRedeployable[Band] ?? 0;
    expect(s.lines).toEqual([
      expect.objectContaining({
        code: "explicit-charge",
        quantity: 11,
        unitMinor: c.explicitChargePerReflashedHub,
        amountMinor: 11 * c.explicitChargePerReflashedHub,
      }),
      expect.objectContaining({ code: `credit-${band}`, quantity: 1, unitMinor: credit, amountMinor: credit }),
      expect.objectContaining({ code: "return-redeployable", quantity: 11, unitMinor: ret, amountMinor: 11 * ret }),
      expect.objectContaining({ code: `return-${band}`, quantity: 1, unitMinor: notRedeployable }),
    ]);
    expect(s.counts).toEqual({ reflashed: 11, notReflashable: 1 });
    expect(s.unpriced).toEqual([]);
    const charges = 11 * (c.explicitChargePerReflashedHub + ret) + notRedeployable;
    expect(s.totals).toEqual({ chargesMinor: charges, creditsMinor: credit, netMinor: charges - credit });
    expect(s).toMatchObject({ partyId: "SUPPLIER-A", currency: c.currency, period: { from, to } });
    expect(
      (
        await w.call("GET", `/parties/SUPPLIER-B/statement?from=${from}&to=${to}`, {
          token: w.tokens.parties["SUPPLIER-A"],
        })
      ).status,
    ).toBe(403);
    expect(
      (await w.call("GET", `/parties/SUPPLIER-A/statement?from=${to}&to=${from}`, { token: w.tokens.dcc })).status,
    ).toBe(400);
    expect((await w.call("GET", `/parties/SUPPLIER-A/statement?from=yesterday`, { token: w.tokens.dcc })).status).toBe(
      400,
    );
  });

  it("Req 10: a flash flagged by the dock (image withdrawn since) keeps its notice and waits; the re-flash brings one SMI update, replacing any pending", async () => {
    const id = ids[40]!;
    await receive(40, 41);
    const flash = (to: string, notice?: string) => {
      const e = flashEvent(TECH, id, true, "0002012F", to);
      if (e.type !== "flash.result") throw new Error("flashEvent makes flash.result events");
      return notice === undefined ? e : makeEvent("flash.result", { ...e.payload, notice }, TECH);
    };
    const pendingOf = async () =>
      (
        await w.database.db
          .selectFrom("smi_updates")
          .select(["new_firmware"])
          .where("device_id", "=", id)
          .where("status", "=", "pending")
          .execute()
      ).map((r) => r.new_firmware);
    expect(
      (
        await push([
          flash("0002012F", "hub holds 0002012F, verified, but that image is no longer the target (withdrawn)"),
        ])
      ).accepted,
    ).toBe(1);
    expect(await pendingOf()).toEqual([]);
    const hub = (await dcc("GET", `/hubs/${id}`)).json as {
      flashResults: Array<{ ok: boolean; reason: string | null }>;
    };
    expect(hub.flashResults).toEqual([
      expect.objectContaining({ ok: true, reason: expect.stringMatching(/^notice: .*no longer the target/) }),
    ]);
    // A notice on a failed flash is refused: a failure says what went wrong.
    const failed = flashEvent(TECH, id, false);
    if (failed.type !== "flash.result") throw new Error("flashEvent makes flash.result events");
    expect(
      (await push([{ ...failed, payload: { ...failed.payload, notice: "x" } } as unknown as DockEvent])).rejected,
    ).toBe(1);
    expect((await push([flash("00030000")])).accepted).toBe(1);
    expect((await push([flash("00030000")])).accepted).toBe(1);
    expect(await pendingOf()).toEqual(["00030000"]);
    const file = await dcc("GET", "/smi/ssmi-file");
    expect(file.text.split("\n").filter((l) => l.startsWith(id))).toEqual([`${id},00030000`]);
  });

  it("Req 10: a dispatch is refused while any hub's SMI update is pending, with the list; the dock can ask for each hub's state", async () => {
    const hubs = [ids[60]!, ids[61]!];
    await receive(60, 62);
    await reserveAsnNumbers(w, "DOCK-N1", ["ASN-SMI-0001"]);
    const fl = await push(hubs.map((id) => flashEvent(TECH, id, true)));
    expect(fl.rejected, JSON.stringify(fl.results)).toBe(0);
    const manifest = oneCartonManifest(SUP, {
      manifestId: "MF-SMI-1",
      bookingRef: b.bookingRef,
      cartonSscc: b.pallets[0]!.cartons[1]!.sscc,
      deviceIds: hubs,
    });
    const asn = makeEvent(
      "asn.issued",
      {
        asnNumber: "ASN-SMI-0001",
        manifestId: "MF-SMI-1",
        partyId: "SUPPLIER-A",
        hubCount: 2,
        documentSha256: "d".repeat(64),
      },
      SUP,
    );
    const dispatch = () =>
      makeEvent(
        "dispatch.recorded",
        {
          manifestId: "MF-SMI-1",
          asnNumber: "ASN-SMI-0001",
          unloader: "party",
          carrier: null,
          vehicleRef: null,
          palletCount: 0,
          cartonCount: 1,
          hubCount: 2,
        },
        SUP,
      );
    const first = await push([manifest, asn, dispatch()]);
    expect(first.results.map((x) => x.status)).toEqual(["accepted", "accepted", "rejected"]);
    const reason = (first.results[2] as { reason: string }).reason;
    expect(reason).toContain(
      "the SMI must be updated before re-delivery (MP155 Req 10): 2 of 2 hubs are not confirmed",
    );
    for (const id of hubs) expect(reason).toContain(`${id} (SMI update not sent yet`);
    expect(
      await w.database.db
        .selectFrom("events")
        .select("id")
        .where("type", "=", "dispatch.recorded")
        .where(sql<boolean>`payload->'payload'->>'manifestId' = 'MF-SMI-1'`)
        .execute(),
    ).toEqual([]);

    const dock = (body: unknown) => w.call("POST", "/sync/smi-status", { token: w.tokens.docks["DOCK-N1"], body });
    const before = SmiStatusResponseSchema.parse((await dock({ manifestId: "MF-SMI-1" })).json);
    expect(before.hubs.map((h) => [h.deviceId, h.update])).toEqual(hubs.map((id) => [id, "pending"]));
    expect((await dock({ manifestId: "MF-UNKNOWN-9" })).status).toBe(404);
    expect((await dock({ manifestId: "lower case" })).status).toBe(400);
    expect(
      (
        await w.call("POST", "/sync/smi-status", {
          token: w.tokens.docks["DOCK-CS1"],
          body: { manifestId: "MF-SMI-1" },
        })
      ).status,
    ).toBe(404);

    // Option A sends both; central then takes the dispatch.
    const n3 = (await dcc("POST", "/smi/cspm-n3")).json as { messages: Array<{ deviceId: string }> };
    expect(n3.messages.map((m) => m.deviceId)).toEqual(expect.arrayContaining(hubs));
    const after = SmiStatusResponseSchema.parse((await dock({ manifestId: "MF-SMI-1" })).json);
    expect(after.hubs.map((h) => [h.update, h.smiFirmware])).toEqual([
      ["emitted", "00030000"],
      ["emitted", "00030000"],
    ]);
    expect((await push([dispatch()])).results.map((x) => x.status)).toEqual(["accepted"]);
  });

  it("issue 18: a rebuilt manifest cancels the ASN it replaces: marked cancelled, the Party told it is cancelled and replaced, no dispatch under it", async () => {
    const hubs = [ids[62]!];
    await receive(62, 63);
    await reserveAsnNumbers(w, "DOCK-N1", ["ASN-CANCEL-0001"]);
    expect((await push(hubs.map((id) => flashEvent(TECH, id, true)))).rejected).toBe(0);
    const manifestOf = (manifestId: string) =>
      oneCartonManifest(SUP, {
        manifestId,
        bookingRef: b.bookingRef,
        cartonSscc: b.pallets[0]!.cartons[2]!.sscc,
        deviceIds: hubs,
      });
    const asn = makeEvent(
      "asn.issued",
      {
        asnNumber: "ASN-CANCEL-0001",
        manifestId: "MF-CANCEL-1",
        partyId: "SUPPLIER-A",
        hubCount: 1,
        documentSha256: "e".repeat(64),
      },
      SUP,
    );
    const cancel = (asnNumber: string, manifestId = "MF-CANCEL-1") =>
      makeEvent(
        "asn.cancelled",
        {
          asnNumber,
          manifestId,
          replacedByManifestId: "MF-CANCEL-2",
          reason: "re-delivery MF-CANCEL-1 was rebuilt as MF-CANCEL-2",
        },
        SUP,
      );
    const r = await push([
      manifestOf("MF-CANCEL-1"),
      asn,
      manifestOf("MF-CANCEL-2"),
      cancel("ASN-NEVER-ISSUED"),
      cancel("ASN-CANCEL-0001", "MF-SMI-1"),
      cancel("ASN-CANCEL-0001"),
    ]);
    expect(r.results.map((x) => x.status)).toEqual([
      "accepted",
      "accepted",
      "accepted",
      "rejected",
      "rejected",
      "accepted",
    ]);
    expect(r.results[3]).toMatchObject({
      reason: expect.stringContaining("was never issued, so it cannot be cancelled"),
    });
    expect((await dcc("GET", "/asns/ASN-CANCEL-0001")).json).toMatchObject({ status: "cancelled" });
    const mail = await lastMail("asn-cancelled");
    expect(mail?.to_address).toBe("returns@supplier-a.example");
    expect(mail?.subject).toBe("ASN ASN-CANCEL-0001 cancelled and replaced (re-delivery MF-CANCEL-1)");
    expect(mail?.text_body).toContain("Re-delivery MF-CANCEL-2 replaces it; its new ASN follows");
    // SMI sent, so only the cancelled ASN stops this dispatch.
    await dcc("POST", "/smi/cspm-n3");
    const dispatch = makeEvent(
      "dispatch.recorded",
      {
        manifestId: "MF-CANCEL-1",
        asnNumber: "ASN-CANCEL-0001",
        unloader: "party",
        carrier: null,
        vehicleRef: null,
        palletCount: 0,
        cartonCount: 1,
        hubCount: 1,
      },
      SUP,
    );
    expect((await push([dispatch])).results[0]).toMatchObject({
      status: "rejected",
      reason: expect.stringContaining("was cancelled when its manifest was rebuilt"),
    });
  });

  it("firmware catalogue: latest production is a query; a new signed entry and a withdrawal reach the docks", async () => {
    expect((await w.call("GET", "/firmware/010A030B/latest", { token: w.tokens.docks["DOCK-N1"] })).json).toMatchObject(
      { version: "00030000" },
    );
    const put = await dcc("PUT", "/firmware", {
      deviceModel: "010A030B",
      version: "00030100",
      status: "production",
      sha256: "d".repeat(64),
      sizeBytes: 1024,
      releasedAt: new Date().toISOString(),
    });
    expect(put.status).toBe(201);
    expect((await w.call("GET", "/firmware/010A030B/latest", { token: w.tokens.dcc })).json).toMatchObject({
      version: "00030100",
      keyId: "test-key",
    });
    expect((await dcc("POST", "/firmware/010A030B/00030100/withdraw")).status).toBe(200);
    expect((await w.call("GET", "/firmware/010A030B/latest", { token: w.tokens.dcc })).json).toMatchObject({
      version: "00030000",
    });
    expect((await dcc("POST", "/firmware/010A030B/0BADF00D/withdraw")).status).toBe(404);
    expect((await w.call("GET", "/firmware/FFFFFFFF/latest", { token: w.tokens.dcc })).status).toBe(404);
    expect(
      (
        await dcc("PUT", "/firmware", {
          deviceModel: "010A030B",
          version: "1",
          status: "beta",
          sha256: "x",
          sizeBytes: -1,
          releasedAt: "soon",
        })
      ).status,
    ).toBe(400);
    expect(
      (await w.call("PUT", "/firmware", { token: w.tokens.docks["DOCK-N1"], body: { deviceModel: "010A030B" } }))
        .status,
    ).toBe(403);
  });

  describe("email outbox", () => {
    it("sends every notice through a real SMTP server, attachments included, and reads them back", async () => {
      const received: Array<{ to: string[]; data: string }> = [];
      const smtp = new SMTPServer({
        disabledCommands: ["STARTTLS", "AUTH"],
        authOptional: true,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            received.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              data: Buffer.concat(chunks).toString("utf8"),
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve()));
      const port = (smtp.server.address() as { port: number }).port;
      try {
        const pending = await w.database.db.selectFrom("outbox").select("id").where("status", "=", "pending").execute();
        const report = await deliverOutbox(
          w.database.db,
          { kind: "smtp", url: `smtp://127.0.0.1:${port}` },
          { from: w.business.mailFrom, maxAttempts: 3, limit: 500 },
        );
        expect(report).toEqual({ sent: pending.length, failed: 0, retrying: 0 });
        expect(received.length).toBe(pending.length);
        const asn = received.find((m) => m.data.includes("X-Reflash-Notice: asn"));
        expect(asn?.data).toContain("filename=ASN-ASN-SUPPLIERA-20270128-001.json");
        expect(asn?.to).toEqual(["returns@supplier-a.example"]);
        const statuses = await w.database.db.selectFrom("outbox").select("status").distinct().execute();
        expect(statuses.map((s) => s.status)).toEqual(["sent"]);
      } finally {
        await new Promise<void>((resolve) => smtp.close(() => resolve()));
      }
    });

    it("retries a failed send with backoff and gives up after the configured attempts", async () => {
      await push([
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
          RECV,
        ),
      ]);
      const dead = { kind: "smtp" as const, url: "smtp://127.0.0.1:1" };
      const first = await deliverOutbox(w.database.db, dead, { from: w.business.mailFrom, maxAttempts: 2 });
      expect(first).toEqual({ sent: 0, failed: 0, retrying: 1 });
      const row = await w.database.db
        .selectFrom("outbox")
        .selectAll()
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow();
      expect(row.attempts).toBe(1);
      expect(row.last_error).toMatch(/ECONNREFUSED|connect/);
      expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(Date.now());
      // Not due yet: nothing is attempted.
      expect(await deliverOutbox(w.database.db, dead, { from: w.business.mailFrom, maxAttempts: 2 })).toEqual({
        sent: 0,
        failed: 0,
        retrying: 0,
      });
      await w.database.db
        .updateTable("outbox")
        .set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() })
        .where("id", "=", row.id)
        .execute();
      expect(await deliverOutbox(w.database.db, dead, { from: w.business.mailFrom, maxAttempts: 2 })).toEqual({
        sent: 0,
        failed: 1,
        retrying: 0,
      });
      const list = await dcc("GET", "/outbox");
      expect((list.json as Array<{ id: number; status: string }>).find((m) => m.id === row.id)?.status).toBe("failed");
    });

    it("writes .eml files when no SMTP server is configured", async () => {
      await push([
        makeEvent(
          "receipt.closed",
          {
            bookingRef: b.bookingRef,
            outcome: "rejected",
            rejectedHubs: [],
            rejectionReason: "wrong pallets delivered",
            packagingNotes: null,
            damageNotes: null,
          },
          RECV,
        ),
      ]);
      const r = await dcc("POST", "/outbox/deliver");
      expect(r.json).toEqual({ sent: 1, failed: 0, retrying: 0 });
      const files = await readdir(w.mailDir);
      expect(files.length).toBe(1);
      const eml = await readFile(join(w.mailDir, files[0]!), "utf8");
      expect(eml).toContain(`Subject: Delivery for booking ${b.bookingRef} rejected`);
      expect(eml).toContain("wrong pallets delivered");
    });
  });
});
