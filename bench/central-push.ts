import { Agent, request } from "node:http";
import type { PushResponse } from "../shared/sync";
import type { DockEvent } from "../shared/events";
import { seedBulkHubs } from "../central/demo-world";
import { hubsOf, scanEvent } from "../central/demo-events";
import { arg, benchBackends, startBenchCentral } from "./central-bench-world";
import { loadAverage, machineInfo, reportFigure } from "./report";

/**
 * Push of N hub scans (default 300,000) to central over HTTP in batches, then the replay of
 * the very same batches (which must change nothing). Usage:
 *   npx tsx bench/central-push.ts [--hubs 300000] [--batch 1000] [--concurrency 1] [--backend pglite|pglite-memory|postgres]
 * Without --backend: PGlite, and PostgreSQL too when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set.
 * Targets (issue 4): PGlite < 30 s, PostgreSQL < 10 s, replay >= 5x the first push's speed.
 */
const TARGET_S: Record<string, number> = { pglite: 30, "pglite-memory": 30, postgres: 10 };

async function main(): Promise<void> {
  console.log(machineInfo());
  for (const backend of benchBackends()) await benchPush(backend);
}

async function benchPush(backend: string): Promise<void> {
  const hubs = Number(arg("hubs", "300000"));
  const batch = Number(arg("batch", "1000"));
  const concurrency = Number(arg("concurrency", "1"));
  const central = await startBenchCentral(backend);
  try {
    let t = performance.now();
    const bookings = await seedBulkHubs(central.database.db, hubs);
    console.log(
      `setup: ${bookings.length} bookings, ${bookings.length * 1792} hubs seeded in ${((performance.now() - t) / 1000).toFixed(1)} s (not timed below)`,
    );
    const who = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
    // Only the request bodies are kept: holding 300,000 event objects too would make every GC
    // in this process (which also runs central and PGlite) scan them, and time that.
    // Kept as bytes, as a dock's outbox would send them: the client's own cost is not what is measured.
    const bodies: Buffer[] = [];
    let pending: DockEvent[] = [];
    let made = 0;
    for (const b of bookings)
      for (const h of hubsOf(b)) {
        if (made >= hubs) break;
        pending.push(scanEvent(who, b.bookingRef, h));
        made++;
        if (pending.length === batch) {
          bodies.push(Buffer.from(JSON.stringify({ events: pending })));
          pending = [];
        }
      }
    if (pending.length > 0) bodies.push(Buffer.from(JSON.stringify({ events: pending })));
    const token = central.tokens.docks["DOCK-N1"] ?? "";
    // A plain keep-alive HTTP/1.1 client (node:http) rather than fetch: it runs in this process
    // beside central, and fetch's Request, Response and web streams machinery would cost this
    // process several times what sending a body and reading an answer does.
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const post = (body: Buffer) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          `${central.url}/sync/push`,
          {
            method: "POST",
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              "content-type": "application/json",
              "content-length": body.length,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const pushAll = async (label: string, expect: "accepted" | "duplicate") => {
      const start = performance.now();
      const cpu0 = process.cpuUsage();
      let n = 0;
      let next = 0;
      // `concurrency` pushers share the batches, as several docks (or a dock's outbox) would.
      const worker = async () => {
        for (let i = next++; i < bodies.length; i = next++) {
          const body = bodies[i]!;
          const res = await post(body);
          if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status} ${res.text}`);
          // A light check of the answer: a full zod parse of 1,000 results would time the client, not central.
          const r = JSON.parse(res.text) as PushResponse;
          const got = expect === "accepted" ? r.accepted : r.duplicate;
          if (got !== r.results.length)
            throw new Error(
              `${label}: expected all ${expect}, got ${JSON.stringify({ accepted: r.accepted, duplicate: r.duplicate, rejected: r.rejected, first: r.results.find((x) => x.status === "rejected") })}`,
            );
          n += r.results.length;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const s = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpu0);
      // CPU time of this process (client and server; PGlite runs in it too) tells load from other work apart from ours.
      console.log(
        `${label}: ${n} events in ${bodies.length} batches of ${batch}, ${concurrency} at a time: ${s.toFixed(2)} s wall (${Math.round(n / s)} events/s), ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU in this process; load average now ${loadAverage()}`,
      );
      return s;
    };
    t = performance.now();
    const first = await pushAll(`push   [${central.backend}]`, "accepted");
    const replay = await pushAll(`replay [${central.backend}]`, "duplicate");
    agent.destroy();
    const stored = await central.database.db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const added = Number(stored.n) - made;
    console.log(
      `replay is ${(first / replay).toFixed(1)}x faster than the first push; events stored: ${stored.n} (replay added ${added === 0 ? "none" : added})`,
    );
    // The targets are for 300,000 events; another size is reported without one.
    const target = TARGET_S[backend] ?? 10;
    const full = hubs === 300_000;
    const what = `${hubs.toLocaleString("en-GB")} events, batches of ${batch.toLocaleString("en-GB")}, ${concurrency} at a time, ${central.backend}`;
    reportFigure({
      figure: `push of ${what}`,
      value: Number(first.toFixed(2)),
      unit: "s",
      target: full ? `< ${target} s` : "-",
      met: !full || first < target,
    });
    reportFigure({
      figure: `replay of the same batches, ${central.backend} (x faster than the push)`,
      value: Number((first / replay).toFixed(1)),
      unit: "x",
      target: ">= 5x, adds nothing",
      met: first / replay >= 5 && added === 0,
    });
  } finally {
    await central.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
