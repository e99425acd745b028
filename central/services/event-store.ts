import { CompiledQuery, sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { DockEvent } from "../../shared/events";
import { copyField, copyFromStdinSql, copyJsonField, CopyRows } from "../db/copy-in";
import { bookingOf, deviceOf, type DockIdentity } from "./event-subjects";

/**
 * Where admitted events are written: the `events` table, two ways. Bulk: one COPY fed slice by
 * slice, all rows or none (a key stored after all breaks it, and the batch goes again the
 * careful way). Careful: INSERT … ON CONFLICT DO NOTHING, reporting which ids went in.
 */

/** An admitted event with the JSON text stored and its SHA-256. */
export interface StoredEvent {
  event: DockEvent;
  hash: string;
  json: string;
}

export interface EventSink {
  /** Writes admitted events (may hold them until finish on the bulk way). */
  write(events: readonly StoredEvent[]): Promise<void>;
  /** Lookups must wait for this on the bulk way (the COPY holds the connection); a no-op on the careful way. */
  pause(): Promise<void>;
  /** True when the database already refused the writes: finish() will throw why. */
  readonly failed: boolean;
  finish(): Promise<void>;
  abort(reason: unknown): void;
  /** Whether an event written went in (false: a concurrent push of the same id won the race). */
  stored(id: string): boolean;
}

const EVENT_COLUMNS = [
  "id",
  "dock_id",
  "facility_id",
  "type",
  "operator_id",
  "occurred_at",
  "booking_ref",
  "device_id",
  "content_hash",
  "payload",
] as const;
const COPY_EVENTS = copyFromStdinSql("events", EVENT_COLUMNS);

/**
 * A COPY of event rows into `events` fed slice by slice. It holds the transaction's connection
 * from the first write to finish(), so lookups wait for pause(); abort() fails it so a rollback can run.
 */
export class CopySink implements EventSink {
  private rows: CopyRows | null = null;
  private running: Promise<unknown> | null = null;
  constructor(
    private readonly trx: Kysely<Database>,
    private readonly dock: DockIdentity,
  ) {}

  open(): void {
    if (this.rows !== null) return;
    const rows = new CopyRows();
    const running = this.trx.executeQuery(CompiledQuery.raw(COPY_EVENTS, [rows]));
    // Awaited in finish(); until then a failure (a key stored after all) must not go unhandled.
    running.catch(() => {});
    this.rows = rows;
    this.running = running;
  }

  write(events: readonly StoredEvent[]): Promise<void> {
    let text = "";
    for (const { event: e, hash, json } of events)
      text += `${copyField(e.id)}\t${copyField(e.dockId)}\t${copyField(this.dock.facilityId)}\t${e.type}\t${copyField(e.operatorId)}\t${copyField(e.at)}\t${copyField(bookingOf(e))}\t${copyField(deviceOf(e))}\t${hash}\t${copyJsonField(json)}\n`;
    if (text !== "") {
      this.open();
      this.rows?.push(text);
    }
    return Promise.resolve();
  }

  get failed(): boolean {
    return this.rows?.closed ?? false;
  }

  pause(): Promise<void> {
    return this.finish();
  }

  async finish(): Promise<void> {
    const { rows, running } = this;
    this.rows = null;
    this.running = null;
    if (rows === null) return;
    rows.end();
    await running;
  }

  abort(reason: unknown): void {
    this.rows?.fail(reason instanceof Error ? reason : new Error(String(reason)));
  }

  stored(): boolean {
    return true;
  }
}

/**
 * Careful: a concurrent push of the same id wins the race and this one reports a duplicate.
 * A slice travels as one json parameter and is unpacked by the server (json_to_recordset,
 * which keeps each payload's text as sent): far cheaper than ten placeholders a row.
 */
export class CarefulSink implements EventSink {
  private readonly inserted = new Set<string>();
  readonly failed = false;
  constructor(
    private readonly trx: Kysely<Database>,
    private readonly dock: DockIdentity,
  ) {}

  async write(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const f = JSON.stringify(this.dock.facilityId);
    const rows = events.map(
      ({ event: e, hash, json }) =>
        `{"id":${JSON.stringify(e.id)},"dock_id":${JSON.stringify(e.dockId)},"facility_id":${f},"type":${JSON.stringify(e.type)},"operator_id":${JSON.stringify(e.operatorId)},"occurred_at":${JSON.stringify(e.at)},"booking_ref":${JSON.stringify(bookingOf(e))},"device_id":${JSON.stringify(deviceOf(e))},"content_hash":"${hash}","payload":${json}}`,
    );
    const res = await sql<{ id: string }>`
      insert into events (id, dock_id, facility_id, type, operator_id, occurred_at, booking_ref, device_id, content_hash, payload)
      select id, dock_id, facility_id, type, operator_id, occurred_at, booking_ref, device_id, content_hash, payload
      from json_to_recordset(${`[${rows.join(",")}]`}::json) as x(id text, dock_id text, facility_id text, type text, operator_id text, occurred_at text, booking_ref text, device_id text, content_hash text, payload json)
      on conflict (id) do nothing
      returning id`.execute(this.trx);
    for (const r of res.rows) this.inserted.add(r.id);
  }

  pause(): Promise<void> {
    return Promise.resolve();
  }

  finish(): Promise<void> {
    return Promise.resolve();
  }

  abort(): void {}

  stored(id: string): boolean {
    return this.inserted.has(id);
  }
}

export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "23505";
}
