import { DeskBusinessSettingsSchema, type DeskBusinessSettings } from "../../shared/desk-api";

/**
 * The business configuration as the desk's form holds it (text fields a person edits) and back,
 * checked with the same shared schema central checks with, so a form that passes here is one
 * central accepts (central checks again). Money is entered in major units with up to two
 * decimals (pounds and pence) and stored in minor units; opening hours and slots as HH:MM-HH:MM.
 */

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessForm {
  currency: string;
  explicitCharge: string;
  creditSingleBand: string;
  creditDualBand: string;
  /** All three empty: this site applies no return charges. */
  returnRedeployable: string;
  returnNotRedeployableSingleBand: string;
  returnNotRedeployableDualBand: string;
  /** "HH:MM-HH:MM", or empty when closed. */
  days: Record<Weekday, string>;
  /** One date (YYYY-MM-DD) a line. */
  bankHolidays: string;
  minNoticeDays: string;
  /** One "HH:MM-HH:MM" a line. */
  slots: string;
  hubsPerCarton: string;
  cartonsPerPallet: string;
}

export interface FormIssue {
  path: string;
  message: string;
}

const money = (minor: number) => (minor / 100).toFixed(2);
const range = (r: { start: string; end: string }) => `${r.start}-${r.end}`;

export function toForm(s: DeskBusinessSettings): BusinessForm {
  const rc = s.charges.returnCharges;
  const days = {} as Record<Weekday, string>;
  for (const d of WEEKDAYS) {
    const h = s.workingHours.days[d];
    days[d] = h === null ? "" : `${h.open}-${h.close}`;
  }
  return {
    currency: s.charges.currency,
    explicitCharge: money(s.charges.explicitChargePerReflashedHub),
    creditSingleBand: money(s.charges.creditPerUnreflashableHub.singleBand),
    creditDualBand: money(s.charges.creditPerUnreflashableHub.dualBand),
    returnRedeployable: rc === null ? "" : money(rc.redeployable),
    returnNotRedeployableSingleBand: rc === null ? "" : money(rc.notRedeployable.singleBand),
    returnNotRedeployableDualBand: rc === null ? "" : money(rc.notRedeployable.dualBand),
    days,
    bankHolidays: s.workingHours.bankHolidays.join("\n"),
    minNoticeDays: String(s.workingHours.minNoticeDays),
    slots: s.deliverySlots.map(range).join("\n"),
    hubsPerCarton: String(s.packing.hubsPerCarton),
    cartonsPerPallet: String(s.packing.cartonsPerPallet),
  };
}

/** The form as settings, or every issue (a path in the settings and a message) when it does not hold. */
export function fromForm(
  f: BusinessForm,
): { ok: true; value: DeskBusinessSettings } | { ok: false; issues: FormIssue[] } {
  const issues: FormIssue[] = [];
  const minor = (text: string, path: string): number => {
    const t = text.trim();
    if (!/^\d{1,7}(\.\d{1,2})?$/.test(t)) {
      issues.push({ path, message: `"${text}" is not an amount (e.g. 7.58)` });
      return 0;
    }
    const [whole = "0", frac = ""] = t.split(".");
    return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  };
  const whole = (text: string, path: string): number => {
    const t = text.trim();
    if (!/^\d{1,6}$/.test(t)) {
      issues.push({ path, message: `"${text}" is not a whole number` });
      return 0;
    }
    return Number(t);
  };
  const split = (text: string, path: string): { start: string; end: string } | null => {
    const m = /^\s*(\S+)\s*[-–]\s*(\S+)\s*$/.exec(text);
    if (!m) {
      issues.push({ path, message: `"${text}" is not a time range (HH:MM-HH:MM)` });
      return null;
    }
    return { start: m[1] ?? "", end: m[2] ?? "" };
  };
  const returns = [f.returnRedeployable, f.returnNotRedeployableSingleBand, f.returnNotRedeployableDualBand];
  const noReturns = returns.every((r) => r.trim() === "");
  const days = {} as Record<Weekday, { open: string; close: string } | null>;
  for (const d of WEEKDAYS) {
    const text = f.days[d];
    if (text.trim() === "") days[d] = null;
    else {
      const r = split(text, `workingHours.days.${d}`);
      days[d] = r === null ? null : { open: r.start, close: r.end };
    }
  }
  const slots = f.slots
    .split(/\r?\n/)
    .map((l, i) => ({ l, i }))
    .filter((x) => x.l.trim() !== "")
    .map((x, i) => split(x.l, `deliverySlots.${i}`))
    .filter((x): x is { start: string; end: string } => x !== null);
  const candidate = {
    charges: {
      currency: f.currency.trim().toUpperCase(),
      explicitChargePerReflashedHub: minor(f.explicitCharge, "charges.explicitChargePerReflashedHub"),
      creditPerUnreflashableHub: {
        singleBand: minor(f.creditSingleBand, "charges.creditPerUnreflashableHub.singleBand"),
        dualBand: minor(f.creditDualBand, "charges.creditPerUnreflashableHub.dualBand"),
      },
      returnCharges: noReturns
        ? null
        : {
            redeployable: minor(f.returnRedeployable, "charges.returnCharges.redeployable"),
            notRedeployable: {
              singleBand: minor(f.returnNotRedeployableSingleBand, "charges.returnCharges.notRedeployable.singleBand"),
              dualBand: minor(f.returnNotRedeployableDualBand, "charges.returnCharges.notRedeployable.dualBand"),
            },
          },
    },
    workingHours: {
      days,
      bankHolidays: f.bankHolidays
        .split(/[\s,]+/)
        .map((d) => d.trim())
        .filter((d) => d !== ""),
      minNoticeDays: whole(f.minNoticeDays, "workingHours.minNoticeDays"),
    },
    deliverySlots: slots,
    packing: {
      hubsPerCarton: whole(f.hubsPerCarton, "packing.hubsPerCarton"),
      cartonsPerPallet: whole(f.cartonsPerPallet, "packing.cartonsPerPallet"),
    },
  };
  if (issues.length > 0) return { ok: false, issues };
  const parsed = DeskBusinessSettingsSchema.safeParse(candidate);
  if (!parsed.success)
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    };
  return { ok: true, value: parsed.data };
}
