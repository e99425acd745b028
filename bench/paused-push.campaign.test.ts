/**
 * Paused and resumed push campaign (issue 21): "a known way sync engines mark unsent rows as
 * sent". The dock's real sync code (renderer/src/sync/sync-client.ts and sync-push.ts, over a
 * Dexie database on fake-indexeddb) pushes to a real central (central/test-support.ts: PGlite,
 * and PostgreSQL too when TEST_DATABASE_URL is set) through a `fetch` that pauses one push
 * request of a round at a seeded random point, in one of these ways:
 *   lost-before   the request never reaches central (network error at once);
 *   lost-after    central commits, the answer is lost (network error);
 *   dropped-mid   the connection drops while central works: the dock gets a network error at
 *                 once and central commits whenever it gets there, racing the dock's retries;
 *   held-resume   central's answer is withheld while the dock records more events, then given;
 *   held-reload   the answer is withheld and the page reloads: a new client over the same
 *                 IndexedDB pushes again; the old page's request reaches central before or
 *                 only after the new page's round (a late replay), and its answer dies with it;
 *   held-zombie   as held-reload, but the old page lives on (a second tab, a page that did not
 *                 die): its withheld answer arrives after the new page's round and it goes on.
 * After every pause, once nothing is in flight, it checks that every event the dock no longer
 * holds as unsent (not in its outbox, not quarantined) is stored at central; at the end, with
 * the faults off, that the dock's outbox drains and central holds every event exactly once,
 * answered "accepted" once. One figures row a database.
 *
 * It lives in bench/ because it runs dock code and central code in one process: central/ may
 * import only shared/, renderer/ never imports central/, and bench/ may import anything
 * (.dependency-cruiser.cjs has no rule from bench/). vitest's include has bench/**\/*.test.ts
 * and `npm run bench` skips *.test.ts.
 */
import { afterAll, describe, expect, it } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { PushResponseSchema } from "../shared/sync";
import type { DockEvent } from "../shared/events";
import { mulberry32 } from "../shared/domain/seeded-random";
import { hubsOf, scanEvent, type Who } from "../central/demo-events";
import { loadBooking } from "../central/services/bookings";
import { openTestWorld, testBackends, type TestWorld } from "../central/test-support";
import { DockDb } from "../renderer/src/db/dock-db";
import { recordEvents } from "../renderer/src/db/record-event";
import { SyncClient } from "../renderer/src/sync/sync-client";

const PAUSES = 200;
const FAULTS = ["lost-before", "lost-after", "dropped-mid", "held-resume", "held-reload", "held-zombie"] as const;
type Fault = (typeof FAULTS)[number];
const BASE = "http://central.test";
const WHO: Who = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };

interface Hold {
  /** The request has reached this point: central answered (`delivered`) or it is held before central. */
  reached: Promise<void>;
  /** Gives the withheld request to central now, if it was held before central. */
  deliver(): Promise<void>;
  /** Ends the paused fetch: with central's answer, or with a network error (the page is gone). */
  resume(how: "answer" | "network-error"): void;
}

interface Figures {
  backend: string;
  seed: number;
  pauses: number;
  byFault: Record<Fault, number>;
  events: number;
  pushRequests: number;
  reloads: number;
  markedSentMissing: number;
  storedTwice: number;
  acceptedTwice: number;
  quarantined: number;
  unsentAtEnd: number;
  missingAtEnd: number;
  seconds: number;
}

/** central's app as the dock's `fetch`, with one armed fault for the nth push request of a round. */
class PausingCentral {
  pushRequests = 0;
  /** Requests central is still working on after the dock was told the connection dropped. */
  private readonly background = new Set<Promise<unknown>>();
  readonly acceptedCount = new Map<string, number>();
  armed: { fault: Fault; at: number; deliverFirst: boolean } | null = null;
  private pushesThisRound = 0;
  hold: Hold | null = null;
  fired = false;

  constructor(private readonly w: TestWorld) {}

  newRound(): void {
    this.pushesThisRound = 0;
    this.fired = false;
    this.hold = null;
  }

  /** Central's answer, read whole, its results counted; the Response rebuilt for the dock. */
  private async central(url: string, init: RequestInit | undefined): Promise<Response> {
    const res = await this.w.app.fetch(new Request(url, init));
    const text = await res.text();
    if (res.ok && new URL(url).pathname === "/sync/push") {
      const parsed = PushResponseSchema.safeParse(JSON.parse(text));
      if (parsed.success)
        for (const r of parsed.data.results)
          if (r.status === "accepted") this.acceptedCount.set(r.id, (this.acceptedCount.get(r.id) ?? 0) + 1);
    }
    return new Response(text, { status: res.status, headers: res.headers });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.background.add(p);
    void p.finally(() => this.background.delete(p)).catch(() => undefined);
    return p;
  }

  async settle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url;
    if (new URL(url).pathname !== "/sync/push") return this.central(url, init);
    this.pushRequests++;
    const armed = this.armed;
    if (armed === null || this.fired || this.pushesThisRound++ !== armed.at) return this.central(url, init);
    this.fired = true;
    switch (armed.fault) {
      case "lost-before":
        throw new TypeError("Failed to fetch");
      case "lost-after":
        await this.central(url, init);
        throw new TypeError("Failed to fetch");
      case "dropped-mid":
        void this.track(this.central(url, init)).catch(() => undefined);
        throw new TypeError("Failed to fetch");
      default: {
        let answer: Promise<Response> | null = null;
        const deliver = async () => {
          answer ??= this.track(this.central(url, init));
          await answer;
        };
        let end: (how: "answer" | "network-error") => void = () => undefined;
        const ended = new Promise<"answer" | "network-error">((resolve) => (end = resolve));
        const reached = armed.deliverFirst ? deliver() : Promise.resolve();
        this.hold = { reached, deliver, resume: (how) => end(how) };
        const how = await ended;
        if (how === "network-error") throw new TypeError("Failed to fetch");
        await deliver();
        if (answer === null) throw new Error("unreachable: delivered without an answer");
        return answer;
      }
    }
  };
}

async function runCampaign(backend: "pglite" | "postgres", seed: number): Promise<Figures> {
  const started = Date.now();
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const w = await openTestWorld(backend);
  try {
    const booking = await loadBooking(w.database.db, w.bookingRef);
    if (booking === null) throw new Error("the demo booking is missing");
    const hubs = hubsOf(booking);
    const token = w.tokens.docks[WHO.dockId];
    if (token === undefined) throw new Error("the demo world has no token for DOCK-N1");
    const central = new PausingCentral(w);
    const indexedDB = new IDBFactory();
    const dbName = `paused-push-${backend}-${seed}`;
    const page = () => {
      const db = new DockDb(dbName, { indexedDB, IDBKeyRange });
      const client = new SyncClient(db, {
        baseUrl: BASE,
        token,
        fetch: central.fetch,
        batchSize: int(2, 6),
        pokePath: null,
      });
      return { db, client };
    };
    let current = page();
    const recorded: string[] = [];
    const record = async (db: DockDb, n: number) => {
      const events: DockEvent[] = [];
      for (let k = 0; k < n; k++) {
        const h = hubs[recorded.length + events.length];
        if (h === undefined) throw new Error("the demo booking has too few hubs for this campaign");
        events.push(scanEvent(WHO, booking.bookingRef, h));
      }
      await recordEvents(db, events);
      recorded.push(...events.map((e) => e.id));
    };
    const round = (p: { client: SyncClient }) =>
      p.client.syncOnce().then(
        () => "done" as const,
        () => "failed" as const,
      );

    const byFault = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
    /** Events seen, at some check, gone from the dock's outbox while central lacked them. */
    const markedSentMissing = new Set<string>();
    let pauses = 0;
    let reloads = 0;
    const atCentral = async () =>
      new Set((await w.database.db.selectFrom("events").select("id").execute()).map((r) => r.id));
    const check = async () => {
      await central.settle();
      const [unsent, quarantined] = await Promise.all([
        current.db.outbox.toCollection().primaryKeys(),
        current.db.quarantine.toCollection().primaryKeys(),
      ]);
      const held = new Set<string>([...unsent, ...quarantined]);
      const stored = await atCentral();
      for (const id of recorded) if (!held.has(id) && !stored.has(id)) markedSentMissing.add(id);
    };

    for (let attempt = 0; pauses < PAUSES && attempt < PAUSES * 3; attempt++) {
      await record(current.db, int(1, 5));
      const unsent = await current.db.outbox.count();
      const fault = FAULTS[int(0, FAULTS.length - 1)] as Fault;
      const batches = Math.ceil(unsent / 6);
      central.armed = { fault, at: int(0, Math.max(0, Math.min(2, batches - 1))), deliverFirst: rnd() < 0.5 };
      central.newRound();
      const old = current;
      const running = round(old);
      // Wait until the armed request is paused, or the round ended (the fault fired at once, or never).
      for (;;) {
        const hold = central.hold;
        if (hold !== null) {
          await hold.reached;
          break;
        }
        const ended = await Promise.race([running, new Promise<null>((r) => setTimeout(() => r(null), 1))]);
        if (ended !== null) break;
      }
      const hold = central.hold;
      central.armed = null;
      if (!central.fired) {
        await running;
        continue;
      }
      pauses++;
      byFault[fault]++;
      if (hold !== null) {
        if (fault === "held-resume") {
          // Scanning goes on while the push hangs.
          await record(old.db, int(1, 3));
          hold.resume("answer");
          await running;
        } else {
          reloads++;
          current = page();
          central.newRound();
          await round(current);
          // Scanning goes on at the new page: events the old page never read wait when its answer comes.
          await record(current.db, int(1, 3));
          // The old page's request reaches central now if it had not yet (a late replay of what the new page sent).
          await hold.deliver();
          if (fault === "held-reload") {
            old.db.close();
            hold.resume("network-error");
            await running;
          } else {
            hold.resume("answer");
            await running;
            old.db.close();
          }
        }
      } else {
        await running;
      }
      await check();
    }

    // The network is back: the dock drains its outbox with no more pauses.
    central.armed = null;
    for (let i = 0; i < 50 && (await current.db.outbox.count()) > 0; i++) {
      central.newRound();
      await round(current);
    }
    await central.settle();
    await check();
    const stored = await atCentral();
    const rows = await w.database.db.selectFrom("events").select(["id"]).execute();
    const figures: Figures = {
      backend,
      seed,
      pauses,
      byFault,
      events: recorded.length,
      pushRequests: central.pushRequests,
      reloads,
      markedSentMissing: markedSentMissing.size,
      storedTwice: rows.length - stored.size,
      acceptedTwice: [...central.acceptedCount.values()].filter((n) => n > 1).length,
      quarantined: await current.db.quarantine.count(),
      unsentAtEnd: await current.db.outbox.count(),
      missingAtEnd: recorded.filter((id) => !stored.has(id)).length,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    current.db.close();
    return figures;
  } finally {
    await w.close();
  }
}

function row(f: Figures): string {
  const kinds = FAULTS.map((k) => `${k} ${f.byFault[k]}`).join(", ");
  return (
    `paused and resumed push | ${f.backend} (seed ${f.seed}) | ${f.pauses} pauses (${kinds}), ${f.reloads} reloads, ` +
    `${f.events} events, ${f.pushRequests} push requests, ${f.seconds} s | marked sent but missing at central ${f.markedSentMissing}, ` +
    `stored twice ${f.storedTwice}, accepted twice ${f.acceptedTwice}, quarantined ${f.quarantined}, ` +
    `unsent at the end ${f.unsentAtEnd}, missing at the end ${f.missingAtEnd} | expected 0 / 0 / 0 / 0 / 0 / 0`
  );
}

const rows: string[] = [];
afterAll(() => {
  if (rows.length > 0) console.log(["campaign | run | tried | found | expected", ...rows].join("\n"));
});

describe.each(testBackends())("paused and resumed push on %s", (backend) => {
  it("never marks an event sent that central lacks, applies none twice, and converges", async () => {
    const f = await runCampaign(backend, 20261204 + (backend === "postgres" ? 1 : 0));
    rows.push(row(f));
    expect(f.pauses).toBe(PAUSES);
    for (const k of FAULTS) expect(f.byFault[k]).toBeGreaterThan(0);
    expect({
      markedSentMissing: f.markedSentMissing,
      storedTwice: f.storedTwice,
      acceptedTwice: f.acceptedTwice,
      quarantined: f.quarantined,
      unsentAtEnd: f.unsentAtEnd,
      missingAtEnd: f.missingAtEnd,
    }).toEqual({
      markedSentMissing: 0,
      storedTwice: 0,
      acceptedTwice: 0,
      quarantined: 0,
      unsentAtEnd: 0,
      missingAtEnd: 0,
    });
  }, 120_000);
});
