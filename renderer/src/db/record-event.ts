import Dexie from "dexie";
import type { DockEvent } from "../../../shared/events";
import { eventBookingRef, type DockDb, type EventRow, type HubStateRow, type OutboxRow, type ReceiptRow } from "./dock-db";

/**
 * Durable before the beep: an event, its outbox entry and the projections it changes are
 * written in ONE IndexedDB transaction, and the caller only shows or sounds a verdict
 * after this promise resolves. A crash before commit loses the scan *and* its beep
 * together, so the operator never saw a verdict that is not stored.
 */

export interface ProjectionChange {
  receipt?: ReceiptRow;
  hub?: { deviceId: string; state: "received" | "refused" } | { deviceId: string; remove: true };
}

/** Appends `event` to the log and outbox and applies `change`, atomically; resolves when committed. */
export async function recordEvent(db: DockDb, event: DockEvent, change: ProjectionChange = {}): Promise<void> {
  await recordEvents(db, [event], change);
}

/** Appends several events (e.g. unloading completed and the liability it fixes) and `change` in one transaction. */
export async function recordEvents(db: DockDb, events: DockEvent[], change: ProjectionChange = {}): Promise<void> {
  // A caller's own Dexie transaction (the jig journal drain checks and writes atomically) is
  // joined through Dexie; so is the rare write of the receipt row (it reads the stored row
  // first). Everything else - every scan and undo - is the direct write below.
  if (change.receipt !== undefined || Dexie.currentTransaction !== null) return recordThroughDexie(db, events, change);
  await recordDirect(db, events, change.hub);
}

/**
 * The event, its outbox row and its hub state as one IndexedDB transaction on the connection
 * Dexie opened, not through Dexie: this is the write every scan waits for before its beep,
 * and Dexie's promise zones, middleware and `storagemutated` broadcast (this app uses no
 * liveQuery) cost more main-thread time than the write itself. It is the same single
 * `readwrite` transaction with the same durability Dexie asked for (none given: the
 * browser's "default"), so "committed" means what it meant: the promise resolves on the
 * transaction's `complete` event, and an error in any request aborts the whole transaction
 * (nothing half-written) and rejects.
 */
async function recordDirect(db: DockDb, events: DockEvent[], hub: ProjectionChange["hub"]): Promise<void> {
  const idb = await connection(db);
  const stores = hub === undefined ? ["events", "outbox"] : ["events", "outbox", "hubStates"];
  await new Promise<void>((resolve, reject) => {
    let tx: IDBTransaction;
    try {
      tx = idb.transaction(stores, "readwrite");
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error("the dock's database aborted the write"));
    // The requests go out together and IndexedDB runs them in order. The hub's row needs
    // nothing from the log, so it does not wait for it; each outbox row needs its event's
    // sequence number, so it is queued from that add's success. Once the last is queued the
    // transaction is told to commit, rather than left to notice it has gone idle.
    const hubWrite = hubStateWrite(events, hub);
    if (hubWrite !== null) {
      if ("remove" in hubWrite) tx.objectStore("hubStates").delete(hubWrite.remove);
      else tx.objectStore("hubStates").put(hubWrite.put);
    }
    const log = tx.objectStore("events");
    const outbox = tx.objectStore("outbox");
    let waiting = events.length;
    for (const event of events) {
      const added = log.add(eventRow(event));
      added.onsuccess = () => {
        outbox.add(outboxRow(event.id, added.result as number));
        if (--waiting === 0) commit(tx);
      };
    }
    if (waiting === 0) commit(tx);
  });
}

/** An event's row in the log. */
function eventRow(event: DockEvent): EventRow {
  return { id: event.id, type: event.type, bookingRef: eventBookingRef(event), at: event.at, event };
}

/** An event's outbox row, behind its log sequence number. */
function outboxRow(id: string, seq: number): OutboxRow {
  return { id, seq, enqueuedAt: Date.now(), attempts: 0, lastError: null };
}

/**
 * What `hub` does to the hub's row, the same on both write paths: remove it, or put it under
 * the first event's booking; nothing when there is no hub change or the events name no booking.
 */
function hubStateWrite(events: readonly DockEvent[], hub: ProjectionChange["hub"]): { remove: string } | { put: HubStateRow } | null {
  if (hub === undefined) return null;
  if ("remove" in hub) return { remove: hub.deviceId };
  const first = events[0];
  const bookingRef = first === undefined ? null : eventBookingRef(first);
  return first === undefined || bookingRef === null ? null : { put: { deviceId: hub.deviceId, bookingRef, state: hub.state, lastEventId: first.id } };
}

function commit(tx: IDBTransaction): void {
  try {
    tx.commit();
  } catch {
    // Already finishing (or aborted): its complete or abort event still settles the write.
  }
}

/**
 * The open IndexedDB connection behind `db`, opening it first if Dexie has not yet (as its
 * own operations would). A database closed on purpose (another window upgraded it) stays
 * closed: the write fails, and the operator is told the scan was not recorded.
 */
async function connection(db: DockDb): Promise<IDBDatabase> {
  if (!db.isOpen()) {
    if (db.hasBeenClosed()) throw new Dexie.DatabaseClosedError();
    await db.open();
  }
  const idb = db.backendDB() as IDBDatabase | null;
  if (idb === null) throw new Dexie.DatabaseClosedError();
  return idb;
}

/** The same write through Dexie: inside a caller's Dexie transaction (it joins it), or with the receipt row. */
async function recordThroughDexie(db: DockDb, events: DockEvent[], change: ProjectionChange): Promise<void> {
  // Only the stores this write touches: a scan's transaction is the event, its outbox row and
  // the hub it moves (the receipt row, which holds the whole booking, is written only when it
  // changes: arrival, unloading, close, amendment - not on every scan).
  const stores = [db.events, db.outbox, ...(change.receipt ? [db.receipts] : []), ...(change.hub ? [db.hubStates] : [])];
  await db.transaction("rw", stores, async () => {
    // The hub's row needs nothing from the log rows, so its request goes first and is not
    // waited on before them: one IndexedDB round trip less before the commit (and the beep).
    const hub = hubStateWrite(events, change.hub);
    let hubFailure: { error: unknown } | null = null;
    const hubWrite = (hub === null ? Promise.resolve() : "remove" in hub ? db.hubStates.delete(hub.remove) : db.hubStates.put(hub.put)).then(
      () => undefined,
      (error: unknown) => {
        hubFailure = { error };
      },
    );
    for (const event of events) {
      const seq = await db.events.add(eventRow(event));
      await db.outbox.add(outboxRow(event.id, seq as number));
    }
    if (change.receipt) {
      // The sync client may have stored a newer central amendment since the caller read the
      // row; writing the caller's copy must not erase that conflict.
      const stored = await db.receipts.get(change.receipt.bookingRef);
      const pending = stored?.amendment ?? null;
      const keep = pending !== null && pending.version > change.receipt.booking.version && (change.receipt.amendment === null || change.receipt.amendment.version < pending.version);
      await db.receipts.put(keep ? { ...change.receipt, amendment: pending } : change.receipt);
    }
    await hubWrite;
    if (hubFailure !== null) throw (hubFailure as { error: unknown }).error;
  });
}

/** Every logged event of one booking, in recording order (used to rebuild a receipt after reload). */
export async function bookingEvents(db: DockDb, bookingRef: string): Promise<DockEvent[]> {
  const rows = await db.events.where("bookingRef").equals(bookingRef).sortBy("seq");
  return rows.map((r) => r.event);
}
