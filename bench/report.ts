/**
 * What every benchmark prints so `npm run bench` can tabulate it: a machine line first,
 * then one `BENCH-RESULT {json}` line per figure. Numbers only, never assertions.
 */
import os from "node:os";

/** One line describing this machine and runtime, printed first so numbers can be compared. */
export function machineInfo(): string {
  const c = os.cpus();
  return `machine: ${c[0]?.model ?? "unknown CPU"} x${c.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()} ${os.arch()}, node ${process.version}, load average ${loadAverage()}`;
}

/** The 1-, 5- and 15-minute load averages: other work on the machine inflates wall times. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

export interface BenchFigure {
  /** What was measured, e.g. "1,792-hub delivery, median". */
  figure: string;
  value: number;
  unit: string;
  /** The target in words, e.g. "< 50 ms". */
  target: string;
  met: boolean;
}

export const RESULT_PREFIX = "BENCH-RESULT ";

/** Prints one figure in the machine-readable form bench/run-all.ts collects. */
export function reportFigure(f: BenchFigure): void {
  console.log(RESULT_PREFIX + JSON.stringify(f));
}

/** A figure of issue 22: ours beside what it is compared with, measured in the same run. */
export interface BenchPair {
  figure: string;
  /** Our value in words, e.g. "4.1 ms p50, 11.9 ms p99". */
  ours: string;
  /** What it is compared with, same run, in words with its value. */
  compared: string;
  /** The ratio in words, e.g. "1.3× / 1.8×" or "41 %". */
  ratio: string;
  target: string;
  met: boolean;
}

export const PAIR_PREFIX = "BENCH-PAIR ";

/** Prints one pair in the machine-readable form bench/run-all.ts collects into RESULTS.md's table. */
export function reportPair(p: BenchPair): void {
  console.log(PAIR_PREFIX + JSON.stringify(p));
}

/** CPU time (ms) the machine's cores spent busy and in all, summed over cores, since boot (os.cpus()). */
export function machineCpuMs(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** Share of the machine's cores busy between two machineCpuMs() readings, 0-1. */
export function busyShare(from: { busy: number; total: number }, to: { busy: number; total: number }): number {
  const total = to.total - from.total;
  return total <= 0 ? 0 : (to.busy - from.busy) / total;
}
