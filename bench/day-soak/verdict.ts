/**
 * The pure decisions of the one-day soak (bench/day-soak/main.ts): did memory and file handles
 * stay flat, and is every hub of the day accounted for at central. No I/O here, so each rule
 * is unit-tested (verdict.test.ts).
 */

export interface Sample {
  /** Seconds since the soak started. */
  t: number;
  centralRssMiB: number | null;
  /** Heap in use as central's /metrics reports it (garbage not yet collected included): shown, not judged. */
  centralHeapMiB: number | null;
  /** Live heap after a full collection forced through central's inspector: judged. */
  centralLiveHeapMiB: number | null;
  centralFds: number | null;
  /** Of those, sockets (connections from the docks through the proxy, the database server's). */
  centralSockets: number | null;
  soakRssMiB: number;
  soakHeapMiB: number;
  soakFds: number;
}

export interface TrendVerdict {
  ok: boolean;
  /** Mean over the first and the last quarter of the samples (null: no sample had a value). */
  first: number | null;
  last: number | null;
  /** last - first, and as a fraction of first. */
  growth: number | null;
  growthRatio: number | null;
  reason: string;
}

/** Fewer than 4 samples say nothing about a trend: not flat, and why. */
function tooFewSamples(n: number): TrendVerdict {
  return {
    ok: false,
    first: null,
    last: null,
    growth: null,
    growthRatio: null,
    reason: `only ${n} sample(s): a trend needs at least 4`,
  };
}

/**
 * Flat or not: the mean of the last quarter of the samples against that of the first quarter.
 * Growth within `maxRatio` of the first quarter, or within `slack` in absolute terms (a small
 * value's noise), is flat. Fewer than 4 values cannot show a trend: not ok.
 */
export function trendVerdict(
  values: ReadonlyArray<number | null>,
  limits: { maxRatio: number; slack: number; unit: string },
): TrendVerdict {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length < 4) return tooFewSamples(xs.length);
  const q = Math.max(1, Math.floor(xs.length / 4));
  const level = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const first = level(xs.slice(0, q));
  const last = level(xs.slice(xs.length - q));
  const growth = last - first;
  const growthRatio = first === 0 ? (growth === 0 ? 0 : Infinity) : growth / first;
  const ok = growth <= limits.slack || growthRatio <= limits.maxRatio;
  const f = (x: number) => `${Math.round(x * 10) / 10} ${limits.unit}`;
  return {
    ok,
    first,
    last,
    growth,
    growthRatio,
    reason: `first quarter ${f(first)}, last quarter ${f(last)} (${growth >= 0 ? "+" : ""}${f(growth)}, ${(growthRatio * 100).toFixed(1)}%): ${ok ? "flat" : `grew more than ${(limits.maxRatio * 100).toFixed(0)}% and ${f(limits.slack)}`}`,
  };
}

/** One event central holds about a hub. */
export interface CentralHubEvent {
  id: string;
  type: string;
  deviceId: string | null;
  outcome: string | null;
}

export interface Accounting {
  hubs: number;
  /** Hubs with exactly one flash result at central, by outcome. */
  flashed: number;
  failed: number;
  /** Hubs with no flash result at central / no receiving scan at central. */
  noFlashResult: string[];
  noScan: string[];
  /** Hubs with more than one flash result, or more than one receiving scan (doubled events). */
  flashDoubled: string[];
  scanDoubled: string[];
  /** Events the docks recorded that central does not hold. */
  lostEvents: string[];
  /** Event ids central holds more than once. */
  eventsStoredTwice: string[];
  /** Events at central about hubs not on the day's bookings. */
  strangers: number;
  ok: boolean;
}

/**
 * Every hub of the day accounted for at central: exactly one receiving scan and exactly one
 * flash result with its outcome; every event any dock recorded is at central; nothing twice.
 */
export function accountHubs(input: {
  hubs: readonly string[];
  dockEventIds: readonly string[];
  central: readonly CentralHubEvent[];
}): Accounting {
  const expected = new Set(input.hubs);
  const flashes = new Map<string, string[]>();
  const scans = new Map<string, number>();
  const ids = new Map<string, number>();
  let strangers = 0;
  for (const e of input.central) {
    ids.set(e.id, (ids.get(e.id) ?? 0) + 1);
    if (e.deviceId === null) continue;
    if (!expected.has(e.deviceId)) {
      if (e.type === "scan.recorded" || e.type === "flash.result") strangers++;
      continue;
    }
    if (e.type === "flash.result") flashes.set(e.deviceId, [...(flashes.get(e.deviceId) ?? []), e.outcome ?? "?"]);
    if (e.type === "scan.recorded") scans.set(e.deviceId, (scans.get(e.deviceId) ?? 0) + 1);
  }
  const a: Accounting = {
    hubs: expected.size,
    flashed: 0,
    failed: 0,
    noFlashResult: [],
    noScan: [],
    flashDoubled: [],
    scanDoubled: [],
    lostEvents: input.dockEventIds.filter((id) => !ids.has(id)),
    eventsStoredTwice: [...ids].filter(([, n]) => n > 1).map(([id]) => id),
    strangers,
    ok: false,
  };
  for (const hub of expected) {
    const f = flashes.get(hub) ?? [];
    if (f.length === 0) a.noFlashResult.push(hub);
    else if (f.length > 1) a.flashDoubled.push(hub);
    else if (f[0] === "flashed") a.flashed++;
    else if (f[0] === "failed") a.failed++;
    else a.noFlashResult.push(hub);
    const s = scans.get(hub) ?? 0;
    if (s === 0) a.noScan.push(hub);
    else if (s > 1) a.scanDoubled.push(hub);
  }
  a.ok =
    a.flashed + a.failed === a.hubs &&
    a.noFlashResult.length === 0 &&
    a.noScan.length === 0 &&
    a.flashDoubled.length === 0 &&
    a.scanDoubled.length === 0 &&
    a.lostEvents.length === 0 &&
    a.eventsStoredTwice.length === 0 &&
    a.strangers === 0;
  return a;
}

/** The accounting in one line. */
export function accountingLine(a: Accounting): string {
  return `${a.hubs} hubs: ${a.flashed} flashed + ${a.failed} failed at central (${a.flashed + a.failed} accounted); no flash result ${a.noFlashResult.length}, no receiving scan ${a.noScan.length}, flash results doubled ${a.flashDoubled.length}, scans doubled ${a.scanDoubled.length}, dock events lost ${a.lostEvents.length}, stored twice ${a.eventsStoredTwice.length}, strangers ${a.strangers}`;
}

/**
 * A count that warms up then holds (open file descriptors: PGlite opens a table's files when
 * it is first touched, sockets come and go): flat when the second half of the samples never
 * goes above the first half's highest by more than `slack`. A leak keeps making new highs.
 */
export function plateauVerdict(values: ReadonlyArray<number | null>, slack: number, unit: string): TrendVerdict {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length < 4) return tooFewSamples(xs.length);
  const half = Math.floor(xs.length / 2);
  const first = Math.max(...xs.slice(0, half));
  const last = Math.max(...xs.slice(half));
  const growth = last - first;
  const ok = growth <= slack;
  return {
    ok,
    first,
    last,
    growth,
    growthRatio: first === 0 ? (growth === 0 ? 0 : Infinity) : growth / first,
    reason: `highest in the first half ${first} ${unit}, in the second half ${last} ${unit}: ${ok ? "flat" : `new highs (+${growth} ${unit}, more than ${slack})`}`,
  };
}
