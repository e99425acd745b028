import type { DockBridge, JournalEntry } from "../../../shared/bridge/channels";
import { parseDockEvent, type DockEvent } from "../../../shared/events";
import type { DockLog } from "../db/dock-log";

/**
 * Moves the jig station's results from the host's journal into the dock's event log
 * (ARCHITECTURE.md, data flow 3): read `journal.pending`, store each `flash.result` /
 * `fault.reported` as a DockEvent whose id IS the journal item's id, through the dock log
 * (one transaction with its outbox entries, leaving out ids already logged), and only after that commit `journal.ack`. A
 * renderer that dies before the commit finds the items still pending; one that dies after
 * the commit but before the ack stores nothing twice (the ids are already in the log) and
 * just acks again. The events then reach central through the outbox like any other.
 */

export const DRAINED_KINDS = ["flash.result", "fault.reported"] as const;

export interface DrainContext {
  dockId: string;
  /** Who the event is stamped with: the operator who loaded the hub, else whoever is signed in; null waits. */
  operatorFor(deviceId: string): string | null;
  clockOffsetMs(): number | null;
}

export interface DrainResult {
  /** Events newly written to the log. */
  stored: number;
  /** Ids acknowledged to the host (stored now or found stored already). */
  acked: number;
  /** Entries left pending, with why (no operator yet, an entry that is not a valid event). */
  problems: string[];
}

/** The DockEvent a journal entry becomes, or why it cannot. */
export function journalEntryToEvent(
  entry: JournalEntry,
  ctx: DrainContext,
): { ok: true; event: DockEvent } | { ok: false; reason: string } {
  const payload = entry.payload as { deviceId?: unknown } | null;
  const deviceId = typeof payload?.deviceId === "string" ? payload.deviceId : "";
  const operatorId = ctx.operatorFor(deviceId);
  if (operatorId === null) return { ok: false, reason: `${entry.kind} ${entry.id} waits for an operator to sign in` };
  const parsed = parseDockEvent({
    id: entry.id,
    type: entry.kind,
    dockId: ctx.dockId,
    operatorId,
    at: entry.recordedAt,
    clockOffsetMs: ctx.clockOffsetMs(),
    payload: entry.payload,
  });
  return parsed.ok ? parsed : { ok: false, reason: `${entry.kind} ${entry.id} is not a valid event: ${parsed.reason}` };
}

/** One pass over the host's pending journal; never acks an entry before its event is committed. */
export async function drainJournal(bridge: DockBridge, log: DockLog, ctx: DrainContext): Promise<DrainResult> {
  const { entries } = await bridge.invoke("journal.pending", { limit: 500 });
  const problems: string[] = [];
  const events: DockEvent[] = [];
  for (const entry of entries) {
    if (!(DRAINED_KINDS as readonly string[]).includes(entry.kind)) continue;
    const r = journalEntryToEvent(entry, ctx);
    if (r.ok) events.push(r.event);
    else problems.push(r.reason);
  }
  if (events.length === 0) return { stored: 0, acked: 0, problems };
  // One transaction checks which ids are already logged and stores the rest with their outbox rows.
  const stored = await log.recordFresh(events);
  // The transaction has committed: the host may forget these now.
  const ids = events.map((e) => e.id);
  for (let i = 0; i < ids.length; i += 500) await bridge.invoke("journal.ack", { ids: ids.slice(i, i + 500) });
  return { stored, acked: ids.length, problems };
}
