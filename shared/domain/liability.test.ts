import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  deriveLiabilityTransfer,
  LIABILITY_RULES,
  liabilityRuleFor,
  type Direction,
  type Unloader,
  type UnloadingRecord,
} from "./liability";

const directions: Direction[] = ["inbound", "outbound"];
const unloaders: Unloader[] = ["dock", "party"];
const T0 = Date.parse("2026-01-01T00:00:00Z");
const instant = fc.integer({ min: T0, max: T0 + 3 * 365 * 86_400_000 });
const iso = (ms: number) => new Date(ms).toISOString();
const rec = (
  direction: Direction,
  unloader: Unloader,
  startedAt: string | null,
  completedAt: string | null,
): UnloadingRecord => ({
  direction,
  unloader,
  startedAt,
  completedAt,
  operatorId: "OP-7",
});

describe("the four rules of Annex A 2.5 / 2.10", () => {
  it.each([
    ["inbound", "dock", "commencement", "party", "dcc"],
    ["inbound", "party", "completion", "party", "dcc"],
    ["outbound", "party", "commencement", "dcc", "party"],
    ["outbound", "dock", "completion", "dcc", "party"],
  ] as const)("%s where %s unloads: passes on %s from %s to %s", (direction, unloader, moment, from, to) => {
    const r = deriveLiabilityTransfer(rec(direction, unloader, "2026-03-02T09:00:00.000Z", "2026-03-02T09:40:00.000Z"));
    expect(r).toMatchObject({ ok: true, moment, from, to, direction, unloader, operatorId: "OP-7" });
    if (!r.ok) return;
    expect(r.transferAt).toBe(moment === "commencement" ? "2026-03-02T09:00:00.000Z" : "2026-03-02T09:40:00.000Z");
    expect(r.rule).toBe(liabilityRuleFor(direction, unloader).text);
    expect(r.rule).toMatch(moment);
  });

  it("every rule has its own words and the id it is filed under", () => {
    const texts = new Set(Object.values(LIABILITY_RULES).map((r) => r.text));
    expect(texts.size).toBe(4);
    for (const [id, rule] of Object.entries(LIABILITY_RULES)) expect(rule.id).toBe(id);
  });
});

describe("deriveLiabilityTransfer (properties)", () => {
  it("with consistent times, transfers at the start iff the receiving side unloads, else at the end", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...directions),
        fc.constantFrom(...unloaders),
        instant,
        fc.integer({ min: 0, max: 12 * 3_600_000 }),
        (d, u, start, dur) => {
          const r = deriveLiabilityTransfer(rec(d, u, iso(start), iso(start + dur)));
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          // The mirror: inbound the DCC side receives, outbound the Party does.
          const receiverUnloads = (d === "inbound" && u === "dock") || (d === "outbound" && u === "party");
          expect(r.transferAtMs).toBe(receiverUnloads ? start : start + dur);
          expect(r.to).toBe(d === "inbound" ? "dcc" : "party");
          expect(r.from).not.toBe(r.to);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an end before the start is always an error, whichever rule applies", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...directions),
        fc.constantFrom(...unloaders),
        instant,
        fc.integer({ min: 1, max: 86_400_000 }),
        (d, u, start, back) => {
          const r = deriveLiabilityTransfer(rec(d, u, iso(start), iso(start - back)));
          expect(r).toMatchObject({ ok: false, code: "end-before-start" });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("while unloading (no end yet), commencement rules answer and completion rules wait", () => {
    fc.assert(
      fc.property(fc.constantFrom(...directions), fc.constantFrom(...unloaders), instant, (d, u, start) => {
        const r = deriveLiabilityTransfer(rec(d, u, iso(start), null));
        if (liabilityRuleFor(d, u).moment === "commencement")
          expect(r).toMatchObject({ ok: true, transferAt: iso(start) });
        else expect(r).toMatchObject({ ok: false, code: "end-required" });
      }),
      { numRuns: 100 },
    );
  });

  it("no start is an error even when the end is known", () => {
    for (const d of directions)
      for (const u of unloaders) {
        expect(deriveLiabilityTransfer(rec(d, u, null, "2026-03-02T09:40:00Z"))).toMatchObject({
          ok: false,
          code: "missing-start",
        });
      }
  });

  it("never throws, and refuses garbage times with a specific code", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...directions),
        fc.constantFrom(...unloaders),
        fc.string(),
        fc.option(fc.string(), { nil: null }),
        (d, u, s, e) => {
          const r = deriveLiabilityTransfer(rec(d, u, s, e));
          if (!r.ok)
            expect(["invalid-start", "invalid-end", "end-before-start", "end-required", "missing-start"]).toContain(
              r.code,
            );
        },
      ),
      { numRuns: 300 },
    );
    expect(deriveLiabilityTransfer(rec("inbound", "dock", "yesterday", null))).toMatchObject({
      ok: false,
      code: "invalid-start",
    });
    expect(deriveLiabilityTransfer(rec("inbound", "dock", "2026-02-30T09:00:00Z", null))).toMatchObject({
      ok: false,
      code: "invalid-start",
    });
    // A time without a zone is ambiguous: refused, not read as local time.
    expect(deriveLiabilityTransfer(rec("inbound", "dock", "2026-03-02T09:00:00", null))).toMatchObject({
      ok: false,
      code: "invalid-start",
    });
    expect(deriveLiabilityTransfer(rec("inbound", "party", "2026-03-02T09:00:00Z", "soon"))).toMatchObject({
      ok: false,
      code: "invalid-end",
    });
  });

  it("compares instants, not strings: zones are honoured", () => {
    // 10:15+01:00 is 09:15Z, after a 09:00Z start.
    const r = deriveLiabilityTransfer(rec("inbound", "party", "2026-03-02T09:00:00Z", "2026-03-02T10:15:00+01:00"));
    expect(r).toMatchObject({
      ok: true,
      transferAt: "2026-03-02T10:15:00+01:00",
      transferAtMs: Date.parse("2026-03-02T09:15:00Z"),
    });
    // 09:45+01:00 is 08:45Z, before the start although the string sorts after it.
    expect(
      deriveLiabilityTransfer(rec("inbound", "party", "2026-03-02T09:00:00Z", "2026-03-02T09:45:00+01:00")),
    ).toMatchObject({ ok: false, code: "end-before-start" });
  });

  it("refuses a missing operator and unknown direction or unloader", () => {
    expect(
      deriveLiabilityTransfer({ ...rec("inbound", "dock", "2026-03-02T09:00:00Z", null), operatorId: " " }),
    ).toMatchObject({ ok: false, code: "missing-operator" });
    expect(
      deriveLiabilityTransfer({
        ...rec("inbound", "dock", "2026-03-02T09:00:00Z", null),
        direction: "sideways" as Direction,
      }),
    ).toMatchObject({ ok: false, code: "invalid-direction" });
    expect(
      deriveLiabilityTransfer({
        ...rec("inbound", "dock", "2026-03-02T09:00:00Z", null),
        unloader: "robot" as Unloader,
      }),
    ).toMatchObject({ ok: false, code: "invalid-unloader" });
  });
});
