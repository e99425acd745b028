import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createApp } from "../app";
import { DEFAULT_BUSINESS_CONFIG, type BusinessConfig } from "../config";
import { openTestWorld, testBackends, type TestWorld, aMonday, seedInventory } from "../test-support";
import { withCheckDigit } from "../../shared/domain/demo-booking";
import type { DeskSettingsView, PortalOptions } from "../../shared/desk-api";
import { deskDb } from "./schema";
import { storedDeskSettings } from "./settings";
import { FAST_POLICY, signedIn, type DeskClient } from "./test-client";

describe.each(testBackends())("business configuration and DCC contact details at the desk on %s", (backend) => {
  let w: TestWorld;
  let business: BusinessConfig;
  let app: ReturnType<typeof createApp>;
  let admin: DeskClient;
  let ops: DeskClient;
  let party: DeskClient;
  const settings = async () => (await ops.call("GET", "/desk/api/settings")).json as unknown as DeskSettingsView;
  const stored = async () => (await deskDb(w.database.db).selectFrom("desk_settings").select("key").execute()).length;

  beforeAll(async () => {
    w = await openTestWorld(backend);
    // Central's own configuration object (main.ts makes a fresh one): the desk updates it in place.
    business = structuredClone(DEFAULT_BUSINESS_CONFIG);
    app = createApp({
      db: w.database.db,
      business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      desk: { policy: FAST_POLICY, deskDist: null },
    });
    admin = await signedIn(app, w.database.db, "dcc-admin");
    ops = await signedIn(app, w.database.db, "dcc-ops");
    party = await signedIn(app, w.database.db, "party-user", "SUPPLIER-A");
  });
  afterAll(async () => w?.close());

  const current = (s: DeskSettingsView) => s.business;

  it("shows central's configuration; only an admin may change it; a Party's user reads none of it", async () => {
    const s = await settings();
    expect(s.business.deliverySlots).toEqual(DEFAULT_BUSINESS_CONFIG.deliverySlots);
    expect(s.contact).toEqual(DEFAULT_BUSINESS_CONFIG.dccContact);
    expect(s.changed).toEqual({ business: null, contact: null });
    expect((await ops.call("POST", "/desk/api/settings/business", current(s))).status).toBe(403);
    expect((await party.call("GET", "/desk/api/settings")).status).toBe(403);
  });

  it("refuses invalid settings field by field and changes nothing", async () => {
    const s = current(await settings());
    const bad = [
      { ...s, deliverySlots: [{ start: "10:00", end: "09:00" }] },
      {
        ...s,
        deliverySlots: [
          { start: "08:00", end: "10:00" },
          { start: "09:00", end: "11:00" },
        ],
      },
      { ...s, deliverySlots: [{ start: "18:00", end: "19:00" }] },
      { ...s, deliverySlots: [] },
      { ...s, packing: { hubsPerCarton: 0, cartonsPerPallet: 28 } },
      { ...s, charges: { ...s.charges, currency: "pounds" } },
      {
        ...s,
        workingHours: {
          ...s.workingHours,
          days: { ...s.workingHours.days, monday: { open: "17:00", close: "08:00" } },
        },
      },
      { ...s, extra: true },
    ];
    const reasons: string[] = [];
    for (const body of bad) {
      const r = await admin.call("POST", "/desk/api/settings/business", body);
      expect(r.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      reasons.push(String(r.json.reason));
    }
    expect(reasons[0]).toMatch(/10:00-09:00 ends before it starts/);
    expect(reasons[1]).toMatch(/09:00-11:00 overlaps 08:00-10:00/);
    expect(reasons[2]).toMatch(/outside the opening hours of every open day/);
    expect(reasons[5]).toMatch(/currency is an ISO 4217 code/);
    expect(reasons[6]).toMatch(/opening time must be before closing time/);
    expect(
      (await admin.call("POST", "/desk/api/settings/contact", { name: "Desk", email: "x@y.example", phone: "call us" }))
        .status,
    ).toBe(400);
    expect(await stored()).toBe(0);
    expect((await settings()).business.deliverySlots).toEqual(DEFAULT_BUSINESS_CONFIG.deliverySlots);
  });

  it("saves valid business settings, audited, in effect at once (the portal offers the new slots) and after a restart", async () => {
    const s = current(await settings());
    const next = {
      ...s,
      deliverySlots: [
        { start: "09:00", end: "11:00" },
        { start: "13:00", end: "16:00" },
      ],
      packing: { hubsPerCarton: 30, cartonsPerPallet: 28 },
    };
    const r = await admin.call("POST", "/desk/api/settings/business", next);
    expect(r.status).toBe(200);
    expect((r.json as unknown as DeskSettingsView).changed.business).toMatchObject({
      by: expect.stringContaining("dcc-admin"),
    });
    const options = (await party.call("GET", "/desk/api/portal/options")).json as unknown as PortalOptions;
    expect(options.slots).toEqual(next.deliverySlots);
    expect(business.packing).toEqual({ hubsPerCarton: 30, cartonsPerPallet: 28 });
    const audit = await deskDb(w.database.db)
      .selectFrom("desk_audit")
      .select(["action", "detail"])
      .where("action", "=", "settings.business-changed")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.detail).toMatchObject({ changed: ["deliverySlots", "packing"] });
    // A restarted central lays what the desk stored over its configuration file.
    const restarted = { ...DEFAULT_BUSINESS_CONFIG, ...(await storedDeskSettings(w.database.db)) };
    expect(restarted.deliverySlots).toEqual(next.deliverySlots);
    expect(restarted.packing).toEqual(next.packing);
    expect(restarted.dccContact).toEqual(DEFAULT_BUSINESS_CONFIG.dccContact);
  });

  it("the DCC contact details saved at the desk are printed on the next authorisation notice", async () => {
    const contact = { name: "Re-Flash Bookings Team", email: "Bookings@DCC.example", phone: "+44 20 7946 0000" };
    const r = await admin.call("POST", "/desk/api/settings/contact", contact);
    expect(r.status).toBe(200);
    expect((r.json as unknown as DeskSettingsView).contact).toEqual({ ...contact, email: "bookings@dcc.example" });
    // A Party's request through the bearer API of this central.
    const ids = ["00-5E-77-00-00-00-00-01", "00-5E-77-00-00-00-00-02"];
    await seedInventory(
      w.database.db,
      ids.map((id, i) => ({ deviceId: id, gpfDeviceId: `00-5E-77-00-00-00-10-0${i}` })),
    );
    const request = {
      clientRequestId: randomUUID(),
      facilityId: "N-DOCK-1",
      deliveryLocationId: "LOC-N-DOCK-1",
      deliveryDate: aMonday(2),
      deliveryWindow: { start: "09:00", end: "11:00" },
      redelivery: {
        locationId: "SUPPLIER-A-DEPOT",
        deliveryDate: aMonday(4),
        deliveryWindow: { start: "10:00", end: "12:00" },
      },
      contact: { name: "Pat Returns", email: "pat@supplier-a.example", phone: "+44 161 000 0000" },
      pallets: [
        {
          sscc: withCheckDigit("39999977000000001"),
          cartons: [
            {
              sscc: withCheckDigit("39999977000000002"),
              hubs: ids.map((deviceId) => ({
                deviceId,
                firmwareVersion: "0002012F",
                manufacturer: "AB01",
                deviceModel: "010A030B",
              })),
            },
          ],
        },
      ],
      looseCartons: [],
    };
    const res = await app.request("/requests", {
      method: "POST",
      headers: { authorization: `Bearer ${w.tokens.parties["SUPPLIER-A"]}`, "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const notice = await w.database.db
      .selectFrom("outbox")
      .select("text_body")
      .where("kind", "=", "authorisation")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(notice.text_body).toContain(
      "DCC contact for this booking: Re-Flash Bookings Team, bookings@dcc.example, +44 20 7946 0000",
    );
    const audit = await deskDb(w.database.db)
      .selectFrom("desk_audit")
      .select("detail")
      .where("action", "=", "settings.contact-changed")
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ changed: ["name", "email", "phone"] });
  });
});
