import type { DockDb, EventRow } from "../db/dock-db";
import type { JigFaultLine } from "../store/slice-types";

/**
 * What the jig station asks of this dock's log, kept as the log grows: each hub's last good
 * flash, its Fault Analysis Report, and every result and report with its instant (for "today").
 *
 * The station asked the log itself at every hub loaded and every journal drain, reading every
 * flash result and fault report the dock ever stored: O(hubs so far) a hub, O(n²) over a day
 * (the day soak's finding 21: three docks took 4 hubs a second off jigs that allow 48). The
 * ledger reads only the events recorded since it last looked (the log's primary key, `seq`,
 * only grows), so a day costs O(n) reads in all. Events are appended, never changed; the one
 * writer that matters here is this page, but reading by `seq` also sees another store's writes.
 */
export class JigLedger {
  private lastSeq = 0;
  private readonly lastGood = new Map<string, { at: string; version: string }>();
  private readonly reports = new Map<string, string>();
  private readonly results: Array<{ at: number; flashed: boolean }> = [];
  private readonly faults: JigFaultLine[] = [];
  private catching: Promise<void> | null = null;

  constructor(private readonly db: DockDb) {}

  /** Reads the events recorded since the last look (one read at a time; concurrent callers share it). */
  async catchUp(): Promise<void> {
    while (this.catching !== null) await this.catching;
    this.catching = this.readNew();
    try {
      await this.catching;
    } finally {
      this.catching = null;
    }
  }

  private async readNew(): Promise<void> {
    const rows: EventRow[] = await this.db.events.where(":id").above(this.lastSeq).toArray();
    for (const row of rows) {
      this.take(row);
      if (row.seq !== undefined && row.seq > this.lastSeq) this.lastSeq = row.seq;
    }
  }

  private take({ event }: EventRow): void {
    if (event.type === "flash.result") {
      const p = event.payload;
      this.results.push({ at: Date.parse(event.at), flashed: p.outcome === "flashed" });
      if (p.outcome !== "flashed") return;
      const best = this.lastGood.get(p.deviceId);
      if (best === undefined || event.at > best.at)
        this.lastGood.set(p.deviceId, { at: event.at, version: p.toVersion });
    } else if (event.type === "fault.reported") {
      const p = event.payload;
      if (!this.reports.has(p.deviceId)) this.reports.set(p.deviceId, event.id);
      this.faults.push({
        eventId: event.id,
        deviceId: p.deviceId,
        jigId: p.jigId,
        slot: p.slot,
        step: p.step,
        jigSaid: p.jigSaid,
        notes: p.notes,
        disposition: p.disposition,
        manual: p.manual,
        damage: p.damage ?? null,
        at: event.at,
      });
    }
  }

  /** The version this dock's last good flash of the hub reached, or null if it was never flashed here. */
  async lastFlashedTo(deviceId: string): Promise<string | null> {
    await this.catchUp();
    return this.lastGood.get(deviceId)?.version ?? null;
  }

  /** The reference of the first Fault Analysis Report this dock holds for the hub, or null. */
  async reportedAs(deviceId: string): Promise<string | null> {
    await this.catchUp();
    return this.reports.get(deviceId) ?? null;
  }

  /** Results and reports recorded at or after `since` (epoch ms): counts, and the reports newest first. */
  async since(since: number): Promise<{ flashed: number; failed: number; faults: JigFaultLine[] }> {
    await this.catchUp();
    let flashed = 0;
    let failed = 0;
    for (const r of this.results) {
      if (r.at < since) continue;
      if (r.flashed) flashed++;
      else failed++;
    }
    const faults = this.faults.filter((f) => Date.parse(f.at) >= since).sort((a, b) => b.at.localeCompare(a.at));
    return { flashed, failed, faults };
  }
}
