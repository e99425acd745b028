import type { DockEvent } from "../../../shared/events";
import { eventBookingRef, type DockDb, type ReceiptRow } from "./dock-db";

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
  // Only the stores this write touches: a scan's transaction is the event, its outbox row and
  // the hub it moves (the receipt row, which holds the whole booking, is written only when it
  // changes: arrival, unloading, close, amendment - not on every scan).
  const stores = [db.events, db.outbox, ...(change.receipt ? [db.receipts] : []), ...(change.hub ? [db.hubStates] : [])];
  await db.transaction("rw", stores, async () => {
    // The hub's row needs nothing from the log rows, so its request goes first and is not
    // waited on before them: one IndexedDB round trip less before the commit (and the beep).
    const hub = change.hub;
    const first = events[0];
    const bookingRef = first === undefined ? null : eventBookingRef(first);
    let hubFailure: { error: unknown } | null = null;
    const hubWrite = (
      hub === undefined
        ? Promise.resolve()
        : "remove" in hub
          ? db.hubStates.delete(hub.deviceId)
          : bookingRef !== null && first !== undefined
            ? db.hubStates.put({ deviceId: hub.deviceId, bookingRef, state: hub.state, lastEventId: first.id })
            : Promise.resolve()
    ).then(
      () => undefined,
      (error: unknown) => {
        hubFailure = { error };
      },
    );
    for (const event of events) {
      const seq = await db.events.add({ id: event.id, type: event.type, bookingRef: eventBookingRef(event), at: event.at, event });
      await db.outbox.add({ id: event.id, seq: seq as number, enqueuedAt: Date.now(), attempts: 0, lastError: null });
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
