import { EventEmitter } from "node:events";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";

/**
 * Server push to docks: a "poke" says "central recorded a change for your facility, pull now"
 * (the pull itself stays the one way data reaches a dock, so a lost poke loses nothing).
 *
 * recordChange (changes.ts) wakes every hub in this process through `changeWake`; the hub then
 * reads the `changes` rows past the last one it saw and pokes the subscribers of each facility
 * named (a change for every facility, facility null, pokes all). Reading the committed rows
 * rather than trusting the wake-up means a change whose transaction is still open (or rolls
 * back) pokes nobody too early, and a slow sweep (`sweepMs`) while anyone listens also sees
 * the changes other central processes recorded on the same database: with several processes
 * a dock is poked within about one sweep, and the dock's 5 s poll remains the fallback for
 * anything a poke misses (a stream that is down, a sequence number committed out of order).
 */
const changeWake = new EventEmitter();
changeWake.setMaxListeners(0);

/** A change was written to the pull feed (maybe not committed yet): hubs look at the feed soon. */
export function wakePokeHubs(): void {
  changeWake.emit("change");
}

export interface PokeHubOptions {
  /** How often the feed is read while any dock listens (changes from other processes). */
  sweepMs?: number;
  /** Delay between a wake-up and the read (lets the recording transaction commit). */
  wakeDelayMs?: number;
}

export class PokeHub {
  private readonly listeners = new Map<string, Set<() => void>>();
  private lastSeq: number | null = null;
  private reading = false;
  private readAgain = false;
  private wakeTimer: ReturnType<typeof setTimeout> | null = null;
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  private readonly sweepMs: number;
  private readonly wakeDelayMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    o: PokeHubOptions = {},
  ) {
    this.sweepMs = o.sweepMs ?? 1000;
    this.wakeDelayMs = o.wakeDelayMs ?? 20;
  }

  /** Calls `onPoke` whenever a change for `facilityId` (or for every facility) is committed; returns the unsubscribe. */
  subscribe(facilityId: string, onPoke: () => void): () => void {
    if (this.size() === 0) this.startWatching();
    let set = this.listeners.get(facilityId);
    if (!set) this.listeners.set(facilityId, (set = new Set()));
    set.add(onPoke);
    return () => {
      set.delete(onPoke);
      if (set.size === 0) this.listeners.delete(facilityId);
      if (this.size() === 0) this.stopWatching();
    };
  }

  /** Reads the feed past the last change seen and pokes; resolves when done (tests await it). */
  async read(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.readAgain = false;
        await this.readOnce();
      } while (this.readAgain);
    } finally {
      this.reading = false;
    }
  }

  private async readOnce(): Promise<void> {
    if (this.lastSeq === null) {
      this.lastSeq = await this.maxSeq();
      return;
    }
    const rows = await this.db
      .selectFrom("changes")
      .select(["seq", "facility_id"])
      .where("seq", ">", this.lastSeq)
      .orderBy("seq")
      .execute();
    if (rows.length === 0) return;
    this.lastSeq = Number(rows[rows.length - 1]!.seq);
    const facilities = new Set(rows.map((r) => r.facility_id));
    const poke = new Set<() => void>();
    for (const [facilityId, set] of this.listeners)
      if (facilities.has(null) || facilities.has(facilityId)) for (const f of set) poke.add(f);
    for (const f of poke) f();
  }

  private async maxSeq(): Promise<number> {
    const r = await this.db
      .selectFrom("changes")
      .select((eb) => eb.fn.max("seq").as("m"))
      .executeTakeFirst();
    return r?.m === null || r?.m === undefined ? 0 : Number(r.m);
  }

  private size(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  private readonly onWake = (): void => {
    if (this.wakeTimer !== null) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      void this.read().catch(() => undefined);
    }, this.wakeDelayMs);
  };

  private startWatching(): void {
    changeWake.on("change", this.onWake);
    this.sweepTimer = setInterval(() => void this.read().catch(() => undefined), this.sweepMs);
    this.sweepTimer.unref?.();
    // The feed's position now: what was recorded before a dock listened, it pulls on connecting.
    void this.read().catch(() => undefined);
  }

  private stopWatching(): void {
    changeWake.off("change", this.onWake);
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.sweepTimer = null;
    this.wakeTimer = null;
    this.lastSeq = null;
  }
}
