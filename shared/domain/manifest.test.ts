import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bookingCartons, type Booking } from "./booking";
import { demoBooking } from "./demo-booking";
import { newEventId } from "./ids";
import {
  buildManifest,
  manifestCounts,
  manifestHubs,
  nextManifestId,
  redeliveryNotice,
  reviewAmendment,
  type HubResult,
  type ManifestInput,
} from "./manifest";
import { EXAMPLE_WORKING_HOURS } from "./working-hours";
import { AmendmentAcknowledgedPayload, ManifestBuiltPayload } from "../events";

const TARGET = "00020200";
const small = (o: Parameters<typeof demoBooking>[0] = {}): Booking =>
  demoBooking({ pallets: 2, cartonsPerPallet: 3, hubsPerCarton: 4, looseCartons: 1, partyId: "SUPPLIER-A", ...o });
const hubsOf = (b: Booking) => bookingCartons(b).flatMap(({ carton }) => carton.hubs);
const flashed = (deviceId: string): HubResult => ({ deviceId, outcome: "flashed", firmwareVersion: TARGET });
const input = (bookings: Booking[], results: HubResult[], o: Partial<ManifestInput> = {}): ManifestInput => ({
  manifestId: "RD-TEST-1",
  bookings,
  results,
  targetVersionByModel: { "010A030B": TARGET },
  deliveryDate: "2027-02-02",
  deliveryWindow: { start: "09:00", end: "12:00" },
  workingHours: EXAMPLE_WORKING_HOURS,
  ...o,
});

describe("buildManifest", () => {
  it("all hubs flashed: the manifest mirrors the booking's pallets and cartons and is a valid manifest.built payload", () => {
    const b = small();
    const r = buildManifest(
      input(
        [b],
        hubsOf(b).map((h) => flashed(h.deviceId)),
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(ManifestBuiltPayload.safeParse(r.payload).success).toBe(true);
    expect(r.payload.pallets.map((p) => p.sscc)).toEqual(b.pallets.map((p) => p.sscc));
    expect(r.payload.pallets[0]?.cartons.map((c) => c.sscc)).toEqual(b.pallets[0]?.cartons.map((c) => c.sscc));
    expect(r.payload.looseCartons.map((c) => c.sscc)).toEqual(b.looseCartons.map((c) => c.sscc));
    expect(r.payload.deliveryLocation).toEqual(b.deliveryLocation);
    expect(r.payload.partyId).toBe("SUPPLIER-A");
    expect(r.integrity).toEqual([]);
    expect(r.counts).toMatchObject({ pallets: 2, cartons: 7, hubs: 28, failed: 0 });
    expect(manifestCounts(r.payload)).toEqual({ palletCount: 2, cartonCount: 7, hubCount: 28 });
    expect(manifestHubs(r.payload).every((h) => h.firmwareVersion === TARGET)).toBe(true);
  });

  it("leaves failed hubs out, lists them with their fault report, and flags the short carton", () => {
    const b = small();
    const hubs = hubsOf(b);
    const failedId = hubs[1]?.deviceId ?? "";
    const fault = newEventId(new Date("2027-01-20T10:00:00Z"));
    const results = hubs.map((h) =>
      h.deviceId === failedId
        ? { deviceId: failedId, outcome: "failed" as const, faultEventId: fault, detail: "verify: CRC mismatch" }
        : flashed(h.deviceId),
    );
    const r = buildManifest(input([b], results));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(manifestHubs(r.payload).map((h) => h.deviceId)).not.toContain(failedId);
    expect(r.payload.excludedHubs).toEqual([
      { deviceId: failedId, faultEventId: fault, reason: "re-flash failed: verify: CRC mismatch" },
    ]);
    const carton = b.pallets[0]?.cartons[0];
    expect(r.integrity).toEqual([
      expect.objectContaining({
        kind: "carton-short",
        sscc: carton?.sscc,
        palletSscc: b.pallets[0]?.sscc,
        booked: 4,
        returning: 3,
        missing: [failedId],
      }),
    ]);
    const notice = redeliveryNotice(r, false);
    expect(notice.payload).toMatchObject({
      manifestId: "RD-TEST-1",
      flashedCount: 27,
      failedCount: 1,
      deliveryLocationId: b.deliveryLocation.id,
      reissue: false,
    });
    expect(notice.failed.map((f) => f.deviceId)).toEqual([failedId]);
  });

  it("a carton with no hub going back stays behind, flagged, and so does an emptied pallet", () => {
    const b = small({ pallets: 1, cartonsPerPallet: 1, looseCartons: 1 });
    const palletHubs = new Set(b.pallets[0]?.cartons[0]?.hubs.map((h) => h.deviceId));
    const results = hubsOf(b).map((h) =>
      palletHubs.has(h.deviceId)
        ? { deviceId: h.deviceId, outcome: "failed" as const, faultEventId: null }
        : flashed(h.deviceId),
    );
    const r = buildManifest(input([b], results));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.payload.pallets).toEqual([]);
    expect(r.integrity.map((f) => f.kind)).toEqual(["carton-empty", "pallet-empty"]);
    expect(r.payload.excludedHubs.every((e) => e.reason.includes("no fault report yet"))).toBe(true);
  });

  it("a hub flashed to an older version, or of a model with no target, does not go back", () => {
    const b = small({ pallets: 0, looseCartons: 1 });
    const [h0, h1] = hubsOf(b);
    const results = hubsOf(b).map((h): HubResult =>
      h.deviceId === h0?.deviceId
        ? { deviceId: h.deviceId, outcome: "flashed", firmwareVersion: "0002012F" }
        : flashed(h.deviceId),
    );
    const r = buildManifest(input([b], results));
    expect(r.ok && r.excluded.map((e) => [e.deviceId, e.code])).toEqual([[h0?.deviceId, "wrong-version"]]);
    const noTarget = buildManifest(input([b], results, { targetVersionByModel: {} }));
    expect(noTarget).toMatchObject({ ok: false, code: "nothing-to-deliver" });
    expect(h1).toBeDefined();
  });

  it("hubs not received, rejected or still without a result are listed with their own reasons", () => {
    const b = small({ pallets: 0, looseCartons: 1 });
    const [a, c, d] = hubsOf(b).map((h) => h.deviceId);
    const results: HubResult[] = hubsOf(b)
      .filter((h) => h.deviceId !== d)
      .map((h) =>
        h.deviceId === a
          ? { deviceId: h.deviceId, outcome: "not-received" }
          : h.deviceId === c
            ? { deviceId: h.deviceId, outcome: "rejected", reason: "damaged" }
            : flashed(h.deviceId),
      );
    const r = buildManifest(input([b], results));
    expect(r.ok && r.excluded.map((e) => e.code)).toEqual(["not-received", "rejected", "no-result"]);
    expect(r.ok && redeliveryNotice(r, true).payload).toMatchObject({ failedCount: 0, flashedCount: 1, reissue: true });
  });

  it("refuses to mix Parties (A-001)", () => {
    const a = small({ index: 1 });
    const other = small({ index: 2, partyId: "SUPPLIER-B" });
    const results = [...hubsOf(a), ...hubsOf(other)].map((h) => flashed(h.deviceId));
    expect(buildManifest(input([a, other], results))).toMatchObject({ ok: false, code: "mixed-parties" });
  });

  it("refuses a hub assigned to another Party even on the Party's own booking", () => {
    const b = small();
    const hub = b.pallets[0]?.cartons[0]?.hubs[0];
    if (hub) hub.assignedParty = "SUPPLIER-B";
    expect(
      buildManifest(
        input(
          [b],
          hubsOf(b).map((h) => flashed(h.deviceId)),
        ),
      ),
    ).toMatchObject({ ok: false, code: "foreign-hub" });
  });

  it("two bookings of the same Party and location go on one manifest; different locations do not", () => {
    const a = small({ index: 3, csp: "North" });
    const b = small({ index: 4, csp: "North" });
    const results = [...hubsOf(a), ...hubsOf(b)].map((h) => flashed(h.deviceId));
    const r = buildManifest(input([a, b], results));
    expect(r.ok && r.payload.bookingRefs).toEqual([a.bookingRef, b.bookingRef]);
    const moved = { ...b, deliveryLocation: { ...b.deliveryLocation, id: "LOC-ELSEWHERE" } };
    expect(buildManifest(input([a, moved], results))).toMatchObject({ ok: false, code: "mixed-locations" });
  });

  it("goes to the booking's re-delivery location (the Party's own), not where it arrived; bookings going to different places are split", () => {
    const depot = { id: "SUPPLIER-A-DEPOT", name: "Supplier A depot", address: "10 Meter Way, Leeds" };
    const a = {
      ...small({ index: 5, csp: "North" }),
      redelivery: {
        deliveryDate: "2027-02-08",
        deliveryWindow: { start: "10:00", end: "12:00" },
        deliveryLocation: depot,
      },
    };
    const b = { ...small({ index: 6, csp: "North" }), redelivery: { ...a.redelivery } };
    const results = [...hubsOf(a), ...hubsOf(b)].map((h) => flashed(h.deviceId));
    const r = buildManifest(input([a, b], results));
    expect(r.ok && r.payload.deliveryLocation).toEqual(depot);
    expect(r.ok && redeliveryNotice(r, false).payload.deliveryLocationId).toBe("SUPPLIER-A-DEPOT");
    // Same arrival dock, different re-delivery places: one manifest per place.
    const warehouse = {
      ...b,
      redelivery: { ...a.redelivery, deliveryLocation: { ...depot, id: "SUPPLIER-A-WAREHOUSE" } },
    };
    expect(buildManifest(input([a, warehouse], results))).toMatchObject({ ok: false, code: "mixed-locations" });
  });

  it("checks the date and window against working hours", () => {
    const b = small();
    const results = hubsOf(b).map((h) => flashed(h.deviceId));
    const r = buildManifest(
      input([b], results, { deliveryDate: "2027-02-06", deliveryWindow: { start: "07:00", end: "09:00" } }),
    );
    expect(r).toMatchObject({ ok: false, code: "outside-working-hours" });
    expect(!r.ok && r.slotProblems?.map((p) => p.code)).toEqual(["closed-day"]);
  });

  it("refuses two results for one hub, bad fault ids, and counts results of other bookings", () => {
    const b = small();
    const first = hubsOf(b)[0]?.deviceId ?? "";
    const results = hubsOf(b).map((h) => flashed(h.deviceId));
    expect(buildManifest(input([b], [...results, flashed(first)]))).toMatchObject({
      ok: false,
      code: "duplicate-result",
    });
    expect(buildManifest(input([b], [{ deviceId: first, outcome: "failed", faultEventId: "fault-1" }]))).toMatchObject({
      ok: false,
      code: "invalid-input",
    });
    const r = buildManifest(input([b], [...results, flashed("00-11-22-33-44-55-66-77")]));
    expect(r.ok && r.unrelatedResults).toBe(1);
    expect(buildManifest(input([], []))).toMatchObject({ ok: false, code: "no-bookings" });
    expect(buildManifest(input([b], results, { manifestId: "rd 1" }))).toMatchObject({
      ok: false,
      code: "invalid-input",
    });
  });

  it("property: failed hubs never on it, every flashed hub of the Party exactly once, in its own carton, same Party only", () => {
    const b = small({ pallets: 2, cartonsPerPallet: 2, hubsPerCarton: 3, looseCartons: 2 });
    const hubs = hubsOf(b);
    const cartonOf = new Map(
      bookingCartons(b).flatMap(({ carton }) => carton.hubs.map((h) => [h.deviceId, carton.sscc] as const)),
    );
    const outcome = fc.constantFrom("flashed", "failed", "not-received", "rejected", "missing", "old");
    fc.assert(
      fc.property(fc.array(outcome, { minLength: hubs.length, maxLength: hubs.length }), (outs) => {
        const results: HubResult[] = [];
        hubs.forEach((h, i) => {
          const o = outs[i];
          if (o === "flashed") results.push(flashed(h.deviceId));
          else if (o === "old") results.push({ deviceId: h.deviceId, outcome: "flashed", firmwareVersion: "0002012F" });
          else if (o === "failed") results.push({ deviceId: h.deviceId, outcome: "failed", faultEventId: null });
          else if (o === "not-received") results.push({ deviceId: h.deviceId, outcome: "not-received" });
          else if (o === "rejected") results.push({ deviceId: h.deviceId, outcome: "rejected", reason: "damaged" });
        });
        const r = buildManifest(input([b], results));
        const want = hubs.filter((_, i) => outs[i] === "flashed").map((h) => h.deviceId);
        if (want.length === 0) {
          expect(r).toMatchObject({ ok: false, code: "nothing-to-deliver" });
          return;
        }
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const on = manifestHubs(r.payload);
        expect(on.map((h) => h.deviceId)).toEqual(want);
        for (const h of on) expect(h.cartonSscc).toBe(cartonOf.get(h.deviceId));
        const failed = new Set(hubs.filter((_, i) => outs[i] === "failed").map((h) => h.deviceId));
        expect(on.some((h) => failed.has(h.deviceId))).toBe(false);
        expect(r.payload.excludedHubs.length + on.length).toBe(hubs.length);
        expect(r.payload.partyId).toBe(b.partyId);
        // Carton integrity: every carton going back short is flagged with exactly its missing hubs.
        for (const { carton } of bookingCartons(b)) {
          const back = on.filter((h) => h.cartonSscc === carton.sscc).length;
          const flag = r.integrity.find((f) => f.sscc === carton.sscc);
          if (back === carton.hubs.length) expect(flag).toBeUndefined();
          else
            expect(flag).toMatchObject({
              kind: back === 0 ? "carton-empty" : "carton-short",
              returning: back,
              booked: carton.hubs.length,
            });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("nextManifestId never repeats an id of the booking", () => {
    expect(nextManifestId("BK-2027-0001", [])).toBe("RD-BK-2027-0001-1");
    expect(nextManifestId("BK-2027-0001", ["RD-BK-2027-0001-1", "RD-BK-2027-0001-7", "RD-BK-2027-0002-9"])).toBe(
      "RD-BK-2027-0001-8",
    );
  });
});

describe("reviewAmendment", () => {
  it("names what changed, re-checks working hours and gives the amendment.acknowledged payload", () => {
    const b = small();
    const r = buildManifest(
      input(
        [b],
        hubsOf(b).map((h) => flashed(h.deviceId)),
      ),
    );
    if (!r.ok) throw new Error(r.message);
    const moved = reviewAmendment(
      r.payload,
      {
        bookingRef: b.bookingRef,
        bookingVersion: 3,
        deliveryDate: "2027-02-06",
        deliveryLocation: { id: "LOC-2", name: "Depot 2", address: "3 Road" },
      },
      EXAMPLE_WORKING_HOURS,
    );
    expect(moved.fields).toEqual(["date", "location"]);
    expect(moved.slot.ok).toBe(false);
    expect(moved.acknowledged).toMatchObject({
      withinWorkingHours: false,
      deliveryDate: "2027-02-06",
      bookingVersion: 3,
      manifestId: "RD-TEST-1",
    });
    expect(AmendmentAcknowledgedPayload.safeParse(moved.acknowledged).success).toBe(true);
    const window = reviewAmendment(
      r.payload,
      { bookingRef: b.bookingRef, bookingVersion: 4, deliveryWindow: { start: "13:00", end: "15:00" } },
      EXAMPLE_WORKING_HOURS,
    );
    expect(window.fields).toEqual(["window"]);
    expect(window.acknowledged.withinWorkingHours).toBe(true);
    expect(window.delivery.location).toEqual(b.deliveryLocation);
  });
});
