import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";

export interface AuditEntry {
  deviceId: string;
  /** Operator id, `party:<id>`, `dcc:<id>` or `central` for derived actions. */
  actor: string;
  dockId: string | null;
  /** The facility the row belongs to: a dock's history of a hub shows only its own facility's rows. */
  facilityId: string | null;
  action: string;
  detail: Record<string, unknown>;
}

/** Appends audit rows (never updated or deleted), the whole list as one jsonb parameter; rows keep the list's order. */
export async function appendAudit(db: Kysely<Database>, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const json = JSON.stringify(
    entries.map((e) => ({
      device_id: e.deviceId,
      actor: e.actor,
      dock_id: e.dockId,
      facility_id: e.facilityId,
      action: e.action,
      detail: e.detail,
    })),
  );
  await sql`
    insert into audit (device_id, actor, dock_id, facility_id, action, detail)
    select device_id, actor, dock_id, facility_id, action, detail
    from jsonb_to_recordset(${json}::jsonb) as x(device_id text, actor text, dock_id text, facility_id text, action text, detail jsonb)`.execute(
    db,
  );
}

export interface HistoryEntry {
  source: "dock-event" | "central";
  action: string;
  actor: string;
  dockId: string | null;
  at: string;
  detail: unknown;
}

/** Everything done to a hub, oldest first: the dock's events about it and central's audit rows (optionally only one facility's, both). */
export async function hubHistory(db: Kysely<Database>, deviceId: string, facilityId?: string): Promise<HistoryEntry[]> {
  let ev = db
    .selectFrom("events")
    .select(["seq", "type", "operator_id", "dock_id", "occurred_at", "received_at", "payload"])
    .where("device_id", "=", deviceId);
  if (facilityId !== undefined) ev = ev.where("facility_id", "=", facilityId);
  const events = await ev.orderBy("seq").execute();
  let au = db.selectFrom("audit").selectAll().where("device_id", "=", deviceId);
  if (facilityId !== undefined) au = au.where("facility_id", "=", facilityId);
  const audit = await au.orderBy("seq").execute();
  const rows: Array<HistoryEntry & { t: number; order: number }> = [];
  for (const e of events) {
    const p = (e.payload as { payload?: Record<string, unknown> }).payload ?? {};
    const detail: Record<string, unknown> = { eventId: (e.payload as { id?: unknown }).id, recordedAt: e.occurred_at };
    for (const k of [
      "bookingRef",
      "verdict",
      "jigId",
      "slot",
      "outcome",
      "fromVersion",
      "toVersion",
      "disposition",
      "manual",
    ])
      if (k in p) detail[k] = p[k];
    const at = new Date(e.received_at);
    rows.push({
      source: "dock-event",
      action: e.type,
      actor: e.operator_id ?? "(unknown)",
      dockId: e.dock_id,
      at: at.toISOString(),
      detail,
      t: at.getTime(),
      order: e.seq,
    });
  }
  for (const a of audit) {
    const at = new Date(a.at);
    // Central's rows derived in the same transaction as an event sort after it.
    rows.push({
      source: "central",
      action: a.action,
      actor: a.actor,
      dockId: a.dock_id,
      at: at.toISOString(),
      detail: a.detail,
      t: at.getTime(),
      order: 1e12 + a.seq,
    });
  }
  rows.sort((x, y) => x.t - y.t || x.order - y.order);
  return rows.map(({ t: _t, order: _o, ...r }) => r);
}
