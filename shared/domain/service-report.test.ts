import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  binomialPmf,
  binomialUpperTail,
  buildServiceReport,
  flagSlots,
  quantile,
  SLOT_FLAG_RULE,
  type FlashCountFact,
  type SlotCount,
} from "./service-report";

const slotCount = (maxAttempts = 200) =>
  fc
    .integer({ min: 0, max: maxAttempts })
    .chain((attempts) =>
      fc.record({ attempts: fc.constant(attempts), failures: fc.integer({ min: 0, max: attempts }) }),
    );
const jig = (maxAttempts = 200) =>
  fc
    .array(slotCount(maxAttempts), { minLength: 2, maxLength: 8 })
    .map((xs): SlotCount[] => xs.map((x, i) => ({ slot: i + 1, ...x })));

describe("binomial", () => {
  it("the probabilities of 0..n sum to 1", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, p) => {
        let s = 0;
        for (let k = 0; k <= n; k++) s += binomialPmf(k, n, p);
        expect(s).toBeCloseTo(1, 9);
      }),
    );
  });

  it("the upper tail is 1 at k = 0, 0 beyond n, and never rises as k rises", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, p) => {
        expect(binomialUpperTail(0, n, p)).toBe(1);
        expect(binomialUpperTail(n + 1, n, p)).toBe(0);
        let last = 1;
        for (let k = 0; k <= n; k++) {
          const t = binomialUpperTail(k, n, p);
          expect(t).toBeGreaterThanOrEqual(0);
          expect(t).toBeLessThanOrEqual(last + 1e-12);
          last = t;
        }
      }),
    );
  });

  it("matches hand-computed values", () => {
    // P(X ≥ 2 | n = 3, p = 0.5) = (3 + 1) / 8
    expect(binomialUpperTail(2, 3, 0.5)).toBeCloseTo(0.5, 12);
    // P(X ≥ 4 | n = 20, p = 0.05) = 0.015902, P(X ≥ 5) = 0.002574 (binomial tables)
    expect(binomialUpperTail(4, 20, 0.05)).toBeCloseTo(0.015902, 5);
    expect(binomialUpperTail(5, 20, 0.05)).toBeCloseTo(0.002574, 5);
    expect(binomialPmf(0, 10, 0.1)).toBeCloseTo(0.9 ** 10, 12);
  });
});

describe("quantile (nearest rank)", () => {
  it("is a value of the list, with at least q of the list at or below it and fewer than q strictly below", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom(0.5, 0.9, 0.1, 1),
        (xs, q) => {
          const v = quantile(xs, q);
          expect(v).not.toBeNull();
          expect(xs).toContain(v);
          const atOrBelow = xs.filter((x) => x <= (v as number)).length;
          const below = xs.filter((x) => x < (v as number)).length;
          expect(atOrBelow).toBeGreaterThanOrEqual(Math.ceil(q * xs.length));
          expect(below).toBeLessThan(Math.ceil(q * xs.length));
        },
      ),
    );
  });
  it("is null for no values and the median ≤ the p90", () => {
    expect(quantile([], 0.5)).toBeNull();
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }), (xs) => {
        expect(quantile(xs, 0.5) as number).toBeLessThanOrEqual(quantile(xs, 0.9) as number);
      }),
    );
  });
});

describe("flagSlots: the slot that stands out", () => {
  it("a jig whose slots all fail alike flags none", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 0, max: 500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (k, attempts, rate) => {
          const failures = Math.round(attempts * rate);
          const v = flagSlots(Array.from({ length: k }, (_, i) => ({ slot: i + 1, attempts, failures })));
          expect(v.some((s) => s.flagged)).toBe(false);
        },
      ),
    );
  });

  it("a flagged slot has enough attempts, a failure rate above its jig's other slots and a p-value under alpha / k", () => {
    fc.assert(
      fc.property(jig(), (slots) => {
        const v = flagSlots(slots);
        const tested = slots.filter((s) => s.attempts >= SLOT_FLAG_RULE.minAttempts).length;
        for (const s of v.filter((x) => x.flagged)) {
          expect(s.attempts).toBeGreaterThanOrEqual(SLOT_FLAG_RULE.minAttempts);
          expect(s.failureRate).toBeGreaterThan(s.othersRate);
          expect(s.pValue as number).toBeLessThan(SLOT_FLAG_RULE.alpha / tested);
        }
      }),
    );
  });

  it("more failures on a flagged slot (the others unchanged) keep it flagged", () => {
    fc.assert(
      fc.property(jig(), fc.nat({ max: 7 }), (slots, pick) => {
        const i = pick % slots.length;
        const before = flagSlots(slots)[i];
        const s = slots[i];
        if (!before?.flagged || !s || s.failures === s.attempts) return;
        const worse = slots.map((x, j) => (j === i ? { ...x, failures: x.failures + 1 } : x));
        expect(flagSlots(worse)[i]?.flagged).toBe(true);
      }),
    );
  });

  it("does not depend on the order of the slots", () => {
    fc.assert(
      fc.property(jig(), fc.array(fc.nat()), (slots, seed) => {
        const shuffled = [...slots].sort((a, b) => ((seed[a.slot] ?? a.slot) % 7) - ((seed[b.slot] ?? b.slot) % 7));
        const bySlot = (xs: ReturnType<typeof flagSlots>) => new Map(xs.map((x) => [x.slot, x.flagged]));
        expect(bySlot(flagSlots(shuffled))).toEqual(bySlot(flagSlots(slots)));
      }),
    );
  });

  it("flags a slot failing 1 in 3 among slots failing 1 in 50, and not one under the minimum attempts", () => {
    const slots: SlotCount[] = Array.from({ length: 8 }, (_, i) => ({ slot: i + 1, attempts: 100, failures: 2 }));
    slots[4] = { slot: 5, attempts: 100, failures: 33 };
    slots[6] = { slot: 7, attempts: 9, failures: 9 };
    const v = flagSlots(slots);
    expect(v.filter((s) => s.flagged).map((s) => s.slot)).toEqual([5]);
    expect(v[6]?.pValue).toBeNull();
  });
});

describe("buildServiceReport", () => {
  it("per jig, the days and the slots add up to the same attempts and failures as the facts", () => {
    const fact = fc.record({
      facilityId: fc.constantFrom("F1", "F2"),
      jigId: fc.constantFrom("JIG-1", "JIG-2"),
      slot: fc.integer({ min: 1, max: 8 }),
      day: fc.constantFrom("2026-01-01", "2026-01-02", "2026-01-03"),
      attempts: fc.integer({ min: 1, max: 50 }),
      failures: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(fact, { maxLength: 60 }), (raw) => {
        const flashes: FlashCountFact[] = raw.map((f) => ({ ...f, failures: f.failures % (f.attempts + 1) }));
        const r = buildServiceReport(
          { from: "2026-01-01", to: "2026-01-31" },
          { counts: [], turnarounds: [], flashes },
        );
        for (const j of r.jigs) {
          const mine = flashes.filter((f) => f.facilityId === j.facilityId && f.jigId === j.jigId);
          const attempts = mine.reduce((s, f) => s + f.attempts, 0);
          const failures = mine.reduce((s, f) => s + f.failures, 0);
          expect(j.attempts).toBe(attempts);
          expect(j.failures).toBe(failures);
          expect(j.slots.reduce((s, x) => s + x.attempts, 0)).toBe(attempts);
          expect(j.days.reduce((s, x) => s + x.failures, 0)).toBe(failures);
          for (const d of j.days) expect(d.yield).toBeCloseTo((d.attempts - d.failures) / d.attempts, 12);
          expect(j.days.map((d) => d.day)).toEqual([...j.days.map((d) => d.day)].sort());
        }
        expect(r.jigs.reduce((s, j) => s + j.attempts, 0)).toBe(flashes.reduce((s, f) => s + f.attempts, 0));
      }),
    );
  });

  it("turnaround is arrival to dispatch in hours, median and p90 per site and Party", () => {
    const t = (h: number) => ({
      facilityId: "F1",
      partyId: "P1",
      arrivedAt: "2026-01-01T08:00:00.000Z",
      dispatchedAt: new Date(Date.parse("2026-01-01T08:00:00.000Z") + h * 3_600_000).toISOString(),
    });
    const r = buildServiceReport(
      { from: "2026-01-01", to: "2026-01-31" },
      {
        counts: [{ facilityId: "F1", partyId: "P1", received: 10, reflashed: 9, failed: 1 }],
        turnarounds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 100].map(t),
        flashes: [],
      },
    );
    expect(r.sites).toEqual([
      {
        facilityId: "F1",
        partyId: "P1",
        received: 10,
        reflashed: 9,
        failed: 1,
        redelivered: 10,
        turnaroundMedianHours: 5,
        turnaroundP90Hours: 9,
      },
    ]);
  });
});
