import type { Stamp } from "../../../shared/domain/receipt-decision";
import { makeEvent, type DockEvent, type DockEventType, type EventOf, type PayloadOf } from "../../../shared/events";
import type { DockDb } from "./dock-db";
import { beginWrite, recordEvents, type BegunWrite, type ProjectionChange } from "./record-event";

/**
 * The one place the dock records: every slice (receiving, supervisor, jig, session) and the
 * jig journal drain stamp their events here (dock, operator, instant, clock offset), commit
 * them with their outbox rows and the projection rows they change in ONE IndexedDB
 * transaction (record-event.ts), and tell the sync client. Decisions are made before, in
 * shared/ (e.g. shared/domain/receipt-decision.ts); this only records them.
 */

export interface DockLogDeps {
  db: DockDb;
  dockId: string;
  now: () => number;
  /** The last measured server-minus-device clock offset, stamped on every event. */
  clockOffsetMs: () => number | null;
  /** Told after events are committed, with how many: the sync client pushes soon. */
  onRecorded: (events?: number) => void;
}

export interface RecordOptions {
  /**
   * "later": the caller tells sync itself with `notify` (a scan sounds its verdict first, then
   * the health bar and the verdict render together). Default "now".
   */
  notify?: "now" | "later";
  /** The write `begin` opened for these events before they were decided. */
  begun?: BegunWrite | null;
}

export class DockLog {
  constructor(private readonly deps: DockLogDeps) {}

  get dockId(): string {
    return this.deps.dockId;
  }

  get db(): DockDb {
    return this.deps.db;
  }

  clockOffsetMs(): number | null {
    return this.deps.clockOffsetMs();
  }

  /** Who records, where and when; `atMs` and `id` only to record at a known instant or re-create a known event. */
  stamp(operatorId: string, at: { atMs?: number; id?: string } = {}): Stamp {
    return { ...this.dockStamp(at), operatorId };
  }

  /** Where and when, for a decision that names the operator itself (sign-in, sign-out). */
  dockStamp(at: { atMs?: number; id?: string } = {}): Omit<Stamp, "operatorId"> {
    return {
      dockId: this.deps.dockId,
      now: new Date(at.atMs ?? this.deps.now()),
      clockOffsetMs: this.deps.clockOffsetMs(),
      ...(at.id === undefined ? {} : { id: at.id }),
    };
  }

  /** A validated event stamped by this dock for `operatorId`. */
  event<T extends DockEventType>(
    type: T,
    payload: PayloadOf<T>,
    operatorId: string,
    at: { atMs?: number; id?: string } = {},
  ): EventOf<T> {
    return makeEvent(type, payload, this.stamp(operatorId, at));
  }

  /**
   * Commits `events`, their outbox rows, the hub states they move and `change` (the receipt
   * row, stamped with the time of the write) in one transaction, then tells sync. Resolves
   * once committed; nothing to record is no write at all.
   */
  async record(
    events: readonly DockEvent[],
    change: ProjectionChange = {},
    options: RecordOptions = {},
  ): Promise<void> {
    if (events.length === 0 && change.receipt === undefined) return;
    const receipt = change.receipt === undefined ? {} : { receipt: { ...change.receipt, updatedAt: this.deps.now() } };
    await recordEvents(this.deps.db, events, receipt, { begun: options.begun ?? null });
    if (options.notify !== "later" && events.length > 0) this.notify(events.length);
  }

  /** Like `record`, leaving out events whose id the log already holds; resolves with how many were new. */
  async recordFresh(events: readonly DockEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const stored = await recordEvents(this.deps.db, events, {}, { skipLogged: true });
    if (stored > 0) this.notify(stored);
    return stored;
  }

  /**
   * Opens a scan's write before its decision, reading the rows of `hubIds` (record-event.ts,
   * `beginWrite`); pass it to `record` in the same task. Null when it cannot be opened early.
   */
  begin(hubIds: readonly string[]): BegunWrite | null {
    return beginWrite(this.deps.db, hubIds);
  }

  /** Tells the sync client that `events` more wait in the outbox. */
  notify(events?: number): void {
    this.deps.onRecorded(events);
  }
}
