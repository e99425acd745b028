import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { withCheckDigit } from "../shared/domain/demo-booking";
import { decodeGs1 } from "../shared/domain/labels";
import { PullResponseSchema, PushResponseSchema } from "../shared/sync";
import { makeEvent, type DockEvent } from "../shared/events";
import { flashEvent, hubsOf, scanEvent } from "./demo-events";
import { loadBooking } from "./services/bookings";
import {
  oneCartonManifest,
  openTestWorld,
  reserveAsnNumbers,
  testBackends,
  type TestWorld,
  aMonday,
  seedInventory,
} from "./test-support";
import { addDays, dayOfWeek } from "./services/working-time";
import { EXAMPLE_WORKING_HOURS } from "../shared/domain/working-hours";
import { PDFDocument } from "pdf-lib";
import { DEFAULT_BUSINESS_CONFIG } from "./config";

let serial = 0;
const sscc = () => withCheckDigit(`39999999${String(++serial).padStart(9, "0")}`);
const hubId = (n: number) =>
  `00-11-22-33-44-55-${(n >> 8).toString(16).toUpperCase().padStart(2, "0")}-${(n & 255).toString(16).toUpperCase().padStart(2, "0")}`;

describe.each(testBackends())("requests and Party actions on %s", (backend) => {
  let w: TestWorld;
  let partyA: string;
  let next = 1;
  beforeAll(async () => {
    w = await openTestWorld(backend);
    partyA = w.tokens.parties["SUPPLIER-A"]!;
  });
  afterAll(async () => w?.close());

  /** Adds SMI records (Pending, Supplier A, North) and returns their ids. */
  async function inventory(n: number, over: Parameters<typeof seedInventory>[2] = {}): Promise<string[]> {
    const ids = Array.from({ length: n }, () => hubId(next++));
    await seedInventory(
      w.database.db,
      ids.map((id, i) => ({ deviceId: id, gpfDeviceId: hubId(40000 + next + i) })),
      over,
    );
    return ids;
  }

  function request(ids: string[], over: Record<string, unknown> = {}, pallets = 1) {
    const per = Math.ceil(ids.length / pallets);
    return {
      clientRequestId: randomUUID(),
      facilityId: "N-DOCK-1",
      deliveryLocationId: "LOC-N-DOCK-1",
      deliveryDate: aMonday(),
      deliveryWindow: { start: "10:00", end: "12:00" },
      redelivery: {
        locationId: "SUPPLIER-A-DEPOT",
        deliveryDate: aMonday(3),
        deliveryWindow: { start: "10:00", end: "12:00" },
      },
      contact: { name: "Pat Returns", email: "pat@supplier-a.example", phone: "+44 161 000 0000" },
      pallets: Array.from({ length: pallets }, (_, p) => ({
        sscc: sscc(),
        cartons: [
          {
            sscc: sscc(),
            hubs: ids.slice(p * per, (p + 1) * per).map((deviceId) => ({
              deviceId,
              firmwareVersion: "0002012F",
              manufacturer: "AB01",
              deviceModel: "010A030B",
            })),
          },
        ],
      })),
      looseCartons: [],
      ...over,
    };
  }

  const count = async (table: "requests" | "bookings" | "work_orders" | "outbox") =>
    Number(
      (
        await w.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("accepts an eligible request: Work Order for the CSP, booking with references and label, notices, and docks pull it", async () => {
    const ids = await inventory(10);
    const outboxBefore = await count("outbox");
    const r = await w.call("POST", "/requests", { token: partyA, body: request(ids) });
    expect(r.status).toBe(201);
    const out = r.json as {
      status: string;
      booking: { bookingRef: string; deliveryRef: string; workOrderId: string; label: { scan: string; hri: string } };
    };
    expect(out.status).toBe("accepted");
    const decoded = decodeGs1(out.booking.label.scan);
    expect(decoded.ok && decoded.elements.map((e) => e.value)).toContain(out.booking.bookingRef);
    const wo = await w.call("GET", `/work-orders/${out.booking.workOrderId}`, { token: w.tokens.dcc });
    expect(wo.json).toMatchObject({
      status: "raised",
      csp: "North",
      facilityId: "N-DOCK-1",
      links: [{ kind: "booking", ref: out.booking.bookingRef }],
    });
    const notices = await w.database.db
      .selectFrom("outbox")
      .select(["kind", "to_address", "attachments"])
      .where("id", ">", outboxBefore)
      .orderBy("id")
      .execute();
    expect(notices.map((n) => n.kind)).toEqual(["request-accepted", "authorisation"]);
    expect(notices[1]?.attachments.map((a) => a.filename)).toContain(`booking-label-${out.booking.bookingRef}.json`);
    // The label a person prints: a PDF whose embedded element string is the booking's, and the DCC's contact.
    const pdf = notices[1]?.attachments.find((a) => a.filename === `booking-label-${out.booking.bookingRef}.pdf`);
    expect(pdf).toMatchObject({ contentType: "application/pdf", encoding: "base64" });
    const doc = await PDFDocument.load(Buffer.from(pdf!.content, "base64"));
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getSubject()).toBe(out.booking.label.hri);
    const authorisation = await w.database.db
      .selectFrom("outbox")
      .select("text_body")
      .where("kind", "=", "authorisation")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(authorisation.text_body).toContain(
      `DCC contact for this booking: ${DEFAULT_BUSINESS_CONFIG.dccContact.name}, ${DEFAULT_BUSINESS_CONFIG.dccContact.email}`,
    );
    expect(authorisation.text_body).toMatch(
      /Re-delivery of the re-flashed hubs:\n {2}To: Supplier A Energy depot, [^\n]*Leeds\n {2}Date: \d{4}-\d{2}-\d{2}\n {2}Window: 10:00-12:00/,
    );
    const pull = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: w.tokens.docks["DOCK-N1"], body: { cursor: "0" } })).json,
    );
    expect(pull.bookings.map((b) => b.bookingRef)).toContain(out.booking.bookingRef);
    // The booking carries both sides: arrival at the CSP's dock, re-delivery to the Party's own depot.
    const pulled = pull.bookings.find((b) => b.bookingRef === out.booking.bookingRef);
    expect(pulled?.deliveryLocation.id).toBe("LOC-N-DOCK-1");
    expect(pulled?.redelivery).toMatchObject({
      deliveryLocation: { id: "SUPPLIER-A-DEPOT" },
      deliveryWindow: { start: "10:00", end: "12:00" },
    });
    const label = await w.call("GET", `/bookings/${out.booking.bookingRef}/label`, { token: partyA });
    expect(label.json).toMatchObject({ bookingRef: out.booking.bookingRef, deliveryRef: out.booking.deliveryRef });
    // Another Party cannot see it.
    expect(
      (await w.call("GET", `/bookings/${out.booking.bookingRef}`, { token: w.tokens.parties["SUPPLIER-B"] })).status,
    ).toBe(404);
    // The Work Order is approved against a purchase order, once.
    expect(
      (
        await w.call("POST", `/work-orders/${out.booking.workOrderId}/approve`, {
          token: w.tokens.dcc,
          body: { purchaseOrder: "PO-1234" },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await w.call("POST", `/work-orders/${out.booking.workOrderId}/approve`, {
          token: w.tokens.dcc,
          body: { purchaseOrder: "PO-1234" },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await w.call("POST", `/work-orders/${out.booking.workOrderId}/approve`, {
          token: partyA,
          body: { purchaseOrder: "PO-1" },
        })
      ).status,
    ).toBe(403);
  });

  it("rejects with every reason per hub and per request, and books nothing", async () => {
    const [notPending] = await inventory(1, { smi_status: "Commissioned" });
    const [otherParty] = await inventory(1, { assigned_party: "SUPPLIER-B" });
    const [wrongCsp] = await inventory(1, { csp_region: "South" });
    const [gpf] = await inventory(1, { device_type: "GPF" });
    const [missing, mismatch] = await inventory(2);
    const body = request(
      [
        notPending!,
        otherParty!,
        wrongCsp!,
        gpf!,
        missing!,
        mismatch!,
        "00-00-00-00-00-00-00-01",
        w.bookingRef ? "88-73-84-57-00-2F-96-1E" : "",
      ],
      { deliveryLocationId: "LOC-CS-3PL-1", deliveryWindow: { start: "18:00", end: "20:00" } },
    );
    const hubs = body.pallets[0]!.cartons[0]!.hubs as Array<Record<string, unknown>>;
    delete hubs[4]!.firmwareVersion;
    hubs[5]!.deviceModel = "0000FFFF";
    hubs.push({ ...hubs[0]! });
    const before = { b: await count("bookings"), wo: await count("work_orders") };
    const r = await w.call("POST", "/requests", { token: partyA, body });
    expect(r.status).toBe(201);
    const out = r.json as { status: string; reasons: Array<{ scope: string; code: string; reason: string }> };
    expect(out.status).toBe("rejected");
    const codes = (scope: string) => out.reasons.filter((x) => x.scope === scope).map((x) => x.code);
    expect(codes("arrival")).toEqual(expect.arrayContaining(["location-not-listed", "outside-working-hours"]));
    expect(codes("re-delivery")).toEqual([]);
    expect(codes(`hub ${notPending}`)).toContain("not-pending");
    expect(codes(`hub ${otherParty}`)).toContain("other-party");
    expect(codes(`hub ${wrongCsp}`)).toContain("wrong-csp-or-facility");
    expect(codes(`hub ${gpf}`)).toContain("wrong-device-type");
    expect(codes(`hub ${missing}`)).toContain("missing-data");
    expect(codes(`hub ${mismatch}`)).toContain("data-mismatch");
    expect(codes("hub 00-00-00-00-00-00-00-01")).toContain("unknown-hub");
    expect(codes(`hub ${notPending}`)).toContain("duplicate-hub");
    expect(await count("bookings")).toBe(before.b);
    expect(await count("work_orders")).toBe(before.wo);
    const stored = await w.call("GET", `/requests/${(r.json as { requestId: string }).requestId}`, { token: partyA });
    expect(stored.json).toMatchObject({ status: "rejected" });
    const mail = await w.database.db
      .selectFrom("outbox")
      .select(["kind", "text_body"])
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(mail.kind).toBe("request-rejected");
    expect(mail.text_body).toContain("assigned to a different Service User");
  });

  it("names the re-delivery side when it is wrong: another Party's location, a weekend, a date before arrival", async () => {
    const ids = await inventory(2);
    const sunday = addDays(aMonday(3), -1);
    const other = await w.call("POST", "/requests", {
      token: partyA,
      body: request(ids, {
        redelivery: {
          locationId: "SUPPLIER-B-DEPOT",
          deliveryDate: sunday,
          deliveryWindow: { start: "10:00", end: "12:00" },
        },
      }),
    });
    const out = other.json as { status: string; reasons: Array<{ scope: string; code: string; reason: string }> };
    expect(out.status).toBe("rejected");
    expect(out.reasons.filter((r) => r.scope === "arrival")).toEqual([]);
    expect(out.reasons.filter((r) => r.scope === "re-delivery").map((r) => r.code)).toEqual([
      "redelivery-location-not-listed",
      "redelivery-outside-working-hours",
    ]);
    expect(out.reasons.find((r) => r.code === "redelivery-location-not-listed")?.reason).toBe(
      "re-delivery location SUPPLIER-B-DEPOT is not one of SUPPLIER-A's listed locations",
    );
    // The CSP's own dock is not a re-delivery location either.
    const dock = await w.call("POST", "/requests", {
      token: partyA,
      body: request(ids, {
        redelivery: {
          locationId: "LOC-N-DOCK-1",
          deliveryDate: aMonday(3),
          deliveryWindow: { start: "10:00", end: "12:00" },
        },
      }),
    });
    expect((dock.json as { reasons: Array<{ code: string }> }).reasons.map((r) => r.code)).toEqual([
      "redelivery-location-not-listed",
    ]);
    const early = await w.call("POST", "/requests", {
      token: partyA,
      body: request(ids, {
        redelivery: {
          locationId: "SUPPLIER-A-WAREHOUSE",
          deliveryDate: aMonday(),
          deliveryWindow: { start: "10:00", end: "12:00" },
        },
      }),
    });
    expect((early.json as { reasons: Array<{ scope: string; code: string }> }).reasons).toEqual([
      expect.objectContaining({ scope: "re-delivery", code: "redelivery-before-arrival" }),
    ]);
    const mail = await w.database.db
      .selectFrom("outbox")
      .select("text_body")
      .where("kind", "=", "request-rejected")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(mail.text_body).toContain("- re-delivery: re-delivery date");
  });

  it("purchase order gate (PIA 6.2.2): a Central & South booking cannot be worked until its Work Order is approved against a PO", async () => {
    const ids = await inventory(2, { csp_region: "South" });
    const csDock = w.tokens.docks["DOCK-CS1"]!;
    const before = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: csDock, body: { cursor: "0" } })).json,
    );
    const r = await w.call("POST", "/requests", {
      token: partyA,
      body: request(ids, { facilityId: "CS-3PL-1", deliveryLocationId: "LOC-CS-3PL-1" }),
    });
    const out = r.json as { status: string; reasons: unknown[]; booking: { bookingRef: string; workOrderId: string } };
    expect(out.status, JSON.stringify(out.reasons)).toBe("accepted");
    const pulled = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: csDock, body: { cursor: before.cursor } })).json,
    );
    const blocked = pulled.bookings.find((b) => b.bookingRef === out.booking.bookingRef);
    expect(blocked?.workBlocked).toMatch(
      new RegExp(`Work Order ${out.booking.workOrderId} is not yet approved against a purchase order`),
    );
    const booking = blocked!;
    const hub = {
      hub: booking.pallets[0]!.cartons[0]!.hubs[0]!,
      palletSscc: booking.pallets[0]!.sscc,
      cartonSscc: booking.pallets[0]!.cartons[0]!.sscc,
    };
    const RECV = { dockId: "DOCK-CS1", operatorId: "OP-CS-RECV" };
    const push = async (events: DockEvent[]) =>
      PushResponseSchema.parse((await w.call("POST", "/sync/push", { token: csDock, body: { events } })).json);
    const arrived = makeEvent(
      "booking.arrived",
      { bookingRef: booking.bookingRef, late: false, reportedEta: null },
      RECV,
    );
    const unload = makeEvent(
      "unloading.started",
      { direction: "inbound", bookingRef: booking.bookingRef, unloader: "party" },
      RECV,
    );
    const refused = await push([arrived, unload, scanEvent(RECV, booking.bookingRef, hub)]);
    expect(refused.results.map((x) => x.status)).toEqual(["accepted", "rejected", "rejected"]);
    expect(refused.results[2]).toMatchObject({
      reason: expect.stringMatching(
        /receiving scan refused: booking .* cannot be worked yet: its Work Order .* is not yet approved against a purchase order, which CSP Central & South needs/,
      ),
    });
    // The Party's authorisation said so too.
    const mail = await w.database.db
      .selectFrom("outbox")
      .select("text_body")
      .where("kind", "=", "authorisation")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(mail.text_body).toContain("Work starts once the Work Order is approved against your purchase order.");
    expect(
      (
        await w.call("POST", `/work-orders/${out.booking.workOrderId}/approve`, {
          token: w.tokens.dcc,
          body: { purchaseOrder: "PO-CS-1" },
        })
      ).status,
    ).toBe(200);
    const after = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: csDock, body: { cursor: pulled.cursor } })).json,
    );
    expect(after.bookings.find((b) => b.bookingRef === booking.bookingRef)?.workBlocked).toBeNull();
    const unload2 = makeEvent(
      "unloading.started",
      { direction: "inbound", bookingRef: booking.bookingRef, unloader: "party" },
      RECV,
    );
    expect((await push([unload2, scanEvent(RECV, booking.bookingRef, hub)])).results.map((x) => x.status)).toEqual([
      "accepted",
      "accepted",
    ]);
  });

  it("rejects hubs already on an open booking, and over capacity (CSP North stores 5 pallets)", async () => {
    const ids = await inventory(8);
    const r = await w.call("POST", "/requests", { token: partyA, body: request(ids, {}, 4) });
    const out = r.json as { status: string; reasons: Array<{ code: string; reason: string }> };
    expect(out.status).toBe("rejected");
    expect(out.reasons.find((x) => x.code === "over-capacity")?.reason).toMatch(
      /at most 5 pallets; 3 already booked or on site until dispatch, this request adds 4/,
    );
    const demo = await w.call("GET", `/bookings/${w.bookingRef}`, { token: partyA });
    const firstHub = (demo.json as { pallets: Array<{ cartons: Array<{ hubs: Array<{ deviceId: string }> }> }> })
      .pallets[0]!.cartons[0]!.hubs[0]!.deviceId;
    const again = await w.call("POST", "/requests", { token: partyA, body: request([firstHub]) });
    expect((again.json as { reasons: Array<{ code: string }> }).reasons.map((x) => x.code)).toContain("already-booked");
  });

  it("refuses a replayed request id with 409 and changes nothing", async () => {
    const ids = await inventory(2);
    const body = request(ids);
    expect((await w.call("POST", "/requests", { token: partyA, body })).status).toBe(201);
    const before = await count("requests");
    const r = await w.call("POST", "/requests", { token: partyA, body });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ error: "replayed-request" });
    expect(await count("requests")).toBe(before);
  });

  describe("bad input on Party endpoints changes nothing", () => {
    it.each([
      ["malformed JSON", '{"clientRequestId":', 400, /not valid JSON/],
      ["wrong types", JSON.stringify({ clientRequestId: 5 }), 400, /clientRequestId/],
      [
        "unknown field",
        JSON.stringify({
          clientRequestId: randomUUID(),
          facilityId: "N-DOCK-1",
          deliveryLocationId: "LOC-N-DOCK-1",
          deliveryDate: "2030-01-07",
          deliveryWindow: { start: "10:00", end: "12:00" },
          contact: { name: "a", email: "a@b.example", phone: "0123456" },
          pallets: [],
          looseCartons: [],
          discount: 100,
        }),
        400,
        /unknown field\(s\) "discount"/,
      ],
      [
        "SQL-looking id",
        JSON.stringify({
          clientRequestId: randomUUID(),
          facilityId: "N-DOCK-1'; drop table bookings; --",
          deliveryLocationId: "x",
          deliveryDate: "2030-01-07",
          deliveryWindow: { start: "10:00", end: "12:00" },
          contact: { name: "a", email: "a@b.example", phone: "0123456" },
          pallets: [],
          looseCartons: [],
        }),
        400,
        /facilityId/,
      ],
      [
        "bad device id",
        JSON.stringify({
          clientRequestId: randomUUID(),
          facilityId: "N-DOCK-1",
          deliveryLocationId: "LOC-N-DOCK-1",
          deliveryDate: "2030-01-07",
          deliveryWindow: { start: "10:00", end: "12:00" },
          contact: { name: "a", email: "a@b.example", phone: "0123456" },
          pallets: [{ sscc: "123", cartons: [] }],
          looseCartons: [],
        }),
        400,
        /SSCC/,
      ],
    ])("POST /requests: %s", async (_n, raw, status, reason) => {
      const before = await count("requests");
      const r = await w.call("POST", "/requests", { token: partyA, rawBody: raw });
      expect(r.status).toBe(status);
      expect((r.json as { reason: string }).reason).toMatch(reason);
      expect(await count("requests")).toBe(before);
      expect(await count("bookings")).toBeGreaterThan(0);
    });

    it("every body-taking endpoint refuses malformed JSON, wrong types and unknown fields with 400, and changes nothing", async () => {
      const ref = w.bookingRef;
      const endpoints: Array<[string, string, string, Record<string, unknown>]> = [
        ["POST", "/sync/pull", w.tokens.docks["DOCK-N1"]!, { cursor: "0" }],
        ["POST", "/sync/push", w.tokens.docks["DOCK-N1"]!, { events: [{}] }],
        ["POST", "/requests", partyA, { clientRequestId: randomUUID() }],
        ["POST", `/bookings/${ref}/late-arrival`, partyA, { etaDate: "2030-01-07", etaTime: "10:00" }],
        [
          "POST",
          `/bookings/${ref}/redelivery`,
          partyA,
          {
            deliveryDate: "2030-01-07",
            deliveryWindow: { start: "10:00", end: "12:00" },
            deliveryLocationId: "SUPPLIER-A-DEPOT",
          },
        ],
        ["POST", "/forecasts", partyA, { periodStart: "2030-01-01", hubs: 1 }],
        ["POST", "/work-orders/WO-X/approve", w.tokens.dcc, { purchaseOrder: "PO-1" }],
        ["PUT", "/firmware", w.tokens.dcc, { deviceModel: "010A030B" }],
        ["POST", "/smi/ssmi-upload", w.tokens.dcc, { file: "x" }],
      ];
      const snapshot = async () =>
        JSON.stringify(await Promise.all((["requests", "bookings", "work_orders", "outbox"] as const).map(count)));
      const before = await snapshot();
      for (const [method, path, token, valid] of endpoints) {
        for (const raw of [
          "{",
          "null",
          '"text"',
          JSON.stringify({ ...valid, "'; drop table events; --": 1 }),
          JSON.stringify(Object.fromEntries(Object.keys(valid).map((k) => [k, 12345]))),
        ]) {
          const r = await w.call(method, path, { token, rawBody: raw });
          expect([400, 404], `${method} ${path} ${raw} -> ${r.status} ${r.text}`).toContain(r.status);
          expect(typeof (r.json as { reason?: unknown }).reason, `${method} ${path}`).toBe("string");
        }
      }
      expect(await snapshot()).toBe(before);
    });

    it("a dock token cannot submit a request", async () => {
      const r = await w.call("POST", "/requests", { token: w.tokens.docks["DOCK-N1"], body: request([]) });
      expect(r.status).toBe(403);
    });

    it.each([
      ["/bookings/BK-2027-0000/late-arrival", { etaDate: "2030-01-07" }, /etaTime/],
      ["/bookings/BK-2027-0000/late-arrival", { etaDate: "2030-01-07", etaTime: "25:00" }, /HH:MM/],
      [
        "/bookings/BK-2027-0000/redelivery",
        { deliveryDate: "2030-01-07", deliveryWindow: { start: "10:00" }, deliveryLocationId: "X" },
        /deliveryWindow.end/,
      ],
      ["/forecasts", { periodStart: "2027-03-01", hubs: 10 }, /1 January or|YYYY-01-01/],
      ["/forecasts", { periodStart: "2027-01-01", hubs: -1 }, /hubs/],
    ])("POST %s %j -> 400", async (path, body, reason) => {
      const r = await w.call("POST", path, { token: partyA, body });
      expect(r.status).toBe(400);
      expect((r.json as { reason: string }).reason).toMatch(reason);
    });

    it("a booking path that is not a booking reference is a 400, another Party's booking a 404", async () => {
      expect((await w.call("GET", "/bookings/bk%20'%20or%201=1", { token: partyA })).status).toBe(400);
      expect(
        (
          await w.call("POST", `/bookings/${w.bookingRef}/late-arrival`, {
            token: w.tokens.parties["SUPPLIER-B"],
            body: { etaDate: aMonday(), etaTime: "10:30" },
          })
        ).status,
      ).toBe(404);
    });
  });

  it("late arrival: a free slot is accepted and synced; a taken or closed one gets the free slots", async () => {
    const date = aMonday(3);
    const ok = await w.call("POST", `/bookings/${w.bookingRef}/late-arrival`, {
      token: partyA,
      body: { etaDate: date, etaTime: "13:30" },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ decision: "accepted", slot: { date, start: "13:00", end: "15:00" } });
    const b = await w.call("GET", `/bookings/${w.bookingRef}`, { token: partyA });
    expect(b.json).toMatchObject({ deliveryDate: date, deliveryWindow: { start: "13:00", end: "15:00" } });
    const late = await w.call("POST", `/bookings/${w.bookingRef}/late-arrival`, {
      token: partyA,
      body: { etaDate: date, etaTime: "19:30" },
    });
    const offered = late.json as {
      decision: string;
      reason: string;
      freeSlots: Array<{ date: string; start: string }>;
    };
    expect(offered.decision).toBe("offered");
    expect(offered.reason).toMatch(/no delivery timeslot/);
    expect(offered.freeSlots.length).toBeGreaterThan(0);
    expect(offered.freeSlots.every((s) => dayOfWeek(s.date) >= 1 && dayOfWeek(s.date) <= 5)).toBe(true);
    // The full range: every free slot of every working day in the horizon, not the first eight.
    expect(offered.freeSlots.length).toBeGreaterThan(8);
    const horizon = addDays(offered.freeSlots[0]!.date, DEFAULT_BUSINESS_CONFIG.lateArrivalHorizonDays - 1);
    let expected = 0;
    for (let d = offered.freeSlots[0]!.date; d <= horizon; d = addDays(d, 1))
      if (dayOfWeek(d) >= 1 && dayOfWeek(d) <= 5 && !EXAMPLE_WORKING_HOURS.bankHolidays.includes(d))
        expected += DEFAULT_BUSINESS_CONFIG.deliverySlots.length;
    // Slots taken by other open bookings at the facility are left out.
    expect(offered.freeSlots.length).toBeLessThanOrEqual(expected);
    expect(offered.freeSlots.length).toBeGreaterThan(expected - 10);
    expect(offered.freeSlots.at(-1)!.date > addDays(offered.freeSlots[0]!.date, 21)).toBe(true);
    const mail = await w.database.db
      .selectFrom("outbox")
      .select("text_body")
      .where("kind", "=", "late-arrival")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(mail.text_body).toContain(
      `Every free slot in the next ${DEFAULT_BUSINESS_CONFIG.lateArrivalHorizonDays} days:`,
    );
    expect(mail.text_body).toMatch(/\n {2}\d{4}-\d{2}-\d{2}: (\d{2}:\d{2}-\d{2}:\d{2}, )+\d{2}:\d{2}-\d{2}:\d{2}/);
  });

  it("re-delivery amendment: validated, versioned, pulled by the dock", async () => {
    const dock = w.tokens.docks["DOCK-N1"]!;
    const p0 = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: dock, body: { cursor: "0" } })).json,
    );
    const bad = await w.call("POST", `/bookings/${w.bookingRef}/redelivery`, {
      token: partyA,
      body: {
        deliveryDate: aMonday(4),
        deliveryWindow: { start: "07:00", end: "09:00" },
        deliveryLocationId: "SUPPLIER-B-DEPOT",
      },
    });
    expect(bad.status).toBe(422);
    expect((bad.json as { reason: string }).reason).toMatch(
      /window starts at 07:00, before opening at 08:00 on monday.*not one of SUPPLIER-A's listed locations/,
    );
    const r = await w.call("POST", `/bookings/${w.bookingRef}/redelivery`, {
      token: partyA,
      body: {
        deliveryDate: aMonday(4),
        deliveryWindow: { start: "10:00", end: "12:00" },
        deliveryLocationId: "SUPPLIER-A-DEPOT",
      },
    });
    expect(r.status).toBe(200);
    const p1 = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: dock, body: { cursor: p0.cursor } })).json,
    );
    expect(p1.redeliveryAmendments).toEqual([
      expect.objectContaining({
        bookingRef: w.bookingRef,
        deliveryLocation: expect.objectContaining({ id: "SUPPLIER-A-DEPOT" }),
      }),
    ]);
    expect(p1.bookings[0]?.version).toBe(p1.redeliveryAmendments[0]?.bookingVersion);
    // The booking itself carries the amended re-delivery side, so the dock's manifest uses it.
    expect(p1.bookings[0]?.redelivery).toEqual({
      deliveryDate: aMonday(4),
      deliveryWindow: { start: "10:00", end: "12:00" },
      deliveryLocation: expect.objectContaining({ id: "SUPPLIER-A-DEPOT" }),
    });
  });

  it("forecasts: a Party submits per six-month period, the DCC reads them", async () => {
    expect(
      (await w.call("POST", "/forecasts", { token: partyA, body: { periodStart: "2027-01-01", hubs: 12000 } })).status,
    ).toBe(201);
    expect(
      (await w.call("POST", "/forecasts", { token: partyA, body: { periodStart: "2027-01-01", hubs: 15000 } })).status,
    ).toBe(201);
    const r = await w.call("GET", "/forecasts", { token: w.tokens.dcc });
    expect(r.json).toEqual([
      expect.objectContaining({ partyId: "SUPPLIER-A", periodStart: "2027-01-01", hubs: 15000 }),
    ]);
    expect((await w.call("GET", "/forecasts", { token: partyA })).status).toBe(403);
  });

  it("books a pallet-only request (pallets and GUIDs, no cartons) and the dock pulls it as such (issue 16)", async () => {
    // At the Central & South dock: North's 5-pallet store is full by now in this world.
    const ids = await inventory(6, { csp_region: "Central" });
    const hubs = ids.map((deviceId) => ({
      deviceId,
      firmwareVersion: "0002012F",
      manufacturer: "AB01",
      deviceModel: "010A030B",
    }));
    const pallets = [
      { sscc: sscc(), cartons: [], hubs: hubs.slice(0, 4) },
      { sscc: sscc(), cartons: [{ sscc: sscc(), hubs: hubs.slice(4, 5) }], hubs: hubs.slice(5) },
    ];
    const r = await w.call("POST", "/requests", {
      token: partyA,
      body: request(ids, { pallets, facilityId: "CS-3PL-1", deliveryLocationId: "LOC-CS-3PL-1" }),
    });
    expect(r.status).toBe(201);
    expect(JSON.stringify(r.json)).toContain('"status":"accepted"');
    const ref = (r.json as { booking: { bookingRef: string } }).booking.bookingRef;
    const pull = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: w.tokens.docks["DOCK-CS1"], body: { cursor: "0" } })).json,
    );
    const b = pull.bookings.find((x) => x.bookingRef === ref);
    expect(b?.pallets.map((p) => [p.cartons.length, p.hubs?.map((h) => h.deviceId)])).toEqual([
      [0, ids.slice(0, 4)],
      [1, ids.slice(5)],
    ]);
    const rows = await w.database.db
      .selectFrom("booking_hubs")
      .select(["device_id", "carton_sscc"])
      .where("booking_ref", "=", ref)
      .orderBy("device_id")
      .execute();
    expect(rows.filter((x) => x.carton_sscc === null)).toHaveLength(5);
  });
});

describe.each(testBackends())("capacity counts pallets from arrival until dispatch (A-009) on %s", (backend) => {
  let w: TestWorld;
  beforeAll(async () => {
    w = await openTestWorld(backend);
  });
  afterAll(async () => w?.close());

  it("a pallet whose receipt is closed still takes room at CSP North until its hubs are dispatched", async () => {
    const RECV = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
    const SUP = { dockId: "DOCK-N1", operatorId: "OP-N-SUP" };
    const dock = w.tokens.docks["DOCK-N1"]!;
    await reserveAsnNumbers(w, "DOCK-N1", ["ASN-CAP-1"]);
    const push = async (events: DockEvent[]) =>
      PushResponseSchema.parse((await w.call("POST", "/sync/push", { token: dock, body: { events } })).json);
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    expect(b.pallets.length).toBe(2);
    const hubs = hubsOf(b);
    const received = await push([
      makeEvent("booking.arrived", { bookingRef: b.bookingRef, late: false, reportedEta: null }, RECV),
      ...hubs.slice(0, 4).map((h) => scanEvent(RECV, b.bookingRef, h)),
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
    expect(received.rejected).toBe(0);
    expect((await w.call("GET", `/bookings/${b.bookingRef}`, { token: w.tokens.dcc })).json).toMatchObject({
      status: "closed",
    });
    // Two pallets still on site: four more do not fit in five.
    let n = 0;
    const ids = Array.from(
      { length: 4 },
      () => `00-11-22-33-44-66-00-${(++n).toString(16).toUpperCase().padStart(2, "0")}`,
    );
    await seedInventory(
      w.database.db,
      ids.map((id, i) => ({ deviceId: id, gpfDeviceId: `00-11-22-33-44-77-00-0${i}` })),
    );
    const body = () => ({
      clientRequestId: randomUUID(),
      facilityId: "N-DOCK-1",
      deliveryLocationId: "LOC-N-DOCK-1",
      deliveryDate: aMonday(),
      deliveryWindow: { start: "13:00", end: "15:00" },
      redelivery: {
        locationId: "SUPPLIER-A-DEPOT",
        deliveryDate: aMonday(3),
        deliveryWindow: { start: "10:00", end: "12:00" },
      },
      contact: { name: "Pat Returns", email: "pat@supplier-a.example", phone: "+44 161 000 0000" },
      pallets: ids.map((deviceId) => ({
        sscc: sscc(),
        cartons: [
          {
            sscc: sscc(),
            hubs: [{ deviceId, firmwareVersion: "0002012F", manufacturer: "AB01", deviceModel: "010A030B" }],
          },
        ],
      })),
      looseCartons: [],
    });
    const full = await w.call("POST", "/requests", { token: w.tokens.parties["SUPPLIER-A"], body: body() });
    expect((full.json as { reasons: Array<{ code: string; reason: string }> }).reasons).toEqual([
      expect.objectContaining({
        code: "over-capacity",
        reason: expect.stringMatching(
          /at most 5 pallets; 2 already booked or on site until dispatch, this request adds 4/,
        ),
      }),
    ]);
    // Dispatched (the Work Order completes): the room is free again.
    const manifest = oneCartonManifest(SUP, {
      manifestId: "MF-CAP-1",
      bookingRef: b.bookingRef,
      cartonSscc: hubs[0]!.cartonSscc,
      deviceIds: hubs.slice(0, 4).map((h) => h.hub.deviceId),
      deliveryDate: aMonday(3),
    });
    const asn = makeEvent(
      "asn.issued",
      {
        asnNumber: "ASN-CAP-1",
        manifestId: "MF-CAP-1",
        partyId: "SUPPLIER-A",
        hubCount: 4,
        documentSha256: "d".repeat(64),
      },
      SUP,
    );
    const dispatch = makeEvent(
      "dispatch.recorded",
      {
        manifestId: "MF-CAP-1",
        asnNumber: "ASN-CAP-1",
        unloader: "party",
        carrier: null,
        vehicleRef: null,
        palletCount: 0,
        cartonCount: 1,
        hubCount: 4,
      },
      SUP,
    );
    // Re-flashed, and the SMI updated before re-delivery (Req 10: central refuses the dispatch until then).
    const TECH = { dockId: "DOCK-N1", operatorId: "OP-N-TECH" };
    expect((await push(hubs.slice(0, 4).map((h) => flashEvent(TECH, h.hub.deviceId, true)))).rejected).toBe(0);
    expect((await push([manifest, asn, dispatch])).results.map((x) => x.status)).toEqual([
      "accepted",
      "accepted",
      "rejected",
    ]);
    expect((await w.call("POST", "/smi/cspm-n3", { token: w.tokens.dcc })).status).toBe(200);
    const again = makeEvent("dispatch.recorded", dispatch.payload, SUP);
    expect((await push([again])).results.map((x) => x.status)).toEqual(["accepted"]);
    const room = await w.call("POST", "/requests", { token: w.tokens.parties["SUPPLIER-A"], body: body() });
    expect(room.json).toMatchObject({ status: "accepted" });
  });
});
