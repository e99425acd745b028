import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { hubsOf, scanEvent } from "../demo-events";
import { PushResponseSchema } from "../../shared/sync";
import { mulberry32, post, seedCampaignDatabase, startCentral, type CentralProcess } from "./processes";

/**
 * Central SIGKILLed at random points of a dock's pushes (issue 21, "Crashes"). One central
 * process on a database (a PGlite folder or a PostgreSQL database); a dock sends its outbox
 * batch after batch; at chosen pushes the process is killed a random 0-`maxKillDelayMs` ms after
 * the request went out (before, inside or after the batch's transaction). After each kill the
 * database is opened from this process (for PGlite: the very folder, as the next start will)
 * and the batch that was in flight must be there wholly or not at all, and every batch answered
 * before must be there whole. Then central is started again and the dock retries the same bytes,
 * as its outbox does. At the end every event is at central exactly once, and no event was
 * answered "accepted" twice.
 */

export interface CrashOptions {
  kind: "pglite" | "postgres";
  pushes: number;
  eventsPerPush: number;
  kills: number;
  seed: number;
  maxKillDelayMs?: number;
  adminUrl?: string;
  log?: (line: string) => void;
}

export interface CrashFigures {
  kind: string;
  seed: number;
  pushes: number;
  events: number;
  kills: number;
  /** Kills that hit a push in flight (the rest fell between pushes or during a start). */
  killsMidPush: number;
  /** Of those, batches found committed whole / not at all after the kill. */
  inFlightCommitted: number;
  inFlightAbsent: number;
  /** Batches found partly stored after a kill (expected 0). */
  partial: number;
  /** Answered batches missing (wholly or partly) after a kill (expected 0). */
  lostAfterKill: number;
  /** Events missing at the end / answered "accepted" more than once / stored more than once. */
  lost: number;
  acceptedTwice: number;
  storedTwice: number;
  rejected: number;
  retries: number;
  seconds: number;
}

export async function runCrashCampaign(o: CrashOptions): Promise<CrashFigures> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const rnd = mulberry32(o.seed);
  const dataDir = await mkdtemp(join(tmpdir(), `crash-${o.kind}-`));
  const needed = o.pushes * o.eventsPerPush;
  const world = await seedCampaignDatabase(o.kind, dataDir, {
    ...(o.adminUrl ? { adminUrl: o.adminUrl } : {}),
    bulkHubs: Math.max(0, needed - 1792),
  });
  const who = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
  const token = world.tokens.docks["DOCK-N1"] ?? "";
  // The dock's outbox: batches of scan events, each sent as the same bytes until answered.
  const batches: Array<{ ids: string[]; body: string }> = [];
  let current: string[] = [];
  let events: unknown[] = [];
  outer: for (const b of world.bookings)
    for (const h of hubsOf(b)) {
      const e = scanEvent(who, b.bookingRef, h);
      current.push(e.id);
      events.push(e);
      if (current.length === o.eventsPerPush) {
        batches.push({ ids: current, body: JSON.stringify({ events }) });
        current = [];
        events = [];
        if (batches.length === o.pushes) break outer;
      }
    }
  // Which pushes get a kill, and how long after the request went out.
  const killAt = new Map<number, number>();
  while (killAt.size < Math.min(o.kills, batches.length))
    killAt.set(Math.floor(rnd() * batches.length), Math.floor(rnd() * (o.maxKillDelayMs ?? 40)));

  const figures: CrashFigures = {
    kind: o.kind,
    seed: o.seed,
    pushes: batches.length,
    events: batches.length * o.eventsPerPush,
    kills: 0,
    killsMidPush: 0,
    inFlightCommitted: 0,
    inFlightAbsent: 0,
    partial: 0,
    lostAfterKill: 0,
    lost: 0,
    acceptedTwice: 0,
    storedTwice: 0,
    rejected: 0,
    retries: 0,
    seconds: 0,
  };
  const acceptedTimes = new Map<string, number>();
  const answered: string[] = [];
  // On PostgreSQL the checks use one handle throughout; PGlite's folder is opened only while central is down.
  const pgHandle = o.kind === "postgres" ? await world.open() : null;
  const countStored = async (ids: readonly string[]): Promise<number> => {
    const run = async (db: Kysely<Database>) => {
      const r = await db
        .selectFrom("events")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where(sql<boolean>`id = any(${[...ids]}::text[])`)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    };
    if (pgHandle) return run(pgHandle.db);
    const h = await world.open();
    try {
      return await run(h.db);
    } finally {
      await h.close();
    }
  };

  let central: CentralProcess | null = null;
  try {
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i];
      if (!batch) continue;
      let killDelay = killAt.get(i);
      for (;;) {
        central ??= await startCentral(world.env);
        const proc: CentralProcess = central;
        let killed = false;
        void (killDelay === undefined
          ? null
          : setTimeout(() => {
              killed = true;
              figures.kills++;
              void proc.kill();
            }, killDelay));
        killDelay = undefined;
        let answer: Awaited<ReturnType<typeof post>> | null = null;
        try {
          answer = await post(proc.url, "/sync/push", token, batch.body);
        } catch {
          answer = null;
        }
        // The timer is left running: a kill due after the answer lands between pushes or in the next one.
        if (killed || answer === null) {
          // The process died (killed at this push, or the answer was cut off): look at the database as it was left.
          await proc.kill();
          central = null;
          if (answer === null) {
            figures.killsMidPush++;
            const stored = await countStored(batch.ids);
            if (stored === batch.ids.length) figures.inFlightCommitted++;
            else if (stored === 0) figures.inFlightAbsent++;
            else {
              figures.partial++;
              log(`push ${i}: ${stored} of ${batch.ids.length} events stored after the kill`);
            }
          }
          const before = await countStored(answered);
          if (before !== answered.length) {
            figures.lostAfterKill += answered.length - before;
            log(`push ${i}: ${answered.length - before} answered events missing after the kill`);
          }
          if (answer === null) {
            figures.retries++;
            continue;
          }
        }
        if (answer.status !== 200) {
          figures.retries++;
          log(`push ${i}: answered ${answer.status}: ${answer.text.slice(0, 200)}`);
          continue;
        }
        const res = PushResponseSchema.parse(JSON.parse(answer.text));
        for (const r of res.results) {
          if (r.status === "accepted" && r.id !== null) acceptedTimes.set(r.id, (acceptedTimes.get(r.id) ?? 0) + 1);
          if (r.status === "rejected") {
            figures.rejected++;
            log(`push ${i}: ${r.id} rejected: ${r.reason}`);
          }
        }
        answered.push(...batch.ids);
        break;
      }
    }
    if (central) await central.stop();
    central = null;
    const all = batches.flatMap((b) => b.ids);
    figures.lost = all.length - (await countStored(all));
    figures.acceptedTwice = [...acceptedTimes.values()].filter((n) => n > 1).length;
    const run = async (db: Kysely<Database>) => {
      const r = await db
        .selectFrom("events")
        .select([(eb) => eb.fn.countAll<string>().as("n"), sql<string>`count(distinct id)`.as("d")])
        .executeTakeFirstOrThrow();
      return Number(r.n) - Number(r.d);
    };
    if (pgHandle) figures.storedTwice = await run(pgHandle.db);
    else {
      const h = await world.open();
      try {
        figures.storedTwice = await run(h.db);
      } finally {
        await h.close();
      }
    }
  } finally {
    if (central) await central.kill();
    if (pgHandle) await pgHandle.close();
    await world.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
  figures.seconds = Math.round((performance.now() - t0) / 100) / 10;
  return figures;
}

export function crashRow(f: CrashFigures): string {
  return `central killed mid-push | ${f.kind} (seed ${f.seed}) | ${f.pushes} pushes of ${f.events / f.pushes} events, ${f.kills} SIGKILLs (${f.killsMidPush} with a push in flight: ${f.inFlightCommitted} committed whole, ${f.inFlightAbsent} absent), ${f.retries} retries, ${f.seconds} s | partial batches ${f.partial}, answered lost after a kill ${f.lostAfterKill}, lost at the end ${f.lost}, accepted twice ${f.acceptedTwice}, stored twice ${f.storedTwice}, rejected ${f.rejected} | expected 0 / 0 / 0 / 0 / 0 / 0`;
}
