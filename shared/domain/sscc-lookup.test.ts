import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDockEvent } from "../events";
import { BookedPalletSchema, BookingSchema, DEFAULT_PACKING_LIMITS, bookingHubCount, type Booking } from "./booking";
import { demoBooking, demoSiteFor } from "./demo-booking";
import { encodeCartonLabel, encodePalletLabel, makeSscc } from "./labels";
import { decideReceipt, openedReceipt, type Stamp } from "./receipt-decision";
import {
  createReceipt,
  expecting,
  reduce,
  summarize,
  type ReceiptInit,
  type ReceiptState,
  type Verdict,
} from "./reconcile";
import type { ParsedScan } from "./scan";
import { parseScan } from "./scan-parser";

// Issue 16: any valid SSCC is a logistic unit, identified by lookup in the bookings; our (91)
// kind is a hint; supplier carton numbers are cartons' labels; cartons are optional.

const ssccArb = fc.stringMatching(/^\d{16}$/).chain((body) =>
  fc.integer({ min: 0, max: 9 }).map((ext) => {
    const r = makeSscc(body, ext);
    if (!r.ok) throw new Error(r.reason);
    return r.sscc;
  }),
);
/** The ways a scanner delivers a plain SSCC: element string, AIM prefixed, HRI, bare 18 digits. */
const forms = (sscc: string): string[] => [`00${sscc}`, `]C100${sscc}`, `(00)${sscc}`, sscc, `]C100${sscc}\r\n`];

describe("parseScan: any valid SSCC is a logistic unit", () => {
  it("reads the issue's examples", () => {
    for (const raw of ["00050123456789012348", "]C100050123456789012348", "(00)050123456789012348"])
      expect(parseScan(raw)).toEqual({ kind: "sscc", raw, sscc: "050123456789012348" });
  });

  it("every form of every valid SSCC reads as that SSCC (property)", () => {
    fc.assert(
      fc.property(ssccArb, (sscc) => {
        for (const raw of forms(sscc)) expect(parseScan(raw)).toEqual({ kind: "sscc", raw, sscc });
      }),
    );
  });

  it("a wrong check digit, a digit dropped, or a caught transposition stays unreadable with that reason (property)", () => {
    fc.assert(
      fc.property(ssccArb, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 9 }), (sscc, at, add) => {
        const digits = [...sscc];
        digits[at] = String((Number(digits[at]) + add) % 10);
        const substituted = digits.join("");
        for (const raw of forms(substituted))
          expect(parseScan(raw)).toMatchObject({
            kind: "unreadable",
            code: "bad-check-digit",
            reason: expect.stringContaining("check digit"),
          });
        const dropped = sscc.slice(0, at) + sscc.slice(at + 1);
        for (const raw of [`00${dropped}`, `]C100${dropped}`, `(00)${dropped}`, dropped])
          expect(parseScan(raw)).toMatchObject({
            kind: "unreadable",
            code: "wrong-length",
            reason: expect.stringMatching(/SSCC.*17/),
          });
      }),
    );
  });

  it("adjacent transpositions are caught unless the digits differ by 0 or 5 (the mod-10 limit, docs/labels.md)", () => {
    fc.assert(
      fc.property(ssccArb, fc.integer({ min: 0, max: 16 }), (sscc, at) => {
        const a = sscc[at]!;
        const b = sscc[at + 1]!;
        fc.pre(Math.abs(Number(a) - Number(b)) % 5 !== 0);
        const swapped = sscc.slice(0, at) + b + a + sscc.slice(at + 2);
        expect(parseScan(`00${swapped}`)).toMatchObject({ kind: "unreadable", code: "bad-check-digit" });
      }),
    );
  });

  it("our (91) kind is kept as the hint it is", () => {
    fc.assert(
      fc.property(ssccArb, (sscc) => {
        const p = encodePalletLabel({ sscc });
        const c = encodeCartonLabel({ sscc });
        if (!p.ok || !c.ok) throw new Error("label");
        expect(parseScan(p.scan)).toMatchObject({ kind: "pallet", sscc });
        expect(parseScan(c.scan)).toMatchObject({ kind: "carton", sscc });
      }),
    );
  });

  it("supplier carton numbers are cartons' labels; a hub ID with a hex digit too many or too few never is one", () => {
    for (const n of ["CTN-000123", "tosh12345", "S/N.4471X"])
      expect(parseScan(n)).toMatchObject({ kind: "carton-number", cartonNumber: n.toUpperCase() });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.stringMatching(/^[0-9A-F]{15}$/),
          fc.stringMatching(/^[0-9A-F]{17}$/),
          fc.stringMatching(/^[0-9]{4,16}$/),
        ),
        (s) => {
          expect(parseScan(s).kind).not.toBe("carton-number");
        },
      ),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[G-Z][A-Z0-9./-]{2,18}[0-9]$/), (s) => {
        expect(parseScan(s)).toMatchObject({ kind: "carton-number", cartonNumber: s });
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------

const carton = demoBooking({
  seed: 21,
  index: 0,
  pallets: 2,
  cartonsPerPallet: 2,
  hubsPerCarton: 3,
  looseCartons: 1,
  csp: "CentralSouth",
  partyId: "SUPPLIER-A",
});
const other = demoBooking({
  seed: 21,
  index: 1,
  pallets: 1,
  cartonsPerPallet: 2,
  hubsPerCarton: 3,
  looseCartons: 0,
  csp: "CentralSouth",
  partyId: "SUPPLIER-A",
});

/** The same hubs listed per pallet only, no cartons (a Party's document with pallet IDs and GUIDs). */
function palletOnly(b: Booking): Booking {
  return BookingSchema.parse({
    ...b,
    pallets: b.pallets.map((p) => ({ sscc: p.sscc, cartons: [], hubs: p.cartons.flatMap((c) => c.hubs) })),
    looseCartons: b.looseCartons,
  });
}
/** Pallet 0 listed pallet-only, the rest with cartons. */
function mixed(b: Booking): Booking {
  const [first, ...rest] = b.pallets;
  if (!first) throw new Error("no pallet");
  return BookingSchema.parse({
    ...b,
    pallets: [
      BookedPalletSchema.parse({ sscc: first.sscc, cartons: [], hubs: first.cartons.flatMap((c) => c.hubs) }),
      ...rest,
    ],
  });
}

const initOf = (booking: Booking): ReceiptInit => ({
  booking,
  otherBookings: [booking, other],
  site: demoSiteFor(booking, true),
  limits: DEFAULT_PACKING_LIMITS,
});
let seq = 0;
function run(state: ReceiptState, scans: ParsedScan[]): { state: ReceiptState; verdicts: Verdict[] } {
  const verdicts: Verdict[] = [];
  for (const scan of scans) {
    seq++;
    const r = reduce(state, {
      type: "scan",
      scanId: `s-${seq}`,
      scan,
      at: `2027-03-01T10:00:${String(seq % 60).padStart(2, "0")}Z`,
    });
    state = r.state;
    verdicts.push(r.verdict);
  }
  return { state, verdicts };
}
const asScan = (raw: string): ParsedScan => parseScan(raw);
const hubScan = (deviceId: string): ParsedScan => ({ kind: "hub", raw: deviceId, deviceId });

describe("the lookup: what an SSCC is comes from the bookings", () => {
  const UNKNOWN = (makeSscc("5000000099999999", 3) as { sscc: string }).sscc;
  type Target = { sscc: string; is: "pallet" | "carton" | "other-pallet" | "unknown"; pallet: string | null };
  const targets: Target[] = [
    ...carton.pallets.map((p) => ({ sscc: p.sscc, is: "pallet" as const, pallet: null })),
    ...carton.pallets.flatMap((p) => p.cartons.map((c) => ({ sscc: c.sscc, is: "carton" as const, pallet: p.sscc }))),
    ...other.pallets.map((p) => ({ sscc: p.sscc, is: "other-pallet" as const, pallet: null })),
    { sscc: UNKNOWN, is: "unknown", pallet: null },
  ];
  const labelWith = (sscc: string, hint: "pallet" | "carton" | null, form: number): string => {
    if (hint === null) return forms(sscc)[form % 5]!;
    const r = hint === "pallet" ? encodePalletLabel({ sscc }) : encodeCartonLabel({ sscc });
    if (!r.ok) throw new Error(r.reason);
    return r.scan;
  };

  it("pallet, carton, other booking, unknown, and a hint that disagrees (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...targets),
        fc.constantFrom<"pallet" | "carton" | null>(null, "pallet", "carton"),
        fc.nat(4),
        (target, hint, form) => {
          const start = createReceipt(initOf(carton));
          const opened = target.pallet === null ? start : run(start, [asScan(target.pallet)]).state;
          const before = summarize(opened);
          const { state, verdicts } = run(opened, [asScan(labelWith(target.sscc, hint, form))]);
          const v = verdicts[0]!;
          const s = summarize(state);
          switch (target.is) {
            case "pallet":
            case "carton": {
              const want = target.is === "pallet" ? "pallet-expected" : "carton-expected";
              if (hint === null || hint === target.is) expect(v.code).toBe(want);
              else expect([v.code, v.listedAs, v.labelSays]).toEqual(["unit-hint-mismatch", target.is, hint]);
              expect(expecting(state).kind).toBe(target.is === "pallet" ? "carton" : "hub");
              break;
            }
            case "other-pallet":
              expect([v.code, v.otherBookingRef]).toEqual(["pallet-other-booking", other.bookingRef]);
              expect(s.exceptions.map((e) => e.subject)).toContain(target.sscc);
              break;
            case "unknown":
              expect(v.code).toBe(
                hint === null ? "unit-unexpected" : hint === "pallet" ? "pallet-unexpected" : "carton-unexpected",
              );
              expect(v.class).toBe("error");
              expect(s.exceptions.map((e) => e.subject)).toEqual([target.sscc]);
              break;
          }
          // Never silently added: only this booking's own units move the received counts.
          if (target.is !== "pallet") expect(s.pallets.received).toBe(before.pallets.received);
          if (target.is !== "carton") expect(s.cartons.received).toBe(before.cartons.received);
        },
      ),
    );
  });
});

describe("cartons are optional: pallet-only, carton-listed and mixed bookings reconcile", () => {
  const bookings = { "carton-listed": carton, "pallet-only": palletOnly(carton), mixed: mixed(carton) };

  it("the schema takes a pallet with hubs and no cartons, and counts its hubs", () => {
    const b = bookings["pallet-only"];
    expect(b.pallets.every((p) => p.cartons.length === 0 && (p.hubs?.length ?? 0) === 6)).toBe(true);
    expect(bookingHubCount(b)).toBe(bookingHubCount(carton));
  });

  it("every hub scanned under its pallet, with or without a carton's own label, is received (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(bookings) as Array<keyof typeof bookings>)),
        fc.boolean(),
        fc.constantFrom("number", "sscc", "ours"),
        (which, withCartonLabels, labelKind) => {
          const b = bookings[which];
          const scans: ParsedScan[] = [];
          for (const [i, listed] of carton.pallets.entries()) {
            scans.push(asScan(`00${listed.sscc}`));
            for (const [j, c] of listed.cartons.entries()) {
              if (withCartonLabels) {
                // The carton's own label: its listed SSCC as we print it, as the Party's plain SSCC, or the supplier's number.
                const raw =
                  labelKind === "number"
                    ? `TOSH-${i}${j}77`
                    : labelKind === "sscc"
                      ? `(00)${c.sscc}`
                      : (encodeCartonLabel({ sscc: c.sscc }) as { scan: string }).scan;
                scans.push(asScan(raw));
              }
              for (const h of c.hubs) scans.push(hubScan(h.deviceId));
            }
          }
          for (const c of carton.looseCartons) {
            scans.push(asScan(`00${c.sscc}`));
            for (const h of c.hubs) scans.push(hubScan(h.deviceId));
          }
          const { state, verdicts } = run(createReceipt(initOf(b)), scans);
          const s = summarize(state);
          expect(verdicts.filter((v) => v.class === "error").map((v) => v.reason)).toEqual([]);
          expect(s.hubs).toEqual({ booked: bookingHubCount(b), received: bookingHubCount(b), held: 0, extra: 0 });
          expect(s.pallets).toEqual({ booked: 2, received: 2 });
          expect([s.missing.pallets, s.missing.hubs]).toEqual([[], []]);
          expect(s.exceptions).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a pallet-only booking: a hub under the wrong pallet is held, an unknown one extra, missing ones listed", () => {
    const b = bookings["pallet-only"];
    const [p0, p1] = b.pallets;
    const h0 = p0!.hubs![0]!.deviceId;
    const { state, verdicts } = run(createReceipt(initOf(b)), [
      asScan(p1!.sscc),
      asScan("CTN-0042X"),
      hubScan(h0),
      hubScan("AA-BB-CC-DD-EE-FF-00-11"),
    ]);
    expect(verdicts.map((v) => v.code)).toEqual([
      "pallet-expected",
      "carton-unlisted",
      "hub-wrong-container",
      "hub-unexpected",
    ]);
    expect(verdicts[2]!.reason).toContain(`listed on pallet ${p0!.sscc}`);
    const s = summarize(state);
    expect(s.pallets).toEqual({ booked: 2, received: 1 });
    expect(s.cartons).toEqual({ booked: 1, received: 0, unlisted: 1 });
    expect(s.hubs).toMatchObject({ received: 0, held: 1, extra: 1 });
    expect(s.missing.pallets).toEqual([p0!.sscc]);
    expect(s.missing.hubs).toHaveLength(bookingHubCount(b) - 1);
  });

  it("our own carton label on a pallet-only booking: its hubs' container, unless it names another booking", () => {
    const b = bookings["pallet-only"];
    const ctn = (ref: string) =>
      asScan(
        (
          encodeCartonLabel({ sscc: (makeSscc("5000000088888888", 2) as { sscc: string }).sscc, bookingRef: ref }) as {
            scan: string;
          }
        ).scan,
      );
    const open = run(createReceipt(initOf(b)), [asScan(b.pallets[0]!.sscc)]).state;
    expect(run(open, [ctn(b.bookingRef)]).verdicts[0]!.code).toBe("carton-unlisted");
    expect(run(open, [ctn(other.bookingRef)]).verdicts[0]).toMatchObject({
      code: "carton-other-booking",
      otherBookingRef: other.bookingRef,
    });
  });
});

describe("the event a scan is recorded as keeps the container it arrived in", () => {
  it("a hub under a supplier's carton number records that number; under a plain SSCC the SSCC", () => {
    const b = palletOnly(carton);
    const record = openedReceipt(b.bookingRef);
    let t = Date.parse("2027-03-01T09:00:00Z");
    const stamp = (): Stamp => ({
      dockId: "DOCK-1",
      operatorId: "op-1",
      now: new Date((t += 1000)),
      clockOffsetMs: null,
    });
    let state = createReceipt(initOf(b));
    const events = [];
    const hubs = b.pallets[0]!.hubs!;
    for (const raw of [
      `]C100${b.pallets[0]!.sscc}`,
      "ctn-0001x",
      hubs[0]!.deviceId,
      `00${carton.pallets[0]!.cartons[1]!.sscc}`,
      hubs[1]!.deviceId,
    ]) {
      const d = decideReceipt(record, state, { type: "scan", raw, source: "wedge" }, stamp());
      if (!d.ok) throw new Error(d.message);
      state = d.reconcile;
      events.push(...d.events);
    }
    const payloads = events
      .map((e) => parseDockEvent(JSON.parse(JSON.stringify(e))))
      .map((e) => (e.ok && e.event.type === "scan.recorded" ? e.event.payload : null));
    expect(payloads.map((p) => [p?.kind, p?.verdict])).toEqual([
      ["sscc", "expected"],
      ["carton-number", "expected"],
      ["hub", "expected"],
      ["sscc", "expected"],
      ["hub", "expected"],
    ]);
    expect(payloads[1]).toMatchObject({ cartonNumber: "CTN-0001X", sscc: null });
    expect(payloads[2]).toMatchObject({
      cartonNumber: "CTN-0001X",
      cartonSscc: null,
      palletSscc: b.pallets[0]!.sscc,
      deviceId: hubs[0]!.deviceId,
    });
    expect(payloads[4]).toMatchObject({
      cartonSscc: carton.pallets[0]!.cartons[1]!.sscc,
      palletSscc: b.pallets[0]!.sscc,
    });
    expect(payloads[4]).not.toHaveProperty("cartonNumber");
  });
});
