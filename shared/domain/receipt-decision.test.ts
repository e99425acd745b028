import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDockEvent, SCAN_VERDICT_CODES, type DockEvent } from "../events";
import { DEFAULT_PACKING_LIMITS, type BookedHub, type Booking } from "./booking";
import { demoBooking, demoSiteFor } from "./demo-booking";
import { encodeCartonLabel, encodePalletLabel } from "./labels";
import {
  decideReceipt,
  eventVerdictFor,
  receiptFromLog,
  rejectionCodeFor,
  openedReceipt,
  type Stamp,
} from "./receipt-decision";
import {
  createReceipt,
  history,
  reduce,
  summarize,
  undoCandidates,
  VERDICT_CODES,
  type ReceiptState,
} from "./reconcile";
import { closeFigures } from "./receipt-close";
import { parseScan } from "./scan-parser";

// The receipt aggregate's decisions: verdicts carry their facts as fields, and the event a
// scan is recorded as says what the verdict says.

function smallBooking(index: number): Booking {
  return demoBooking({
    seed: 5,
    index,
    pallets: 1,
    cartonsPerPallet: 2,
    hubsPerCarton: 3,
    looseCartons: 0,
    csp: "CentralSouth",
    partyId: "SUPPLIER-A",
  });
}
const booking: Booking = structuredClone(smallBooking(0));
const other = smallBooking(1);
(booking.pallets[0]!.cartons[0]!.hubs[1] as BookedHub).smiStatus = "Commissioned";
(booking.pallets[0]!.cartons[0]!.hubs[2] as BookedHub).assignedParty = "SUPPLIER-Z";
const init = {
  booking,
  otherBookings: [booking, other],
  site: demoSiteFor(booking, true),
  limits: DEFAULT_PACKING_LIMITS,
};

const labelOf = (r: { ok: true; scan: string } | { ok: false; reason: string }): string => {
  if (!r.ok) throw new Error(r.reason);
  return r.scan;
};
const raws: string[] = [
  ...[booking, other].flatMap((b) =>
    b.pallets.flatMap((p) => [
      labelOf(encodePalletLabel({ sscc: p.sscc })),
      ...p.cartons.flatMap((c) => [
        labelOf(encodeCartonLabel({ sscc: c.sscc })),
        ...c.hubs.flatMap((h) => [h.deviceId, h.gpfDeviceId]),
      ]),
    ]),
  ),
  "AA-BB-CC-DD-EE-FF-00-11",
  "12#4",
];

const record = openedReceipt(booking.bookingRef);
let t = Date.parse("2027-01-04T09:00:00Z");
const stamp = (): Stamp => ({ dockId: "DOCK-1", operatorId: "op-1", now: new Date((t += 1000)), clockOffsetMs: null });

/** The rules the receipt slice used to read back out of the reason text, kept here to show the facts say the same. */
const otherRefFromProse = (code: string, reason: string) =>
  code.endsWith("other-booking") ? (/belongs to booking ([A-Z0-9-]{4,20})/.exec(reason)?.[1] ?? null) : null;
const rejectionFromProse = (code: string, reason: string) =>
  code !== "hub-not-eligible"
    ? null
    : /SMI status/.test(reason)
      ? "not-pending"
      : /assigned to/.test(reason)
        ? "other-party"
        : "wrong-csp-or-facility";

describe("receipt decisions", () => {
  it("every reconciler verdict maps to an event verdict central accepts", () => {
    for (const code of VERDICT_CODES) expect(SCAN_VERDICT_CODES).toContain(eventVerdictFor(code));
    expect(eventVerdictFor("hub-duplicate")).toBe("duplicate");
    expect(eventVerdictFor("hub-wrong-device-type")).toBe("wrong-device-type");
    expect(eventVerdictFor("hub-other-booking")).toBe("other-booking");
  });

  it("a scan: one valid event that records the verdict's facts, and the reconciler state a reduce gives", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...raws), fc.string({ maxLength: 60 })), { minLength: 1, maxLength: 40 }),
        (scans) => {
          let state: ReceiptState = createReceipt(init);
          for (const raw of scans) {
            const s = stamp();
            const d = decideReceipt(record, state, { type: "scan", raw, source: "wedge" }, s);
            if (!d.ok || d.verdict === null) throw new Error("a scan is never refused");
            const v = d.verdict;
            expect(d.events).toHaveLength(1);
            const e = d.events[0] as DockEvent;
            expect(parseDockEvent(JSON.parse(JSON.stringify(e))).ok).toBe(true);
            // Built unchecked (the write checks it): exactly what the schema check would have given.
            const checked = parseDockEvent(e);
            expect(checked.ok && checked.event).toEqual(e);
            if (e.type !== "scan.recorded") throw new Error(e.type);
            expect(e.id).toBe(v.scanId);
            expect(e.payload.verdict).toBe(d.logCode);
            expect(e.payload.verdict).toBe(eventVerdictFor(v.code));
            expect(e.payload.otherBookingRef).toBe(v.otherBookingRef);
            expect(v.otherBookingRef).toBe(otherRefFromProse(v.code, v.reason));
            expect(v.ineligible !== null).toBe(v.code === "hub-not-eligible");
            const fromProse = rejectionFromProse(v.code, v.reason);
            if (fromProse !== null) expect(rejectionCodeFor(v)).toBe(fromProse);
            expect(d.reconcile).toEqual(
              reduce(state, { type: "scan", scanId: e.id, scan: parseScan(raw), at: e.at }).state,
            );
            expect(d.record).toBeNull();
            state = d.reconcile;
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("the log of the decisions, replayed, gives the state the decisions reached (scans and undos)", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.constantFrom(...raws), { nil: null, freq: 4 }), { maxLength: 40 }), (steps) => {
        let state: ReceiptState = createReceipt(init);
        const log: DockEvent[] = [];
        for (const raw of steps) {
          const d = decideReceipt(
            record,
            state,
            raw === null ? { type: "undo-last", reason: "scanned by mistake" } : { type: "scan", raw, source: "wedge" },
            stamp(),
          );
          if (!d.ok) continue;
          log.push(...d.events);
          state = d.reconcile;
        }
        const replayed = receiptFromLog(init, log);
        expect(summarize(replayed)).toEqual(summarize(state));
        expect(history(replayed)).toEqual(history(state));
      }),
      { numRuns: 60 },
    );
  });

  it("undo: refused with nothing to undo or no reason, else one event naming the last scan", () => {
    const empty = createReceipt(init);
    expect(decideReceipt(record, empty, { type: "undo-last", reason: "oops" }, stamp())).toEqual({
      ok: false,
      message:
        "Nothing to undo: no scan has counted anything (errors, duplicates and unreadable codes change nothing).",
    });
    const scanned = decideReceipt(record, empty, { type: "scan", raw: raws[0]!, source: "wedge" }, stamp());
    if (!scanned.ok) throw new Error("refused");
    expect(decideReceipt(record, scanned.reconcile, { type: "undo-last", reason: "  " }, stamp())).toMatchObject({
      ok: false,
      message: expect.stringMatching(/reason/),
    });
    const undone = decideReceipt(record, scanned.reconcile, { type: "undo-last", reason: " wrong pallet " }, stamp());
    if (!undone.ok) throw new Error(undone.message);
    expect(undone.events).toMatchObject([
      { type: "scan.undone", payload: { scanEventId: scanned.events[0]!.id, reason: "wrong pallet" } },
    ]);
    expect(undone.verdict?.code).toBe("undone");
  });

  it("arrival, unloading and close: refused in words with nothing recorded, else the events and the receipt's new fields", () => {
    const state = createReceipt(init);
    expect(decideReceipt(record, state, { type: "arrive", late: true, reportedEta: null }, stamp())).toEqual({
      ok: false,
      message: "A late arrival needs the ETA the carrier reported.",
    });
    expect(decideReceipt(record, state, { type: "start-unloading" }, stamp())).toEqual({
      ok: false,
      message: "Record the arrival first.",
    });
    const arrived = decideReceipt(
      record,
      state,
      { type: "arrive", late: true, reportedEta: "2027-01-04T11:30:00Z" },
      stamp(),
    );
    if (!arrived.ok) throw new Error(arrived.message);
    expect(arrived.record).toMatchObject({ late: true, reportedEta: "2027-01-04T11:30:00.000Z" });
    const withUnloader = { ...record, ...arrived.record, unloader: "dock" as const };
    const started = decideReceipt(withUnloader, state, { type: "start-unloading" }, stamp());
    if (!started.ok) throw new Error(started.message);
    // The dock unloads: liability passes at commencement.
    expect(started.events.map((e) => e.type)).toEqual(["unloading.started", "liability.transferred"]);
    expect(started.record?.liabilityAt).toBe(started.events[0]!.at);
    expect(
      decideReceipt({ ...withUnloader, ...started.record }, state, { type: "start-unloading" }, stamp()),
    ).toMatchObject({ ok: true, events: [], record: null });
    const closed = decideReceipt(
      withUnloader,
      state,
      { type: "close", outcome: "rejected", rejectedHubs: [], rejectionReason: null },
      stamp(),
    );
    expect(closed).toEqual({ ok: false, message: "Say why the delivery is rejected." });
  });
});

describe("closing a receipt (issue 18)", () => {
  const p0 = booking.pallets[0]!;
  const c1 = p0.cartons[1]!;
  const scanAll = (raws: string[]): ReceiptState => {
    let state = createReceipt(init);
    for (const raw of raws) {
      const d = decideReceipt(record, state, { type: "scan", raw, source: "wedge" }, stamp());
      if (!d.ok) throw new Error(d.message);
      state = d.reconcile;
    }
    return state;
  };
  const close = (state: ReceiptState, outcome: "accepted" | "partial" | "rejected" | null, notes = "dented corner") =>
    decideReceipt(
      record,
      state,
      { type: "close", outcome, rejectedHubs: [], rejectionReason: null, damageNotes: notes },
      stamp(),
    );
  const part = scanAll([
    labelOf(encodePalletLabel({ sscc: p0.sscc })),
    labelOf(encodeCartonLabel({ sscc: c1.sscc })),
    ...c1.hubs.slice(0, 2).map((h) => h.deviceId),
  ]);

  it("figures per pallet: received, held, missing against booked", () => {
    expect(closeFigures(part)).toEqual({
      lines: [{ pallet: p0.sscc, booked: 6, received: 2, held: 0, missing: 4 }],
      total: { pallet: null, booked: 6, received: 2, held: 0, missing: 4 },
      extra: 0,
    });
  });

  it("no default outcome: nothing chosen is refused in words, nothing recorded", () => {
    expect(close(part, null)).toEqual({
      ok: false,
      message: "Choose an outcome: accepted whole, accepted in part, or rejected.",
    });
  });

  it("a shortfall with nothing damaged is accepted in part with no hub rejected; the event counts the missing hubs", () => {
    const d = close(part, "partial");
    if (!d.ok) throw new Error(d.message);
    expect(d.events[0]).toMatchObject({
      type: "receipt.closed",
      payload: { outcome: "partial", rejectedHubs: [], missingHubs: 4, damageNotes: "dented corner" },
    });
    expect(parseDockEvent(d.events[0]).ok).toBe(true);
  });

  it("accepted in part with every hub here and none rejected is refused, naming what to change (no field paths)", () => {
    const all = scanAll([
      labelOf(encodePalletLabel({ sscc: p0.sscc })),
      ...p0.cartons.flatMap((c) => [labelOf(encodeCartonLabel({ sscc: c.sscc })), ...c.hubs.map((h) => h.deviceId)]),
    ]);
    const d = close(all, "partial");
    expect(d).toMatchObject({ ok: false, message: expect.stringContaining("Accepted in part needs a shortfall") });
    expect(!d.ok && d.message).not.toMatch(/payload\./);
    const long = close(part, "partial", "x".repeat(5000));
    expect(long).toMatchObject({ ok: false, message: expect.stringMatching(/^Cannot close yet: the damage notes: /) });
    expect(!long.ok && long.message).not.toMatch(/payload\./);
  });
});

describe("undo takes counted scans only (issue 18)", () => {
  const p0 = booking.pallets[0]!;
  const [c0, c1] = [p0.cartons[0]!, p0.cartons[1]!];
  /** Scans in order through the decisions, keeping the events as the log would. */
  function run(raws: string[]): { state: ReceiptState; log: DockEvent[]; ids: string[] } {
    let state = createReceipt(init);
    const log: DockEvent[] = [];
    for (const raw of raws) {
      const d = decideReceipt(record, state, { type: "scan", raw, source: "wedge" }, stamp());
      if (!d.ok) throw new Error(d.message);
      state = d.reconcile;
      log.push(...d.events);
    }
    return { state, log, ids: log.map((e) => e.id) };
  }
  const undo = (state: ReceiptState, scanId?: string) =>
    decideReceipt(record, state, { type: "undo-last", reason: "misread", ...(scanId ? { scanId } : {}) }, stamp());
  const pal = labelOf(encodePalletLabel({ sscc: p0.sscc }));
  const ctn = (c: typeof c0) => labelOf(encodeCartonLabel({ sscc: c.sscc }));
  const good = c1.hubs[0]!.deviceId;
  const good2 = c1.hubs[1]!.deviceId;

  it("an error and a duplicate after a hub are not offered: undo takes the hub, and one undo is enough", () => {
    const { state, ids } = run([pal, ctn(c1), good, good, "12#4"]);
    const offered = undoCandidates(state);
    expect(offered.map((c) => c.scanId)).toEqual([ids[2]]);
    expect(offered[0]).toMatchObject({ what: `hub ${good}`, did: "received" });
    const d = undo(state);
    if (!d.ok) throw new Error(d.message);
    expect(d.events[0]).toMatchObject({ type: "scan.undone", payload: { scanEventId: ids[2] } });
    expect(d.verdict?.reason).toBe(`Undid hub ${good} (received): misread.`);
    expect(summarize(d.reconcile).hubs.received).toBe(0);
  });

  it("undoing the duplicate is refused by name and never touches the hub it duplicated", () => {
    const { state, ids } = run([pal, ctn(c1), good, good]);
    expect(undo(state, ids[3])).toEqual({
      ok: false,
      message: "That scan changed nothing (an error or a duplicate): there is nothing to undo.",
    });
    expect(summarize(state).hubs.received).toBe(1);
  });

  it("a hub further back can be picked: only it is taken out, later scans keep their verdicts, and a replay agrees", () => {
    const { state, log, ids } = run([pal, ctn(c1), good, good2]);
    expect(undoCandidates(state).map((c) => c.scanId)).toEqual([ids[3], ids[2]]);
    const d = undo(state, ids[2]);
    if (!d.ok) throw new Error(d.message);
    const sum = summarize(d.reconcile);
    expect(sum.hubs.received).toBe(1);
    expect(sum.missing.hubs).toContain(good);
    expect(sum.missing.hubs).not.toContain(good2);
    const replayed = receiptFromLog(init, [...log, ...d.events]);
    expect(summarize(replayed)).toEqual(sum);
  });

  it("a pallet or carton label is offered only while nothing after it counted: otherwise refused in words", () => {
    const { state, ids } = run([pal, ctn(c1), good]);
    expect(undoCandidates(state).map((c) => c.scanId)).toEqual([ids[2]]);
    expect(undo(state, ids[1])).toMatchObject({ ok: false, message: expect.stringContaining("undo those first") });
    const quiet = run([pal, ctn(c1), "12#4"]);
    expect(undoCandidates(quiet.state).map((c) => c.scanId)).toEqual([quiet.ids[1]]);
    const d = undo(quiet.state);
    if (!d.ok) throw new Error(d.message);
    expect(d.verdict?.subject).toBe(c1.sscc);
    expect(summarize(d.reconcile).cartons.received).toBe(0);
  });

  it("random scans and undos of picked candidates: the log replayed gives the same state (property)", () => {
    const all = [pal, ctn(c0), ctn(c1), ...[...c0.hubs, ...c1.hubs].map((h) => h.deviceId), "12#4"];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...all), fc.nat({ max: 5 })), { maxLength: 30 }), (steps) => {
        let state = createReceipt(init);
        const log: DockEvent[] = [];
        for (const step of steps) {
          const cmd =
            typeof step === "string"
              ? ({ type: "scan", raw: step, source: "wedge" } as const)
              : ({ type: "undo-last", reason: "r", scanId: undoCandidates(state)[step]?.scanId } as const);
          const d = decideReceipt(record, state, cmd, stamp());
          if (!d.ok) continue;
          state = d.reconcile;
          log.push(...d.events);
        }
        expect(summarize(receiptFromLog(init, log))).toEqual(summarize(state));
      }),
      { numRuns: 80 },
    );
  });
});
