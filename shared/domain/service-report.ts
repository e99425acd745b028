/**
 * The CSPs' service report (issue 19: "performance measures and service reporting"), as pure
 * functions over facts central reads from its records: per site and Party, hubs received,
 * re-flashed and failed and their turnaround (arrival to re-delivery); per jig, yield by day;
 * per slot, its failure rate with a slot that stands out from the jig's other slots flagged.
 *
 * The flag rule (`flagSlots`), stated once:
 *   a slot is flagged when it has at least `minAttempts` attempts, its failure rate is above the
 *   pooled failure rate of the same jig's other slots, and a one-sided exact binomial test says
 *   that many failures would be unlikely had the slot failed at the others' rate:
 *     P(X ≥ failures | X ~ Binomial(attempts, p0)) < alpha / k,
 *   where p0 = (others' failures + 0.5) / (others' attempts + 1) (a Jeffreys-style half count, so
 *   a jig whose other slots never failed still gives a small non-zero rate rather than zero), and
 *   k is the number of slots of that jig that were tested (Bonferroni: with 8 slots the chance of
 *   flagging a healthy one stays under alpha for the whole jig).
 */

/** Defaults of the flag rule: at least 10 attempts, family-wise alpha 1 % per jig. */
export const SLOT_FLAG_RULE = { minAttempts: 10, alpha: 0.01 } as const;
export type SlotFlagRule = { minAttempts: number; alpha: number };

/** A plain-words statement of the rule, shown beside the chart. */
export function slotFlagRuleText(rule: SlotFlagRule = SLOT_FLAG_RULE): string {
  return (
    `A slot is flagged when it has at least ${rule.minAttempts} attempts, fails more often than the same jig's other slots, ` +
    `and an exact one-sided binomial test gives p < ${rule.alpha} ÷ the jig's number of slots (Bonferroni) ` +
    `against the other slots' failure rate (with half a failure added, so a clean jig still has a small rate).`
  );
}

// ------------------------------------------------------------ statistics

/** ln(n!) by summing logs (n up to a few hundred thousand attempts is exact enough and cheap once cached). */
const lnFactCache: number[] = [0];
function lnFactorial(n: number): number {
  for (let i = lnFactCache.length; i <= n; i++) lnFactCache.push((lnFactCache[i - 1] ?? 0) + Math.log(i));
  return lnFactCache[n] ?? 0;
}

/** P(X = k) for X ~ Binomial(n, p), computed in log space (no overflow for large n). */
export function binomialPmf(k: number, n: number, p: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || k < 0 || k > n) return 0;
  if (p <= 0) return k === 0 ? 1 : 0;
  if (p >= 1) return k === n ? 1 : 0;
  return Math.exp(lnFactorial(n) - lnFactorial(k) - lnFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** P(X ≥ k) for X ~ Binomial(n, p): the one-sided p-value of seeing k or more failures in n tries. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let sum = 0;
  // Sum the shorter side for accuracy: P(X ≥ k) = 1 − P(X ≤ k − 1).
  if (k > n * p) for (let i = k; i <= n; i++) sum += binomialPmf(i, n, p);
  else {
    let below = 0;
    for (let i = 0; i < k; i++) below += binomialPmf(i, n, p);
    sum = 1 - below;
  }
  return Math.min(1, Math.max(0, sum));
}

/**
 * The nearest-rank quantile (q in (0, 1]) of a list: the smallest value with at least q of the
 * values at or below it; null for an empty list. The median is q = 0.5, p90 q = 0.9.
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

// ------------------------------------------------------------ slots

export interface SlotCount {
  slot: number;
  attempts: number;
  failures: number;
}
export interface SlotVerdict extends SlotCount {
  /** failures ÷ attempts (0 with no attempts). */
  failureRate: number;
  /** The pooled failure rate of the jig's other slots (raw, for display). */
  othersRate: number;
  /** The one-sided binomial p-value; null when the slot has too few attempts to test. */
  pValue: number | null;
  flagged: boolean;
}

/** Applies the flag rule (see the module comment) to one jig's slots; the order of `slots` is kept. */
export function flagSlots(slots: readonly SlotCount[], rule: SlotFlagRule = SLOT_FLAG_RULE): SlotVerdict[] {
  const totalAttempts = slots.reduce((s, x) => s + x.attempts, 0);
  const totalFailures = slots.reduce((s, x) => s + x.failures, 0);
  const tested = slots.filter((s) => s.attempts >= rule.minAttempts).length;
  return slots.map((s) => {
    const oa = totalAttempts - s.attempts;
    const of = totalFailures - s.failures;
    const failureRate = s.attempts === 0 ? 0 : s.failures / s.attempts;
    const othersRate = oa === 0 ? 0 : of / oa;
    if (s.attempts < rule.minAttempts || oa === 0)
      return { ...s, failureRate, othersRate, pValue: null, flagged: false };
    const p0 = (of + 0.5) / (oa + 1);
    const pValue = binomialUpperTail(s.failures, s.attempts, p0);
    const flagged = failureRate > othersRate && pValue < rule.alpha / Math.max(1, tested);
    return { ...s, failureRate, othersRate, pValue, flagged };
  });
}

// ------------------------------------------------------------ the report

/** One flash attempt's count for a jig slot on a day (central groups its flash events so). */
export interface FlashCountFact {
  facilityId: string;
  jigId: string;
  slot: number;
  /** YYYY-MM-DD (UTC). */
  day: string;
  attempts: number;
  failures: number;
}
/** A site and Party's counts in the period. */
export interface SiteCountFact {
  facilityId: string;
  partyId: string;
  received: number;
  reflashed: number;
  failed: number;
}
/** A hub re-delivered in the period: its booking's arrival and its dispatch instants. */
export interface TurnaroundFact {
  facilityId: string;
  partyId: string;
  arrivedAt: string;
  dispatchedAt: string;
}

export interface SiteRow {
  facilityId: string;
  partyId: string;
  received: number;
  reflashed: number;
  failed: number;
  /** Hubs re-delivered in the period with a known arrival. */
  redelivered: number;
  /** Arrival to re-delivery, hours (nearest rank); null when none was re-delivered. */
  turnaroundMedianHours: number | null;
  turnaroundP90Hours: number | null;
}
export interface JigDay {
  day: string;
  attempts: number;
  failures: number;
  /** flashed ÷ attempts. */
  yield: number;
}
export interface JigReport {
  facilityId: string;
  jigId: string;
  attempts: number;
  failures: number;
  yield: number;
  days: JigDay[];
  slots: SlotVerdict[];
}
export interface ServiceReport {
  from: string;
  to: string;
  rule: string;
  sites: SiteRow[];
  jigs: JigReport[];
}

const HOUR = 3_600_000;
const key = (...parts: string[]) => parts.join("\u0000");

/** Builds the report from central's facts; rows sorted by site, Party, jig and slot. */
export function buildServiceReport(
  period: { from: string; to: string },
  facts: {
    counts: readonly SiteCountFact[];
    turnarounds: readonly TurnaroundFact[];
    flashes: readonly FlashCountFact[];
  },
  rule: SlotFlagRule = SLOT_FLAG_RULE,
): ServiceReport {
  const sites = new Map<string, SiteRow & { hours: number[] }>();
  const site = (facilityId: string, partyId: string) => {
    const k = key(facilityId, partyId);
    let r = sites.get(k);
    if (!r) {
      r = {
        facilityId,
        partyId,
        received: 0,
        reflashed: 0,
        failed: 0,
        redelivered: 0,
        turnaroundMedianHours: null,
        turnaroundP90Hours: null,
        hours: [],
      };
      sites.set(k, r);
    }
    return r;
  };
  for (const c of facts.counts) {
    const r = site(c.facilityId, c.partyId);
    r.received += c.received;
    r.reflashed += c.reflashed;
    r.failed += c.failed;
  }
  for (const t of facts.turnarounds) {
    const ms = Date.parse(t.dispatchedAt) - Date.parse(t.arrivedAt);
    if (!Number.isFinite(ms) || ms < 0) continue;
    site(t.facilityId, t.partyId).hours.push(ms / HOUR);
  }
  const siteRows = [...sites.values()]
    .map(({ hours, ...r }): SiteRow => ({
      ...r,
      redelivered: hours.length,
      turnaroundMedianHours: quantile(hours, 0.5),
      turnaroundP90Hours: quantile(hours, 0.9),
    }))
    .sort((a, b) => a.facilityId.localeCompare(b.facilityId) || a.partyId.localeCompare(b.partyId));

  const jigs = new Map<
    string,
    { facilityId: string; jigId: string; days: Map<string, JigDay>; slots: Map<number, SlotCount> }
  >();
  for (const f of facts.flashes) {
    const k = key(f.facilityId, f.jigId);
    let j = jigs.get(k);
    if (!j) {
      j = { facilityId: f.facilityId, jigId: f.jigId, days: new Map(), slots: new Map() };
      jigs.set(k, j);
    }
    const d = j.days.get(f.day) ?? { day: f.day, attempts: 0, failures: 0, yield: 0 };
    d.attempts += f.attempts;
    d.failures += f.failures;
    j.days.set(f.day, d);
    const s = j.slots.get(f.slot) ?? { slot: f.slot, attempts: 0, failures: 0 };
    s.attempts += f.attempts;
    s.failures += f.failures;
    j.slots.set(f.slot, s);
  }
  const yieldOf = (attempts: number, failures: number) => (attempts === 0 ? 0 : (attempts - failures) / attempts);
  const jigRows = [...jigs.values()]
    .map((j): JigReport => {
      const days = [...j.days.values()]
        .sort((a, b) => a.day.localeCompare(b.day))
        .map((d) => ({ ...d, yield: yieldOf(d.attempts, d.failures) }));
      const attempts = days.reduce((s, d) => s + d.attempts, 0);
      const failures = days.reduce((s, d) => s + d.failures, 0);
      return {
        facilityId: j.facilityId,
        jigId: j.jigId,
        attempts,
        failures,
        yield: yieldOf(attempts, failures),
        days,
        slots: flagSlots(
          [...j.slots.values()].sort((a, b) => a.slot - b.slot),
          rule,
        ),
      };
    })
    .sort((a, b) => a.facilityId.localeCompare(b.facilityId) || a.jigId.localeCompare(b.jigId));
  return { from: period.from, to: period.to, rule: slotFlagRuleText(rule), sites: siteRows, jigs: jigRows };
}
