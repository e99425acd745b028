import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { centralHubEvents, seedDayWorld } from "../../central/campaign/day-world";
import { mulberry32, startCentral, type CentralProcess } from "../../central/campaign/processes";
import { DEMO_FACILITY } from "../../shared/domain/demo-booking";
import { startFlakyProxy } from "./flaky-proxy";
import { HeadlessDock } from "./headless-dock";
import { inspectorUrlIn, liveHeapBytes } from "./heap-probe";
import { accountHubs, accountingLine, plateauVerdict, trendVerdict, type Sample } from "./verdict";
import { machineInfo } from "../report";

/**
 * One working day, compressed (issue 21): central as a real child process (PGlite in a temp
 * folder; a fresh PostgreSQL database when DATABASE_URL or TEST_DATABASE_URL names a server),
 * seeded by central/seed.ts plus the day's bookings; 3 docks at CSP North, each the real
 * host jig station (3 simulated jigs × 8 slots, the jig protocol, the flash journal) and the
 * real renderer store and sync client on fake-indexeddb (bench/day-soak/headless-dock.ts);
 * every hub received (pallet, carton, hub scans, receipt closed) then flashed; between the
 * docks and central a proxy that drops the network every few (compressed) minutes; central
 * SIGKILLed and started again once half the hubs are flashed. Every few seconds it samples
 * central's RSS, live heap after a full collection (through its inspector: heap-probe.ts), heap
 * in use (its /metrics, shown only) and open file descriptors, and this process's. At the
 * end: the table, the trend verdicts, and the accounting at central (every hub with one
 * receiving scan and one flash outcome, every dock event there once). Exits 1 when anything
 * is unaccounted for or a trend is not flat.
 *   npm run soak:day -- [--quick] [--hubs 5000] [--flash-ms 1500] [--sample-s 5] [--drop-every-s 30] [--seed N]
 * Not part of npm test (minutes of wall time).
 */

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} takes a positive number`);
  return v;
}

const QUICK = process.argv.includes("--quick");
const HUBS = arg("hubs", QUICK ? 600 : 5000);
const HUBS_PER_CARTON = 25;
const CARTONS = arg("cartons", QUICK ? 4 : 20);
const FLASH_MS = arg("flash-ms", QUICK ? 400 : 1500);
const SAMPLE_S = arg("sample-s", QUICK ? 2 : 5);
const DROP_EVERY_S = arg("drop-every-s", QUICK ? 12 : 30);
const SEED = arg("seed", Date.now() % 2 ** 31);
const DOCKS = ["DOCK-N1", "DOCK-N2", "DOCK-N3"];
/** The real working day the run stands for (for the compressed-minutes column). */
const DAY_HOURS = 8;

const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fdCount(pid: number | "self"): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

function socketCount(pid: number): number | null {
  try {
    let n = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) n++;
      } catch {
        // closed meanwhile
      }
    }
    return n;
  } catch {
    return null;
  }
}

function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** Central's V8 heap in use (garbage included), from its own /metrics (prom-client's default process metrics); loopback, not through the proxy. */
async function centralHeapMiB(url: string): Promise<number | null> {
  try {
    const text = await (await fetch(new URL("/metrics", url), { signal: AbortSignal.timeout(3000) })).text();
    const m = /^central_nodejs_heap_size_used_bytes\s+([0-9.e+]+)/m.exec(text);
    return m?.[1] ? mib(Number(m[1])) : null;
  } catch {
    return null;
  }
}

/** Central's live heap after a full collection, through its inspector (null: not answered; the sample shows "–"). */
async function centralLiveHeapMiB(central: CentralProcess): Promise<number | null> {
  const url = inspectorUrlIn(central.log());
  if (url === null) return null;
  try {
    return mib(await liveHeapBytes(url));
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const since = () => Math.round((performance.now() - t0) / 100) / 10;
  const say = (line: string) => console.log(`[${since().toFixed(1).padStart(6)} s] ${line}`);
  const adminUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const kind = adminUrl ? "postgres" : "pglite";
  console.log(machineInfo());
  const bookingsCount = Math.ceil(HUBS / (CARTONS * HUBS_PER_CARTON));
  const hubs = bookingsCount * CARTONS * HUBS_PER_CARTON;
  say(
    `one working day, compressed: ${hubs} hubs in ${bookingsCount} bookings (1 pallet × ${CARTONS} cartons × ${HUBS_PER_CARTON}) for ${DOCKS.length} docks × 3 jigs × 8 slots, ${FLASH_MS} ms a flash, central on ${kind}, seed ${SEED}${QUICK ? " (quick)" : ""}`,
  );
  const dir = await mkdtemp(join(tmpdir(), "day-soak-"));
  const world = await seedDayWorld({
    kind,
    dataDir: join(dir, "central"),
    ...(adminUrl ? { adminUrl } : {}),
    docks: DOCKS,
    bookings: bookingsCount,
    cartons: CARTONS,
    hubsPerCarton: HUBS_PER_CARTON,
    deliveryDate: new Date().toISOString().slice(0, 10),
  });
  say(`seeded (central/seed.ts, then ${world.bookings.length} bookings and ${DOCKS.length - 1} more docks)`);
  const rnd = mulberry32(SEED);
  let central: CentralProcess | null = await startCentral(world.env, { inspect: true });
  const lives: Array<{ pid: number; from: number }> = [{ pid: central.child.pid ?? 0, from: 0 }];
  const proxy = await startFlakyProxy(central.url);
  const docks: HeadlessDock[] = [];
  const samples: Sample[] = [];
  const problems: string[] = [];
  let restartAt: number | null = null;
  let dropTimer: NodeJS.Timeout | null = null;
  let sampler: NodeJS.Timeout | null = null;
  try {
    // 1% of the hubs fail verification on the jig: a failed outcome and a fault report, accounted like the rest.
    const failing = world.bookings
      .flatMap((b) => b.pallets.flatMap((p) => p.cartons.flatMap((c) => c.hubs.map((h) => h.deviceId))))
      .filter((_, i) => i % 100 === 37);
    for (const [i, dockId] of DOCKS.entries()) {
      const token = world.dockTokens[dockId];
      if (token === undefined) throw new Error(`no token for ${dockId}`);
      docks.push(
        await HeadlessDock.start({
          dockId,
          token,
          centralUrl: proxy.url,
          dataDir: join(dir, `dock-${i + 1}`),
          publisherKeyPem: world.publisherKeyPem,
          site: { facilityId: DEMO_FACILITY.North, csp: "North", production: false },
          flashMs: FLASH_MS,
          failing,
          log: (l) => (l.includes("could not") ? say(l) : undefined),
        }),
      );
    }
    const share = DOCKS.map((_, i) => world.bookings.filter((_, j) => j % DOCKS.length === i));
    await Promise.all(docks.map((d, i) => d.waitForBookings(share[i]?.map((b) => b.bookingRef) ?? [], 120_000)));
    say("3 docks up (firmware fetched from central, bookings pulled); the day starts");

    const dayStart = since();
    const sample = async () => {
      const pid = central?.child.pid ?? null;
      const mem = process.memoryUsage();
      samples.push({
        t: Math.round((since() - dayStart) * 10) / 10,
        centralRssMiB: pid === null ? null : rssMiB(pid),
        centralHeapMiB: central === null ? null : await centralHeapMiB(central.url),
        centralLiveHeapMiB: central === null ? null : await centralLiveHeapMiB(central),
        centralFds: pid === null ? null : fdCount(pid),
        centralSockets: pid === null ? null : socketCount(pid),
        soakRssMiB: mib(mem.rss),
        soakHeapMiB: mib(mem.heapUsed),
        soakFds: fdCount("self") ?? 0,
      });
    };
    await sample();
    sampler = setInterval(() => void sample(), SAMPLE_S * 1000);
    // Network drops: every DROP_EVERY_S (±50%), down 1-5 s.
    const scheduleDrop = () => {
      dropTimer = setTimeout(
        () => {
          const ms = 1000 + Math.floor(rnd() * 4000);
          proxy.drop(ms);
          scheduleDrop();
        },
        DROP_EVERY_S * 1000 * (0.5 + rnd()),
      );
    };
    scheduleDrop();
    // Central SIGKILLed once half the hubs are off the jigs, then started again (the proxy follows it).
    const restart = (async () => {
      while (docks.reduce((s, d) => s + d.progress.finished, 0) < hubs / 2) await sleep(250);
      if (central === null) return;
      restartAt = since() - dayStart;
      say(
        `SIGKILL central (pid ${central.child.pid}) with ${docks.reduce((s, d) => s + d.progress.finished, 0)} hubs flashed`,
      );
      await central.kill();
      central = null;
      const next = await startCentral(world.env, { inspect: true });
      central = next;
      lives.push({ pid: next.child.pid ?? 0, from: Math.round((since() - dayStart) * 10) / 10 });
      proxy.retarget(next.url);
      say(
        `central started again (pid ${next.child.pid}) after ${(since() - dayStart - (restartAt ?? 0)).toFixed(1)} s`,
      );
    })();
    const progress = setInterval(() => {
      const r = docks.reduce((s, d) => s + d.progress.received, 0);
      const f = docks.reduce((s, d) => s + d.progress.finished, 0);
      say(`received ${r}/${hubs}, off the jigs ${f}/${hubs}, network drops ${proxy.drops}`);
    }, 15_000);
    await Promise.all(docks.flatMap((d, i) => [d.receive(share[i] ?? []), d.flashAll()]));
    await restart;
    clearInterval(progress);
    const workEnd = since() - dayStart;
    if (dropTimer) clearTimeout(dropTimer);
    say(`every hub received and off the jigs after ${workEnd.toFixed(1)} s; waiting for the docks' outboxes to empty`);
    const drainUntil = Date.now() + 180_000;
    for (;;) {
      const unsent = (await Promise.all(docks.map((d) => d.unsent()))).reduce((s, n) => s + n, 0);
      if (unsent === 0) break;
      if (Date.now() > drainUntil) {
        problems.push(`${unsent} events still unsent 180 s after the day's work ended`);
        break;
      }
      await sleep(1000);
    }
    const drained = since() - dayStart;
    await sample();
    clearInterval(sampler);
    sampler = null;
    const dockEventIds = (await Promise.all(docks.map((d) => d.eventIds()))).flat();
    const refusals = docks.flatMap((d) => d.progress.refusals);
    const quarantined = (await Promise.all(docks.map((d) => d.quarantined()))).flat();
    for (const d of docks) await d.close();
    await proxy.close();
    await (central as CentralProcess | null)?.stop();
    central = null;
    const database = await world.open();
    let centralEvents;
    try {
      centralEvents = await centralHubEvents(database);
    } finally {
      await database.close();
    }
    const expected = world.bookings.flatMap((b) =>
      b.pallets.flatMap((p) => p.cartons.flatMap((c) => c.hubs.map((h) => h.deviceId))),
    );
    const account = accountHubs({ hubs: expected, dockEventIds, central: centralEvents });

    // The table.
    console.log("");
    console.log(
      "|   t (s) | central RSS MiB | central heap in use MiB | central live heap MiB | central fds (sockets) | soak RSS MiB | soak heap MiB | soak fds |",
    );
    console.log(
      "|--------:|----------------:|------------------------:|----------------------:|----------------------:|-------------:|--------------:|---------:|",
    );
    const cell = (v: number | null) => (v === null ? "–" : String(v));
    for (const s of samples)
      console.log(
        `| ${String(s.t).padStart(7)} | ${cell(s.centralRssMiB).padStart(15)} | ${cell(s.centralHeapMiB).padStart(23)} | ${cell(s.centralLiveHeapMiB).padStart(21)} | ${`${cell(s.centralFds)} (${cell(s.centralSockets)})`.padStart(21)} | ${String(s.soakRssMiB).padStart(12)} | ${String(s.soakHeapMiB).padStart(13)} | ${String(s.soakFds).padStart(8)} |`,
      );
    console.log("");
    // Verdicts: each life of central on its own (the restart resets it), this process's handles over the whole day.
    const verdicts: Array<{ name: string; ok: boolean; reason: string }> = [];
    const cut = lives[1]?.from ?? Infinity;
    const segments = [
      { name: "central before the restart", xs: samples.filter((s) => s.t < (restartAt ?? Infinity)) },
      { name: "central after the restart", xs: samples.filter((s) => s.t >= cut) },
    ];
    for (const seg of segments) {
      for (const [what, values, limits] of [
        ["RSS", seg.xs.map((s) => s.centralRssMiB), { maxRatio: 0.25, slack: 24, unit: "MiB" }],
        [
          "live heap (after a full collection)",
          seg.xs.map((s) => s.centralLiveHeapMiB),
          { maxRatio: 0.25, slack: 16, unit: "MiB" },
        ],
      ] as const) {
        const v = trendVerdict(values, limits);
        verdicts.push({ name: `${seg.name}: ${what}`, ok: v.ok, reason: v.reason });
      }
      // Files (PGlite's relation files, logs) and sockets (the docks' connections, which the drops cut) apart.
      const files = plateauVerdict(
        seg.xs.map((s) =>
          s.centralFds === null || s.centralSockets === null ? null : s.centralFds - s.centralSockets,
        ),
        4,
        "fds",
      );
      verdicts.push({ name: `${seg.name}: open files`, ok: files.ok, reason: files.reason });
      const sockets = plateauVerdict(
        seg.xs.map((s) => s.centralSockets),
        8,
        "sockets",
      );
      verdicts.push({ name: `${seg.name}: open sockets`, ok: sockets.ok, reason: sockets.reason });
    }
    const fdV = plateauVerdict(
      samples.map((s) => s.soakFds),
      8,
      "fds",
    );
    verdicts.push({ name: "soak process (3 docks): open fds", ok: fdV.ok, reason: fdV.reason });
    const soakHeap = trendVerdict(
      samples.map((s) => s.soakHeapMiB),
      { maxRatio: 0.25, slack: 24, unit: "MiB" },
    );
    for (const v of verdicts) console.log(`${v.ok ? "flat " : "GREW "} ${v.name}: ${v.reason}`);
    console.log(
      `info  soak process heap (not judged: the 3 docks' IndexedDB is fake-indexeddb, in this heap, and holds the day's log): ${soakHeap.reason}`,
    );
    const dayMinutes = (DAY_HOURS * 60) / Math.max(1, drained);
    console.log(
      `day: work ${workEnd.toFixed(1)} s, outboxes empty at ${drained.toFixed(1)} s (1 s ≈ ${dayMinutes.toFixed(1)} min of an ${DAY_HOURS} h day); network drops ${proxy.drops} (${proxy.cut} connections cut, one every ${(drained / Math.max(1, proxy.drops)).toFixed(0)} s ≈ ${((drained / Math.max(1, proxy.drops)) * dayMinutes).toFixed(0)} day-minutes); central SIGKILLed at ${restartAt === null ? "–" : (restartAt as number).toFixed(1)} s and restarted; ${dockEventIds.length} dock events`,
    );
    console.log(
      `refusals at the docks: ${refusals.length}${refusals.length ? `: ${refusals.slice(0, 5).join("; ")}` : ""}`,
    );
    const byType = new Map<string, number>();
    for (const e of centralEvents) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
    console.log(`at central: ${[...byType].map(([t, n]) => `${n} ${t}`).join(", ")}`);
    console.log(
      `refused by central (quarantined at the docks): ${quarantined.length}${quarantined.length ? `: ${quarantined.slice(0, 5).join("; ")}` : ""}`,
    );
    console.log(`accounting at central: ${accountingLine(account)}`);
    for (const p of problems) console.log(`PROBLEM: ${p}`);
    const ok =
      account.ok &&
      problems.length === 0 &&
      refusals.length === 0 &&
      quarantined.length === 0 &&
      verdicts.every((v) => v.ok);
    console.log(ok ? "VERDICT: every hub accounted for, memory and file handles flat" : "VERDICT: FAILED");
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (sampler) clearInterval(sampler);
    if (dropTimer) clearTimeout(dropTimer);
    await (central as CentralProcess | null)?.kill();
    await proxy.close().catch(() => undefined);
    await world.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
