import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { hubsOf, scanEvent } from "../central/demo-events";
import { post, seedCampaignDatabase, startCentral, type CentralProcess } from "../central/campaign/processes";
import type { DockEvent } from "../shared/events";
import { arg } from "./central-bench-world";
import { readdirSync, readFileSync } from "node:fs";
import { busyShare, loadAverage, machineCpuMs, machineInfo, reportPair } from "./report";

/**
 * Push with 1, 2 and 4 central processes (real `central/main.ts` children, as in
 * central/campaign/scale-out.ts) on one PostgreSQL database (issue 22). The same N scan events
 * (default 300,000, batches of 1,000) are pushed by `--pushers` concurrent docks' outboxes
 * (default 4), pusher i at process i mod n; between runs the pushed rows are deleted and the
 * table vacuumed, so each run meets the same table. Runs 1, 2, 4, then 1 again: the single
 * process's rate is the mean of the two, so drifting load on the machine touches both sides.
 * Target: >= 1.6x at 2 processes. Each run also prints where the cores went (the machine's busy
 * share from os.cpus(), central's and PostgreSQL's processes from /proc) and the ceiling that leaves: a second central can only
 * add throughput while cores are idle, which a 2-core machine running PostgreSQL beside it lacks. Needs BENCH_DATABASE_URL or TEST_DATABASE_URL (else skipped).
 * Usage: npx tsx bench/central-scale-out.ts [--hubs 300000] [--batch 1000] [--pushers 4]
 */
/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (Linux; 0 when unreadable). */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** CPU seconds used by every process named postgres on this machine (the server and its backends). */
function postgresCpuSeconds(): number {
  let sum = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres") sum += processCpuSeconds(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

/** Where the cores went during one run: the machine's busy share, and central's, PostgreSQL's, the client's and other work's, in cores. */
interface CpuSplit {
  busy: number;
  central: number;
  postgres: number;
  client: number;
  rest: number;
}

async function main(): Promise<void> {
  console.log(machineInfo());
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    console.log("skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server");
    return;
  }
  const hubs = Number(arg("hubs", "300000"));
  const batch = Number(arg("batch", "1000"));
  const pushers = Number(arg("pushers", "4"));
  const dataDir = await mkdtemp(join(tmpdir(), "central-scale-bench-"));
  let t = performance.now();
  const world = await seedCampaignDatabase("postgres", dataDir, { adminUrl, bulkHubs: hubs });
  console.log(`setup: ${hubs.toLocaleString("en-GB")} hubs seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const handle = await world.open();
  try {
    const who = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
    const bodies: string[] = [];
    let pending: DockEvent[] = [];
    let made = 0;
    for (const b of world.bookings.slice(1))
      for (const h of hubsOf(b)) {
        if (made >= hubs) break;
        pending.push(scanEvent(who, b.bookingRef, h));
        made++;
        if (pending.length === batch) {
          bodies.push(JSON.stringify({ events: pending }));
          pending = [];
        }
      }
    if (pending.length > 0) bodies.push(JSON.stringify({ events: pending }));
    const token = world.tokens.docks[who.dockId] ?? "";

    const cores = os.cpus().length;
    const splits = new Map<number, CpuSplit[]>();
    const run = async (n: number): Promise<number> => {
      const procs: CentralProcess[] = [];
      try {
        for (let i = 0; i < n; i++)
          procs.push(await startCentral({ ...world.env, CENTRAL_MAIL_DIR: join(dataDir, `mail-${n}-${i}`) }));
        let next = 0;
        let accepted = 0;
        const cpu0 = machineCpuMs();
        const central0 = procs.reduce((sum, p) => sum + processCpuSeconds(p.child.pid), 0);
        const postgres0 = postgresCpuSeconds();
        const client0 = process.cpuUsage();
        const start = performance.now();
        await Promise.all(
          Array.from({ length: pushers }, async (_, p) => {
            const url = procs[p % n]?.url ?? "";
            for (let i = next++; i < bodies.length; i = next++) {
              const res = await post(url, "/sync/push", token, bodies[i] ?? "");
              if (res.status !== 200) throw new Error(`push answered ${res.status}: ${res.text.slice(0, 300)}`);
              accepted += (JSON.parse(res.text) as { accepted: number }).accepted;
            }
          }),
        );
        const s = (performance.now() - start) / 1000;
        const busy = busyShare(cpu0, machineCpuMs());
        const central = (procs.reduce((sum, p) => sum + processCpuSeconds(p.child.pid), 0) - central0) / s;
        const clientUsage = process.cpuUsage(client0);
        const client = (clientUsage.user + clientUsage.system) / 1e6 / s;
        const postgres = (postgresCpuSeconds() - postgres0) / s;
        const split = {
          busy,
          central,
          postgres,
          client,
          rest: Math.max(0, busy * cores - central - postgres - client),
        };
        splits.set(n, [...(splits.get(n) ?? []), split]);
        if (accepted !== made) throw new Error(`${n} processes: ${accepted} of ${made} events accepted`);
        console.log(
          `${n} process${n === 1 ? "" : "es"}, ${pushers} pushers: ${made} events in ${s.toFixed(2)} s (${Math.round(made / s)} events/s); load average now ${loadAverage()}; cores busy ${(busy * 100).toFixed(0)} %: central ${central.toFixed(2)}, PostgreSQL ${postgres.toFixed(2)}, client ${client.toFixed(2)}, other work ${split.rest.toFixed(2)} of ${cores}`,
        );
        return made / s;
      } finally {
        for (const p of procs) await p.stop();
        await sql`delete from events where dock_id = ${who.dockId} and type = 'scan.recorded'`.execute(handle.db);
        await sql`vacuum full analyze events`.execute(handle.db);
      }
    };
    t = performance.now();
    const one1 = await run(1);
    const two = await run(2);
    const four = await run(4);
    const one2 = await run(1);
    const one = (one1 + one2) / 2;
    const rate = (r: number) => `${Math.round(r).toLocaleString("en-GB")} events/s`;
    console.log(
      `1 process ${rate(one)} (mean of ${rate(one1)} and ${rate(one2)}), 2: ${rate(two)} (${(two / one).toFixed(2)}x), 4: ${rate(four)} (${(four / one).toFixed(2)}x); ${cores} cores run the bench client, every central process and PostgreSQL`,
    );
    // The most a second process could give here: the cores the 1-process push itself uses
    // (central, PostgreSQL, the client) against the cores there are, at most 2×.
    const singles = splits.get(1) ?? [];
    const mean = (f: (x: CpuSplit) => number) =>
      singles.reduce((sum, x) => sum + f(x), 0) / Math.max(1, singles.length);
    const own = mean((x) => x.central + x.postgres + x.client);
    const ceiling = Math.min(2, cores / Math.max(own, 1e-9));
    console.log(
      `the 1-process push uses ${own.toFixed(2)} of ${cores} cores (central ${mean((x) => x.central).toFixed(2)}, PostgreSQL ${mean((x) => x.postgres).toFixed(2)}, client ${mean((x) => x.client).toFixed(2)}): this machine's ceiling at 2 processes is ${ceiling.toFixed(2)}×`,
    );
    reportPair({
      figure: `push of ${made.toLocaleString("en-GB")} events, 2 and 4 central processes on one PostgreSQL, ${pushers} pushers (${cores} cores for client, centrals and PostgreSQL)`,
      ours: `2: ${rate(two)}; 4: ${rate(four)}`,
      compared: `1 process: ${rate(one)} (mean of a run before and after), itself using ${own.toFixed(2)} of ${cores} cores (central ${mean((x) => x.central).toFixed(2)}, PostgreSQL ${mean((x) => x.postgres).toFixed(2)}): ceiling here ${ceiling.toFixed(2)}×`,
      ratio: `${(two / one).toFixed(2)}× / ${(four / one).toFixed(2)}×`,
      target: ">= 1.6× at 2",
      met: two / one >= 1.6,
    });
  } finally {
    await handle.close();
    await world.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
