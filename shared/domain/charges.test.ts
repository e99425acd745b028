import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ChargesConfigSchema,
  EXAMPLE_CHARGES_CONFIG,
  formatMoney,
  parseChargesConfig,
  statement,
  type ChargeableHub,
  type ChargesConfig,
} from "./charges";

const party = { partyId: "SUPPLIER-A", partyName: "Supplier A Energy" };
const period = { from: "2027-01-01", to: "2027-01-31" };
const id = (n: number) => `88-73-84-57-00-00-00-${n.toString(16).padStart(2, "0").toUpperCase()}`;
const hub = (n: number, o: Partial<ChargeableHub> = {}): ChargeableHub => ({
  deviceId: id(n),
  partyId: "SUPPLIER-A",
  bookingRef: "BK-2027-0001",
  outcome: "reflashed",
  date: "2027-01-10",
  hanVariant: "single-band",
  ...o,
});

describe("statement", () => {
  it("charges the Explicit Charge per re-flashed hub and credits not re-flashable hubs, from configuration", () => {
    const config: ChargesConfig = {
      currency: "GBP",
      explicitChargePerReflashedHub: 1000,
      creditPerUnreflashableHub: { singleBand: 2500, dualBand: 4000 },
      returnCharges: null,
    };
    const r = statement(
      party,
      period,
      [
        hub(1),
        hub(2),
        hub(3, { outcome: "not-reflashable" }),
        hub(4, { outcome: "not-reflashable", hanVariant: "dual-band" }),
      ],
      config,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.statement.lines.map((l) => [l.code, l.quantity, l.unitMinor, l.amountMinor, l.direction])).toEqual([
      ["explicit-charge", 2, 1000, 2000, "charge"],
      ["credit-single-band", 1, 2500, 2500, "credit"],
      ["credit-dual-band", 1, 4000, 4000, "credit"],
    ]);
    expect(r.statement.totals).toEqual({ chargesMinor: 2000, creditsMinor: 6500, netMinor: -4500 });
    expect(r.statement.counts).toEqual({ reflashed: 2, notReflashable: 2 });
  });

  it("return charges by band apply only when configured (the example config from DOMAIN.md)", () => {
    const r = statement(
      party,
      period,
      [hub(1), hub(2, { outcome: "not-reflashable", hanVariant: "dual-band" })],
      EXAMPLE_CHARGES_CONFIG,
    );
    expect(r.ok && r.statement.lines.map((l) => [l.code, l.amountMinor])).toEqual([
      ["explicit-charge", 758],
      ["credit-dual-band", 0],
      ["return-redeployable", 827],
      ["return-dual-band", 5875],
    ]);
    expect(r.ok && r.statement.totals.netMinor).toBe(758 + 827 + 5875);
  });

  it("leaves out other Parties and other periods; counts a hub once with its latest outcome", () => {
    const r = statement(
      party,
      period,
      [
        hub(1, { partyId: "SUPPLIER-B" }),
        hub(2, { date: "2027-02-01" }),
        hub(3, { outcome: "not-reflashable", date: "2027-01-05" }),
        hub(3, { outcome: "reflashed", date: "2027-01-06" }),
        hub(4, { bookingRef: "BK-2027-0002" }),
      ],
      EXAMPLE_CHARGES_CONFIG,
    );
    expect(r.ok && r.statement.counts).toEqual({ reflashed: 2, notReflashable: 0 });
    expect(r.ok && r.statement.byBooking).toEqual([
      { bookingRef: "BK-2027-0001", reflashed: 1, notReflashable: 0 },
      { bookingRef: "BK-2027-0002", reflashed: 1, notReflashable: 0 },
    ]);
  });

  it("a band-priced hub with no HAN variant is listed unpriced, never guessed", () => {
    const r = statement(
      party,
      period,
      [hub(1, { outcome: "not-reflashable", hanVariant: null })],
      EXAMPLE_CHARGES_CONFIG,
    );
    expect(r.ok && r.statement.unpriced).toEqual([
      { deviceId: id(1), reason: expect.stringMatching(/HAN variant unknown/) },
    ]);
    expect(r.ok && r.statement.lines).toEqual([]);
  });

  it("refuses a bad configuration, a bad period and a bad result, by name", () => {
    expect(parseChargesConfig({ ...EXAMPLE_CHARGES_CONFIG, explicitChargePerReflashedHub: 7.58 })).toMatchObject({
      ok: false,
    });
    expect(parseChargesConfig({ ...EXAMPLE_CHARGES_CONFIG, surprise: 1 })).toMatchObject({ ok: false });
    expect(statement(party, period, [], { ...EXAMPLE_CHARGES_CONFIG, currency: "pounds" })).toMatchObject({
      ok: false,
    });
    expect(statement(party, { from: "2027-02-01", to: "2027-01-01" }, [], EXAMPLE_CHARGES_CONFIG)).toMatchObject({
      ok: false,
    });
    expect(statement(party, period, [hub(1, { deviceId: "nope" })], EXAMPLE_CHARGES_CONFIG)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/result 0/),
    });
    expect(ChargesConfigSchema.safeParse(EXAMPLE_CHARGES_CONFIG).success).toBe(true);
  });

  it("property: net = Σ charges − Σ credits, and every line is quantity × configured unit", () => {
    const minor = fc.integer({ min: 0, max: 100_000 });
    const config = fc.record({
      currency: fc.constant("GBP"),
      explicitChargePerReflashedHub: minor,
      creditPerUnreflashableHub: fc.record({ singleBand: minor, dualBand: minor }),
      returnCharges: fc.option(
        fc.record({ redeployable: minor, notRedeployable: fc.record({ singleBand: minor, dualBand: minor }) }),
        { nil: null },
      ),
    });
    const h = fc.record({
      n: fc.nat({ max: 40 }),
      outcome: fc.constantFrom("reflashed" as const, "not-reflashable" as const),
      band: fc.constantFrom("single-band" as const, "dual-band" as const),
    });
    fc.assert(
      fc.property(config, fc.array(h, { maxLength: 30 }), (cfg, hs) => {
        const r = statement(
          party,
          period,
          hs.map((x) => hub(x.n, { outcome: x.outcome, hanVariant: x.band })),
          cfg,
        );
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const s = r.statement;
        for (const l of s.lines) expect(l.amountMinor).toBe(l.quantity * l.unitMinor);
        const sum = (d: string) => s.lines.filter((l) => l.direction === d).reduce((a, l) => a + l.amountMinor, 0);
        expect(s.totals.netMinor).toBe(sum("charge") - sum("credit"));
        expect(s.counts.reflashed + s.counts.notReflashable).toBe(new Set(hs.map((x) => x.n)).size);
        expect(s.lines.find((l) => l.code === "explicit-charge")?.quantity ?? 0).toBe(s.counts.reflashed);
      }),
      { numRuns: 300 },
    );
  });

  it("formats money", () => {
    expect(formatMoney(123456, "GBP")).toBe("£1,234.56");
    expect(formatMoney(-50, "GBP")).toBe("-£0.50");
    expect(formatMoney(5, "SEK")).toBe("0.05 SEK");
  });
});
