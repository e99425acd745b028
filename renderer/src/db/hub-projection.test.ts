import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import Dexie from "dexie";
import { makeEvent, type DockEvent, type ScanVerdictCode } from "../../../shared/events";
import { DockDb, rebuildHubStates, SCHEMA_V1, SCHEMA_V2 } from "./dock-db";
import { beginWrite, recordEvents } from "./record-event";

/**
 * The hub-state projection has one rule (shared/domain/dock-hub-projection.ts): the live
 * write, a rebuild from the log and the Dexie upgrades must give the same rows.
 */

const ctx = { dockId: "DOCK-1", operatorId: "op-1" };
const HUB = "0A-01-00-00-00-00-00-01";
const GPF = "0A-02-00-00-00-00-00-01";

function scan(deviceId: string, verdict: ScanVerdictCode, bookingRef = "BK-1001"): DockEvent {
  return makeEvent(
    "scan.recorded",
    {
      bookingRef,
      source: "wedge",
      raw: deviceId,
      kind: "hub",
      verdict,
      palletSscc: null,
      cartonSscc: null,
      deviceId,
      sscc: null,
      otherBookingRef: null,
      reason: verdict,
    },
    ctx,
  );
}
function undo(of: DockEvent, bookingRef = "BK-1001"): DockEvent {
  return makeEvent("scan.undone", { bookingRef, scanEventId: of.id, reason: "scanned twice" }, ctx);
}

/** A received hub, scanned again (duplicate), that duplicate undone, and a GPF ID scanned. */
function receivedDuplicateUndo(): DockEvent[] {
  const received = scan(HUB, "expected");
  const duplicate = scan(HUB, "duplicate");
  return [received, duplicate, undo(duplicate), scan(GPF, "wrong-device-type")];
}

async function seedOld(version: 1 | 2, name: string, indexedDB: IDBFactory, events: DockEvent[]): Promise<void> {
  const old = new Dexie(name, { indexedDB, IDBKeyRange });
  old.version(version).stores(version === 1 ? SCHEMA_V1 : SCHEMA_V2);
  await old.table("events").bulkAdd(
    events.map((e) => ({
      id: e.id,
      type: e.type,
      at: e.at,
      event: e,
      ...(version === 2 ? { bookingRef: "BK-1001" } : {}),
    })),
  );
  if (version === 2) {
    // What the old v2 upgrade wrote for this log: anything not "expected" refused, undos ignored.
    await old
      .table("hubStates")
      .put({ deviceId: HUB, bookingRef: "BK-1001", state: "refused", lastEventId: events[1]!.id });
  }
  old.close();
}

describe("hub states at the dock: one projection", () => {
  it.each([1, 2] as const)(
    "upgrading from v%i: a duplicate scan and its undo leave a received hub received",
    async (version) => {
      const indexedDB = new IDBFactory();
      const events = receivedDuplicateUndo();
      await seedOld(version, `hub-upgrade-${version}`, indexedDB, events);
      const db = new DockDb(`hub-upgrade-${version}`, { indexedDB, IDBKeyRange });
      await db.open();
      expect(await db.hubStates.get(HUB)).toMatchObject({
        state: "received",
        bookingRef: "BK-1001",
        lastEventId: events[0]!.id,
      });
      expect(await db.hubStates.get(GPF)).toBeUndefined();
      db.close();
    },
  );

  it("the live write: undoing a duplicate never touches the hub it duplicated", async () => {
    const db = new DockDb("hub-live", { indexedDB: new IDBFactory(), IDBKeyRange });
    const events = receivedDuplicateUndo();
    for (const e of events) await recordEvents(db, [e]);
    expect(await db.hubStates.get(HUB)).toMatchObject({ state: "received", lastEventId: events[0]!.id });
    expect(await db.hubStates.count()).toBe(1);
    db.close();
  });

  it("undoing the scan that set a state falls back to the scans that remain", async () => {
    const db = new DockDb("hub-fallback", { indexedDB: new IDBFactory(), IDBKeyRange });
    const received = scan(HUB, "expected");
    const elsewhere = scan(HUB, "other-booking", "BK-2002");
    await recordEvents(db, [received]);
    await recordEvents(db, [elsewhere]);
    expect(await db.hubStates.get(HUB)).toMatchObject({ state: "refused", bookingRef: "BK-2002" });
    await recordEvents(db, [undo(elsewhere, "BK-2002")]);
    expect(await db.hubStates.get(HUB)).toMatchObject({
      state: "received",
      bookingRef: "BK-1001",
      lastEventId: received.id,
    });
    await recordEvents(db, [undo(received)]);
    expect(await db.hubStates.get(HUB)).toBeUndefined();
    db.close();
  });

  it("a recorded log replayed gives every row the live writes gave", async () => {
    const db = new DockDb("hub-replay", { indexedDB: new IDBFactory(), IDBKeyRange });
    const ids = Array.from({ length: 6 }, (_, i) => `0A-01-00-00-00-00-00-1${i}`);
    const verdicts: ScanVerdictCode[] = [
      "expected",
      "duplicate",
      "other-booking",
      "not-eligible",
      "wrong-kind",
      "wrong-device-type",
      "test-lab",
      "unexpected",
      "wrong-container",
    ];
    const logged: DockEvent[] = [];
    // A fixed but varied log: scans of six hubs with every verdict, some undone, some twice.
    for (let i = 0; i < 60; i++) {
      const last = logged.at(-1);
      const e =
        i % 7 === 6 && last?.type === "scan.recorded"
          ? undo(last, last.payload.bookingRef)
          : scan(ids[(i * 5) % ids.length]!, verdicts[(i * 7) % verdicts.length]!, i % 3 === 0 ? "BK-2002" : "BK-1001");
      logged.push(e);
      await recordEvents(db, [e]);
    }
    const live = await db.hubStates.orderBy("deviceId").toArray();
    expect(live.length).toBeGreaterThan(0);
    await db.transaction("rw", db.events, db.hubStates, () => rebuildHubStates(db.events, db.hubStates));
    expect(await db.hubStates.orderBy("deviceId").toArray()).toEqual(live);
    db.close();
  });

  it("a write begun before its decision (a scan's, reading the hub row early) leaves the rows the plain write leaves", async () => {
    const ids = Array.from({ length: 3 }, (_, i) => `0A-01-00-00-00-00-00-2${i}`);
    const verdicts: ScanVerdictCode[] = ["expected", "duplicate", "other-booking", "unexpected"];
    // Each step: a scan of a hub (or a scan and its undo in one batch), the write begun with
    // the scanned hub's row read, another hub's, both, or none.
    const step = fc.record({
      hub: fc.nat(ids.length - 1),
      verdict: fc.constantFrom(...verdicts),
      undoInBatch: fc.boolean(),
      undoLast: fc.boolean(),
      readEarly: fc.constantFrom("scanned", "other", "both", "none"),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        run++;
        const plain = new DockDb(`hub-plain-${run}`, { indexedDB: new IDBFactory(), IDBKeyRange });
        const early = new DockDb(`hub-early-${run}`, { indexedDB: new IDBFactory(), IDBKeyRange });
        await Promise.all([plain.open(), early.open()]);
        let last: DockEvent | null = null;
        for (const st of steps) {
          const id = ids[st.hub]!;
          const other = ids[(st.hub + 1) % ids.length]!;
          const batch: DockEvent[] = [];
          if (st.undoLast && last !== null) batch.push(undo(last));
          else {
            const s = scan(id, st.verdict);
            batch.push(s);
            if (st.undoInBatch) batch.push(undo(s));
            last = st.undoInBatch ? null : s;
          }
          const read = { scanned: [id], other: [other], both: [id, other], none: [] }[st.readEarly];
          await recordEvents(plain, batch);
          const begun = beginWrite(early, read);
          expect(begun).not.toBeNull();
          await recordEvents(early, batch, {}, { begun });
        }
        const rows = async (db: DockDb) => db.hubStates.orderBy("deviceId").toArray();
        expect(await rows(early)).toEqual(await rows(plain));
        expect(await early.events.count()).toBe(await plain.events.count());
        plain.close();
        early.close();
      }),
      { numRuns: 40 },
    );
  });

  it("a begun write left unused stores nothing and holds nothing up", async () => {
    const db = new DockDb("hub-unused", { indexedDB: new IDBFactory(), IDBKeyRange });
    await db.open();
    expect(beginWrite(db, [HUB])).not.toBeNull();
    const received = scan(HUB, "expected");
    await recordEvents(db, [received]);
    expect(await db.events.count()).toBe(1);
    expect(await db.outbox.count()).toBe(1);
    expect(await db.hubStates.get(HUB)).toMatchObject({ state: "received", lastEventId: received.id });
    db.close();
  });

  it("a write cannot begin early on a closed database: the plain write then says why", async () => {
    const db = new DockDb("hub-closed", { indexedDB: new IDBFactory(), IDBKeyRange });
    await db.open();
    db.close();
    expect(beginWrite(db, [HUB])).toBeNull();
    await expect(recordEvents(db, [scan(HUB, "expected")], {}, { begun: null })).rejects.toThrow();
  });
});
