import { testDockStore } from "../test-support/dock-store";
import { describe, expect, it } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { decideUnsentAlarm } from "../../../shared/domain/unsent-alarm";
import { makeEvent } from "../../../shared/events";
import { DockDb } from "../db/dock-db";
import { recordEvent } from "../db/record-event";
import type { DockStore } from "../store/dock-store";
import { FakeCentral } from "../sync/fake-central";
import { SyncClient } from "../sync/sync-client";
import { localUnsentWatchStore } from "./unsent-watch-store";

/**
 * The unsent-event alarm through the store: the real sync client reports its health to the
 * store (as main.tsx wires it) while central cannot be reached, on a clock the test moves.
 */
const THRESHOLD = 60_000;

function signedIn(i: number) {
  return makeEvent(
    "operator.signed-in",
    { operatorName: "Ann Dock", role: "receiver" },
    { dockId: "DOCK-1", operatorId: `op-${i}` },
  );
}

interface Shared {
  db: DockDb;
  clock: { now: () => number; advance: (ms: number) => number };
  storage: Map<string, string>;
}

function shared(): Shared {
  let t = Date.parse("2026-12-04T09:00:00Z");
  return {
    db: new DockDb(`alarm-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange }),
    clock: { now: () => t, advance: (ms: number) => (t += ms) },
    storage: new Map(),
  };
}

/** One page: a store and a sync client over the dock's database; a second call over the same `Shared` is a reload. */
async function rig(world: Shared = shared()) {
  const { db, clock, storage } = world;
  const store: DockStore = testDockStore(db, {
    site: { facilityId: "FAC-1", csp: "North", production: false },
    now: clock.now,
    unsentAlarmMs: THRESHOLD,
    unsentWatchStore: localUnsentWatchStore({
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
      removeItem: (k) => void storage.delete(k),
    }),
  });
  const central = new FakeCentral();
  central.offline = true;
  const sync = new SyncClient(db, {
    baseUrl: "http://central.test",
    token: null,
    fetch: central.fetch,
    now: clock.now,
    onHealth: (h) => store.getState().setSyncHealth(h),
  });
  const alarm = () => {
    const s = store.getState();
    const h = s.syncHealth;
    if (h === null) return { raised: false as const };
    return decideUnsentAlarm({ ...h, watch: s.unsentWatch, now: clock.now(), thresholdMs: s.unsentAlarmMs });
  };
  const round = () => sync.syncOnce().catch(() => undefined);
  return { world, db, store, central, sync, clock, alarm, round };
}

describe("unsent-event alarm in the store", () => {
  it("shows when the oldest unsent event has not moved for the threshold while central is unreachable, and clears when it moves", async () => {
    const r = await rig();
    await recordEvent(r.db, signedIn(1));
    r.sync.recorded(1);
    await r.round();
    expect(r.alarm().raised).toBe(false);
    // More events recorded meanwhile do not move the oldest one: the watch keeps its start.
    r.clock.advance(THRESHOLD / 2);
    await recordEvent(r.db, signedIn(2));
    r.sync.recorded(1);
    await r.round();
    expect(r.alarm().raised).toBe(false);
    r.clock.advance(THRESHOLD / 2);
    await r.round();
    const raised = r.alarm();
    expect(raised.raised).toBe(true);
    if (raised.raised) {
      expect(raised.message).toContain("2 events recorded since");
      expect(raised.message).toContain("This dock has not reached central since it started.");
    }
    // Central answers: both events leave the outbox, the alarm clears on that round.
    r.central.offline = false;
    await r.round();
    expect(r.store.getState().syncHealth?.unsent).toBe(0);
    expect(r.alarm().raised).toBe(false);
    expect(r.central.events.size).toBe(2);
  });

  it("is not raised while the outbox keeps moving, however long events have been waiting", async () => {
    const r = await rig();
    for (let i = 0; i < 5; i++) await recordEvent(r.db, signedIn(i));
    r.sync.recorded(5);
    await r.round();
    // The oldest event leaves the outbox just inside each minute (a dock far behind but sending): never stalled for a minute.
    for (let i = 0; i < 4; i++) {
      r.clock.advance(THRESHOLD - 1000);
      expect(r.alarm().raised).toBe(false);
      const oldest = await r.db.outbox.orderBy("seq").first();
      if (oldest === undefined) throw new Error("outbox emptied early");
      await r.db.outbox.delete(oldest.id);
      await r.sync.refreshCounts();
      expect(r.alarm().raised).toBe(false);
    }
    r.clock.advance(THRESHOLD);
    expect(r.alarm().raised).toBe(true);
  });

  it("keeps watching across a page reload: a dock stuck for the threshold shows the alarm at once after reloading", async () => {
    const first = await rig();
    await recordEvent(first.db, signedIn(1));
    first.sync.recorded(1);
    await first.round();
    first.clock.advance(THRESHOLD);
    await first.round();
    expect(first.alarm().raised).toBe(true);
    // The operator reloads the page: a new store and sync client over the same database and storage.
    const second = await rig(first.world);
    expect(second.alarm().raised).toBe(false);
    await recordEvent(second.db, signedIn(2));
    second.sync.recorded(1);
    expect(second.store.getState().unsentWatch?.id).not.toBeNull();
    await second.round();
    expect(second.alarm().raised).toBe(true);
    second.central.offline = false;
    await second.round();
    expect(second.alarm().raised).toBe(false);
    expect(first.world.storage.size).toBe(0);
  });
});
