/**
 * The supervisor's charges view (MP155 Req 6, PIA charging): per Party and period, the Explicit
 * Charge for every hub re-flashed, a credit for every hub accepted but not re-flashable (the
 * Party is credited, no replacement), and return charges by HAN variant.
 *
 * Every rate is configuration, validated with zod, never a constant in code: the published
 * figures are illustrations (DOMAIN.md), and they change with volumes. Money is integer pence,
 * so sums are exact; a hub whose band-specific rate cannot be chosen (HAN variant unknown) is
 * listed as unpriced, never guessed.
 */
import { z } from "zod";
import { DeviceIdSchema, HanVariantSchema, IsoDateSchema } from "./booking";

export { HanVariantSchema, type HanVariant } from "./booking";

/** An amount in the smallest unit of the currency (pence for GBP). */
const Minor = z.number().int().min(0).max(100_000_000);
const ByBand = z.strictObject({ singleBand: Minor, dualBand: Minor });

export const ChargesConfigSchema = z.strictObject({
  /** ISO 4217 code; amounts are in its minor unit. */
  currency: z.string().regex(/^[A-Z]{3}$/, "currency is an ISO 4217 code"),
  /** Charged per hub re-flashed to its target version. */
  explicitChargePerReflashedHub: Minor,
  /** Credited per hub accepted at receipt that could not be re-flashed (Req 6), by HAN variant. */
  creditPerUnreflashableHub: ByBand,
  /**
   * Return charges per hub by outcome; null where this site does not apply them. Redeployable:
   * re-flashed and going back; not redeployable: failed, by HAN variant.
   */
  returnCharges: z.strictObject({ redeployable: Minor, notRedeployable: ByBand }).nullable(),
});
export type ChargesConfig = z.infer<typeof ChargesConfigSchema>;

/**
 * Illustrative figures only (DOMAIN.md): the lowest Explicit Charge illustration (£7.58 a hub
 * at ~300,000 a year) and DP238's return charges (£8.27 redeployable; £30.87 Single Band,
 * £58.75 Dual Band not redeployable). No credit figure is public, so credits are zero here.
 * A site configures its own; tests pass this object in explicitly.
 */
export const EXAMPLE_CHARGES_CONFIG: ChargesConfig = {
  currency: "GBP",
  explicitChargePerReflashedHub: 758,
  creditPerUnreflashableHub: { singleBand: 0, dualBand: 0 },
  returnCharges: { redeployable: 827, notRedeployable: { singleBand: 3087, dualBand: 5875 } },
};

/** One hub's chargeable outcome, as the results projection knows it. */
export const ChargeableHubSchema = z.strictObject({
  deviceId: DeviceIdSchema,
  partyId: z.string().min(1).max(64),
  bookingRef: z.string().min(1).max(64),
  /** Re-flashed to target (redeployable), or accepted but not re-flashable (credited). */
  outcome: z.enum(["reflashed", "not-reflashable"]),
  /** The local date the outcome was decided (flash result, or fault report). */
  date: IsoDateSchema,
  /** From the SMI record; null when not known. */
  hanVariant: HanVariantSchema.nullable(),
});
export type ChargeableHub = z.infer<typeof ChargeableHubSchema>;

export type ChargeLineCode =
  | "explicit-charge"
  | "credit-single-band"
  | "credit-dual-band"
  | "return-redeployable"
  | "return-single-band"
  | "return-dual-band";

export interface ChargeLine {
  code: ChargeLineCode;
  description: string;
  direction: "charge" | "credit";
  quantity: number;
  unitMinor: number;
  amountMinor: number;
}

export interface Statement {
  partyId: string;
  partyName: string;
  period: { from: string; to: string };
  currency: string;
  lines: ChargeLine[];
  totals: { chargesMinor: number; creditsMinor: number; netMinor: number };
  counts: { reflashed: number; notReflashable: number };
  /** Hubs whose rate depends on a HAN variant that is not known: not priced. */
  unpriced: Array<{ deviceId: string; reason: string }>;
  /** Per booking: hubs re-flashed and not re-flashable. */
  byBooking: Array<{ bookingRef: string; reflashed: number; notReflashable: number }>;
}

export type StatementResult = { ok: true; statement: Statement } | { ok: false; reason: string };

const issues = (e: z.ZodError): string =>
  e.issues.map((i) => `${i.path.map(String).join(".") || "(value)"}: ${i.message}`).join("; ");

/** Validates a charges configuration from anywhere (file, central, settings screen). */
export function parseChargesConfig(
  input: unknown,
): { ok: true; config: ChargesConfig } | { ok: false; reason: string } {
  const r = ChargesConfigSchema.safeParse(input);
  return r.success ? { ok: true, config: r.data } : { ok: false, reason: `charges configuration: ${issues(r.error)}` };
}

/**
 * The statement of a Party for a period (dates inclusive): hubs of other Parties and outside
 * the period are left out; a hub listed twice counts once, with its latest outcome (a failed
 * hub re-flashed on a retry is charged as re-flashed, not credited too).
 */
export function statement(
  party: { partyId: string; partyName: string },
  period: { from: string; to: string },
  results: readonly ChargeableHub[],
  config: ChargesConfig,
): StatementResult {
  const cfg = parseChargesConfig(config);
  if (!cfg.ok) return cfg;
  const c = cfg.config;
  if (!IsoDateSchema.safeParse(period.from).success || !IsoDateSchema.safeParse(period.to).success)
    return { ok: false, reason: `period ${period.from}..${period.to} is not two YYYY-MM-DD dates` };
  if (period.from > period.to)
    return { ok: false, reason: `period starts (${period.from}) after it ends (${period.to})` };

  const latest = new Map<string, ChargeableHub>();
  for (const [i, raw] of results.entries()) {
    const r = ChargeableHubSchema.safeParse(raw);
    if (!r.success) return { ok: false, reason: `result ${i}: ${issues(r.error)}` };
    const h = r.data;
    if (h.partyId !== party.partyId || h.date < period.from || h.date > period.to) continue;
    const seen = latest.get(h.deviceId);
    if (seen === undefined || h.date >= seen.date) latest.set(h.deviceId, h);
  }

  const count: Record<ChargeLineCode, number> = {
    "explicit-charge": 0,
    "credit-single-band": 0,
    "credit-dual-band": 0,
    "return-redeployable": 0,
    "return-single-band": 0,
    "return-dual-band": 0,
  };
  const unpriced: Statement["unpriced"] = [];
  const byBooking = new Map<string, { reflashed: number; notReflashable: number }>();
  let reflashed = 0;
  let notReflashable = 0;
  for (const h of latest.values()) {
    const b = byBooking.get(h.bookingRef) ?? { reflashed: 0, notReflashable: 0 };
    byBooking.set(h.bookingRef, b);
    if (h.outcome === "reflashed") {
      reflashed++;
      b.reflashed++;
      count["explicit-charge"]++;
      if (c.returnCharges) count["return-redeployable"]++;
    } else {
      notReflashable++;
      b.notReflashable++;
      if (h.hanVariant === null) {
        unpriced.push({
          deviceId: h.deviceId,
          reason: "HAN variant unknown: the credit and return charge depend on Single or Dual Band",
        });
        continue;
      }
      count[h.hanVariant === "single-band" ? "credit-single-band" : "credit-dual-band"]++;
      if (c.returnCharges) count[h.hanVariant === "single-band" ? "return-single-band" : "return-dual-band"]++;
    }
  }

  const rate: Record<ChargeLineCode, { unit: number; direction: "charge" | "credit"; description: string }> = {
    "explicit-charge": {
      unit: c.explicitChargePerReflashedHub,
      direction: "charge",
      description: "Explicit Charge, per hub re-flashed",
    },
    "credit-single-band": {
      unit: c.creditPerUnreflashableHub.singleBand,
      direction: "credit",
      description: "Credit, hub not re-flashable (Single Band)",
    },
    "credit-dual-band": {
      unit: c.creditPerUnreflashableHub.dualBand,
      direction: "credit",
      description: "Credit, hub not re-flashable (Dual Band)",
    },
    "return-redeployable": {
      unit: c.returnCharges?.redeployable ?? 0,
      direction: "charge",
      description: "Return charge, hub redeployable",
    },
    "return-single-band": {
      unit: c.returnCharges?.notRedeployable.singleBand ?? 0,
      direction: "charge",
      description: "Return charge, hub not redeployable (Single Band)",
    },
    "return-dual-band": {
      unit: c.returnCharges?.notRedeployable.dualBand ?? 0,
      direction: "charge",
      description: "Return charge, hub not redeployable (Dual Band)",
    },
  };
  const lines: ChargeLine[] = (Object.keys(count) as ChargeLineCode[])
    .filter((code) => count[code] > 0)
    .map((code) => ({
      code,
      description: rate[code].description,
      direction: rate[code].direction,
      quantity: count[code],
      unitMinor: rate[code].unit,
      amountMinor: count[code] * rate[code].unit,
    }));
  const chargesMinor = lines.filter((l) => l.direction === "charge").reduce((n, l) => n + l.amountMinor, 0);
  const creditsMinor = lines.filter((l) => l.direction === "credit").reduce((n, l) => n + l.amountMinor, 0);
  return {
    ok: true,
    statement: {
      partyId: party.partyId,
      partyName: party.partyName,
      period: { from: period.from, to: period.to },
      currency: c.currency,
      lines,
      totals: { chargesMinor, creditsMinor, netMinor: chargesMinor - creditsMinor },
      counts: { reflashed, notReflashable },
      unpriced,
      byBooking: [...byBooking]
        .map(([bookingRef, v]) => ({ bookingRef, ...v }))
        .sort((a, b) => a.bookingRef.localeCompare(b.bookingRef)),
    },
  };
}

/** An amount in minor units for the screen, e.g. 1234 GBP → "£12.34", -50 → "-£0.50". */
export function formatMoney(minor: number, currency: string): string {
  const symbol: Record<string, string> = { GBP: "£", EUR: "€", USD: "$" };
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(minor));
  const body = `${Math.floor(abs / 100).toLocaleString("en-GB")}.${String(abs % 100).padStart(2, "0")}`;
  const s = symbol[currency];
  return s ? `${sign}${s}${body}` : `${sign}${body} ${currency}`;
}
