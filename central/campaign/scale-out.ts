import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { hubsOf, scanEvent } from "../demo-events";
import { enqueueNotice } from "../services/outbox";
import { PushResponseSchema } from "../../shared/sync";
import { mulberry32, post, seedCampaignDatabase, startCentral, type CentralProcess } from "./processes";

/**
 * Several central processes on one PostgreSQL server (issue 21, "Scale-out"). Each process is a
 * real `central/main.ts` child on its own loopback port and mail folder. Docks push to any of
 * them; a batch whose answer came back is, at random, sent again byte for byte to another
 * process (its replay memory has never seen it) or re-cut into two halves in reverse order;
 * supervisors reserve ASN numbers at random processes; the outbox is filled and every process's
 * deliverer runs on it; then one process is SIGKILLed while a batch is in flight at it and the
 * dock carries on at another. Counted: events applied twice (answered "accepted" more than once,
 * or stored twice), events lost, notices sent twice or not at all, ASN numbers issued twice.
 */

export interface ScaleOutOptions {
  processes: number;
  docks: number;
  eventsPerPush: number;
  asnPerDock: number;
  notices: number;
  seed: number;
  adminUrl: string;
  log?: (l: string) => void;
}

export interface ScaleOutFigures {
  processes: number;
  docks: number;
  events: number;
  pushes: number;
  crossReplays: number;
  recut: number;
  crossReplaysNotAllDuplicate: number;
  killedMidBatch: boolean;
  retriesAfterKill: number;
  appliedTwice: number;
  storedTwice: number;
  lost: number;
  rejected: number;
  asnReserved: number;
  asnIssuedTwice: number;
  notices: number;
  noticesSent: number;
  noticesSentTwice: number;
  noticesBy: number[];
  seconds: number;
}

export async function runScaleOut(o: ScaleOutOptions): Promise<ScaleOutFigures> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const rnd = mulberry32(o.seed);
  const dataDir = await mkdtemp(join(tmpdir(), "scale-out-"));
  const world = await seedCampaignDatabase("postgres", dataDir, { adminUrl: o.adminUrl });
  const handle = await world.open();
  const procs: CentralProcess[] = [];
  const alive = new Set<number>();
  try {
    // Concurrent starts: each runs the migrations check against the one server.
    procs.push(
      ...(await Promise.all(
        Array.from({ length: o.processes }, (_, i) =>
          startCentral({ ...world.env, CENTRAL_MAIL_DIR: join(dataDir, `mail-${i}`) }),
        ),
      )),
    );
    for (let i = 0; i < procs.length; i++) alive.add(i);
    const anyAlive = (not?: number) => {
      const list = [...alive].filter((i) => i !== not);
      const pick = list[Math.floor(rnd() * list.length)] ?? [...alive][0];
      if (pick === undefined) throw new Error("no central process left");
      return pick;
    };
    const dockToken = world.tokens.docks["DOCK-N1"] ?? "";

    // Notices: queued in the database; every process's deliverer (every 5 s) claims from the one outbox.
    for (let i = 0; i < o.notices; i++)
      await enqueueNotice(handle.db, {
        kind: "asn",
        to: `party${i}@example.test`,
        subject: `scale-out notice ${i}`,
        text: "t",
      });

    // ASN numbers reserved by every dock's supervisor at random processes, all at once.
    const asns = (
      await Promise.all(
        Array.from({ length: o.docks }, async (_, d) => {
          const got: string[] = [];
          for (let k = 0; k < o.asnPerDock; k++) {
            const p = anyAlive();
            const a = await post(
              procs[p]!.url,
              "/sync/asn-numbers",
              dockToken,
              JSON.stringify({ manifestId: `MF-SO-${d}-${k}`, partyId: "SUPPLIER-A" }),
              { "x-operator-id": "OP-N-SUP" },
            );
            if (a.status !== 201) throw new Error(`ASN reservation answered ${a.status}: ${a.text}`);
            got.push((JSON.parse(a.text) as { asnNumber: string }).asnNumber);
          }
          return got;
        }),
      )
    ).flat();

    // Every notice delivered by some process before the kill below (a process killed holding a claim leaves
    // its notices to the lease's end, 10 minutes: sent later, at least once; not what this run waits for).
    const deadline = Date.now() + 90_000;
    for (;;) {
      const r = await handle.db
        .selectFrom("outbox")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow();
      if (Number(r.n) === 0 || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    // The docks' outboxes: the booking's hubs dealt out to the docks, in batches.
    const booking = world.bookings[0];
    if (!booking) throw new Error("no booking");
    const who = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
    const all = hubsOf(booking).map((h) => scanEvent(who, booking.bookingRef, h));
    const outboxes: Array<Array<typeof all>> = Array.from({ length: o.docks }, () => []);
    for (let i = 0, b = 0; i < all.length; i += o.eventsPerPush, b++)
      outboxes[b % o.docks]!.push(all.slice(i, i + o.eventsPerPush));
    const totalPushes = outboxes.reduce((n, q) => n + q.length, 0);
    const accepted = new Map<string, number>();
    const f: ScaleOutFigures = {
      processes: o.processes,
      docks: o.docks,
      events: all.length,
      pushes: 0,
      crossReplays: 0,
      recut: 0,
      crossReplaysNotAllDuplicate: 0,
      killedMidBatch: false,
      retriesAfterKill: 0,
      appliedTwice: 0,
      storedTwice: 0,
      lost: 0,
      rejected: 0,
      asnReserved: asns.length,
      asnIssuedTwice: asns.length - new Set(asns).size,
      notices: o.notices,
      noticesSent: 0,
      noticesSentTwice: 0,
      noticesBy: [],
      seconds: 0,
    };
    const note = (text: string) => {
      const res = PushResponseSchema.parse(JSON.parse(text));
      for (const r of res.results) {
        if (r.status === "accepted" && r.id !== null) accepted.set(r.id, (accepted.get(r.id) ?? 0) + 1);
        if (r.status === "rejected") {
          f.rejected++;
          log(`rejected ${r.id}: ${r.reason}`);
        }
      }
      return res;
    };
    // A push until some process answers it; a network failure (the killed process) moves the dock on to another.
    const pushUntilAnswered = async (body: string, first: number, killAfterMs?: number) => {
      let p = first;
      let killTimer: NodeJS.Timeout | null = null;
      if (killAfterMs !== undefined) {
        const victim = procs[p]!;
        killTimer = setTimeout(() => {
          alive.delete(p);
          f.killedMidBatch = true;
          void victim.kill();
        }, killAfterMs);
      }
      for (;;) {
        try {
          const a = await post(procs[p]!.url, "/sync/push", dockToken, body);
          if (a.status === 200) {
            if (killTimer) clearTimeout(killTimer);
            return { p, res: note(a.text) };
          }
          throw new Error(`push answered ${a.status}: ${a.text.slice(0, 200)}`);
        } catch (e) {
          if (alive.has(p) && !(killTimer !== null)) throw e;
          if (killTimer) {
            clearTimeout(killTimer);
            killTimer = null;
            if (alive.has(p)) {
              alive.delete(p);
              f.killedMidBatch = true;
              await procs[p]!.kill();
            }
          }
          f.retriesAfterKill++;
          p = anyAlive(p);
        }
      }
    };
    let sent = 0;
    const killAtPush = Math.floor(totalPushes / 2);
    await Promise.all(
      outboxes.map(async (queue) => {
        for (const batch of queue) {
          const body = JSON.stringify({ events: batch });
          const n = sent++;
          // From halfway on, process 0 is killed 0-30 ms after a batch went out to it; a batch it
          // answered sooner than that leaves it alive, and the next batch tries again.
          const kill = n >= killAtPush && alive.has(0) && !f.killedMidBatch;
          const { p } = await pushUntilAnswered(body, kill ? 0 : anyAlive(), kill ? Math.floor(rnd() * 30) : undefined);
          f.pushes++;
          const roll = rnd();
          if (roll < 0.3 && alive.size > 1) {
            // The answer "was lost": the same bytes to another process, whose replay memory never saw them.
            const { res } = await pushUntilAnswered(body, anyAlive(p));
            f.crossReplays++;
            if (res.duplicate !== batch.length) f.crossReplaysNotAllDuplicate++;
          } else if (roll < 0.45) {
            // Re-cut: the dock's next attempt groups the events otherwise (halves, reversed).
            const half = Math.ceil(batch.length / 2);
            for (const part of [batch.slice(half).reverse(), batch.slice(0, half)])
              await pushUntilAnswered(JSON.stringify({ events: part }), anyAlive());
            f.recut++;
          }
        }
      }),
    );

    const perProc = await Promise.all(
      procs.map((_, i) => readdir(join(dataDir, `mail-${i}`)).catch(() => [] as string[])),
    );
    const outboxIds = perProc.flat().map((name) => name.slice(0, 8));
    f.noticesBy = perProc.map((l) => l.length);
    f.noticesSent = new Set(outboxIds).size;
    f.noticesSentTwice = outboxIds.length - f.noticesSent;

    const ids = all.map((e) => e.id);
    const stored = await handle.db
      .selectFrom("events")
      .select([(eb) => eb.fn.countAll<string>().as("n"), sql<string>`count(distinct id)`.as("d")])
      .where(sql<boolean>`id = any(${ids}::text[])`)
      .executeTakeFirstOrThrow();
    f.lost = ids.length - Number(stored.d);
    f.storedTwice = Number(stored.n) - Number(stored.d);
    f.appliedTwice = [...accepted.values()].filter((n) => n > 1).length;
    const asnRows = await handle.db
      .selectFrom("asns")
      .select([(eb) => eb.fn.countAll<string>().as("n"), sql<string>`count(distinct asn_number)`.as("d")])
      .executeTakeFirstOrThrow();
    f.asnIssuedTwice += Number(asnRows.n) - Number(asnRows.d);
    f.seconds = Math.round((performance.now() - t0) / 100) / 10;
    return f;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await handle.close();
    await world.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function scaleOutRow(f: ScaleOutFigures): string {
  return `scale-out | ${f.processes} central processes, 1 PostgreSQL | ${f.events} events from ${f.docks} dock outboxes in ${f.pushes} pushes, ${f.crossReplays} replayed byte for byte at another process (${f.crossReplaysNotAllDuplicate} not all duplicate), ${f.recut} re-cut; 1 process SIGKILLed mid-batch: ${f.killedMidBatch ? "yes" : "no"} (${f.retriesAfterKill} pushes moved on); ${f.asnReserved} ASN numbers; ${f.notices} notices (sent by process: ${f.noticesBy.join("/")}); ${f.seconds} s | applied twice ${f.appliedTwice}, stored twice ${f.storedTwice}, lost ${f.lost}, rejected ${f.rejected}, ASN numbers twice ${f.asnIssuedTwice}, notices sent twice ${f.noticesSentTwice}, unsent ${f.notices - f.noticesSent} | expected all 0`;
}
