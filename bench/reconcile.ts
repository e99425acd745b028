/**
 * Reconcile bench: replays whole deliveries from scratch and prints scans/s and milliseconds.
 * Targets (issue 3): a 1,792-hub delivery < 50 ms; a 300,000-hub year (168 bookings) < 2 s.
 * Run: npx tsx bench/reconcile.ts
 */
import { performance } from "node:perf_hooks";
import { DEFAULT_PACKING_LIMITS, type Booking } from "../shared/domain/booking";
import { demoBookings, demoSiteFor } from "../shared/domain/demo-booking";
import { replay, summarize, type ReceiptAction, type ReceiptInit } from "../shared/domain/reconcile";
import { loadAverage, machineInfo, reportFigure } from "./report";

/** The scans of one delivery as the dock makes them: booking label, then pallet → carton → hubs. */
function deliveryScans(booking: Booking): ReceiptAction[] {
  const actions: ReceiptAction[] = [];
  let n = 0;
  const at = (): string => new Date(Date.UTC(2027, 0, 4, 8) + n * 1500).toISOString();
  const push = (scan: ReceiptAction & { type: "scan" }): void => {
    actions.push(scan);
    n++;
  };
  push({
    type: "scan",
    scanId: `${booking.bookingRef}-${n}`,
    at: at(),
    scan: { kind: "booking-label", raw: "", bookingRef: booking.bookingRef, deliveryRef: booking.deliveryRef },
  });
  for (const pallet of booking.pallets) {
    push({
      type: "scan",
      scanId: `${booking.bookingRef}-${n}`,
      at: at(),
      scan: { kind: "pallet", raw: "", sscc: pallet.sscc, bookingRef: booking.bookingRef },
    });
    for (const carton of pallet.cartons) {
      push({
        type: "scan",
        scanId: `${booking.bookingRef}-${n}`,
        at: at(),
        scan: {
          kind: "carton",
          raw: "",
          sscc: carton.sscc,
          bookingRef: booking.bookingRef,
          hubCount: carton.hubs.length,
        },
      });
      for (const hub of carton.hubs)
        push({
          type: "scan",
          scanId: `${booking.bookingRef}-${n}`,
          at: at(),
          scan: { kind: "hub", raw: hub.deviceId, deviceId: hub.deviceId },
        });
    }
  }
  return actions;
}

/** Wall and CPU time: on a shared 2-core CI box the CPU time says more than the wall clock. */
function time<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

console.log(machineInfo());

const YEAR_BOOKINGS = 168;
const gen = time(() => demoBookings(YEAR_BOOKINGS, { seed: 2027 }));
const bookings = gen.value;
const scansOf = bookings.map(deliveryScans);
console.log(`generated ${YEAR_BOOKINGS} demo bookings of 1,792 hubs in ${gen.ms.toFixed(0)} ms (not timed below)`);

// 1. One delivery, from scratch: index build for its booking + replay of every scan + summary.
//    A fresh copy of the booking each run so the per-booking index is rebuilt (no warm cache).
//    The dock knows one other booking (its month's second delivery).
const first = bookings[0];
const second = bookings[1];
const firstScans = scansOf[0];
if (!first || !second || !firstScans) throw new Error("no bookings generated");
const runs: number[] = [];
const cpuRuns: number[] = [];
for (let i = 0; i < 30; i++) {
  const booking = structuredClone(first);
  const others = [structuredClone(second)];
  const init: ReceiptInit = {
    booking,
    otherBookings: others,
    site: demoSiteFor(booking),
    limits: DEFAULT_PACKING_LIMITS,
  };
  const r = time(() => summarize(replay(init, firstScans)));
  if (r.value.hubs.received !== 1792 || r.value.missing.hubs.length !== 0)
    throw new Error("bench delivery did not reconcile cleanly");
  runs.push(r.ms);
  cpuRuns.push(r.cpuMs);
}
const firstRun = runs[0] ?? NaN;
const med = median(runs);
console.log(`1,792-hub delivery (${firstScans.length} scans, index + replay + summary from scratch):`);
console.log(
  `  cold first run ${firstRun.toFixed(2)} ms wall, ${(cpuRuns[0] ?? NaN).toFixed(1)} ms CPU (${Math.round(firstScans.length / (firstRun / 1000)).toLocaleString("en-GB")} scans/s)`,
);
console.log(
  `  median of 30   ${med.toFixed(2)} ms (${Math.round(firstScans.length / (med / 1000)).toLocaleString("en-GB")} scans/s)   target < 50 ms`,
);
reportFigure({
  figure: "1,792-hub delivery from scratch, cold first run",
  value: firstRun,
  unit: "ms",
  target: "< 50 ms",
  met: firstRun < 50,
});
reportFigure({
  figure: "1,792-hub delivery from scratch, median of 30",
  value: med,
  unit: "ms",
  target: "< 50 ms",
  met: med < 50,
});
reportFigure({
  figure: "1,792-hub delivery, scans/s (median)",
  value: firstScans.length / (med / 1000),
  unit: "scans/s",
  target: "-",
  met: true,
});
const yearRounds: number[] = [];

// 2. A year: 168 bookings, each replayed from scratch; the dock knows all 168 (one shared list,
//    indexed once inside the timing, as a dock's cached bookings are), every booking's own
//    index built fresh. Three rounds, each on fresh copies (so no index is reused).
const yearScans = scansOf.reduce((n, s) => n + s.length, 0);
console.log(
  `300,000-hub year (${YEAR_BOOKINGS} bookings, ${(YEAR_BOOKINGS * 1792).toLocaleString("en-GB")} hubs, ${yearScans.toLocaleString("en-GB")} scans; list index + ${YEAR_BOOKINGS} × (index + replay + summary)):   target < 2,000 ms`,
);
for (let round = 1; round <= 3; round++) {
  const fresh = bookings.map((b) => structuredClone(b));
  const year = time(() => {
    let received = 0;
    for (let i = 0; i < fresh.length; i++) {
      const booking = fresh[i];
      const scans = scansOf[i];
      if (!booking || !scans) continue;
      const s = summarize(
        replay({ booking, otherBookings: fresh, site: demoSiteFor(booking), limits: DEFAULT_PACKING_LIMITS }, scans),
      );
      received += s.hubs.received;
    }
    return received;
  });
  if (year.value !== YEAR_BOOKINGS * 1792) throw new Error(`year reconciled ${year.value} hubs`);
  yearRounds.push(year.ms);
  console.log(
    `  round ${round}: ${year.ms.toFixed(0)} ms wall, ${year.cpuMs.toFixed(0)} ms CPU (${Math.round(yearScans / (year.ms / 1000)).toLocaleString("en-GB")} scans/s)`,
  );
}
const bestYear = Math.min(...yearRounds);
reportFigure({
  figure: "300,000-hub year (168 bookings) from scratch, best of 3",
  value: bestYear,
  unit: "ms",
  target: "< 2,000 ms",
  met: bestYear < 2000,
});
reportFigure({
  figure: "300,000-hub year, scans/s (best round)",
  value: yearScans / (bestYear / 1000),
  unit: "scans/s",
  target: "-",
  met: true,
});
console.log(`load average at the end: ${loadAverage()} (other work on the machine inflates wall times)`);
