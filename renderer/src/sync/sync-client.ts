import { parseDockEvent } from "../../../shared/events";
import { clockOffsetMs } from "../../../shared/sync";
import { openReceiptConflicts, type DockDb } from "../db/dock-db";
import { SyncHttpError, type CentralTarget } from "./central-request";
import { BookingPuller, type PullOutcome } from "./sync-pull";
import { OutboxPusher } from "./sync-push";
import { CLOCK_OFFSET, LAST_SYNC_SUCCESS, readMeta, writeMeta } from "../db/dock-meta";
import { SyncScheduler } from "./sync-scheduler";
import { PokeStream } from "./poke-stream";

export { SyncHttpError } from "./central-request";
export { backoffDelay, retryDelay } from "./sync-scheduler";

/**
 * The dock's side of sync, and its health: push the outbox (sync-push.ts), pull what central
 * changed (sync-pull.ts), on the schedule of sync-scheduler.ts, and measure the clock offset
 * from every answer's server time. A single refused event is quarantined with central's
 * reason, and the rest keep flowing.
 */

export interface SyncHealth {
  /** The last request reached central (or none was tried yet and the browser says online). */
  online: boolean;
  lastSuccessAt: number | null;
  lastAttemptAt: number | null;
  unsent: number;
  /** Device time the oldest unsent event was queued; its age is what the operator must see. */
  oldestUnsentAt: number | null;
  /** The oldest unsent event's id (null until the outbox is read back): the unsent-event alarm watches it move. */
  oldestUnsentId: string | null;
  quarantined: number;
  /** The most recent refused events with central's reason (never retried as they are). */
  quarantine: Array<{ id: string; what: string; reason: string }>;
  lastError: string | null;
  consecutiveFailures: number;
  clockOffsetMs: number | null;
  /** |offset| beyond the limit: the liability instant and every event time are suspect. */
  driftFlagged: boolean;
  /** Bookings amended centrally while their receipt is open here. */
  conflicts: string[];
}

export interface SyncClientOptions {
  baseUrl: string;
  /** The dock's device token (central authenticates each dock); null in tests that need none. */
  token: string | null;
  fetch: typeof fetch;
  now?: () => number;
  random?: () => number;
  batchSize?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  intervalMs?: number;
  /** Kicks (one per recorded scan) within this window coalesce into one sync round. */
  kickDelayMs?: number;
  driftLimitMs?: number;
  pullPath?: string;
  pushPath?: string;
  /** Central's change-poke stream (GET /sync/poke): a pull at once on each poke; null: poll only. */
  pokePath?: string | null;
  onHealth?: (h: SyncHealth) => void;
  /** A round stored bookings central sent (new or amended): the cached list should be reloaded. */
  onBookingsStored?: () => void;
  /** Called after a round that stored operators (or the dock's first pull): sign-in can check them. */
  onOperatorsStored?: () => void;
}

/** A measured clock offset moving less than this is not stored again (round trips jitter it by a few ms). */
const CLOCK_STORE_STEP_MS = 250;

export class SyncClient {
  private readonly o: Required<
    Omit<SyncClientOptions, "onHealth" | "onBookingsStored" | "onOperatorsStored" | "token" | "pokePath">
  > &
    Pick<SyncClientOptions, "onHealth" | "onBookingsStored" | "onOperatorsStored" | "token" | "pokePath">;
  private health: SyncHealth = {
    online: true,
    lastSuccessAt: null,
    lastAttemptAt: null,
    unsent: 0,
    oldestUnsentAt: null,
    oldestUnsentId: null,
    quarantined: 0,
    quarantine: [],
    lastError: null,
    consecutiveFailures: 0,
    clockOffsetMs: null,
    driftFlagged: false,
    conflicts: [],
  };
  private readonly pusher: OutboxPusher;
  private readonly puller: BookingPuller;
  private readonly scheduler: SyncScheduler;
  private readonly pokes: PokeStream | null;
  /**
   * Open receipts with a pending amendment. Finding them reads every open receipt row (each
   * holds its whole booking), too heavy for every round of a scanner burst, so it is redone
   * only when a pull stored an amendment, a pushed event may have settled one (anything but
   * a scan or undo), or the last look is older than `intervalMs`.
   */
  private conflictsStale = true;
  private conflictsAt = 0;
  /** The clock offset and last success as last stored, so a round rewrites them only when they move. */
  private storedOffset: number | null = null;
  private storedSuccessAt = 0;
  /** Central's Retry-After on the last failed round (a 429 or 503), honoured by the scheduler. */
  private retryAfterMs: number | null = null;

  constructor(
    private readonly db: DockDb,
    options: SyncClientOptions,
  ) {
    this.o = {
      now: Date.now,
      random: Math.random,
      batchSize: 200,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      intervalMs: 5000,
      // A dock's scans reach central within a second of each other; every round's reads and
      // outbox delete compete with the scans' own commits, so a busy dock pays for 1 a second, not 4.
      kickDelayMs: 1000,
      driftLimitMs: 5000,
      pullPath: "/sync/pull",
      pushPath: "/sync/push",
      ...options,
    };
    const target: CentralTarget = { baseUrl: this.o.baseUrl, token: this.o.token, fetch: this.o.fetch };
    const onServerTime = (sent: number, serverTime: string) => this.noteClock(sent, serverTime);
    this.pusher = new OutboxPusher(db, {
      target,
      path: this.o.pushPath,
      batchSize: this.o.batchSize,
      now: this.o.now,
      onServerTime,
      onSettling: () => {
        this.conflictsStale = true;
      },
    });
    this.puller = new BookingPuller(db, { target, path: this.o.pullPath, now: this.o.now, onServerTime });
    this.scheduler = new SyncScheduler(() => this.syncOnce(), {
      intervalMs: this.o.intervalMs,
      kickDelayMs: this.o.kickDelayMs,
      baseDelayMs: this.o.baseDelayMs,
      maxDelayMs: this.o.maxDelayMs,
      random: this.o.random,
      failures: () => this.health.consecutiveFailures,
      retryAfterMs: () => this.retryAfterMs,
    });
    const pokePath = this.o.pokePath ?? null;
    this.pokes =
      pokePath === null
        ? null
        : new PokeStream({
            target,
            path: pokePath,
            onPoke: () => this.scheduler.poked(),
            baseDelayMs: this.o.baseDelayMs,
            maxDelayMs: this.o.maxDelayMs,
            random: this.o.random,
          });
  }

  /** The current health, as last reported. */
  getHealth(): SyncHealth {
    return this.health;
  }

  /** One full round: push everything pushable, then pull until central has no more. Throws on failure. */
  async syncOnce(): Promise<void> {
    this.health = { ...this.health, lastAttemptAt: this.o.now() };
    const pulled: PullOutcome = { bookingsStored: false, conflictsChanged: false };
    try {
      await this.pusher.pushAll();
      await this.puller.pullAll(pulled);
      const at = this.o.now();
      this.health = { ...this.health, online: true, lastSuccessAt: at, lastError: null, consecutiveFailures: 0 };
      // Stored for the health bar after a reload, at most once an interval: that is precise
      // enough for "last sync: 40 s ago", and a scanner burst's rounds (four a second) need not each write it.
      if (at - this.storedSuccessAt >= this.o.intervalMs) {
        await writeMeta(this.db, LAST_SYNC_SUCCESS, at);
        this.storedSuccessAt = at;
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.retryAfterMs = e instanceof SyncHttpError ? e.retryAfterMs : null;
      this.health = {
        ...this.health,
        online: !(e instanceof TypeError),
        lastError: message,
        consecutiveFailures: this.health.consecutiveFailures + 1,
      };
      throw e;
    } finally {
      if (pulled.conflictsChanged) this.conflictsStale = true;
      if (pulled.bookingsStored) this.o.onBookingsStored?.();
      if (pulled.operatorsStored) this.o.onOperatorsStored?.();
      await this.refreshCounts();
    }
  }

  /** Starts the background loop: sync every `intervalMs`, backing off after failures, and at once on central's pokes. */
  start(): void {
    this.scheduler.start();
    this.pokes?.start();
  }

  /** Stops the loop (pending requests finish, no new ones start) and closes the poke stream. */
  stop(): void {
    this.scheduler.stop();
    this.pokes?.stop();
  }

  /**
   * `events` new events were committed to the log and outbox: count them as unsent at once
   * (the health bar must never say "unsent: 0" while a recorded event waits for the
   * debounced push) and ask for a round. The count is kept here rather than re-read from
   * the outbox on every scan (two reads per scan competing with the scans' own commits);
   * every round ends by reading the exact figures back (refreshCounts).
   */
  recorded(events = 1): void {
    if (events > 0) {
      const waiting = this.health.unsent > 0;
      const oldestUnsentAt = waiting ? this.health.oldestUnsentAt : this.o.now();
      const oldestUnsentId = waiting ? this.health.oldestUnsentId : null;
      this.health = { ...this.health, unsent: this.health.unsent + events, oldestUnsentAt, oldestUnsentId };
      this.o.onHealth?.(this.health);
    }
    this.kick();
  }

  /** Asks for a sync soon (events were recorded, or the browser came online); see SyncScheduler.kick. */
  kick(): void {
    this.scheduler.kick();
  }

  /** Re-reads outbox and quarantine counts for the health panel. */
  async refreshCounts(): Promise<SyncHealth> {
    if (this.health.lastSuccessAt === null) {
      // After a reload, "last success" is the one stored, not "never".
      const stored = await readMeta(this.db, LAST_SYNC_SUCCESS);
      if (typeof stored === "number") this.health = { ...this.health, lastSuccessAt: stored };
    }
    const now = Date.now();
    const lookAtConflicts = this.conflictsStale || now - this.conflictsAt >= this.o.intervalMs;
    if (lookAtConflicts) {
      this.conflictsStale = false;
      this.conflictsAt = now;
    }
    // The outbox and quarantine figures in one read transaction (not one each), so a round's
    // recount holds up a scan's commit (which writes the outbox) once, and briefly. The
    // conflict look reads the keys of an index on receipts, no row (each holds its booking,
    // thousands of hubs), in a transaction of its own, which no scan's commit waits for.
    const [[unsent, oldest, quarantined, recentQuarantine], conflicts] = await Promise.all([
      this.db.transaction("r", [this.db.outbox, this.db.quarantine], () =>
        Promise.all([
          this.db.outbox.count(),
          this.db.outbox.orderBy("seq").first(),
          this.db.quarantine.count(),
          this.db.quarantine.reverse().limit(5).toArray(),
        ]),
      ),
      lookAtConflicts ? openReceiptConflicts(this.db) : Promise.resolve(this.health.conflicts),
    ]);
    const quarantine = recentQuarantine.map((q) => ({
      id: q.id,
      what: describeQuarantined(q.event),
      reason: q.reason,
    }));
    this.health = {
      ...this.health,
      unsent,
      oldestUnsentAt: oldest?.enqueuedAt ?? null,
      oldestUnsentId: oldest?.id ?? null,
      quarantined,
      quarantine,
      conflicts,
    };
    this.o.onHealth?.(this.health);
    return this.health;
  }

  private noteClock(sentMs: number, serverTime: string): void {
    const offset = clockOffsetMs(sentMs, this.o.now(), serverTime);
    if (offset === null) return;
    this.health = { ...this.health, clockOffsetMs: offset, driftFlagged: Math.abs(offset) > this.o.driftLimitMs };
    // Stored for the next start-up (events are stamped before the first answer); every answer
    // measures it again, so it is rewritten only when it has moved, not twice a round.
    if (this.storedOffset !== null && Math.abs(offset - this.storedOffset) < CLOCK_STORE_STEP_MS) return;
    this.storedOffset = offset;
    void writeMeta(this.db, CLOCK_OFFSET, offset).catch(() => undefined);
  }
}

/** Parses a quarantined event back for display; never throws. */
export function describeQuarantined(event: unknown): string {
  const r = parseDockEvent(event);
  return r.ok ? `${r.event.type} at ${r.event.at}` : `unreadable event (${r.reason})`;
}
