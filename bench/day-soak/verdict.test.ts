import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountHubs, plateauVerdict, trendVerdict, type CentralHubEvent } from "./verdict";

const limits = { maxRatio: 0.2, slack: 8, unit: "MiB" };

describe("trendVerdict", () => {
  it("calls a series flat when the last quarter is within the ratio of the first", () => {
    const v = trendVerdict([100, 102, 98, 101, 105, 110, 108, 115], limits);
    expect(v.first).toBe(101);
    expect(v.last).toBeCloseTo(111.5);
    expect(v.ok).toBe(true);
  });

  it("calls a steady climb a leak", () => {
    const v = trendVerdict([100, 120, 140, 160, 180, 200, 220, 240], limits);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/grew more than 20%/);
  });

  it("forgives small absolute growth of a small value (file handles: 20 → 25)", () => {
    expect(trendVerdict([20, 20, 21, 25], { maxRatio: 0, slack: 5, unit: "fds" }).ok).toBe(true);
    expect(trendVerdict([20, 20, 21, 26], { maxRatio: 0, slack: 5, unit: "fds" }).ok).toBe(false);
  });

  it("ignores missing samples and refuses to judge fewer than 4", () => {
    expect(trendVerdict([null, 1, null, 2, 3], limits)).toMatchObject({ ok: false, first: null });
    expect(trendVerdict([null, 10, 10, null, 10, 10], limits).ok).toBe(true);
  });

  it("never calls a series flat that grew by more than both limits (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 4, maxLength: 60 }), (xs) => {
        const v = trendVerdict(xs, limits);
        if (v.growth === null || v.growthRatio === null) return false;
        return v.ok === (v.growth <= limits.slack || v.growthRatio <= limits.maxRatio);
      }),
    );
  });
});

describe("plateauVerdict", () => {
  it("lets a count warm up in the first half and hold", () => {
    expect(plateauVerdict([96, 140, 150, 153, 150, 152, 153, 151], 2, "fds").ok).toBe(true);
  });

  it("calls new highs in the second half a leak", () => {
    const v = plateauVerdict([100, 101, 102, 103, 110, 120, 130, 140], 4, "fds");
    expect(v).toMatchObject({ ok: false, first: 103, last: 140 });
    expect(v.reason).toMatch(/new highs/);
  });

  it("never passes a series whose second-half maximum exceeds the first-half maximum by more than the slack (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 4, maxLength: 60 }),
        fc.nat(10),
        (xs, slack) => {
          const half = Math.floor(xs.length / 2);
          const expected = Math.max(...xs.slice(half)) - Math.max(...xs.slice(0, half)) <= slack;
          return plateauVerdict(xs, slack, "fds").ok === expected;
        },
      ),
    );
  });
});

const hubs = ["H1", "H2", "H3"];
function dayAt(outcomes: Record<string, string>): CentralHubEvent[] {
  const out: CentralHubEvent[] = [];
  for (const h of hubs) {
    out.push({ id: `s-${h}`, type: "scan.recorded", deviceId: h, outcome: null });
    const o = outcomes[h];
    if (o !== undefined) out.push({ id: `f-${h}`, type: "flash.result", deviceId: h, outcome: o });
  }
  return out;
}

describe("accountHubs", () => {
  it("accounts for every hub with one scan and one flash result, every dock event at central", () => {
    const central = dayAt({ H1: "flashed", H2: "failed", H3: "flashed" });
    const a = accountHubs({ hubs, dockEventIds: central.map((e) => e.id), central });
    expect(a).toMatchObject({ hubs: 3, flashed: 2, failed: 1, ok: true });
  });

  it("names a hub without a flash result, and a dock event central lacks", () => {
    const central = dayAt({ H1: "flashed", H2: "flashed" });
    const a = accountHubs({ hubs, dockEventIds: [...central.map((e) => e.id), "f-H3"], central });
    expect(a.noFlashResult).toEqual(["H3"]);
    expect(a.lostEvents).toEqual(["f-H3"]);
    expect(a.ok).toBe(false);
  });

  it("counts a hub flashed twice (two results under different ids) as doubled, not accounted", () => {
    const central = [
      ...dayAt({ H1: "flashed", H2: "flashed", H3: "flashed" }),
      { id: "f-H2-again", type: "flash.result", deviceId: "H2", outcome: "flashed" },
    ];
    const a = accountHubs({ hubs, dockEventIds: [], central });
    expect(a.flashDoubled).toEqual(["H2"]);
    expect(a.flashed).toBe(2);
    expect(a.ok).toBe(false);
  });

  it("flags an event id stored twice, a scan doubled and a hub of no booking", () => {
    const central = [
      ...dayAt({ H1: "flashed", H2: "flashed", H3: "flashed" }),
      { id: "s-H1", type: "scan.recorded", deviceId: "H1", outcome: null },
      { id: "x", type: "flash.result", deviceId: "H9", outcome: "flashed" },
    ];
    const a = accountHubs({ hubs, dockEventIds: [], central });
    expect(a.eventsStoredTwice).toEqual(["s-H1"]);
    expect(a.scanDoubled).toEqual(["H1"]);
    expect(a.strangers).toBe(1);
    expect(a.ok).toBe(false);
  });

  it("is ok exactly when every hub has one scan and one known outcome and nothing is lost (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("flashed", "failed", "none", "twice"), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        (plan, lose) => {
          const central: CentralHubEvent[] = [];
          hubs.forEach((h, i) => {
            central.push({ id: `s-${h}`, type: "scan.recorded", deviceId: h, outcome: null });
            const p = plan[i];
            if (p === "flashed" || p === "failed")
              central.push({ id: `f-${h}`, type: "flash.result", deviceId: h, outcome: p });
            if (p === "twice")
              for (const k of [1, 2])
                central.push({ id: `f-${h}-${k}`, type: "flash.result", deviceId: h, outcome: "flashed" });
          });
          const dockEventIds = [...central.map((e) => e.id), ...(lose ? ["lost"] : [])];
          const a = accountHubs({ hubs, dockEventIds, central });
          const good = plan.every((p) => p === "flashed" || p === "failed") && !lose;
          return a.ok === good && a.flashed + a.failed <= hubs.length;
        },
      ),
    );
  });
});
