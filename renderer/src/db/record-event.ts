import Dexie from "dexie";
import { hubTouchedBy, nextHubRow } from "../../../shared/domain/dock-hub-projection";
import { checkEvent, type DockEvent } from "../../../shared/events";
import {
  eventBookingRef,
  touchesHubs,
  type DockDb,
  type EventRow,
  type HubStateRow,
  type OutboxRow,
  type ReceiptRow,
} from "./dock-db";

/**
 * Durable before the beep: an event, its outbox entry and the projections it changes are
 * written in ONE IndexedDB transaction, and the caller only shows or sounds a verdict
 * after this promise resolves. A crash before commit loses the scan *and* its beep
 * together, so the operator never saw a verdict that is not stored.
 *
 * The hub-state rows are not the caller's to say: they follow from the events, through the
 * one projection rule (shared/domain/dock-hub-projection.ts) that the rebuild below and the
 * Dexie upgrades use too.
 */

export interface ProjectionChange {
  /** The receipt row, when the receipt itself changes (arrival, unloading, close, amendment). */
  receipt?: ReceiptRow;
}

export interface WriteOptions {
  /** Leave out events whose id is already in the log (the jig journal drain re-reads items it stored but did not ack). */
  skipLogged?: boolean;
  /** The transaction `beginWrite` opened for these events before they were decided (a scan's). */
  begun?: BegunWrite | null;
}

/**
 * A scan's write, opened before its decision: the transaction (events, outbox, hub states)
 * and the read of the scanned hub's row go to the database while the reconciler judges, so
 * what is left after the verdict is the two appends and the hub row's put, side by side
 * (about 0.4 ms less on the path to every beep in Chromium than reading the row after the
 * decision). Only the hub-row reads are issued: nothing is written until `recordEvents`, and
 * a write that is not used (the decision recorded nothing) commits as the read it was.
 * It must be used in the task that began it (IndexedDB ends an unused transaction then).
 */
export interface BegunWrite {
  readonly tx: IDBTransaction;
  /** The hub rows read at the start, each usable once (a second event for the same hub reads again). */
  readonly hubRows: Map<string, Promise<HubStateRow | undefined>>;
}

const SCAN_STORES = ["events", "outbox", "hubStates"];

/** Opens a scan's write and reads `hubIds`' rows; null while the connection is not open (the write then opens its own). */
export function beginWrite(db: DockDb, hubIds: readonly string[]): BegunWrite | null {
  const idb = db.isOpen() ? (db.backendDB() as IDBDatabase | null) : null;
  if (idb === null) return null;
  let tx: IDBTransaction;
  try {
    tx = idb.transaction(SCAN_STORES, "readwrite");
  } catch {
    return null; // closing: the write itself will say why
  }
  const store = tx.objectStore("hubStates");
  const hubRows = new Map<string, Promise<HubStateRow | undefined>>();
  for (const id of hubIds) {
    const row = request(store.get(id)) as Promise<HubStateRow | undefined>;
    row.catch(() => undefined); // an unused write's read failing is nobody's error
    hubRows.set(id, row);
  }
  return { tx, hubRows };
}

/** Appends `event` to the log and outbox and applies `change`, atomically; resolves when committed. */
export async function recordEvent(db: DockDb, event: DockEvent, change: ProjectionChange = {}): Promise<void> {
  await recordEvents(db, [event], change);
}

/**
 * Appends several events (e.g. unloading completed and the liability it fixes), their hub
 * states and `change` in one transaction; resolves with how many events were newly stored.
 *
 * The write goes to the IndexedDB connection Dexie opened, not through Dexie: this is the
 * write every scan waits for before its beep, and Dexie's promise zones, middleware and
 * `storagemutated` broadcast (this app uses no liveQuery) cost more main-thread time than
 * the write itself. It is the same single `readwrite` transaction with the same durability
 * Dexie asked for (none given: the browser's "default"), so "committed" means what it meant:
 * the promise resolves on the transaction's `complete` event, and an error in any request
 * aborts the whole transaction (nothing half-written) and rejects.
 */
export async function recordEvents(
  db: DockDb,
  events: readonly DockEvent[],
  change: ProjectionChange = {},
  options: WriteOptions = {},
): Promise<number> {
  const hubs = events.some(touchesHubs);
  const stores = ["events", "outbox", ...(hubs ? ["hubStates"] : []), ...(change.receipt ? ["receipts"] : [])];
  // A begun write covers a scan's stores, not a receipt row's; then this write opens its own.
  const begun = options.begun && change.receipt === undefined ? options.begun : null;
  const tx = begun?.tx ?? (await connection(db)).transaction(stores, "readwrite");
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error("the dock's database aborted the write"));
  });
  done.catch(() => undefined);
  let stored = 0;
  // A request refused on the spot (a full disk may be said so) is the reason, not the abort it causes.
  let refused: unknown = null;
  try {
    // The requests go out together and IndexedDB runs them in order. The hub rows need
    // nothing from the log rows, so they do not wait for them; each outbox row waits for its
    // event's sequence number. Once all are done the transaction is told to commit, rather
    // than left to notice it has gone idle.
    const writes: Array<Promise<unknown>> = [
      appendAll(tx, events, options.skipLogged === true).then((n) => {
        stored = n;
      }),
    ];
    if (hubs) writes.push(projectHubRows(tx, events, begun?.hubRows ?? new Map()));
    if (change.receipt) writes.push(putReceipt(tx, change.receipt));
    // Every event is checked against its schema here, while the database works on the requests
    // just sent, and an invalid one aborts the write: nothing invalid is stored, whoever built
    // it (a scan's event is built unchecked, shared/events.ts draftEvent).
    const written = Promise.all(writes);
    written.catch(() => undefined); // when the check aborts, the requests' failures are not the reason
    for (const event of events) checkEvent(event);
    await written;
    commit(tx);
  } catch (e) {
    // A failed request aborts the transaction by itself; `done` rejects with its error.
    refused = e;
    abort(tx);
  }
  await done.catch((e: unknown) => {
    throw tx.error ?? refused ?? e;
  });
  return stored;
}

/** The events and their outbox rows, in order; with `skipLogged`, ids already in the log are left out. */
async function appendAll(tx: IDBTransaction, events: readonly DockEvent[], skipLogged: boolean): Promise<number> {
  const log = tx.objectStore("events");
  const outbox = tx.objectStore("outbox");
  let stored = 0;
  for (const event of events) {
    if (skipLogged && (await request(log.index("id").count(event.id))) > 0) continue;
    const seq = (await request(log.add(eventRow(event)))) as number;
    await request(outbox.add(outboxRow(event.id, seq)));
    stored++;
  }
  return stored;
}

/** Each hub an event moves: read its row, apply the projection rule, write or delete it. */
async function projectHubRows(
  tx: IDBTransaction,
  events: readonly DockEvent[],
  readAlready: Map<string, Promise<HubStateRow | undefined>>,
): Promise<void> {
  const store = tx.objectStore("hubStates");
  const log = tx.objectStore("events");
  // Scans in this very write (an undo may follow its scan in one batch).
  const batch = new Map<string, string | null>();
  for (const event of events) {
    if (event.type === "scan.recorded")
      batch.set(event.id, event.payload.kind === "hub" ? event.payload.deviceId : null);
    let deviceId = hubTouchedBy(event, (id) => batch.get(id) ?? null);
    if (deviceId === null && event.type === "scan.undone" && !batch.has(event.payload.scanEventId)) {
      // Undo is rare: the scan it undoes is found in the log by its id.
      const row = (await request(log.index("id").get(event.payload.scanEventId))) as EventRow | undefined;
      deviceId = row === undefined ? null : hubTouchedBy(row.event, () => null);
    }
    if (deviceId === null) continue;
    // The row read when the write began, once: nothing else can write hub states in this transaction meanwhile.
    const early = readAlready.get(deviceId);
    readAlready.delete(deviceId);
    const current =
      early === undefined ? ((await request(store.get(deviceId))) as HubStateRow | undefined) : await early;
    const next = nextHubRow(current, deviceId, event);
    if (next === null) await request(store.delete(deviceId));
    else if (next !== undefined) await request(store.put(next));
  }
}

/**
 * The receipt row. The sync client may have stored a newer central amendment since the caller
 * read the row; writing the caller's copy must not erase that conflict.
 */
async function putReceipt(tx: IDBTransaction, receipt: ReceiptRow): Promise<void> {
  const store = tx.objectStore("receipts");
  const stored = (await request(store.get(receipt.bookingRef))) as ReceiptRow | undefined;
  const pending = stored?.amendment ?? null;
  const keep =
    pending !== null &&
    pending.version > receipt.booking.version &&
    (receipt.amendment === null || receipt.amendment.version < pending.version);
  await request(store.put(keep ? { ...receipt, amendment: pending } : receipt));
}

/** An event's row in the log. */
function eventRow(event: DockEvent): EventRow {
  return { id: event.id, type: event.type, bookingRef: eventBookingRef(event), at: event.at, event };
}

/** An event's outbox row, behind its log sequence number. */
function outboxRow(id: string, seq: number): OutboxRow {
  return { id, seq, enqueuedAt: Date.now(), attempts: 0, lastError: null };
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error("the dock's database refused a write"));
  });
}

function commit(tx: IDBTransaction): void {
  try {
    tx.commit();
  } catch {
    // Already finishing (or aborted): its complete or abort event still settles the write.
  }
}

function abort(tx: IDBTransaction): void {
  try {
    tx.abort();
  } catch {
    // Already aborted by the failed request.
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

/** Every logged event of one booking, in recording order (used to rebuild a receipt after reload). */
export async function bookingEvents(db: DockDb, bookingRef: string): Promise<DockEvent[]> {
  const rows = await db.events.where("bookingRef").equals(bookingRef).sortBy("seq");
  return rows.map((r) => r.event);
}
