import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { makeEvent } from "../shared/events";
import { PushResponseSchema, type PushResponse } from "../shared/sync";
import type { Booking } from "../shared/domain/booking";
import { withCheckDigit } from "../shared/domain/demo-booking";
import { createApp } from "./app";
import { loadBooking } from "./services/bookings";
import { faultEvent, flashEvent, hubsOf, scanEvent, type Who } from "./demo-events";
import {
  oneCartonManifest,
  openTestWorld,
  reserveAsnNumbers,
  testBackends,
  type TestWorld,
  aMonday,
} from "./test-support";

/**
 * Issue 15, "central believes no dock blindly": each finding of the hostile probe, over HTTP,
 * on PGlite and PostgreSQL. A dock of CSP North (DOCK-N1) works the demo booking; the Central &
 * South dock (DOCK-CS1) and the Parties try what they must not.
 */

const RECV: Who = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
const TECH: Who = { dockId: "DOCK-N1", operatorId: "OP-N-TECH" };
const SUP: Who = { dockId: "DOCK-N1", operatorId: "OP-N-SUP" };
const CS_SUP: Who = { dockId: "DOCK-CS1", operatorId: "OP-CS-SUP" };
/** Commissioned in the SMI mirror and on no booking (demo-world.ts). */
const COMMISSIONED = "88-73-84-57-00-2F-96-1E";

describe.each(testBackends())("central trusts no dock blindly on %s", (backend) => {
  let w: TestWorld;
  let b: Booking;
  let ids: string[];
  let serial = 0;
  const sscc = () => withCheckDigit(`39999998${String(++serial).padStart(9, "0")}`);

  const pushAs = async (token: string | undefined, events: unknown[]): Promise<PushResponse> => {
    const r = await w.call("POST", "/sync/push", { token, body: { events } });
    expect(r.status, r.text).toBe(200);
    return PushResponseSchema.parse(r.json);
  };
  const push = (events: unknown[]) => pushAs(w.tokens.docks["DOCK-N1"], events);
  const pushCs = (events: unknown[]) => pushAs(w.tokens.docks["DOCK-CS1"], events);
  const statuses = (r: PushResponse) => r.results.map((x) => x.status);
  const reasonOf = (r: PushResponse, i: number) => {
    const x = r.results[i];
    return x?.status === "rejected" ? x.reason : `(${x?.status})`;
  };
  const dcc = (method: string, path: string, body?: unknown) =>
    w.call(method, path, { token: w.tokens.dcc, ...(body !== undefined ? { body } : {}) });
  const count = async (t: "events" | "asns" | "outbox" | "manifests" | "smi_updates" | "flash_results" | "requests") =>
    Number(
      (
        await w.database.db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const manifest = (
    who: Who,
    manifestId: string,
    hubIds: string[],
    over: { partyId?: string; bookingRefs?: string[] } = {},
  ) =>
    oneCartonManifest(who, {
      manifestId,
      bookingRef: b.bookingRef,
      cartonSscc: b.pallets[0]!.cartons[0]!.sscc,
      deviceIds: hubIds,
      deliveryDate: aMonday(),
      ...over,
    });

  beforeAll(async () => {
    w = await openTestWorld(backend);
    b = (await loadBooking(w.database.db, w.bookingRef))!;
    ids = hubsOf(b).map((h) => h.hub.deviceId);
    // Hubs 0-11 received; 10 rejected at receipt (damaged); the receipt is closed.
    const r = await push([
      ...hubsOf(b)
        .slice(0, 12)
        .map((h) => scanEvent(RECV, b.bookingRef, h)),
      makeEvent(
        "receipt.closed",
        {
          bookingRef: b.bookingRef,
          outcome: "partial",
          rejectedHubs: [{ deviceId: ids[10]!, code: "damaged", reason: "casing cracked" }],
          rejectionReason: null,
          packagingNotes: null,
          damageNotes: null,
        },
        RECV,
      ),
      ...ids.slice(0, 8).map((id) => flashEvent(TECH, id, true)),
    ]);
    expect(r.rejected, JSON.stringify(r.results.filter((x) => x.status === "rejected"))).toBe(0);
  });
  afterAll(async () => w?.close());

  it("a manifest id is never overwritten, its Party is its bookings' Party, and it ships only its bookings' hubs", async () => {
    const first = manifest(SUP, "MF-TRUST-1", ids.slice(0, 4));
    expect(statuses(await push([first]))).toEqual(["accepted"]);
    const again = manifest(SUP, "MF-TRUST-1", ids.slice(4, 8));
    const otherParty = manifest(SUP, "MF-TRUST-2", ids.slice(4, 8), { partyId: "SUPPLIER-B" });
    const stranger = manifest(SUP, "MF-TRUST-3", [COMMISSIONED]);
    const r = await push([again, otherParty, stranger]);
    expect(statuses(r)).toEqual(["rejected", "rejected", "rejected"]);
    expect(reasonOf(r, 0)).toMatch(
      /manifest MF-TRUST-1 was already built; a manifest id is never reused or overwritten/,
    );
    expect(reasonOf(r, 1)).toMatch(/booking .* is Party SUPPLIER-A's, not SUPPLIER-B's/);
    expect(reasonOf(r, 2)).toMatch(new RegExp(`hub ${COMMISSIONED} is on none of the manifest's bookings`));
    const stored = await w.database.db
      .selectFrom("manifests")
      .select(["event_id", "party_id"])
      .where("manifest_id", "=", "MF-TRUST-1")
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ event_id: first.id, party_id: "SUPPLIER-A" });
    // An ASN naming another Party than the manifest's is refused, so that Party never reads A's hubs.
    const asn = makeEvent(
      "asn.issued",
      {
        asnNumber: "ASN-TRUST-0001",
        manifestId: "MF-TRUST-1",
        partyId: "SUPPLIER-B",
        hubCount: 4,
        documentSha256: "d".repeat(64),
      },
      SUP,
    );
    await reserveAsnNumbers(w, "DOCK-N1", ["ASN-TRUST-0001"]);
    const ra = await push([asn]);
    expect(reasonOf(ra, 0)).toMatch(/names Party SUPPLIER-B, but manifest MF-TRUST-1 is Party SUPPLIER-A's/);
    expect((await w.call("GET", "/asns/ASN-TRUST-0001", { token: w.tokens.parties["SUPPLIER-B"] })).status).toBe(404);
  });

  it("another facility's dock cannot issue an ASN, a notice or a dispatch for this facility's manifest: nothing stored, mailed or moved", async () => {
    const [asns, outbox] = [await count("asns"), await count("outbox")];
    const wo = await dcc("GET", `/work-orders/${b.workOrderId}`);
    await reserveAsnNumbers(w, "DOCK-CS1", ["ASN-TRUST-CS-1"], "OP-CS-SUP");
    const r = await pushCs([
      makeEvent(
        "asn.issued",
        {
          asnNumber: "ASN-TRUST-CS-1",
          manifestId: "MF-TRUST-1",
          partyId: "SUPPLIER-A",
          hubCount: 4,
          documentSha256: "e".repeat(64),
        },
        CS_SUP,
      ),
      makeEvent(
        "notice.issued",
        {
          manifestId: "MF-TRUST-1",
          flashedCount: 4,
          failedCount: 0,
          deliveryDate: aMonday(),
          deliveryWindow: { start: "10:00", end: "12:00" },
          deliveryLocationId: "SUPPLIER-A-DEPOT",
          reissue: false,
        },
        CS_SUP,
      ),
      makeEvent(
        "dispatch.recorded",
        {
          manifestId: "MF-TRUST-1",
          asnNumber: "ASN-TRUST-CS-1",
          unloader: "party",
          carrier: null,
          vehicleRef: null,
          palletCount: 0,
          cartonCount: 1,
          hubCount: 4,
        },
        CS_SUP,
      ),
      manifest(CS_SUP, "MF-TRUST-CS", ids.slice(0, 2)),
    ]);
    expect(statuses(r)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
    for (const i of [0, 1, 2])
      expect(reasonOf(r, i)).toMatch(/manifest MF-TRUST-1 belongs to facility N-DOCK-1, not this dock's \(CS-3PL-1\)/);
    expect(reasonOf(r, 3)).toMatch(/belongs to facility N-DOCK-1/);
    expect([await count("asns"), await count("outbox")]).toEqual([asns, outbox]);
    expect((await dcc("GET", `/work-orders/${b.workOrderId}`)).json).toMatchObject({
      status: (wo.json as { status: string }).status,
    });
    // A dispatch needs an ASN issued for that very manifest, even at the right facility.
    const own = await push([
      makeEvent(
        "dispatch.recorded",
        {
          manifestId: "MF-TRUST-1",
          asnNumber: "ASN-NEVER-ISSUED",
          unloader: "party",
          carrier: null,
          vehicleRef: null,
          palletCount: 0,
          cartonCount: 1,
          hubCount: 4,
        },
        SUP,
      ),
    ]);
    expect(reasonOf(own, 0)).toMatch(/ASN ASN-NEVER-ISSUED was never issued/);
  });

  it("a flash result only for a hub received and accepted here, to a version catalogued for its model; nothing else reaches the SMI update", async () => {
    const [updates, flashes] = [await count("smi_updates"), await count("flash_results")];
    const r = await push([
      flashEvent(TECH, COMMISSIONED, true),
      flashEvent(TECH, ids[9]!, true, "0002012F", "0009FFFF"),
      flashEvent(TECH, ids[10]!, true),
      flashEvent(TECH, ids[20]!, true),
      flashEvent(TECH, ids[9]!, true),
      faultEvent(TECH, ids[30]!, null, true),
    ]);
    expect(statuses(r)).toEqual(["rejected", "rejected", "rejected", "rejected", "accepted", "rejected"]);
    expect(reasonOf(r, 0)).toMatch(/never received and accepted at facility N-DOCK-1/);
    expect(reasonOf(r, 1)).toMatch(/firmware 0009FFFF is not in the catalogue for model 010A030B/);
    expect(reasonOf(r, 2)).toMatch(/rejected at receipt/);
    expect(reasonOf(r, 3)).toMatch(/never received/);
    expect(reasonOf(r, 5)).toMatch(/never received at facility N-DOCK-1/);
    expect([await count("smi_updates"), await count("flash_results")]).toEqual([updates + 1, flashes + 1]);
  });

  it("the SSMI file holds only rows its upload accepts; CSPM-N3 is emitted only to catalogued versions", async () => {
    // Updates pending from before the admission rules (legacy rows): an uncatalogued version, a Commissioned hub.
    await w.database.db
      .insertInto("smi_updates")
      .values([
        {
          event_id: "legacy-1",
          device_id: ids[11]!,
          booking_ref: b.bookingRef,
          device_model: "010A030B",
          new_firmware: "0009FFFF",
          status: "pending",
        },
        {
          event_id: "legacy-2",
          device_id: COMMISSIONED,
          booking_ref: null,
          device_model: "010A030B",
          new_firmware: "00030000",
          status: "pending",
        },
      ])
      .execute();
    const file = await dcc("GET", "/smi/ssmi-file");
    expect(file.text).not.toContain(ids[11]!);
    expect(file.text).not.toContain(COMMISSIONED);
    expect(file.text).toContain(`${ids[9]},00030000`);
    const held = (await dcc("GET", "/smi/ssmi-held")).json as Array<{ deviceId: string; reason: string }>;
    expect(held.map((h) => h.deviceId).sort()).toEqual([ids[11]!, COMMISSIONED].sort());
    // The file as exported is taken whole.
    const up = await dcc("POST", "/smi/ssmi-upload", { file: file.text });
    expect(up.status, up.text).toBe(200);
    const n3 = (await dcc("POST", "/smi/cspm-n3")).json as {
      messages: Array<{ deviceId: string }>;
      refused: Array<{ deviceId: string; reason: string }>;
    };
    expect(n3.messages).toEqual([]);
    expect(n3.refused.find((x) => x.deviceId === ids[11])?.reason).toMatch(
      /0009FFFF is not in the catalogue for model 010A030B/,
    );
    const hub = (await dcc("GET", `/hubs/${ids[11]}`)).json as { inventory: { firmware_version: string } };
    expect(hub.inventory.firmware_version).toBe("0002012F");
    await w.database.db.deleteFrom("smi_updates").where("event_id", "in", ["legacy-1", "legacy-2"]).execute();
  });

  it("text central cannot store (NUL, a lone surrogate) is refused per event with a reason, never a 500; the rest of the batch is stored", async () => {
    const hs = hubsOf(b);
    const good = hs.slice(100, 103).map((h) => scanEvent(RECV, b.bookingRef, h));
    const nulFault = makeEvent(
      "fault.reported",
      {
        deviceId: ids[5]!,
        flashEventId: null,
        jigId: "JIG-N-1",
        slot: 0,
        step: "verify",
        jigSaid: "E42 verify\u0000mismatch",
        stepTimingsMs: {},
        manual: false,
        notes: "",
        disposition: "credit",
      },
      TECH,
    );
    const surrogate = {
      ...scanEvent(RECV, b.bookingRef, hs[103]!),
      payload: { ...(scanEvent(RECV, b.bookingRef, hs[103]!).payload as object), raw: "abc\ud800" },
    };
    const nulName = makeEvent("operator.signed-in", { role: "receiver", operatorName: "Rita\u0000" }, RECV);
    const before = await count("events");
    // The bulk way (all new)...
    const r = await push([good[0], nulFault, good[1], surrogate, nulName]);
    expect(statuses(r)).toEqual(["accepted", "rejected", "accepted", "rejected", "rejected"]);
    expect(reasonOf(r, 1)).toMatch(/payload\.jigSaid holds a NUL character/);
    expect(reasonOf(r, 3)).toMatch(/payload\.raw holds a lone UTF-16 surrogate/);
    expect(reasonOf(r, 4)).toMatch(/payload\.operatorName holds a NUL character/);
    // ...and the careful way (an id already stored in the batch).
    const r2 = await push([good[0], nulFault, good[2]]);
    expect(statuses(r2)).toEqual(["duplicate", "rejected", "accepted"]);
    expect(await count("events")).toBe(before + 3);
    // A Party's request with a NUL in its contact name: a 400 naming the field, nothing stored.
    const requests = await count("requests");
    const req = await w.call("POST", "/requests", {
      token: w.tokens.parties["SUPPLIER-A"],
      body: {
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
        contact: { name: "Pat\u0000Returns", email: "pat@supplier-a.example", phone: "+44 161 000 0000" },
        pallets: [],
        looseCartons: [{ sscc: sscc(), hubs: [{ deviceId: "88-73-84-57-00-2F-96-20" }] }],
      },
    });
    expect(req.status).toBe(400);
    expect((req.json as { reason: string }).reason).toMatch(/contact\.name: text holds a NUL character/);
    expect(await count("requests")).toBe(requests);
  });

  it("a NUL where central looks a key up (a booking, hub, ASN, manifest or event id) is refused per event, never a 500, on either way of storing", async () => {
    const hs = hubsOf(b);
    const good = scanEvent(RECV, b.bookingRef, hs[120]!);
    const scan = scanEvent(RECV, b.bookingRef, hs[121]!);
    const flash = flashEvent(TECH, ids[0]!, true);
    const asn = makeEvent(
      "asn.issued",
      {
        asnNumber: "ASN-NUL-1",
        manifestId: "MF-TRUST-1",
        partyId: "SUPPLIER-A",
        hubCount: 1,
        documentSha256: "f".repeat(64),
      },
      SUP,
    );
    const poisoned = [
      { ...scan, payload: { ...(scan.payload as object), bookingRef: "BK\u0000X" } },
      { ...flash, payload: { ...(flash.payload as object), deviceId: "0A-01\u0000" } },
      { ...asn, payload: { ...(asn.payload as object), asnNumber: "ASN\u0000", manifestId: "MF\u0000" } },
      { ...scan, id: `${scan.id.slice(0, 30)}\u0000` },
    ];
    const bulk = await push([...poisoned, good]);
    expect(statuses(bulk)).toEqual(["rejected", "rejected", "rejected", "rejected", "accepted"]);
    // The careful way looks every id up first: a known id in the batch sends it there.
    const careful = await push([
      good,
      ...poisoned.map((e) => ({
        ...e,
        id: typeof e.id === "string" && e.id.includes("\u0000") ? e.id : `${e.id.slice(0, -4)}beef`,
      })),
    ]);
    expect(statuses(careful)).toEqual(["duplicate", "rejected", "rejected", "rejected", "rejected"]);
  });

  it("event instants lie within the configured window of central's clock (the dock's measured offset allowed)", async () => {
    const h = hubsOf(b)[110]!;
    const at = (iso: string, clockOffsetMs: number | null = null) => ({
      ...scanEvent({ ...RECV, now: new Date(iso) }, b.bookingRef, h),
      clockOffsetMs,
    });
    const now = Date.now();
    const r = await push([
      at("9999-12-31T00:00:00.000Z"),
      at("1970-01-01T00:00:00.000Z"),
      // A dock claiming its clock is 40 years slow to pass off a 1986 instant as today's.
      at("1986-01-01T00:00:00.000Z", now - Date.parse("1986-01-01T00:00:00.000Z")),
      // Two hours ahead by the device's clock, which sync measured as two hours fast: believable.
      at(new Date(now + 2 * 3_600_000).toISOString(), -2 * 3_600_000),
    ]);
    expect(statuses(r)).toEqual(["rejected", "rejected", "rejected", "accepted"]);
    expect(reasonOf(r, 0)).toMatch(/more than 10 minutes after central's clock/);
    expect(reasonOf(r, 1)).toMatch(/more than 180 days before central's clock/);
    expect(reasonOf(r, 2)).toMatch(/clock offset .* is beyond the 1440 minutes central allows/);
  });

  it("a dock reads only its own facility's history of a hub, central's audit rows included", async () => {
    const n = (await w.call("GET", `/hubs/${ids[0]}/audit`, { token: w.tokens.docks["DOCK-N1"] })).json as {
      entries: Array<{ action: string; source: string }>;
    };
    expect(n.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(["scan.recorded", "flash.result", "manifest.built"]),
    );
    expect(n.entries.some((e) => e.source === "central")).toBe(true);
    const cs = (await w.call("GET", `/hubs/${ids[0]}/audit`, { token: w.tokens.docks["DOCK-CS1"] })).json as {
      entries: unknown[];
    };
    expect(cs.entries).toEqual([]);
    const all = (await dcc("GET", `/hubs/${ids[0]}/audit`)).json as { entries: unknown[] };
    expect(all.entries.length).toBe(n.entries.length);
  });

  it("a hub received here and not yet re-delivered cannot be requested again; a replayed key in other letter case is the same request", async () => {
    const party = w.tokens.parties["SUPPLIER-A"];
    const body = (key: string, hub: string) => ({
      clientRequestId: key,
      facilityId: "N-DOCK-1",
      deliveryLocationId: "LOC-N-DOCK-1",
      deliveryDate: aMonday(2),
      deliveryWindow: { start: "10:00", end: "12:00" },
      redelivery: {
        locationId: "SUPPLIER-A-DEPOT",
        deliveryDate: aMonday(4),
        deliveryWindow: { start: "10:00", end: "12:00" },
      },
      contact: { name: "Pat Returns", email: "pat@supplier-a.example", phone: "+44 161 000 0000" },
      pallets: [],
      looseCartons: [
        {
          sscc: sscc(),
          hubs: [{ deviceId: hub, firmwareVersion: "0002012F", manufacturer: "AB01", deviceModel: "010A030B" }],
        },
      ],
    });
    expect((await dcc("GET", `/bookings/${b.bookingRef}`)).json).toMatchObject({ status: "closed" });
    const r = await w.call("POST", "/requests", { token: party, body: body(randomUUID(), ids[0]!) });
    const out = r.json as { status: string; reasons: Array<{ code: string; reason: string }> };
    expect(out.status).toBe("rejected");
    expect(out.reasons.find((x) => x.code === "already-booked")?.reason).toMatch(
      new RegExp(`${b.bookingRef} \\(received, not yet re-delivered\\)`),
    );
    const key = randomUUID();
    const first = await w.call("POST", "/requests", { token: party, body: body(key, ids[1]!) });
    expect(first.status).toBe(201);
    const before = await count("requests");
    const replay = await w.call("POST", "/requests", { token: party, body: body(key.toUpperCase(), ids[1]!) });
    expect(replay.status).toBe(409);
    expect(await count("requests")).toBe(before);
  });

  it("calendar dates are validated as dates", async () => {
    const q = (from: string, to: string) =>
      w.call("GET", `/parties/SUPPLIER-A/statement?from=${from}&to=${to}`, { token: w.tokens.dcc });
    const bad = await q("2026-02-30", "2026-13-45");
    expect(bad.status).toBe(400);
    expect((bad.json as { reason: string }).reason).toMatch(/from: not a calendar date; to: not a calendar date/);
    expect((await q("2028-02-29", "2028-03-01")).status).toBe(200);
    expect((await q("2027-02-29", "2027-03-01")).status).toBe(400);
  });

  it("a 413 says the connection closes, and closes it cleanly after the answer", async () => {
    const inProcess = await w.call("POST", "/sync/push", {
      token: w.tokens.docks["DOCK-N1"],
      rawBody: JSON.stringify({ events: [{ pad: "x".repeat(w.business.maxBodyBytes) }] }),
    });
    expect(inProcess.status).toBe(413);
    const server = serve({ fetch: w.app.fetch, hostname: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    try {
      const port = (server.address() as AddressInfo).port;
      const answer = await new Promise<{
        status: number;
        connection: string | undefined;
        body: string;
        closed: boolean;
      }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: "/sync/push",
            headers: {
              "content-type": "application/json",
              "content-length": String(w.business.maxBodyBytes + 10),
              authorization: `Bearer ${w.tokens.docks["DOCK-N1"]}`,
              connection: "keep-alive",
            },
          },
          (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => {
              body += c;
            });
            res.on("end", () => {
              res.socket.once("close", () =>
                resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body, closed: true }),
              );
              if (res.socket.destroyed)
                resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body, closed: true });
            });
          },
        );
        req.on("error", reject);
        req.write('{"events":[');
      });
      expect(answer.status).toBe(413);
      expect(answer.connection).toBe("close");
      expect(JSON.parse(answer.body)).toMatchObject({ error: "body-too-large" });
      expect(answer.closed).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("rate limits per token and per address answer 429 with Retry-After; failed authentications from an address are limited too", async () => {
    let address = "203.0.113.7";
    const app = createApp({
      db: w.database.db,
      business: {
        ...w.business,
        rateLimit: { perTokenPerMinute: 5, perAddressPerMinute: 8, failedAuthPerAddressPerMinute: 3 },
      },
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      addressOf: () => address,
    });
    const get = async (token: string) => app.request("/work-orders", { headers: { authorization: `Bearer ${token}` } });
    const dock = w.tokens.docks["DOCK-N1"]!;
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await get(dock)).status);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await get(dock);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({
      error: "rate-limited",
      reason: expect.stringMatching(/too many requests with this token/),
    });
    // The same address with another token: the address's own limit (8 a minute) is reached next.
    const party = w.tokens.parties["SUPPLIER-A"]!;
    expect((await get(party)).status).toBe(200);
    const byAddress = await get(party);
    expect(byAddress.status).toBe(429);
    expect(await byAddress.json()).toMatchObject({
      reason: expect.stringMatching(/too many requests from this address/),
    });
    // Wrong tokens from a fresh address: 3 refusals, then 429 even for a good token.
    address = "198.51.100.4";
    const wrong = [];
    for (let i = 0; i < 4; i++) wrong.push((await get("x".repeat(43))).status);
    expect(wrong).toEqual([401, 401, 401, 429]);
    const blocked = await get(party);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
