import { DOCK_OUTBOX_HEADER, dockOutboxHeader, MAX_PUSH_BATCH, PushResponseSchema } from "../../../shared/sync";
import type { DockDb, OutboxRow } from "../db/dock-db";
import { isAnswerAboutTheBatch, postToCentral, type CentralTarget } from "./central-request";

/**
 * Pushes the outbox to central in batches, oldest first (idempotent by event id, so a retry
 * after a lost answer is harmless). An event central refuses is quarantined with its reason.
 * When central answers a batch with an error status that is about the batch (anything but a
 * network error, the token, a rate limit or a gateway: central-request.ts), the batch is halved
 * until the event that fails stands alone; that event is quarantined with the answer as its
 * reason, and the rest flows. One poisoned event never holds the outbox behind it.
 */
export interface PushOptions {
  target: CentralTarget;
  path: string;
  batchSize: number;
  now: () => number;
  /** Each answer's server time, with the dock time the request was sent. */
  onServerTime: (sentMs: number, serverTime: string) => void;
  /** A batch held something other than scans and undos: a pending amendment may have settled. */
  onSettling: () => void;
}

export class OutboxPusher {
  private readonly fullBatch: number;
  private batchSize: number;

  constructor(
    private readonly db: DockDb,
    private readonly o: PushOptions,
  ) {
    this.fullBatch = Math.min(o.batchSize, MAX_PUSH_BATCH);
    this.batchSize = this.fullBatch;
  }

  /** Pushes until the outbox is empty; throws (after counting the attempt) when central cannot be reached. */
  async pushAll(): Promise<void> {
    try {
      while (await this.pushBatch()) {
        /* keep pushing while batches go through */
      }
    } finally {
      // A halving lasts one round: the next starts whole again.
      this.batchSize = this.fullBatch;
    }
  }

  /** Pushes one batch; true when there may be more to push. */
  private async pushBatch(): Promise<boolean> {
    // The batch's events by their log keys (the outbox row holds each one's): gets sent side by
    // side, where a look-up by id walked an index one step per event. The read holds the log and
    // the outbox, so every scan's write waits behind it: it is kept short (issue 22).
    const [rows, events, unsent] = await this.db.transaction("r", [this.db.outbox, this.db.events], async () => {
      const rows = await this.db.outbox.orderBy("seq").limit(this.batchSize).toArray();
      return [
        rows,
        rows.length === 0 ? [] : await this.db.events.bulkGet(rows.map((r) => r.seq)),
        rows.length < this.batchSize ? rows.length : await this.db.outbox.count(),
      ] as const;
    });
    if (rows.length === 0) return false;
    const byId = new Map(events.flatMap((e) => (e === undefined ? [] : [[e.id, e.event] as const])));
    const batch = rows.map((r) => byId.get(r.id) ?? null);
    if (batch.some((e) => e === null || (e.type !== "scan.recorded" && e.type !== "scan.undone"))) this.o.onSettling();
    const sent = this.o.now();
    let answer: unknown;
    try {
      // The oldest unsent event is this batch's first (the outbox goes oldest first): central's /metrics shows its age.
      const report = dockOutboxHeader({ unsent, oldestUnsentAt: rows[0]?.enqueuedAt ?? null });
      answer = await postToCentral(this.o.target, this.o.path, { events: batch }, { [DOCK_OUTBOX_HEADER]: report });
    } catch (e) {
      if (isAnswerAboutTheBatch(e)) {
        // Split until the event that fails stands alone; the halves that pass are stored meanwhile.
        if (rows.length > 1) {
          this.batchSize = Math.max(1, Math.floor(rows.length / 2));
          return true;
        }
        const only = rows[0] as OutboxRow;
        await this.quarantine(
          only.id,
          e.status === 400 ? e.reason : `central answered ${e.status} to this event alone: ${e.reason}`,
        );
        this.batchSize = this.fullBatch;
        return true;
      }
      await this.noteAttempt(rows, e);
      throw e;
    }
    const parsed = PushResponseSchema.safeParse(answer);
    if (!parsed.success)
      throw new Error(`central's push answer was not understood: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    this.o.onServerTime(sent, parsed.data.serverTime);
    const done: string[] = [];
    for (const r of parsed.data.results) {
      const row = rows[r.index];
      if (row === undefined) continue;
      if (r.status === "rejected") await this.quarantine(row.id, r.reason);
      else done.push(row.id);
    }
    await this.db.outbox.bulkDelete(done);
    return true;
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
}
