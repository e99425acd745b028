import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { uuidV7Time } from "./domain/ids";
import {
  DOCK_EVENT_TYPES,
  DockEventSchema,
  InvalidEventError,
  correctedAtMs,
  isEventOf,
  liabilityTransferredPayload,
  makeEvent,
  parseDockEvent,
  tryMakeEvent,
  type DockEventType,
  type EventContext,
  type PayloadOf,
} from "./events";

const HUB = "88-73-84-57-00-2F-00-01";
const SSCC_P = "350123450000000017";
const SSCC_C = "350123450000000024";
const SHA = "a".repeat(64);
const EVT = "019b76da-a800-7746-ba9a-37b6252c652d";
const ctx: EventContext = {
  dockId: "DOCK-CS-1",
  operatorId: "OP-7",
  now: new Date("2026-03-02T09:00:00.000Z"),
  clockOffsetMs: -120,
};

/** One valid payload per event type; the test below fails if a new type is added without one. */
const SAMPLES: { [T in DockEventType]: PayloadOf<T> } = {
  "operator.signed-in": { role: "receiver", operatorName: "Sam Dock" },
  "operator.signed-out": {},
  "booking.arrived": { bookingRef: "BK-0001", late: true, reportedEta: "2026-03-02T10:30:00Z" },
  "unloading.started": { direction: "inbound", bookingRef: "BK-0001", unloader: "dock" },
  "unloading.completed": { direction: "outbound", manifestId: "MF-0001", unloader: "party" },
  "liability.transferred": {
    direction: "inbound",
    bookingRef: "BK-0001",
    unloader: "dock",
    transferAt: "2026-03-02T09:00:00.000Z",
    ruleId: "inbound-dock-unloads",
    rule: "Annex A 2.5: ...",
    from: "party",
    to: "dcc",
    startedAt: "2026-03-02T09:00:00.000Z",
    completedAt: null,
    startedEventId: EVT,
    completedEventId: null,
  },
  "scan.recorded": {
    bookingRef: "BK-0001",
    source: "wedge",
    raw: "]C0887384570002F0001",
    kind: "hub",
    verdict: "expected",
    palletSscc: SSCC_P,
    cartonSscc: SSCC_C,
    deviceId: HUB,
    sscc: null,
    otherBookingRef: null,
    reason: "Expected hub",
  },
  "scan.undone": { bookingRef: "BK-0001", scanEventId: EVT, reason: "scanned the wrong carton" },
  "receipt.closed": {
    bookingRef: "BK-0001",
    outcome: "partial",
    rejectedHubs: [{ deviceId: HUB, code: "not-pending", reason: "SMI status Commissioned" }],
    rejectionReason: null,
    packagingNotes: null,
    damageNotes: "one carton crushed",
  },
  "slot.loaded": { jigId: "JIG-A1", slot: 0, deviceId: HUB },
  "slot.unloaded": { jigId: "JIG-A1", slot: 7, deviceId: HUB },
  "flash.result": {
    jigId: "JIG-A1",
    slot: 3,
    deviceId: HUB,
    outcome: "failed",
    fromVersion: "0002012F",
    toVersion: "00030100",
    readBackVersion: null,
    imageSha256: SHA,
    attempts: 3,
    stepTimingsMs: { "read-identity": 120, unlock: 40 },
    failure: { step: "verify", detail: "hash mismatch" },
  },
  "fault.reported": {
    deviceId: HUB,
    flashEventId: EVT,
    jigId: "JIG-A1",
    slot: 3,
    step: "verify",
    jigSaid: "E12 VERIFY_MISMATCH",
    stepTimingsMs: { verify: 900 },
    manual: false,
    notes: "",
    disposition: "credit",
  },
  "manifest.built": {
    manifestId: "MF-0001",
    partyId: "SUPPLIER-A",
    bookingRefs: ["BK-0001"],
    deliveryLocation: { id: "LOC-1", name: "Depot", address: "1 Road" },
    deliveryDate: "2026-03-20",
    deliveryWindow: { start: "08:00", end: "12:00" },
    pallets: [{ sscc: SSCC_P, cartons: [{ sscc: SSCC_C, hubs: [{ deviceId: HUB, firmwareVersion: "00030100" }] }] }],
    looseCartons: [],
    excludedHubs: [{ deviceId: "88-73-84-57-00-2F-00-02", faultEventId: EVT, reason: "verify mismatch" }],
  },
  "label.printed": {
    labelKind: "pallet",
    barcode: `]C100${SSCC_P}`,
    sscc: SSCC_P,
    bookingRef: null,
    manifestId: "MF-0001",
    output: "pdf",
    copies: 2,
  },
  "asn.issued": {
    asnNumber: "ASN-2026-000001",
    manifestId: "MF-0001",
    partyId: "SUPPLIER-A",
    hubCount: 895,
    documentSha256: SHA,
  },
  "asn.cancelled": {
    asnNumber: "ASN-2026-000001",
    manifestId: "MF-0001",
    replacedByManifestId: "MF-0002",
    reason: "re-delivery MF-0001 was rebuilt as MF-0002",
  },
  "notice.issued": {
    manifestId: "MF-0001",
    flashedCount: 895,
    failedCount: 1,
    deliveryDate: "2026-03-20",
    deliveryWindow: { start: "08:00", end: "12:00" },
    deliveryLocationId: "LOC-1",
    reissue: false,
  },
  "outbound.scan.recorded": {
    manifestId: "MF-0001",
    source: "camera",
    raw: `]C100${SSCC_C}`,
    kind: "carton",
    verdict: "expected",
    sscc: SSCC_C,
    reason: "On manifest",
  },
  "dispatch.recorded": {
    manifestId: "MF-0001",
    asnNumber: "ASN-2026-000001",
    unloader: "party",
    carrier: "Haulier Ltd",
    vehicleRef: null,
    palletCount: 1,
    cartonCount: 28,
    hubCount: 895,
  },
  "amendment.acknowledged": {
    bookingRef: "BK-0001",
    manifestId: "MF-0001",
    bookingVersion: 3,
    fields: ["date", "window"],
    deliveryDate: "2026-03-21",
    windowStart: "13:00",
    windowEnd: "16:00",
    withinWorkingHours: true,
    note: null,
  },
  "flash.override": {
    deviceId: HUB,
    bookingRef: "BK-0001",
    flashedTo: "00030100",
    reason: "casing replaced, flash again",
  },
};

function sample<T extends DockEventType>(type: T) {
  return makeEvent(type, SAMPLES[type], ctx);
}

describe("events", () => {
  it("has a valid sample for every event type, and the union lists them all", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...DOCK_EVENT_TYPES].sort());
    expect(DockEventSchema.options.length).toBe(DOCK_EVENT_TYPES.length);
  });

  it.each(DOCK_EVENT_TYPES)("%s: makeEvent stamps the envelope and survives a JSON round trip", (type) => {
    const e = sample(type);
    expect(e).toMatchObject({
      type,
      dockId: "DOCK-CS-1",
      operatorId: "OP-7",
      at: "2026-03-02T09:00:00.000Z",
      clockOffsetMs: -120,
    });
    expect(uuidV7Time(e.id)).toBe(ctx.now!.getTime());
    expect(parseDockEvent(JSON.parse(JSON.stringify(e)))).toEqual({ ok: true, event: e });
  });

  it.each(DOCK_EVENT_TYPES)("%s: an unknown field is refused, in the envelope or the payload", (type) => {
    const e = sample(type);
    const r1 = parseDockEvent({ ...e, extra: 1 });
    expect(r1).toEqual({ ok: false, reason: '(event): Unrecognized key: "extra"' });
    const r2 = parseDockEvent({ ...e, payload: { ...e.payload, sneaky: true } });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.reason).toMatch(/^payload.*sneaky/);
  });

  it.each(DOCK_EVENT_TYPES)("%s: dropping any envelope or payload field is refused", (type) => {
    const e = sample(type) as unknown as Record<string, unknown> & { payload: Record<string, unknown> };
    for (const k of Object.keys(e)) {
      const { [k]: _gone, ...rest } = e;
      expect(parseDockEvent(rest).ok).toBe(false);
    }
    for (const k of Object.keys(e.payload)) {
      const { [k]: _gone, ...rest } = e.payload;
      expect(parseDockEvent({ ...e, payload: rest }).ok).toBe(false);
    }
  });

  it("defaults: a fresh id, now, and an unknown clock offset", () => {
    const e = makeEvent("operator.signed-out", {}, { dockId: "D1", operatorId: "OP-1" });
    expect(e.clockOffsetMs).toBeNull();
    expect(Math.abs(Date.parse(e.at) - Date.now())).toBeLessThan(60_000);
    expect(uuidV7Time(e.id)).toBe(Date.parse(e.at));
  });

  it("refuses bad envelopes with a readable reason", () => {
    const e = sample("slot.loaded");
    expect(parseDockEvent({ ...e, id: "E1" })).toEqual({ ok: false, reason: "id: must be a lower-case UUIDv7" });
    expect(parseDockEvent({ ...e, type: "slot.exploded" })).toEqual({
      ok: false,
      reason: 'type: unknown event type "slot.exploded"',
    });
    expect(parseDockEvent({ ...e, at: "Monday" }).ok).toBe(false);
    expect(parseDockEvent({ ...e, dockId: "" }).ok).toBe(false);
    expect(parseDockEvent({ ...e, payload: { ...e.payload, slot: 8 } })).toEqual({
      ok: false,
      reason: "payload.slot: Too big: expected number to be <=7",
    });
    expect(parseDockEvent({ ...e, payload: { ...e.payload, deviceId: "00112233" } })).toEqual({
      ok: false,
      reason: "payload.deviceId: device ID must be HH-HH-HH-HH-HH-HH-HH-HH",
    });
    expect(parseDockEvent(null)).toEqual({ ok: false, reason: "(event): expected an object" });
    expect(parseDockEvent([e])).toEqual({ ok: false, reason: "(event): expected an object" });
  });

  it("holds the cross-field rules", () => {
    const bad = <T extends DockEventType>(type: T, payload: PayloadOf<T>) => tryMakeEvent(type, payload, ctx);
    expect(bad("booking.arrived", { bookingRef: "BK-0001", late: true, reportedEta: null })).toEqual({
      ok: false,
      reason: "payload.reportedEta: a late arrival must record the reported ETA",
    });
    expect(bad("booking.arrived", { bookingRef: "BK-0001", late: false, reportedEta: null }).ok).toBe(true);
    expect(bad("receipt.closed", { ...SAMPLES["receipt.closed"], rejectedHubs: [] })).toEqual({
      ok: false,
      reason: "payload.rejectedHubs: a partial receipt names the hubs rejected or counts the hubs missing",
    });
    // A shortfall with nothing damaged: accepted in part, no hub rejected.
    expect(bad("receipt.closed", { ...SAMPLES["receipt.closed"], rejectedHubs: [], missingHubs: 2 }).ok).toBe(true);
    expect(bad("receipt.closed", { ...SAMPLES["receipt.closed"], outcome: "accepted" }).ok).toBe(false);
    expect(bad("receipt.closed", { ...SAMPLES["receipt.closed"], outcome: "rejected", rejectedHubs: [] }).ok).toBe(
      false,
    );
    const flash = SAMPLES["flash.result"];
    expect(bad("flash.result", { ...flash, failure: null }).ok).toBe(false);
    expect(bad("flash.result", { ...flash, outcome: "flashed", failure: null, readBackVersion: "00030100" }).ok).toBe(
      true,
    );
    expect(bad("flash.result", { ...flash, outcome: "flashed", failure: null, readBackVersion: "0002012F" })).toEqual({
      ok: false,
      reason: "payload.readBackVersion: a flashed hub must read back the target version",
    });
    expect(bad("fault.reported", { ...SAMPLES["fault.reported"], step: null }).ok).toBe(false);
    expect(bad("fault.reported", { ...SAMPLES["fault.reported"], manual: true, step: null, notes: "" }).ok).toBe(false);
    expect(
      bad("fault.reported", { ...SAMPLES["fault.reported"], manual: true, step: null, notes: "casing split" }).ok,
    ).toBe(true);
    // Inbound unloading names a booking, outbound a manifest; never the other way round.
    expect(
      parseDockEvent({
        ...sample("unloading.started"),
        payload: { direction: "outbound", bookingRef: "BK-0001", unloader: "dock" },
      }).ok,
    ).toBe(false);
  });

  it("makeEvent throws InvalidEventError for an invalid event it was asked to build; tryMakeEvent does not", () => {
    const payload = { jigId: "JIG-A1", slot: 9, deviceId: HUB };
    expect(() => makeEvent("slot.loaded", payload, ctx)).toThrow(InvalidEventError);
    expect(tryMakeEvent("slot.loaded", payload, ctx)).toEqual({
      ok: false,
      reason: "payload.slot: Too big: expected number to be <=7",
    });
    expect(tryMakeEvent("slot.loaded", { ...payload, slot: 1 }, { ...ctx, now: new Date(Number.NaN) }).ok).toBe(false);
    expect(tryMakeEvent("slot.loaded", { ...payload, slot: 1 }, { ...ctx, id: "not-an-id" })).toEqual({
      ok: false,
      reason: "id: must be a lower-case UUIDv7",
    });
  });

  it("parseDockEvent never throws, whatever arrives", () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const r = parseDockEvent(x);
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it("parseDockEvent never throws on a real event with any one field replaced by junk", () => {
    const events = DOCK_EVENT_TYPES.map(
      (t) => sample(t) as unknown as Record<string, unknown> & { payload: Record<string, unknown> },
    );
    fc.assert(
      fc.property(fc.constantFrom(...events), fc.nat(), fc.boolean(), fc.jsonValue(), (e, k, inPayload, junk) => {
        const target = inPayload ? e.payload : e;
        const keys = Object.keys(target);
        if (keys.length === 0) return;
        const key = keys[k % keys.length]!;
        const mutated = inPayload ? { ...e, payload: { ...e.payload, [key]: junk } } : { ...e, [key]: junk };
        const r = parseDockEvent(mutated);
        if (r.ok) expect(DockEventSchema.safeParse(r.event).success).toBe(true);
        else expect(r.reason).toMatch(/: /);
      }),
      { numRuns: 400 },
    );
  });

  it("parseDockEvent neither recurses into nor echoes a hostile value: deep, huge or many-keyed input gets a short reason", () => {
    const e = sample("slot.loaded");
    const deep: unknown = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    const huge = "A".repeat(3_000_000);
    const cases: Array<[string, unknown, RegExp]> = [
      ["deep type", { ...e, type: deep }, /^type: unknown event type an array of 1$/],
      ["huge type", { ...e, type: huge }, /^type: unknown event type "A{64}"… \(3000000 characters\)$/],
      ["object type", { ...e, type: { toString: "slot.loaded" } }, /^type: unknown event type an object$/],
      ["number type", { ...e, type: 7 }, /^type: unknown event type number 7$/],
      ["missing type", { ...e, type: undefined }, /^type: unknown event type undefined$/],
      ["deep extra field", { ...e, x: deep }, /Unrecognized key/],
      ["deep payload", { ...e, payload: deep }, /^payload: /],
      ["deep field value", { ...e, payload: { ...e.payload, jigId: deep } }, /^payload\.jigId: /],
      ["huge key", { ...e, [huge]: 1 }, /Unrecognized key/],
      ["huge key in a record", { ...e, type: "flash.result", payload: { stepTimingsMs: { [huge]: 1 } } }, /: /],
      [
        "thousands of unknown keys",
        { ...e, ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])) },
        /Unrecognized keys/,
      ],
    ];
    for (const [name, input, reason] of cases) {
      const r = parseDockEvent(input);
      expect(r.ok, name).toBe(false);
      if (r.ok) continue;
      expect(r.reason, name).toMatch(reason);
      expect(r.reason.length, name).toBeLessThan(2_000);
    }
    // Thousands of issues are listed up to a limit, then counted.
    const many = parseDockEvent({
      ...sample("manifest.built"),
      payload: { ...sample("manifest.built").payload, excludedHubs: Array.from({ length: 500 }, () => ({})) },
    });
    expect(many.ok).toBe(false);
    if (!many.ok) expect(many.reason).toMatch(/; and \d+ more issues$/);
  });

  it("isEventOf narrows and correctedAtMs applies the server offset when known", () => {
    const e = sample("slot.loaded");
    expect(isEventOf(e, "slot.loaded")).toBe(true);
    expect(isEventOf(e, "flash.result")).toBe(false);
    expect(correctedAtMs(e)).toBe(Date.parse("2026-03-02T09:00:00.000Z") - 120);
    expect(correctedAtMs({ ...e, clockOffsetMs: null })).toBe(Date.parse("2026-03-02T09:00:00.000Z"));
  });
});

describe("liabilityTransferredPayload", () => {
  const at = (iso: string): EventContext => ({ ...ctx, now: new Date(iso) });
  const start = (unloader: "dock" | "party", iso = "2026-03-02T09:00:00.000Z") =>
    makeEvent("unloading.started", { direction: "inbound", bookingRef: "BK-0001", unloader }, at(iso));
  const done = (unloader: "dock" | "party", iso = "2026-03-02T09:40:00.000Z", bookingRef = "BK-0001") =>
    makeEvent("unloading.completed", { direction: "inbound", bookingRef, unloader }, at(iso));

  it("dock unloads inbound: liability passes at the start, already before completion", () => {
    const s = start("dock");
    const r = liabilityTransferredPayload(s, null);
    expect(r).toMatchObject({
      ok: true,
      payload: { transferAt: s.at, ruleId: "inbound-dock-unloads", startedEventId: s.id, completedEventId: null },
    });
    if (r.ok) expect(makeEvent("liability.transferred", r.payload, ctx).payload).toEqual(r.payload);
  });

  it("the Party unloads inbound: waits for completion, then passes at it", () => {
    const s = start("party");
    expect(liabilityTransferredPayload(s, null)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^end-required: /),
    });
    const c = done("party");
    expect(liabilityTransferredPayload(s, c)).toMatchObject({
      ok: true,
      payload: { transferAt: c.at, from: "party", to: "dcc", completedEventId: c.id },
    });
  });

  it("refuses contradictions: other delivery, other unloader, completion before start", () => {
    expect(liabilityTransferredPayload(start("dock"), done("dock", undefined, "BK-0002")).ok).toBe(false);
    expect(liabilityTransferredPayload(start("dock"), done("party"))).toEqual({
      ok: false,
      reason: "unloading started by dock but completed by party",
    });
    expect(liabilityTransferredPayload(start("dock"), done("dock", "2026-03-02T08:00:00.000Z"))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^end-before-start: /),
    });
    const outbound = makeEvent(
      "unloading.completed",
      { direction: "outbound", manifestId: "MF-0001", unloader: "dock" },
      ctx,
    );
    expect(liabilityTransferredPayload(start("dock"), outbound).ok).toBe(false);
  });
});
