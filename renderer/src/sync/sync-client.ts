import { parseDockEvent } from "../../../shared/events";
import {
  clockOffsetMs,
  ErrorBodySchema,
  MAX_PUSH_BATCH,
  PullResponseSchema,
  PushResponseSchema,
  type PullResponse,
} from "../../../shared/sync";
import type { DockDb, OutboxRow } from "../db/dock-db";
import { CLOCK_OFFSET, LAST_SYNC_SUCCESS, readMeta, SYNC_CURSOR, writeMeta } from "../db/dock-meta";
import { mergeAmendments, mergeFirmware, mergeOperators } from "../db/dock-records";
import { substantiveChanges } from "../../../shared/domain/booking-amendment";

/**
 * The dock's side of sync: push the outbox in batches (idempotent by event id, so a retry
 * after a lost answer is harmless), pull bookings by cursor, and measure the clock offset
 * from every answer's server time. Failures back off exponentially with full jitter so a
 * dock fleet coming back online does not stampede central. A single refused event is
 * quarantined with central's reason and the rest keep flowing.
 */

export interface SyncHealth {
  /** The last request reached central (or none was tried yet and the browser says online). */
  online: boolean;
  lastSuccessAt: number | null;
  lastAttemptAt: number | null;
  unsent: number;
  /** Device time the oldest unsent event was queued; its age is what the operator must see. */
  oldestUnsentAt: number | null;
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
  onHealth?: (h: SyncHealth) => void;
  /** A round stored bookings central sent (new or amended): the cached list should be reloaded. */
  onBookingsStored?: () => void;
}

export class SyncHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`central answered ${status}: ${reason}`);
    this.name = "SyncHttpError";
  }
}

/** A measured clock offset moving less than this is not stored again (round trips jitter it by a few ms). */
const CLOCK_STORE_STEP_MS = 250;

/** Delay before retry number `attempt` (1-based): exponential, capped, with full jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half random: never zero (no hot loop), never in lockstep with other docks.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class SyncClient {
  private readonly o: Required<Omit<SyncClientOptions, "onHealth" | "onBookingsStored" | "token">> & Pick<SyncClientOptions, "onHealth" | "onBookingsStored" | "token">;
  private health: SyncHealth = {
    online: true,
    lastSuccessAt: null,
    lastAttemptAt: null,
    unsent: 0,
    oldestUnsentAt: null,
    quarantined: 0,
    quarantine: [],
    lastError: null,
    consecutiveFailures: 0,
    clockOffsetMs: null,
    driftFlagged: false,
    conflicts: [],
  };
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the pending timer fires (wall clock): a kick rides on a timer due within kickDelayMs. */
  private timerDueAt = 0;
  /** A sync round is under way: at most one at a time (a kick meanwhile asks for another after it). */
  private inFlight = false;
  private kickedMeanwhile = false;
  /**
   * Open receipts with a pending amendment. Finding them reads every open receipt row (each
   * holds its whole booking), too heavy for every round of a scanner burst, so it is redone
   * only when a pull stored an amendment, a pushed event may have settled one (anything but
   * a scan or undo), or the last look is older than `intervalMs`.
   */
  private conflictsStale = true;
  private conflictsAt = 0;
  /** Central's cursor as last stored here (this client is its only writer); null until read. */
  private cursor: string | null = null;
  /** The clock offset and last success as last stored, so a round rewrites them only when they move. */
  private storedOffset: number | null = null;
  private storedSuccessAt = 0;
  /** This round's pulls stored at least one booking. */
  private bookingsStored = false;
  private running = false;
  private batchSize: number;

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
    this.batchSize = Math.min(this.o.batchSize, MAX_PUSH_BATCH);
  }

  /** The current health, as last reported. */
  getHealth(): SyncHealth {
    return this.health;
  }

  /** One full round: push everything pushable, then pull until central has no more. Throws on failure. */
  async syncOnce(): Promise<void> {
    this.health = { ...this.health, lastAttemptAt: this.o.now() };
    this.bookingsStored = false;
    try {
      while (await this.pushBatch()) {
        /* keep pushing while whole batches go through */
      }
      await this.pullAll();
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
      this.health = { ...this.health, online: !(e instanceof TypeError), lastError: message, consecutiveFailures: this.health.consecutiveFailures + 1 };
      throw e;
    } finally {
      if (this.bookingsStored) this.o.onBookingsStored?.();
      await this.refreshCounts();
    }
  }

  /** Starts the background loop: sync every `intervalMs`, backing off after failures. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (typeof window !== "undefined") window.addEventListener("online", this.onOnline);
    this.schedule(0);
  }

  /** Stops the loop (pending requests finish, no new ones start). */
  stop(): void {
    this.running = false;
    if (typeof window !== "undefined") window.removeEventListener("online", this.onOnline);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
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
      const oldestUnsentAt = this.health.unsent > 0 ? this.health.oldestUnsentAt : this.o.now();
      this.health = { ...this.health, unsent: this.health.unsent + events, oldestUnsentAt };
      this.o.onHealth?.(this.health);
    }
    this.kick();
  }

  /**
   * Asks for a sync soon (events were recorded, or the browser came online). A scanner
   * burst kicks 20 times a second and each round is a push, an outbox delete, a pull and a
   * recount competing with the scans' own IndexedDB commits, so kicks within `kickDelayMs`
   * share one round, and a kick during a round asks for one more round after it.
   */
  kick(): void {
    if (!this.running) return;
    if (this.inFlight) {
      this.kickedMeanwhile = true;
      return;
    }
    // While central is failing, new events wait for the backoff's retry: a burst offline
    // must not turn every scan window into a failed round (which also rewrites the outbox
    // rows' attempt counts). The browser coming online retries at once (onOnline).
    if (this.timer !== null && (this.health.consecutiveFailures > 0 || this.timerDueAt <= Date.now() + this.o.kickDelayMs)) return;
    this.schedule(this.o.kickDelayMs);
  }

  /** The browser says the network is back: retry now, whatever the backoff said. */
  private readonly onOnline = (): void => {
    if (!this.running) return;
    if (this.inFlight) this.kickedMeanwhile = true;
    else this.schedule(0);
  };

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
    // conflict look reads whole receipt rows (each holds its booking, thousands of hubs): it
    // gets a transaction of its own on receipts alone, which no scan's commit waits for.
    const [[unsent, oldest, quarantined, recentQuarantine], conflicts] = await Promise.all([
      this.db.transaction("r", [this.db.outbox, this.db.quarantine], () =>
        Promise.all([this.db.outbox.count(), this.db.outbox.orderBy("seq").first(), this.db.quarantine.count(), this.db.quarantine.reverse().limit(5).toArray()]),
      ),
      lookAtConflicts ? this.db.receipts.where("status").equals("open").filter((r) => r.amendment !== null).primaryKeys() : Promise.resolve(this.health.conflicts),
    ]);
    const quarantine = recentQuarantine.map((q) => ({ id: q.id, what: describeQuarantined(q.event), reason: q.reason }));
    this.health = { ...this.health, unsent, oldestUnsentAt: oldest?.enqueuedAt ?? null, quarantined, quarantine, conflicts };
    this.o.onHealth?.(this.health);
    return this.health;
  }

  private schedule(delay: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerDueAt = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inFlight = true;
      this.kickedMeanwhile = false;
      const after = (ok: boolean) => {
        this.inFlight = false;
        if (!this.running) return;
        const backoff = backoffDelay(this.health.consecutiveFailures, this.o.baseDelayMs, this.o.maxDelayMs, this.o.random);
        // Events recorded during the round go out in the next one (after a failure, not before the backoff).
        if (this.kickedMeanwhile && ok) this.schedule(this.o.kickDelayMs);
        else this.schedule(ok ? this.o.intervalMs : backoff);
      };
      void this.syncOnce().then(
        () => after(true),
        () => after(false),
      );
    }, delay);
  }

  /** Pushes one batch; true when there may be more to push. */
  private async pushBatch(): Promise<boolean> {
    const [rows, events] = await this.db.transaction("r", [this.db.outbox, this.db.events], async () => {
      const rows = await this.db.outbox.orderBy("seq").limit(this.batchSize).toArray();
      return [rows, rows.length === 0 ? [] : await this.db.events.where("id").anyOf(rows.map((r) => r.id)).toArray()] as const;
    });
    if (rows.length === 0) return false;
    const byId = new Map(events.map((e) => [e.id, e.event]));
    const batch = rows.map((r) => byId.get(r.id) ?? null);
    if (batch.some((e) => e === null || (e.type !== "scan.recorded" && e.type !== "scan.undone"))) this.conflictsStale = true;
    const sent = this.o.now();
    let answer: unknown;
    try {
      answer = await this.request(this.o.pushPath, { events: batch });
    } catch (e) {
      if (e instanceof SyncHttpError && e.status === 400) {
        // Central refused the batch as a whole: split it until the poisoned event is alone.
        if (rows.length > 1) {
          this.batchSize = Math.max(1, Math.floor(rows.length / 2));
          return true;
        }
        const only = rows[0] as OutboxRow;
        await this.quarantine(only.id, e.reason);
        this.batchSize = Math.min(this.o.batchSize, MAX_PUSH_BATCH);
        return true;
      }
      await this.noteAttempt(rows, e);
      throw e;
    }
    const parsed = PushResponseSchema.safeParse(answer);
    if (!parsed.success) throw new Error(`central's push answer was not understood: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    this.noteClock(sent, parsed.data.serverTime);
    const done: string[] = [];
    for (const r of parsed.data.results) {
      const row = rows[r.index];
      if (row === undefined) continue;
      if (r.status === "rejected") await this.quarantine(row.id, r.reason);
      else done.push(row.id);
    }
    await this.db.outbox.bulkDelete(done);
    this.batchSize = Math.min(this.o.batchSize, MAX_PUSH_BATCH);
    return rows.length > 0;
  }

  private async quarantine(id: string, reason: string): Promise<void> {
    await this.db.transaction("rw", [this.db.outbox, this.db.quarantine, this.db.events], async () => {
      const row = await this.db.events.where("id").equals(id).first();
      const event = row?.event;
      if (event !== undefined) await this.db.quarantine.put({ id, event, reason, quarantinedAt: this.o.now() });
      await this.db.outbox.delete(id);
    });
  }

  private async noteAttempt(rows: OutboxRow[], e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    await this.db.outbox.bulkPut(rows.map((r) => ({ ...r, attempts: r.attempts + 1, lastError: message })));
  }

  private async pullAll(): Promise<void> {
    for (let page = 0; page < 1000; page++) {
      this.cursor ??= (await readMeta(this.db, SYNC_CURSOR)) ?? "0";
      const cursor = this.cursor;
      const sent = this.o.now();
      const parsed = PullResponseSchema.safeParse(await this.request(this.o.pullPath, { cursor }));
      if (!parsed.success) throw new Error(`central's pull answer was not understood: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? ""}`);
      this.noteClock(sent, parsed.data.serverTime);
      await this.applyPull(parsed.data);
      if (!parsed.data.more) return;
    }
  }

  /** Stores pulled bookings; an amendment to a booking whose receipt is open waits for the operator. */
  private async applyPull(pull: PullResponse): Promise<void> {
    const now = this.o.now();
    // Most rounds of a scanning session pull nothing new: then there is nothing to write.
    const nothing = pull.bookings.length === 0 && pull.operators.length === 0 && pull.redeliveryAmendments.length === 0 && pull.firmware.length === 0;
    if (nothing && pull.cursor === this.cursor) return;
    await this.db.transaction("rw", [this.db.bookings, this.db.receipts, this.db.meta, this.db.operators, this.db.amendments, this.db.firmware], async () => {
      for (const booking of pull.bookings) {
        const current = await this.db.bookings.get(booking.bookingRef);
        if (current !== undefined && current.version > booking.version) continue;
        await this.db.bookings.put({ bookingRef: booking.bookingRef, version: booking.version, booking, pulledAt: now });
        this.bookingsStored = true;
        const receipt = await this.db.receipts.get(booking.bookingRef);
        if (receipt !== undefined && receipt.status === "open" && booking.version > receipt.booking.version && substantiveChanges(receipt.booking, booking).length > 0) {
          await this.db.receipts.put({ ...receipt, amendment: booking, updatedAt: now });
          this.conflictsStale = true;
        }
      }
      await writeMeta(this.db, SYNC_CURSOR, pull.cursor);
      // Pages carry only what changed since the cursor: merge operators by id, amendments by
      // booking and version, catalogue entries by model and version (a withdrawal replaces the entry).
      await mergeOperators(this.db, pull.operators);
      await mergeAmendments(this.db, pull.redeliveryAmendments);
      await mergeFirmware(this.db, pull.firmware);
    });
    this.cursor = pull.cursor;
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

  private async request(path: string, body: unknown): Promise<unknown> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.o.token !== null && this.o.token !== undefined) headers.authorization = `Bearer ${this.o.token}`;
    const res = await this.o.fetch(new URL(path, this.o.baseUrl).toString(), { method: "POST", headers, body: JSON.stringify(body) });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    if (!res.ok) {
      const err = ErrorBodySchema.safeParse(json);
      throw new SyncHttpError(res.status, err.success ? `${err.data.error}: ${err.data.reason}` : text.slice(0, 200) || res.statusText);
    }
    return json;
  }
}

/** Parses a quarantined event back for display; never throws. */
export function describeQuarantined(event: unknown): string {
  const r = parseDockEvent(event);
  return r.ok ? `${r.event.type} at ${r.event.at}` : `unreadable event (${r.reason})`;
}
