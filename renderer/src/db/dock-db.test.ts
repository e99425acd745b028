import { describe, it, expect } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import Dexie from "dexie";
import { makeEvent, type DockEvent } from "../../../shared/events";
import { bookingColumns, ColumnCatalogue, columnCatalogueOf } from "../../../shared/domain/booking-columns";
import { demoBooking } from "../../../shared/domain/demo-booking";
import {
  bookingListRow,
  DockDb,
  openDockDb,
  openedReceiptRow,
  openReceiptConflicts,
  SCHEMA_V1,
  SCHEMA_V4,
  SCHEMA_V5,
  type EventRow,
} from "./dock-db";
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
    expect(db.verno).toBe(6);
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

  it("v4 to v5 builds every cached booking's summary and hub columns beside it, and keeps the bookings as they were", async () => {
    const indexedDB = new IDBFactory();
    const old = new Dexie("dock-v5", { indexedDB, IDBKeyRange });
    old.version(4).stores(SCHEMA_V4);
    const bookings = [0, 1, 2].map((index) =>
      demoBooking({ index, pallets: 2, cartonsPerPallet: 3, hubsPerCarton: 4, looseCartons: 1 }),
    );
    const first = bookings[0]!;
    // A pallet listing hubs alone, and an ID central would refuse but a cached row may hold.
    first.pallets[0]!.hubs = first.pallets[0]!.cartons.pop()!.hubs;
    first.pallets[0]!.hubs[0]!.deviceId = first.pallets[0]!.hubs[0]!.deviceId.toLowerCase();
    const rows = bookings.map((booking) => ({ bookingRef: booking.bookingRef, version: 3, booking, pulledAt: 7 }));
    await old.table("bookings").bulkPut(rows);
    old.close();

    const db = new DockDb("dock-v5", { indexedDB, IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(6);
    expect(await db.bookings.orderBy("bookingRef").toArray()).toEqual(rows);
    const list = await db.bookingList.orderBy("bookingRef").toArray();
    expect(list).toEqual(bookings.map(bookingListRow));
    expect(list.map((r) => [r.bookingRef, r.pallets, r.hubs, r.head.partyName])).toEqual(
      bookings.map((b) => [b.bookingRef, 2, 28, b.partyName]),
    );
    expect(list[0]!.columns).toEqual(bookingColumns(first));
    // The stored columns answer as the columns of the objects do.
    const stored = new ColumnCatalogue(list.map((r) => r.columns));
    const objects = columnCatalogueOf(bookings);
    for (const hub of bookings.flatMap((b) =>
      b.pallets.flatMap((p) => [...(p.hubs ?? []), ...p.cartons.flatMap((c) => c.hubs)]),
    ))
      expect(stored.findHub(hub.deviceId)).toEqual(objects.findHub(hub.deviceId));
    db.close();
  });

  it("v5 to v6 indexes the open receipts with an amendment waiting, and the index follows later writes", async () => {
    const indexedDB = new IDBFactory();
    const old = new Dexie("dock-v6", { indexedDB, IDBKeyRange });
    old.version(5).stores(SCHEMA_V5);
    const [a, b, c] = [0, 1, 2].map((index) =>
      demoBooking({ index, pallets: 1, cartonsPerPallet: 2, hubsPerCarton: 3 }),
    );
    const amended = (booking: typeof a) => ({ ...booking!, version: booking!.version + 1 });
    const rows = [
      { ...openedReceiptRow(a!, 1), amendment: amended(a) },
      openedReceiptRow(b!, 1),
      { ...openedReceiptRow(c!, 1), status: "closed" as const, amendment: amended(c) },
    ];
    await old.table("receipts").bulkPut(rows);
    old.close();

    const db = new DockDb("dock-v6", { indexedDB, IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(6);
    expect(await db.receipts.orderBy("bookingRef").toArray()).toEqual(rows);
    expect(await openReceiptConflicts(db)).toEqual([a!.bookingRef]);
    // An amendment arriving for b, a's taken: the index moves with the rows.
    await db.receipts.update(b!.bookingRef, { amendment: amended(b) });
    await db.receipts.update(a!.bookingRef, { amendment: null });
    expect(await openReceiptConflicts(db)).toEqual([b!.bookingRef]);
    await db.receipts.update(b!.bookingRef, { status: "closed" });
    expect(await openReceiptConflicts(db)).toEqual([]);
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
