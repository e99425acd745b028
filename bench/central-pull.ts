import { PullResponseSchema } from "../shared/sync";
import { arg, benchBackends, startBenchCentral } from "./central-bench-world";
import { machineInfo, reportFigure } from "./report";

/**
 * Pull of the seeded 1,792-hub booking (plus catalogue and operators) from cursor 0 over HTTP.
 *   npx tsx bench/central-pull.ts [--runs 50] [--backend pglite|pglite-memory|postgres]
 * Without --backend: PGlite, and PostgreSQL too when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set.
 * Target (issue 4): < 200 ms.
 */
async function main(): Promise<void> {
  console.log(machineInfo());
  for (const backend of benchBackends()) await benchPull(backend);
}

async function benchPull(backend: string): Promise<void> {
  const runs = Number(arg("runs", "50"));
  const central = await startBenchCentral(backend);
  try {
    const token = central.tokens.docks["DOCK-N1"];
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs + 3; i++) {
      const t = performance.now();
      const res = await fetch(`${central.url}/sync/pull`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ cursor: "0" }),
      });
      const text = await res.text();
      const pull = PullResponseSchema.parse(JSON.parse(text));
      const ms = performance.now() - t;
      if (pull.bookings.length !== 1) throw new Error(`expected the demo booking, got ${pull.bookings.length}`);
      bytes = text.length;
      if (i >= 3) times.push(ms); // the first few warm up the JIT and caches
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
    const q = (p: number) => at(p).toFixed(1);
    console.log(
      `pull [${central.backend}] 1,792-hub booking, ${(bytes / 1024).toFixed(0)} KiB, incl. client-side zod parse: median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms over ${runs} runs`,
    );
    reportFigure({
      figure: `pull of the 1,792-hub booking from cursor 0, ${central.backend}, median of ${runs}`,
      value: Number(q(0.5)),
      unit: "ms",
      target: "< 200 ms",
      met: at(0.5) < 200,
    });
    reportFigure({
      figure: `pull of the 1,792-hub booking, ${central.backend}, p95`,
      value: Number(q(0.95)),
      unit: "ms",
      target: "< 200 ms",
      met: at(0.95) < 200,
    });
  } finally {
    await central.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
