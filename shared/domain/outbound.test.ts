import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bookingCartons, type Booking } from "./booking";
import { demoBooking } from "./demo-booking";
import {
  encodeBookingLabel,
  encodeCartonLabel,
  encodePalletLabel,
  encodeHubLabel,
  encodeLogisticLabelSymbols,
  type EncodedLabel,
  type LabelError,
} from "./labels";
import { buildManifest, type ManifestPayload } from "./manifest";
import {
  decideOutboundScan,
  decideOutboundUnload,
  dispatchPayload,
  initialOutboundState,
  loadAgrees,
  outboundScanPayload,
  reduceOutbound,
  type OutboundAction,
  type OutboundState,
} from "./outbound";
import { parseScan } from "./scan-parser";
import { EXAMPLE_WORKING_HOURS } from "./working-hours";
import { DispatchRecordedPayload, OutboundScanRecordedPayload, parseDockEvent } from "../events";

const TARGET = "00020200";
function manifestOf(b: Booking): ManifestPayload {
  const hubs = bookingCartons(b).flatMap(({ carton }) => carton.hubs);
  const r = buildManifest({
    manifestId: "RD-OUT-1",
    bookings: [b],
    results: hubs.map((h) => ({ deviceId: h.deviceId, outcome: "flashed", firmwareVersion: TARGET })),
    targetVersionByModel: { "010A030B": TARGET },
    deliveryDate: "2027-02-02",
    deliveryWindow: { start: "09:00", end: "12:00" },
    workingHours: EXAMPLE_WORKING_HOURS,
  });
  if (!r.ok) throw new Error(r.message);
  return r.payload;
}
const scanned = (l: EncodedLabel | LabelError): string => {
  if (!l.ok) throw new Error(l.reason);
  return l.scan;
};
const booking = demoBooking({
  pallets: 2,
  cartonsPerPallet: 2,
  hubsPerCarton: 2,
  looseCartons: 1,
  partyId: "SUPPLIER-A",
});
const manifest = manifestOf(booking);
const palletScan = (sscc: string) => scanned(encodePalletLabel({ sscc, bookingRef: booking.bookingRef }));
const cartonScan = (sscc: string) => scanned(encodeCartonLabel({ sscc, bookingRef: booking.bookingRef, hubCount: 2 }));
const allLabels = [
  ...manifest.pallets.flatMap((p) => [palletScan(p.sscc), ...p.cartons.map((c) => cartonScan(c.sscc))]),
  ...manifest.looseCartons.map((c) => cartonScan(c.sscc)),
];
let n = 0;
const scan = (raw: string): OutboundAction => ({
  type: "scan",
  scanId: `s${n++}`,
  scan: parseScan(raw),
  at: "2027-02-02T09:00:00.000Z",
});
const run = (state: OutboundState, raws: string[]) => raws.reduce((s, r) => reduceOutbound(s, scan(r)).state, state);

describe("outbound load verification", () => {
  it("every pallet and carton scanned once: the load agrees and dispatch is allowed", () => {
    let s = initialOutboundState(manifest);
    expect(loadAgrees(s)).toMatchObject({ agrees: false, expectedCount: 7, loadedCount: 0 });
    for (const raw of allLabels) {
      const r = reduceOutbound(s, scan(raw));
      expect(r.verdict).toMatchObject({ code: "expected", class: "ok" });
      s = r.state;
    }
    expect(loadAgrees(s)).toEqual({ agrees: true, missing: [], extra: [], loadedCount: 7, expectedCount: 7 });
    const d = dispatchPayload(manifest, s, {
      asnNumber: "ASN-SUPPLIERA-20270202-001",
      unloader: "party",
      carrier: "Haulier Ltd",
      vehicleRef: "AB12 CDE",
    });
    expect(d.ok).toBe(true);
    if (d.ok) {
      expect(DispatchRecordedPayload.safeParse(d.payload).success).toBe(true);
      expect(d.payload).toMatchObject({ palletCount: 2, cartonCount: 5, hubCount: 10 });
    }
  });

  it("names each verdict: duplicate, not on the manifest, wrong kind, unreadable", () => {
    const s0 = initialOutboundState(manifest);
    const p = manifest.pallets[0]?.sscc ?? "";
    const s1 = reduceOutbound(s0, scan(palletScan(p))).state;
    expect(reduceOutbound(s1, scan(palletScan(p))).verdict).toMatchObject({ code: "duplicate", class: "warn" });
    const foreign = demoBooking({ index: 9, pallets: 1, cartonsPerPallet: 1, hubsPerCarton: 1 }).pallets[0]?.sscc ?? "";
    expect(reduceOutbound(s1, scan(palletScan(foreign))).verdict).toMatchObject({
      code: "not-on-manifest",
      class: "error",
      sscc: foreign,
    });
    expect(reduceOutbound(s1, scan(cartonScan(p))).verdict).toMatchObject({ code: "wrong-kind", class: "error" });
    const hub = scanned(encodeHubLabel({ deviceId: manifest.looseCartons[0]?.hubs[0]?.deviceId ?? "" }));
    expect(reduceOutbound(s1, scan(hub)).verdict).toMatchObject({ code: "wrong-kind" });
    expect(
      reduceOutbound(
        s1,
        scan(scanned(encodeBookingLabel({ bookingRef: booking.bookingRef, deliveryRef: booking.deliveryRef }))),
      ).verdict,
    ).toMatchObject({ code: "wrong-kind" });
    expect(reduceOutbound(s1, scan("]C1000000")).verdict).toMatchObject({
      code: "unreadable",
      class: "error",
      sscc: null,
    });
  });

  it("two-symbol labels: the SSCC symbol loads the unit; the booking-reference symbol is refused by name and changes nothing", () => {
    const symbolsOf = (kind: "pallet" | "carton", sscc: string) => {
      const r = encodeLogisticLabelSymbols(
        kind === "pallet"
          ? { kind, sscc, bookingRef: booking.bookingRef }
          : { kind, sscc, bookingRef: booking.bookingRef, hubCount: 2 },
      );
      if (!r.ok || r.reference === null) throw new Error("no two symbols");
      return { sscc: r.sscc.scan, reference: r.reference.scan };
    };
    const p = manifest.pallets[0]!;
    const c = p.cartons[0]!;
    let s = initialOutboundState(manifest);
    for (const [kind, sscc] of [
      ["pallet", p.sscc],
      ["carton", c.sscc],
    ] as const) {
      const { sscc: bottom, reference } = symbolsOf(kind, sscc);
      const action = scan(reference);
      const refused = reduceOutbound(s, action);
      expect(refused.verdict).toMatchObject({ code: "wrong-kind", class: "error", sscc: null });
      expect(refused.verdict.reason).toMatch(
        /^this is the booking-reference barcode of a label \(booking [A-Z0-9-]+(, 2 hubs)?\): scan the SSCC barcode \(the bottom one\) onto the load$/,
      );
      expect(refused.state.loaded).toBe(s.loaded);
      expect(refused.state.extra).toBe(s.extra);
      expect(
        OutboundScanRecordedPayload.safeParse(
          outboundScanPayload(
            manifest.manifestId,
            "wedge",
            action.type === "scan" ? action.scan : parseScan(""),
            refused.verdict,
          ),
        ).success,
      ).toBe(true);
      const loaded = reduceOutbound(refused.state, scan(bottom));
      expect(loaded.verdict).toMatchObject({ code: "expected", class: "ok", sscc });
      s = loaded.state;
    }
    expect(loadAgrees(s)).toMatchObject({ loadedCount: 2, extra: [] });
    // Still unreadable, as before: a damaged read that is not the reference symbol.
    expect(reduceOutbound(s, scan("]C137ABC\x1d91RFD1-REF")).verdict).toMatchObject({ code: "unreadable" });
  });

  it("an extra unit blocks dispatch until it is taken off; a missing one blocks it until loaded", () => {
    const foreign = demoBooking({ index: 9, pallets: 1, cartonsPerPallet: 1, hubsPerCarton: 1 }).pallets[0]?.sscc ?? "";
    let s = run(initialOutboundState(manifest), [...allLabels, palletScan(foreign)]);
    expect(loadAgrees(s)).toMatchObject({ agrees: false, missing: [], extra: [{ sscc: foreign, kind: "pallet" }] });
    const refused = dispatchPayload(manifest, s, {
      asnNumber: "ASN-X-20270202-001",
      unloader: "dock",
      carrier: null,
      vehicleRef: null,
    });
    expect(refused).toMatchObject({ ok: false });
    expect(!refused.ok && refused.reason).toMatch(/not on the manifest/);
    s = reduceOutbound(s, { type: "unload", scanId: "u1", sscc: foreign, at: "2027-02-02T09:10:00.000Z" }).state;
    expect(loadAgrees(s).agrees).toBe(true);
    const lastCarton = manifest.looseCartons[0]?.sscc ?? "";
    s = reduceOutbound(s, { type: "unload", scanId: "u2", sscc: lastCarton, at: "2027-02-02T09:11:00.000Z" }).state;
    expect(loadAgrees(s)).toMatchObject({
      agrees: false,
      missing: [{ sscc: lastCarton, kind: "carton", palletSscc: null }],
    });
  });

  it("a carton label with the hub count it arrived with warns on a carton going back short", () => {
    const c = manifest.looseCartons[0]?.sscc ?? "";
    const r = reduceOutbound(
      initialOutboundState(manifest),
      scan(scanned(encodeCartonLabel({ sscc: c, hubCount: 32 }))),
    );
    expect(r.verdict).toMatchObject({
      code: "expected",
      class: "warn",
      reason: expect.stringMatching(/label says 32 hubs and the manifest 2/),
    });
    expect(loadAgrees(r.state).loadedCount).toBe(1);
  });

  it("a pallet may stand for its cartons when the site says so", () => {
    const palletsAndLoose = [
      ...manifest.pallets.map((p) => palletScan(p.sscc)),
      ...manifest.looseCartons.map((c) => cartonScan(c.sscc)),
    ];
    expect(loadAgrees(run(initialOutboundState(manifest), palletsAndLoose)).agrees).toBe(false);
    const s = run(initialOutboundState(manifest, { palletStandsForCartons: true }), palletsAndLoose);
    expect(loadAgrees(s).agrees).toBe(true);
    const c = manifest.pallets[0]?.cartons[0]?.sscc ?? "";
    expect(reduceOutbound(s, scan(cartonScan(c))).verdict.code).toBe("duplicate");
  });

  it("replaying a scan id changes nothing, and payloads fit outbound.scan.recorded", () => {
    const a = scan(allLabels[0] ?? "");
    const s1 = reduceOutbound(initialOutboundState(manifest), a);
    const s2 = reduceOutbound(s1.state, a);
    expect(s2.state).toBe(s1.state);
    const payload = outboundScanPayload(
      manifest.manifestId,
      "wedge",
      a.type === "scan" ? a.scan : parseScan(""),
      s1.verdict,
    );
    expect(OutboundScanRecordedPayload.safeParse(payload).success).toBe(true);
    const bad = parseScan("x".repeat(2000));
    const v = reduceOutbound(initialOutboundState(manifest), {
      type: "scan",
      scanId: "big",
      scan: bad,
      at: "2027-02-02T09:00:00.000Z",
    }).verdict;
    expect(
      OutboundScanRecordedPayload.safeParse(outboundScanPayload(manifest.manifestId, "camera", bad, v)).success,
    ).toBe(true);
  });

  it("property: the load agrees iff every label was scanned, whatever the order and repeats", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: allLabels.length - 1 }), { maxLength: 25 }), (picks) => {
        const s = run(
          initialOutboundState(manifest),
          picks.map((i) => allLabels[i] ?? ""),
        );
        const check = loadAgrees(s);
        expect(check.agrees).toBe(new Set(picks).size === allLabels.length);
        expect(check.loadedCount).toBe(new Set(picks).size);
        expect(check.extra).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("the outbound load decision", () => {
  it("each scan: one valid event that records the verdict, and the load a reduce gives", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            ...allLabels,
            palletScan(
              demoBooking({ index: 9, pallets: 1, cartonsPerPallet: 1, hubsPerCarton: 1 }).pallets[0]?.sscc ?? "",
            ),
            "12#4",
          ),
          { maxLength: 30 },
        ),
        (raws) => {
          let load = initialOutboundState(manifest);
          let t = Date.parse("2027-02-02T09:00:00Z");
          for (const raw of raws) {
            const stamp = { dockId: "DOCK-1", operatorId: "sup-1", now: new Date((t += 1000)), clockOffsetMs: null };
            const d = decideOutboundScan(load, { raw, source: "wedge" }, stamp);
            const [e] = d.events;
            expect(parseDockEvent(JSON.parse(JSON.stringify(e))).ok).toBe(true);
            expect(e.payload).toMatchObject({
              manifestId: manifest.manifestId,
              verdict: d.verdict.code,
              sscc: d.verdict.sscc,
            });
            expect(d.load).toEqual(
              reduceOutbound(load, { type: "scan", scanId: e.id, scan: parseScan(raw), at: e.at }).state,
            );
            load = d.load;
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("taking a unit off the vehicle (issue 18)", () => {
  const stamp = (n: number) => ({ dockId: "DOCK-1", operatorId: "OP-S", now: new Date(Date.UTC(2027, 1, 2, 9, n)) });
  it("property: whatever was scanned, taking off every extra unit leaves exactly the manifest's units; the event is a valid unload", () => {
    const strangers = ["350000000000000013", "350000000000000020"];
    fc.assert(
      fc.property(fc.shuffledSubarray([...allLabels, ...strangers.map(palletScan)], { minLength: 0 }), (scans) => {
        let load = initialOutboundState(manifest);
        scans.forEach((raw, i) => {
          load = decideOutboundScan(load, { raw, source: "wedge" }, stamp(i)).load;
        });
        const before = loadAgrees(load);
        for (const [i, u] of before.extra.entries()) {
          const r = decideOutboundUnload(load, u.sscc, stamp(100 + i));
          if (!r.ok) throw new Error(r.reason);
          expect(parseDockEvent(r.decision.events[0]).ok).toBe(true);
          expect(r.decision.events[0].payload).toMatchObject({ action: "unload", sscc: u.sscc });
          load = r.decision.load;
        }
        const after = loadAgrees(load);
        expect(after.extra).toEqual([]);
        expect(after.missing).toEqual(before.missing);
        expect(decideOutboundUnload(load, "350000000000000037", stamp(200))).toMatchObject({ ok: false });
      }),
      { numRuns: 50 },
    );
  });
});
