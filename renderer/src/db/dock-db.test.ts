import { describe, it, expect } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import Dexie from "dexie";
import { makeEvent, type DockEvent } from "../../../shared/events";
import { DockDb, openDockDb, SCHEMA_V1, type EventRow } from "./dock-db";
import { recordEvent, recordEvents, bookingEvents } from "./record-event";

const ctx = { dockId: "DOCK-1", operatorId: "op-1" };

function scan(deviceId: string, verdict: "expected" | "duplicate", bookingRef = "BK-1001"): DockEvent {
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

describe("DockDb", () => {
  it("migrates v1 to the latest: indexes old events by booking and projects hub states from logged scans", async () => {
    const indexedDB = new IDBFactory();
    const old = new Dexie("dock-mig", { indexedDB, IDBKeyRange });
    old.version(1).stores(SCHEMA_V1);
    const a = scan("0A-01-00-00-00-00-00-01", "expected");
    const b = scan("0A-01-00-00-00-00-00-02", "duplicate", "BK-2002");
    const signIn = makeEvent("operator.signed-in", { role: "receiver", operatorName: "Ann" }, ctx);
    // v1 rows had no bookingRef column.
    await old.table("events").bulkAdd([a, b, signIn].map((e) => ({ id: e.id, type: e.type, at: e.at, event: e })));
    old.close();

    const db = new DockDb("dock-mig", { indexedDB, IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(4);
    const rows: EventRow[] = await db.events.orderBy("seq").toArray();
    expect(rows.map((r) => r.bookingRef)).toEqual(["BK-1001", "BK-2002", null]);
    expect((await bookingEvents(db, "BK-1001")).map((e) => e.id)).toEqual([a.id]);
    expect(await db.hubStates.get("0A-01-00-00-00-00-00-01")).toMatchObject({
      state: "received",
      bookingRef: "BK-1001",
      lastEventId: a.id,
    });
    // A duplicate scan moves no hub (it used to be projected as "refused" here: the defect v3 fixes).
    expect(await db.hubStates.get("0A-01-00-00-00-00-00-02")).toBeUndefined();
    expect(await db.quarantine.count()).toBe(0);
    db.close();
  });

  it("records an event, its outbox entry and its projection in one transaction", async () => {
    const db = new DockDb("dock-rec", { indexedDB: new IDBFactory(), IDBKeyRange });
    const e = scan("0A-01-00-00-00-00-00-03", "expected");
    await recordEvent(db, e);
    expect(await db.events.count()).toBe(1);
    expect((await db.outbox.toArray()).map((o) => o.id)).toEqual([e.id]);
    expect(await db.hubStates.get("0A-01-00-00-00-00-00-03")).toMatchObject({ lastEventId: e.id });
    db.close();
  });

  it("a failed write leaves nothing behind (no outbox entry without its event)", async () => {
    const db = new DockDb("dock-atomic", { indexedDB: new IDBFactory(), IDBKeyRange });
    const e = scan("0A-01-00-00-00-00-00-04", "expected");
    await recordEvent(db, e);
    // Same id again: the unique index refuses the event, so the outbox rows and the hub state
    // of the other event in that write must roll back too.
    await expect(recordEvents(db, [scan("0A-01-00-00-00-00-00-09", "expected"), e])).rejects.toThrow();
    expect(await db.events.count()).toBe(1);
    expect(await db.outbox.count()).toBe(1);
    expect(await db.hubStates.get("0A-01-00-00-00-00-00-09")).toBeUndefined();
    expect(await db.hubStates.count()).toBe(1);
    db.close();
  });

  it("several events in one write: each outbox row carries its event's sequence number, in recording order", async () => {
    const db = new DockDb("dock-many", { indexedDB: new IDBFactory(), IDBKeyRange });
    const events = [
      scan("0A-01-00-00-00-00-00-05", "expected"),
      scan("0A-01-00-00-00-00-00-06", "expected"),
      scan("0A-01-00-00-00-00-00-07", "duplicate"),
    ];
    await recordEvents(db, events);
    const logged = await db.events.orderBy("seq").toArray();
    expect(logged.map((r) => r.id)).toEqual(events.map((e) => e.id));
    const outbox = await db.outbox.orderBy("seq").toArray();
    expect(outbox.map((o) => [o.id, o.seq])).toEqual(logged.map((r) => [r.id, r.seq]));
    expect(await db.hubStates.get("0A-01-00-00-00-00-00-05")).toMatchObject({
      bookingRef: "BK-1001",
      lastEventId: events[0]!.id,
    });
    // An undo's write removes the hub's state with its event (the duplicate set no state).
    expect(await db.hubStates.count()).toBe(2);
    const undo = makeEvent(
      "scan.undone",
      { bookingRef: "BK-1001", scanEventId: events[0]!.id, reason: "wrong carton" },
      ctx,
    );
    await recordEvent(db, undo);
    expect(await db.hubStates.get("0A-01-00-00-00-00-00-05")).toBeUndefined();
    expect(await db.hubStates.count()).toBe(1);
    expect(await db.outbox.count()).toBe(4);
    db.close();
  });

  it("opens the database for a first write, and refuses to write to one closed on purpose", async () => {
    const db = new DockDb("dock-closed", { indexedDB: new IDBFactory(), IDBKeyRange });
    await recordEvent(db, scan("0A-01-00-00-00-00-00-08", "expected"));
    expect(await db.events.count()).toBe(1);
    db.close();
    await expect(recordEvent(db, scan("0A-01-00-00-00-00-00-09", "expected"))).rejects.toThrow(/closed/i);
  });

  it("closes itself and tells the user to reload when another window upgrades the database", async () => {
    const indexedDB = new IDBFactory();
    const messages: string[] = [];
    const db = openDockDb((m) => messages.push(m), "dock-vc", { indexedDB, IDBKeyRange });
    await db.open();
    const newer = new Dexie("dock-vc", { indexedDB, IDBKeyRange });
    newer.version(30).stores({ events: "++seq" });
    await newer.open();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/Reload/);
    expect(db.isOpen()).toBe(false);
    newer.close();
  });

  it("one transaction: when the event cannot be logged, neither its outbox row nor its hub state is stored", async () => {
    const db = new DockDb("atomic-1", { indexedDB: new IDBFactory(), IDBKeyRange });
    const first = scan("0A-01-00-00-00-00-00-01", "expected");
    await recordEvent(db, first);
    // The same event id again (unique index): the whole write must fail, the hub row with it.
    await expect(recordEvents(db, [scan("0A-01-00-00-00-00-00-02", "expected"), first])).rejects.toThrow();
    expect(await db.hubStates.get("0A-01-00-00-00-00-00-02")).toBeUndefined();
    expect(await db.events.count()).toBe(1);
    expect(await db.outbox.count()).toBe(1);
    db.close();
  });
});
