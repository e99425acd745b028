import { z } from "zod";
import { DEFAULT_SITE_TIME_ZONE, formatSiteDateTime, wallTime } from "./site-clock";

/**
 * The unsent-event alarm at the dock (issue 21): the operator is told, on every screen, when the
 * oldest event in the outbox has not moved for a configured time. "Not moved" is meant exactly:
 * the same event has stayed the oldest unsent one for the whole threshold (a dock that keeps
 * sending, however far behind, never raises it; a dock whose oldest event is stuck does, even
 * while newer events still trickle out behind it through quarantine or retries). Two pure steps:
 * `watchOldestUnsent` keeps when the oldest unsent event last changed, `decideUnsentAlarm` says
 * whether to raise the alarm and in which words.
 */

/** Ten minutes: long enough for a network blip or a central restart, short enough to act within the shift. */
export const DEFAULT_UNSENT_ALARM_MS = 10 * 60_000;
/** The shortest threshold a site may set (tests use a few seconds); the longest is a day. */
export const MIN_UNSENT_ALARM_MS = 1000;
export const MAX_UNSENT_ALARM_MS = 24 * 3600_000;

/** The configured threshold, in milliseconds, as crossing the host bridge or a settings file. */
export const UnsentAlarmMsSchema = z
  .number()
  .int("the unsent-event alarm threshold is a whole number of milliseconds")
  .min(MIN_UNSENT_ALARM_MS, "the unsent-event alarm threshold is at least one second")
  .max(MAX_UNSENT_ALARM_MS, "the unsent-event alarm threshold is at most a day");

/** What the sync client reports about its outbox (a subset of its SyncHealth). */
export interface OutboxObservation {
  unsent: number;
  /** The oldest unsent event's id, when known (null just after recording, before the outbox was read back). */
  oldestUnsentId: string | null;
  /** Dock time the oldest unsent event was queued. */
  oldestUnsentAt: number | null;
}

/** Which event was the oldest unsent one, and since when (dock time) it has been seen as the oldest. */
export interface OldestUnsentWatch {
  id: string | null;
  at: number;
  since: number;
}

/**
 * The watch after observing the outbox at `now`: none when nothing is unsent; kept as it was
 * while the oldest unsent event is the same one; restarted at `now` when it changed (sent,
 * quarantined, or a different event became the oldest). An id learned for the event already
 * watched (same queue time, id unknown before) is the same event: the watch keeps its start.
 * An observation with no id (the sync client's estimate right after recording, before it read
 * its outbox back) is no evidence that the watched event moved: the watch is kept as it was.
 * Kept across a page reload (the renderer stores it), a watch goes on from where it was when
 * the same event is still the oldest; a fresh watch starts at its first observation, so it
 * never claims a stall longer than was seen.
 */
export function watchOldestUnsent(
  prev: OldestUnsentWatch | null,
  o: OutboxObservation,
  now: number,
): OldestUnsentWatch | null {
  if (o.unsent <= 0 || o.oldestUnsentAt === null) return null;
  if (prev !== null && prev.id !== null && o.oldestUnsentId === null) return prev;
  if (prev !== null && prev.at === o.oldestUnsentAt && (prev.id === o.oldestUnsentId || prev.id === null)) {
    return prev.id === o.oldestUnsentId ? prev : { ...prev, id: o.oldestUnsentId };
  }
  return { id: o.oldestUnsentId, at: o.oldestUnsentAt, since: now };
}

/** A watch as stored between page loads (localStorage): anything else is dropped. */
export const OldestUnsentWatchSchema = z.strictObject({
  id: z.string().min(1).max(200).nullable(),
  at: z.number().int().nonnegative(),
  since: z.number().int().nonnegative(),
});

/** A stored watch read back; null when absent, unreadable or not a watch (never throws). */
export function parseOldestUnsentWatch(text: string | null): OldestUnsentWatch | null {
  if (text === null) return null;
  try {
    const parsed = OldestUnsentWatchSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface UnsentAlarmInput extends OutboxObservation {
  watch: OldestUnsentWatch | null;
  /** Dock time of the last round that reached central, if any. */
  lastSuccessAt: number | null;
  now: number;
  thresholdMs: number;
  timeZone?: string;
}

export type UnsentAlarm = { raised: false } | { raised: true; stalledMs: number; message: string };

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 1) return `${Math.max(1, Math.floor(ms / 1000))} s`;
  if (m < 120) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "14:05" on the same site day as `now`, else "03/12/2026, 14:05". */
function clock(at: number, now: number, tz: string): string {
  const w = wallTime(new Date(at), tz);
  return w.date === wallTime(new Date(now), tz).date ? w.time : formatSiteDateTime(new Date(at), tz);
}

/**
 * Raised when the oldest unsent event has stayed the same for at least `thresholdMs`, with the
 * words for the operator: how many events wait, since when, what to check, and that nothing is
 * lost. Not raised when nothing is unsent, when the watch is of another event than the one now
 * oldest (the watch is behind: the event moved), or before the threshold.
 */
export function decideUnsentAlarm(i: UnsentAlarmInput): UnsentAlarm {
  const w = i.watch;
  if (i.unsent <= 0 || i.oldestUnsentAt === null || w === null || w.at !== i.oldestUnsentAt) return { raised: false };
  if (w.id !== null && i.oldestUnsentId !== null && w.id !== i.oldestUnsentId) return { raised: false };
  const stalledMs = i.now - w.since;
  if (stalledMs < i.thresholdMs) return { raised: false };
  const tz = i.timeZone ?? DEFAULT_SITE_TIME_ZONE;
  const n = i.unsent === 1 ? "1 event" : `${i.unsent} events`;
  const contact =
    i.lastSuccessAt === null
      ? "This dock has not reached central since it started."
      : `Last contact with central: ${clock(i.lastSuccessAt, i.now, tz)}.`;
  const message =
    `${n} recorded since ${clock(i.oldestUnsentAt, i.now, tz)} ${i.unsent === 1 ? "has" : "have"} not reached central ` +
    `(nothing has moved for ${minutes(stalledMs)}). ${contact} Check this PC's network cable and that central is running, ` +
    `or call IT. Nothing is lost: the events stay on this dock and are sent as soon as central answers.`;
  return { raised: true, stalledMs, message };
}
