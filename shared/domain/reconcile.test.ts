import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_PACKING_LIMITS, type BookedHub, type Booking, type DockSite, type PackingLimits } from "./booking";
import { demoBooking, demoSiteFor } from "./demo-booking";
import {
  VERDICTS,
  VERDICT_CODES,
  createReceipt,
  expecting,
  history,
  liveScans,
  MISSING_SHOWN,
  reduce,
  replay,
  summarize,
  type ReceiptAction,
  type ReceiptInit,
  type ReceiptState,
  type ReceiptSummary,
  type Verdict,
  type VerdictCode,
} from "./reconcile";
import type { ParsedScan } from "./scan";
import { parseScan } from "./scan-parser";
import { encodeCartonLabel, encodeLabelReference, encodePalletLabel, makeSscc } from "./labels";

// A small booking: 2 pallets × 3 cartons × 4 hubs + 1 loose carton of 4 = 28 hubs.
function smallBooking(index: number): Booking {
  return demoBooking({
    seed: 11,
    index,
    pallets: 2,
    cartonsPerPallet: 3,
    hubsPerCarton: 4,
    looseCartons: 1,
    csp: "CentralSouth",
    partyId: "SUPPLIER-A",
  });
}
const base = smallBooking(0);
const other = smallBooking(1);
// Make hub 2 of the first carton ineligible (Commissioned) to exercise not-eligible.
const booking: Booking = structuredClone(base);
const firstCarton = booking.pallets[0]!.cartons[0]!;
(firstCarton.hubs[2] as BookedHub).smiStatus = "Commissioned";
const site: DockSite = demoSiteFor(booking, true);
const init: ReceiptInit = { booking, otherBookings: [booking, other], site, limits: DEFAULT_PACKING_LIMITS };

const P0 = booking.pallets[0]!;
const P1 = booking.pallets[1]!;
const C00 = P0.cartons[0]!;
const C01 = P0.cartons[1]!;
const C10 = P1.cartons[0]!;
const LOOSE = booking.looseCartons[0]!;
const OTHER_P = other.pallets[0]!;
const OTHER_C = OTHER_P.cartons[0]!;
const UNKNOWN_SSCC = "350000000999999990";
const UNKNOWN_HUB = "AA-BB-CC-DD-EE-FF-00-11";
const LAB_HUB = "00-DB-12-00-00-00-00-07";

const hub = (deviceId: string): ParsedScan => ({ kind: "hub", raw: deviceId, deviceId });
const pallet = (sscc: string, bookingRef: string | null = null): ParsedScan => ({
  kind: "pallet",
  raw: `(00)${sscc}`,
  sscc,
  bookingRef,
});
const carton = (sscc: string, hubCount: number | null = null, bookingRef: string | null = null): ParsedScan => ({
  kind: "carton",
  raw: `(00)${sscc}`,
  sscc,
  bookingRef,
  hubCount,
});
const label = (bookingRef: string, deliveryRef: string): ParsedScan => ({
  kind: "booking-label",
  raw: bookingRef,
  bookingRef,
  deliveryRef,
});
const unreadable: ParsedScan = {
  kind: "unreadable",
  raw: "12#4",
  code: "bad-characters",
  reason: "'#' is not part of any hub ID or label",
};

let seq = 0;
function scanAction(scan: ParsedScan): ReceiptAction {
  seq++;
  return {
    type: "scan",
    scanId: `scan-${seq}`,
    scan,
    at: `2027-01-04T09:${String(Math.floor(seq / 60) % 60).padStart(2, "0")}:${String(seq % 60).padStart(2, "0")}Z`,
  };
}

/** Apply scans in order; returns the final state and every verdict. */
function run(
  scans: ParsedScan[],
  from: ReceiptState = createReceipt(init),
): { state: ReceiptState; verdicts: Verdict[] } {
  let state = from;
  const verdicts: Verdict[] = [];
  for (const scan of scans) {
    const r = reduce(state, scanAction(scan));
    state = r.state;
    verdicts.push(r.verdict);
  }
  return { state, verdicts };
}

const covered = new Set<VerdictCode>();
function last(scans: ParsedScan[], code: VerdictCode, from?: ReceiptState): { state: ReceiptState; verdict: Verdict } {
  const { state, verdicts } = run(scans, from);
  const verdict = verdicts[verdicts.length - 1]!;
  expect(verdict.code, verdict.reason).toBe(code);
  expect(verdict.class).toBe(VERDICTS[code].class);
  expect(verdict.reason.length).toBeGreaterThan(10);
  covered.add(code);
  return { state, verdict };
}

describe("reconcile: one example per verdict", () => {
  it("booking labels: expected, delivery mismatch, other booking, unknown; refused once a pallet is open", () => {
    last([label(booking.bookingRef, booking.deliveryRef)], "booking-label-expected");
    expect(last([label(booking.bookingRef, "DR-9999-9999")], "booking-label-mismatch").verdict.reason).toContain(
      "DR-9999-9999",
    );
    expect(last([label(other.bookingRef, other.deliveryRef)], "booking-label-other").verdict.reason).toContain(
      other.bookingRef,
    );
    last([label("BK-NOPE", "DR-NOPE")], "booking-label-unknown");
    expect(
      last([pallet(P0.sscc), label(booking.bookingRef, booking.deliveryRef)], "wrong-kind").verdict.reason,
    ).toMatch(/booking label; scan a carton label/);
  });

  it("pallet labels: expected, resumed, other booking (by SSCC or by the label's ref), unexpected", () => {
    last([pallet(P0.sscc)], "pallet-expected");
    last([pallet(P0.sscc), carton(C00.sscc), pallet(P0.sscc)], "pallet-resumed");
    expect(last([pallet(OTHER_P.sscc)], "pallet-other-booking").verdict.reason).toContain(other.bookingRef);
    expect(last([pallet(UNKNOWN_SSCC, other.bookingRef)], "pallet-other-booking").verdict.reason).toContain(
      other.bookingRef,
    );
    last([pallet(UNKNOWN_SSCC)], "pallet-unexpected");
  });

  it("carton labels: expected, loose, resumed, count mismatch, on another pallet, other booking, unexpected", () => {
    last([pallet(P0.sscc), carton(C00.sscc, 4)], "carton-expected");
    expect(last([carton(LOOSE.sscc)], "carton-expected").verdict.reason).toMatch(/^Loose carton/);
    last([pallet(P0.sscc), carton(C00.sscc), carton(C01.sscc), carton(C00.sscc)], "carton-resumed");
    expect(last([pallet(P0.sscc), carton(C00.sscc, 5)], "carton-count-mismatch").verdict.reason).toContain("says 5");
    expect(last([pallet(P0.sscc), carton(C10.sscc)], "carton-other-pallet").verdict.reason).toContain(
      `listed on pallet ${P1.sscc}`,
    );
    expect(last([pallet(P0.sscc), carton(OTHER_C.sscc)], "carton-other-booking").verdict.reason).toContain(
      other.bookingRef,
    );
    last([pallet(P0.sscc), carton(UNKNOWN_SSCC)], "carton-unexpected");
  });

  it("plain SSCCs and supplier carton numbers: looked up, hint mismatches named, unknown units for a decision", () => {
    const sscc = (s: string): ParsedScan => ({ kind: "sscc", raw: s, sscc: s });
    last([sscc(P0.sscc)], "pallet-expected");
    last([sscc(P0.sscc), sscc(C00.sscc)], "carton-expected");
    const mismatch = last([carton(P0.sscc)], "unit-hint-mismatch").verdict;
    expect([mismatch.listedAs, mismatch.labelSays]).toEqual(["pallet", "carton"]);
    expect(mismatch.reason).toContain("The label says carton");
    expect(expecting(last([pallet(P0.sscc), pallet(C00.sscc)], "unit-hint-mismatch").state)).toMatchObject({
      kind: "hub",
      cartonSscc: C00.sscc,
      palletSscc: P0.sscc,
    });
    const unknown = last([sscc(UNKNOWN_SSCC)], "unit-unexpected");
    expect(summarize(unknown.state).exceptions.map((e) => e.subject)).toEqual([UNKNOWN_SSCC]);
    expect(summarize(unknown.state).pallets.received).toBe(0);
    const unlisted = last(
      [pallet(P0.sscc), { kind: "carton-number", raw: "CTN-1", cartonNumber: "CTN-0001" }],
      "carton-unlisted",
    );
    expect(expecting(unlisted.state)).toMatchObject({ kind: "hub", cartonSscc: "CTN-0001", palletSscc: P0.sscc });
    last([pallet(P0.sscc), sscc(UNKNOWN_SSCC)], "carton-unlisted");
  });

  it("guided scanning refuses a code of the wrong kind by name", () => {
    expect(last([hub(C00.hubs[0]!.deviceId)], "wrong-kind").verdict.reason).toBe(
      "This is a hub ID; scan a pallet label or a loose carton's label before hubs.",
    );
    // Under an open pallet with no carton open, a hub counts against its pallet (issue 16).
    last([pallet(P0.sscc), hub(C00.hubs[0]!.deviceId)], "hub-expected");
    expect(last([pallet(P1.sscc), hub(C00.hubs[0]!.deviceId)], "hub-wrong-container").verdict.reason).toContain(
      `on pallet ${P1.sscc} (no carton open)`,
    );
    expect(last([carton(C00.sscc)], "wrong-kind").verdict.reason).toContain(
      `carton label of pallet ${P0.sscc}; scan that pallet's label first`,
    );
  });

  it("the booking-reference symbol of a two-symbol label is refused by name wherever it is scanned, and changes nothing", () => {
    const ref = (bookingRef: string | null, hubCount: number | null): ParsedScan => {
      const r = encodeLabelReference({ bookingRef, hubCount });
      if (!r.ok) throw new Error(r.reason);
      return parseScan(r.scan);
    };
    const contexts: ParsedScan[][] = [[], [pallet(P0.sscc)], [pallet(P0.sscc), carton(C00.sscc)], [carton(LOOSE.sscc)]];
    for (const before of contexts) {
      const { state } = run(before);
      const { state: after, verdict } = last([ref(booking.bookingRef, 4)], "wrong-kind", state);
      expect(verdict.reason).toBe(
        `This is the booking-reference barcode of a label (booking ${booking.bookingRef}, 4 hubs). Scan the SSCC barcode (the bottom one).`,
      );
      expect(verdict.subject).toBeNull();
      expect(expecting(after)).toEqual(expecting(state));
      const { liveScans: _a, ...summaryAfter } = summarize(after);
      const { liveScans: _b, ...summaryBefore } = summarize(state);
      expect({ ...summaryAfter, verdictCounts: { ...summaryAfter.verdictCounts, "wrong-kind": 0 } }).toEqual({
        ...summaryBefore,
        verdictCounts: { ...summaryBefore.verdictCounts, "wrong-kind": 0 },
      });
    }
    expect(last([ref(other.bookingRef, null)], "wrong-kind").verdict.reason).toBe(
      `This is the booking-reference barcode of a label (booking ${other.bookingRef}); that label is for booking ${other.bookingRef}, this receipt is for ${booking.bookingRef}. Scan the SSCC barcode (the bottom one).`,
    );
    // Undo names it too.
    const { state } = run([pallet(P0.sscc), ref(null, 4)]);
    const undone = reduce(state, { type: "undo", scanId: liveScans(state)[1]!.scanId, reason: "wrong barcode" });
    expect(undone.verdict.reason).toContain("Undid the booking-reference barcode of a label (not expected here)");
    expect(expecting(undone.state)).toEqual(expecting(run([pallet(P0.sscc)]).state));
  });

  it("one-symbol labels carrying (400) inside the SSCC symbol (Parties' own prints) are judged exactly as before", () => {
    const scanOf = (l: ReturnType<typeof encodePalletLabel>): ParsedScan => {
      if (!l.ok) throw new Error(l.reason);
      return parseScan(l.scan);
    };
    const p = scanOf(encodePalletLabel({ sscc: P0.sscc, bookingRef: booking.bookingRef }));
    const c = scanOf(encodeCartonLabel({ sscc: C00.sscc, bookingRef: booking.bookingRef, hubCount: 4 }));
    expect(p).toMatchObject({ kind: "pallet", sscc: P0.sscc, bookingRef: booking.bookingRef });
    last([p, c], "carton-expected");
    const unknown = makeSscc("5000000099999999", 3);
    if (!unknown.ok) throw new Error(unknown.reason);
    expect(
      last([scanOf(encodePalletLabel({ sscc: unknown.sscc, bookingRef: other.bookingRef }))], "pallet-other-booking")
        .verdict.reason,
    ).toContain(other.bookingRef);
  });

  it("hubs: expected, duplicate (also across cartons), wrong container, not eligible", () => {
    const { state } = last([pallet(P0.sscc), carton(C00.sscc), hub(C00.hubs[0]!.deviceId)], "hub-expected");
    expect(last([hub(C00.hubs[0]!.deviceId)], "hub-duplicate", state).verdict.reason).toContain(C00.sscc);
    expect(last([carton(C01.sscc), hub(C00.hubs[0]!.deviceId)], "hub-duplicate", state).verdict.reason).toContain(
      "not counted again",
    );
    expect(
      last([pallet(P0.sscc), carton(C01.sscc), hub(C00.hubs[1]!.deviceId)], "hub-wrong-container").verdict.reason,
    ).toContain(`listed in carton ${C00.sscc} on pallet ${P0.sscc}, not in carton ${C01.sscc}`);
    expect(
      last([pallet(P0.sscc), carton(C00.sscc), hub(C00.hubs[2]!.deviceId)], "hub-not-eligible").verdict.reason,
    ).toContain("SMI status is Commissioned");
  });

  it("not eligible names the reason: other party, CSP region, facility", () => {
    const b = structuredClone(base);
    const hubs = b.pallets[0]!.cartons[0]!.hubs;
    hubs[0]!.assignedParty = "SUPPLIER-Z";
    hubs[1]!.cspRegion = "North";
    const go = (i: number, s: DockSite) => {
      const r = run(
        [pallet(b.pallets[0]!.sscc), carton(b.pallets[0]!.cartons[0]!.sscc), hub(hubs[i]!.deviceId)],
        createReceipt({ ...init, booking: b, site: s }),
      );
      return r.verdicts[2]!;
    };
    expect(go(0, site).reason).toContain("assigned to SUPPLIER-Z, not to SUPPLIER-A");
    expect(go(1, site).reason).toContain(
      "CSP region North is served by CSP North, not by this site's CSP CentralSouth",
    );
    expect(go(3, { ...site, facilityId: "OTHER-DOCK" }).reason).toContain(
      "for facility CS-3PL-1, not this facility OTHER-DOCK",
    );
    expect(go(3, site).code).toBe("hub-expected");
  });

  it("hubs: other booking (which), unexpected, GPF (this or another booking), test-lab at production only", () => {
    const open = [pallet(P0.sscc), carton(C00.sscc)];
    expect(last([...open, hub(OTHER_C.hubs[0]!.deviceId)], "hub-other-booking").verdict.reason).toContain(
      `booking ${other.bookingRef}`,
    );
    expect(last([...open, hub(UNKNOWN_HUB)], "hub-unexpected").verdict.reason).toContain("not added");
    expect(last([...open, hub(C00.hubs[0]!.gpfDeviceId)], "hub-wrong-device-type").verdict.reason).toContain(
      `hub ${C00.hubs[0]!.deviceId}`,
    );
    expect(last([...open, hub(OTHER_C.hubs[1]!.gpfDeviceId)], "hub-wrong-device-type").verdict.reason).toContain(
      `on booking ${other.bookingRef}`,
    );
    expect(last([...open, hub(LAB_HUB)], "hub-test-lab").verdict.reason).toContain("test-lab");
    const lab = run([...open, hub(LAB_HUB)], createReceipt({ ...init, site: { ...site, production: false } }));
    expect(lab.verdicts[2]!.code).toBe("hub-unexpected");
  });

  it("a GPF ID is told by lookup, never by pattern: an unknown ID shaped like any other is unexpected", () => {
    const gpf = C00.hubs[0]!.gpfDeviceId;
    const lookalike = `${gpf.slice(0, 21)}${gpf.endsWith("0") ? "1" : "0"}`;
    last([pallet(P0.sscc), carton(C00.sscc), hub(lookalike)], "hub-unexpected");
  });

  it("unreadable is said in plain words with the next step, never the parser's detail (issue 18)", () => {
    expect(last([unreadable], "unreadable").verdict.reason).toBe(
      "Unreadable: rescan, or type the ID printed under the barcode.",
    );
  });

  it("a scan ID is applied once; undo only of the last live scan, with a reason", () => {
    const { state } = run([pallet(P0.sscc)]);
    const again = reduce(state, {
      type: "scan",
      scanId: `scan-${seq}`,
      scan: carton(C00.sscc),
      at: "2027-01-04T10:00:00Z",
    });
    expect(again.verdict.code).toBe("scan-id-reused");
    expect(again.state).toBe(state);
    covered.add("scan-id-reused");
    const two = run([carton(C00.sscc)], state);
    const firstId = liveScans(two.state)[0]!.scanId;
    const lastId = liveScans(two.state)[1]!.scanId;
    for (const [action, text] of [
      [{ type: "undo", scanId: firstId, reason: "misread" }, "opened what later scans were counted in"],
      [{ type: "undo", scanId: lastId, reason: "  " }, "needs a reason"],
    ] as const) {
      const r = reduce(two.state, action);
      expect(r.verdict.code).toBe("undo-refused");
      expect(r.verdict.reason).toContain(text);
      expect(r.state).toBe(two.state);
    }
    expect(reduce(createReceipt(init), { type: "undo", scanId: "x", reason: "r" }).verdict.code).toBe("undo-refused");
    covered.add("undo-refused");
    const undone = reduce(two.state, {
      type: "undo",
      scanId: lastId,
      reason: "scanned the wrong carton",
      at: "2027-01-04T10:01:00Z",
    });
    expect(undone.verdict.code).toBe("undone");
    covered.add("undone");
    expect(expecting(undone.state).kind).toBe("carton");
    expect(history(undone.state).map((h) => h.type)).toEqual(["scan", "scan", "undo"]);
    expect(summarize(undone.state).undos).toBe(1);
    // The undone scan's ID stays used: the event exists in the log.
    expect(reduce(undone.state, { type: "scan", scanId: lastId, scan: carton(C00.sscc), at: "x" }).verdict.code).toBe(
      "scan-id-reused",
    );
  });

  it("covers every verdict code", () => {
    expect(VERDICT_CODES.filter((c) => !covered.has(c))).toEqual([]);
  });
});

describe("reconcile: summary", () => {
  it("counts received vs booked, lists missing, held and extra hubs and exceptions needing a decision", () => {
    const { state } = run([
      label(booking.bookingRef, booking.deliveryRef),
      pallet(P0.sscc),
      carton(C00.sscc),
      ...C00.hubs.map((h) => hub(h.deviceId)), // hub 2 is Commissioned: held
      hub(C00.hubs[0]!.deviceId), // duplicate
      hub(UNKNOWN_HUB), // extra
      carton(C01.sscc),
      hub(C10.hubs[0]!.deviceId), // wrong container: held
      carton(LOOSE.sscc),
      hub(LOOSE.hubs[0]!.deviceId),
    ]);
    const s = summarize(state);
    expect(s.pallets).toEqual({ booked: 2, received: 1 });
    expect(s.cartons).toEqual({ booked: 7, received: 3, unlisted: 0 });
    expect(s.hubs).toEqual({ booked: 28, received: 4, held: 2, extra: 1 });
    expect(s.missing.pallets).toEqual([P1.sscc]);
    expect(s.missing.hubs).toHaveLength(28 - 4 - 2);
    expect(s.missing.hubs).not.toContain(C10.hubs[0]!.deviceId);
    expect(s.missing.cartons).not.toContain(LOOSE.sscc);
    expect(s.verdictCounts["hub-duplicate"]).toBe(1);
    expect(s.exceptions.map((e) => [e.code, e.subject]).sort()).toEqual(
      [
        ["hub-not-eligible", C00.hubs[2]!.deviceId],
        ["hub-unexpected", UNKNOWN_HUB],
        ["hub-wrong-container", C10.hubs[0]!.deviceId],
      ].sort(),
    );
    expect(s.liveScans).toBe(13);
  });

  it("reports over-limit cartons and pallets, as booked and as received", () => {
    const limits: PackingLimits = { hubsPerCarton: 3, cartonsPerPallet: 2 };
    const r = createReceipt({ ...init, limits });
    const { state } = run(
      [
        pallet(P0.sscc),
        carton(C00.sscc),
        carton(C01.sscc),
        carton(P0.cartons[2]!.sscc),
        ...P0.cartons[2]!.hubs.map((h) => hub(h.deviceId)),
      ],
      r,
    );
    const over = summarize(state).overLimit;
    expect(over.filter((o) => o.basis === "booked" && o.kind === "carton-over-limit")).toHaveLength(7);
    expect(over.filter((o) => o.basis === "booked" && o.kind === "pallet-over-limit")).toHaveLength(2);
    expect(over.filter((o) => o.basis === "received")).toEqual([
      { kind: "pallet-over-limit", sscc: P0.sscc, count: 3, limit: 2, basis: "received" },
      { kind: "carton-over-limit", sscc: P0.cartons[2]!.sscc, count: 4, limit: 3, basis: "received" },
    ]);
  });

  it("a booked test-lab hub is held (here, awaiting a decision), an unbooked one is extra", () => {
    const b = structuredClone(base);
    const c = b.pallets[0]!.cartons[0]!;
    c.hubs[0]!.deviceId = LAB_HUB;
    const { state, verdicts } = run(
      [pallet(b.pallets[0]!.sscc), carton(c.sscc), hub(LAB_HUB), hub("90-B3-D5-1F-30-01-00-00")],
      createReceipt({ ...init, booking: b }),
    );
    expect(verdicts.slice(2).map((v) => v.code)).toEqual(["hub-test-lab", "hub-test-lab"]);
    expect(summarize(state).hubs).toMatchObject({ received: 0, held: 1, extra: 1 });
    expect(summarize(state).missing.hubs).not.toContain(LAB_HUB);
  });

  it("a loose carton closes the pallet that was open", () => {
    const { state } = run([pallet(P0.sscc), carton(LOOSE.sscc)]);
    expect(expecting(state)).toMatchObject({ kind: "hub", cartonSscc: LOOSE.sscc, palletSscc: null });
  });

  it("says what it expects next, with hubs left in the carton", () => {
    expect(expecting(createReceipt(init)).kind).toBe("booking-or-pallet");
    const { state } = run([pallet(P0.sscc), carton(C00.sscc), hub(C00.hubs[0]!.deviceId)]);
    expect(expecting(state)).toMatchObject({ kind: "hub", cartonSscc: C00.sscc, palletSscc: P0.sscc, remaining: 3 });
    expect(expecting(state).prompt).toContain("3 of 4 left");
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/*
 * A "unit" is one hub (or label) scanned in its own full context: pallet label, carton label,
 * subject. Each subject always comes in the same context (a misplaced hub is always found in
 * the same wrong carton), which is what a real delivery is; then any order of the units must
 * give the same summary.
 */
const ownCartons = [
  ...booking.pallets.flatMap((p) => p.cartons.map((c) => ({ c, p: p.sscc as string | null }))),
  { c: LOOSE, p: null },
];
const contextOfCarton = new Map<string, ParsedScan[]>();
for (const { c, p } of ownCartons)
  contextOfCarton.set(c.sscc, p === null ? [carton(c.sscc)] : [pallet(p), carton(c.sscc)]);
// One carton found on the wrong pallet, always.
contextOfCarton.set(C01.sscc, [pallet(P1.sscc), carton(C01.sscc)]);
const cartonCtx = (sscc: string): ParsedScan[] => contextOfCarton.get(sscc)!;

const units: ParsedScan[][] = [];
ownCartons.forEach(({ c }, ci) =>
  c.hubs.forEach((h, hi) => {
    // Every fifth hub turns up in the next carton (wrong container), the rest where listed.
    const where = (ci * 4 + hi) % 5 === 0 ? ownCartons[(ci + 1) % ownCartons.length]!.c.sscc : c.sscc;
    units.push([...cartonCtx(where), hub(h.deviceId)]);
  }),
);
units.push([...cartonCtx(C00.sscc), hub(OTHER_C.hubs[0]!.deviceId)]);
units.push([...cartonCtx(C00.sscc), hub(C00.hubs[1]!.gpfDeviceId)]);
units.push([...cartonCtx(C10.sscc), hub(UNKNOWN_HUB)]);
units.push([...cartonCtx(LOOSE.sscc), hub(LAB_HUB)]);
units.push([pallet(OTHER_P.sscc)]);
units.push([pallet(P0.sscc), carton(OTHER_C.sscc)]);
units.push([pallet(P1.sscc), carton(UNKNOWN_SSCC)]);
units.push([unreadable]);
units.push([...cartonCtx(C10.sscc)]);

const unitIndexes = fc.array(fc.nat({ max: units.length - 1 }), { minLength: 1, maxLength: 50 });

function replayUnits(indexes: number[]): ReceiptState {
  const actions: ReceiptAction[] = [];
  indexes.forEach((u, i) =>
    units[u]!.forEach((scan, j) =>
      actions.push({ type: "scan", scanId: `u${i}-${j}`, scan, at: `2027-01-04T10:00:00.${i}Z` }),
    ),
  );
  return replay(init, actions);
}

/** The summary with the scan IDs and times of exceptions left out (they name which scan came first). */
function canonical(s: ReceiptSummary): unknown {
  return { ...s, exceptions: s.exceptions.map((e) => ({ code: e.code, subject: e.subject })) };
}

/** Any scan at all, in any order: wrong kinds, foreign labels, undo-able noise. */
const anyScan: fc.Arbitrary<ParsedScan> = fc.oneof(
  fc.constantFrom(...units.flat()),
  fc.constantFrom(
    hub(C00.hubs[0]!.deviceId),
    carton(C00.sscc),
    label(booking.bookingRef, booking.deliveryRef),
    label(other.bookingRef, other.deliveryRef),
    carton(C10.sscc),
  ),
);

describe("reconcile: properties", () => {
  it("the order of scans does not change the final summary", () => {
    fc.assert(
      fc.property(
        unitIndexes.chain((xs) =>
          fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length })),
        ),
        ([xs, shuffled]) => {
          expect(canonical(summarize(replayUnits(shuffled)))).toEqual(canonical(summarize(replayUnits(xs))));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("duplicates never double-count: scanning everything twice changes only the duplicate counts", () => {
    fc.assert(
      fc.property(unitIndexes, fc.nat(), (xs, cut) => {
        const once = summarize(replayUnits(xs));
        // Repeat a prefix later on: every repeated hub is a duplicate, every label a resume.
        const twice = summarize(replayUnits([...xs, ...xs.slice(0, cut % (xs.length + 1))]));
        expect(twice.hubs).toEqual(once.hubs);
        expect(twice.pallets).toEqual(once.pallets);
        expect(twice.cartons).toEqual(once.cartons);
        expect(twice.missing).toEqual(once.missing);
        expect(twice.exceptions).toEqual(once.exceptions);
        expect(twice.overLimit).toEqual(once.overLimit);
        const distinctHubs = new Set(
          xs
            .flatMap((u) => units[u]!)
            .flatMap((s) => (s.kind === "hub" && s.deviceId !== C00.hubs[1]!.gpfDeviceId ? [s.deviceId] : [])),
        );
        expect(once.hubs.received + once.hubs.held + once.hubs.extra).toBe(distinctHubs.size);
      }),
      { numRuns: 300 },
    );
  });

  it("the summary's missing counts and first few agree with the whole missing lists, in booking order", () => {
    fc.assert(
      fc.property(fc.array(anyScan, { maxLength: 60 }), (scans) => {
        const state = run(scans).state;
        const s = summarize(state);
        // The summary walks a flat copy of the booking made once per receipt: it must say what a
        // walk of the booking's own objects says, in the same order.
        const expected = { pallets: [] as string[], cartons: [] as string[], hubs: [] as string[] };
        const hubsOf = (hubs: readonly { deviceId: string }[]) => {
          for (const h of hubs) if (!state.core.hubs.has(h.deviceId)) expected.hubs.push(h.deviceId);
        };
        const cartonOf = (c: (typeof booking.looseCartons)[number]) => {
          const seen = state.core.cartons.get(c.sscc);
          if (!(seen?.ours === true && !seen.unlisted)) expected.cartons.push(c.sscc);
          hubsOf(c.hubs);
        };
        for (const p of booking.pallets) {
          if (state.core.pallets.get(p.sscc)?.ours !== true) expected.pallets.push(p.sscc);
          hubsOf(p.hubs ?? []);
        }
        for (const p of booking.pallets) p.cartons.forEach(cartonOf);
        booking.looseCartons.forEach(cartonOf);
        expect(s.missing).toEqual(expected);
        for (const unit of ["pallets", "cartons", "hubs"] as const) {
          expect(s.missingShown[unit].count).toBe(s.missing[unit].length);
          expect(s.missingShown[unit].first).toEqual(s.missing[unit].slice(0, MISSING_SHOWN));
        }
        const hubsHere = s.hubs.booked - s.missing.hubs.length;
        expect(hubsHere).toBeGreaterThanOrEqual(s.hubs.received);
      }),
      { numRuns: 300 },
    );
  });

  it("undo of the last scan restores the previous summary and expectation", () => {
    fc.assert(
      fc.property(fc.array(anyScan, { maxLength: 40 }), anyScan, (before, extra) => {
        const { state } = run(before);
        const scanned = reduce(state, scanAction(extra));
        const undone = reduce(scanned.state, { type: "undo", scanId: `scan-${seq}`, reason: "operator error" });
        expect(undone.verdict.code).toBe("undone");
        expect({ ...summarize(undone.state), undos: 0 }).toEqual({ ...summarize(state), undos: 0 });
        expect(summarize(undone.state).undos).toBe(summarize(state).undos + 1);
        expect(expecting(undone.state)).toEqual(expecting(state));
        expect(history(undone.state)).toHaveLength(history(state).length + 2);
      }),
      { numRuns: 300 },
    );
  });

  it("undoing every scan, newest first, returns to an empty receipt", () => {
    fc.assert(
      fc.property(fc.array(anyScan, { maxLength: 60 }), (scans) => {
        let { state } = run(scans);
        for (const live of liveScans(state).reverse())
          state = reduce(state, { type: "undo", scanId: live.scanId, reason: "recount" }).state;
        expect({ ...summarize(state), undos: 0 }).toEqual({ ...summarize(createReceipt(init)), undos: 0 });
        expect(history(state)).toHaveLength(2 * scans.length);
      }),
      { numRuns: 200 },
    );
  });

  it("reducing never changes the old state (and reducing it twice gives the same result)", () => {
    fc.assert(
      fc.property(
        fc.array(anyScan, { maxLength: 30 }),
        fc.array(anyScan, { minLength: 1, maxLength: 10 }),
        (before, after) => {
          const { state } = run(before);
          const look = (s: ReceiptState) => JSON.stringify([summarize(s), expecting(s), history(s), liveScans(s)]);
          const seen = look(state);
          const actions = after.map(scanAction);
          let a = state;
          for (const action of actions) a = reduce(a, action).state;
          let b = state;
          for (const action of actions) b = reduce(b, action).state;
          expect(look(state)).toBe(seen);
          expect(look(a)).toBe(look(b));
          expect(Object.isFrozen(state)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("reconcile: persistent maps under hash collisions", () => {
  // These two IDs have the same 32-bit hash in reconcile's trie (found by search): the
  // collision path must keep both, tell duplicates apart, and undo one without the other.
  const A = "AA-BB-CC-DD-10-01-D3-8A";
  const B = "AA-BB-CC-DD-10-02-54-40";
  it("keeps colliding keys apart", () => {
    const open = [pallet(P0.sscc), carton(C00.sscc)];
    const { state, verdicts } = run([...open, hub(A), hub(B), hub(A), hub(B)]);
    expect(verdicts.slice(2).map((v) => v.code)).toEqual([
      "hub-unexpected",
      "hub-unexpected",
      "hub-duplicate",
      "hub-duplicate",
    ]);
    const withoutDupes = reduce(reduce(state, { type: "undo", scanId: `scan-${seq}`, reason: "r" }).state, {
      type: "undo",
      scanId: `scan-${seq - 1}`,
      reason: "r",
    }).state;
    const lastB = reduce(withoutDupes, { type: "undo", scanId: `scan-${seq - 2}`, reason: "r" });
    expect(lastB.verdict.code).toBe("undone");
    expect(summarize(lastB.state).hubs.extra).toBe(1);
    expect(reduce(lastB.state, scanAction(hub(A))).verdict.code).toBe("hub-duplicate");
    expect(reduce(lastB.state, scanAction(hub(B))).verdict.code).toBe("hub-unexpected");
  });
});
