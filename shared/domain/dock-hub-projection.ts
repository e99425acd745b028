import type { DockEvent, ScanVerdictCode } from "../events";

/**
 * Where each hub stands at this dock, projected from the receiving scans in the event log.
 * This is the ONE rule for that projection: the live write (renderer/src/db/record-event.ts),
 * a rebuild from the log and every Dexie upgrade all call `nextHubRow`, so they cannot
 * disagree. (Before, the live write skipped duplicates and removed the row on any undo while
 * the v2 upgrade refused every scan not "expected": after an upgrade a duplicate scan turned a
 * received hub into "refused" and the jig station refused it.)
 *
 * A row keeps the live scans that set it, oldest first; its state is the newest one's. Undoing
 * a scan takes that scan out and the state falls back to the scans that remain, so undoing a
 * duplicate (which never set anything) leaves the hub it duplicated as it was.
 */

export type DockHubState = "received" | "refused";

/** One live scan that set a hub's state. */
export interface HubMark {
  eventId: string;
  bookingRef: string;
  state: DockHubState;
}

export interface DockHubRow {
  deviceId: string;
  /** The booking of the newest live scan that set the state. */
  bookingRef: string;
  state: DockHubState;
  lastEventId: string;
  /** Every live scan that set a state, oldest first (never empty). */
  marks: HubMark[];
}

/**
 * What a hub scan with this event-log verdict does to the hub: received, refused, or nothing.
 * A duplicate says nothing new; a wrong-kind scan (a hub before its carton), a GPF ID (the
 * hub's other ID, `wrong-device-type`) and an unreadable code name no hub of the booking.
 */
export function hubStateOfVerdict(verdict: ScanVerdictCode): DockHubState | null {
  switch (verdict) {
    case "expected":
      return "received";
    case "unexpected":
    case "other-booking":
    case "wrong-container":
    case "not-eligible":
    case "test-lab":
      return "refused";
    case "duplicate":
    case "wrong-device-type":
    case "unreadable":
    case "wrong-kind":
      return null;
  }
}

/**
 * The hub `event` moves, or null. A scan names its hub; an undo names the scan it undoes, and
 * `hubOfScan` says which hub that scan named (null when it named none).
 */
export function hubTouchedBy(event: DockEvent, hubOfScan: (scanEventId: string) => string | null): string | null {
  if (event.type === "scan.recorded") return event.payload.kind === "hub" ? event.payload.deviceId : null;
  if (event.type === "scan.undone") return hubOfScan(event.payload.scanEventId);
  return null;
}

/**
 * The hub's row after `event`: a new row, `null` when no live scan sets its state any more
 * (delete it), or `undefined` when the event does not change it (write nothing).
 */
export function nextHubRow(
  row: DockHubRow | undefined,
  deviceId: string,
  event: DockEvent,
): DockHubRow | null | undefined {
  if (event.type === "scan.recorded") {
    const p = event.payload;
    if (p.kind !== "hub" || p.deviceId !== deviceId) return undefined;
    const state = hubStateOfVerdict(p.verdict);
    if (state === null) return undefined;
    return rowOf(deviceId, [...marksOf(row), { eventId: event.id, bookingRef: p.bookingRef, state }]);
  }
  if (event.type === "scan.undone") {
    if (row === undefined) return undefined;
    const marks = marksOf(row);
    const left = marks.filter((m) => m.eventId !== event.payload.scanEventId);
    if (left.length === marks.length) return undefined;
    return left.length === 0 ? null : rowOf(deviceId, left);
  }
  return undefined;
}

/**
 * Folds a log into hub rows one event at a time, in recording order, keeping only the rows and
 * which hub each scan named (a rebuild streams a year's log through it without holding it).
 */
export function createHubProjector(): { apply(event: DockEvent): void; rows(): Map<string, DockHubRow> } {
  const rows = new Map<string, DockHubRow>();
  const hubOfScan = new Map<string, string>();
  return {
    apply(event) {
      if (event.type === "scan.recorded" && event.payload.kind === "hub" && event.payload.deviceId !== null)
        hubOfScan.set(event.id, event.payload.deviceId);
      const deviceId = hubTouchedBy(event, (id) => hubOfScan.get(id) ?? null);
      if (deviceId === null) return;
      const next = nextHubRow(rows.get(deviceId), deviceId, event);
      if (next === null) rows.delete(deviceId);
      else if (next !== undefined) rows.set(deviceId, next);
    },
    rows: () => rows,
  };
}

/** Every hub's row after the whole log, in recording order: the rebuild the upgrades run. */
export function projectHubs(events: Iterable<DockEvent>): Map<string, DockHubRow> {
  const projector = createHubProjector();
  for (const event of events) projector.apply(event);
  return projector.rows();
}

/** A row written before marks were kept stands for the one scan it names. */
function marksOf(row: DockHubRow | undefined): HubMark[] {
  if (row === undefined) return [];
  return Array.isArray(row.marks)
    ? row.marks
    : [{ eventId: row.lastEventId, bookingRef: row.bookingRef, state: row.state }];
}

function rowOf(deviceId: string, marks: HubMark[]): DockHubRow {
  const last = marks[marks.length - 1] as HubMark;
  return { deviceId, bookingRef: last.bookingRef, state: last.state, lastEventId: last.eventId, marks };
}
