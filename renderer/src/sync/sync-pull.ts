import { PullResponseSchema, type PullResponse, type SyncOperator } from "../../../shared/sync";
import type { DockDb } from "../db/dock-db";
import { substantiveChanges } from "../receiving/receiving-rules";
import { postToCentral, type CentralTarget } from "./central-request";
import { CURSOR_KEY, FIRMWARE_CATALOGUE_KEY, OPERATORS_KEY, REDELIVERY_AMENDMENTS_KEY } from "./sync-keys";

/**
 * Pulls what central changed since the dock's cursor, page by page: bookings (an amendment to
 * a booking whose receipt is open waits for the operator as a conflict), operators, firmware
 * catalogue entries and re-delivery amendments, merged into what the dock holds.
 */
export interface PullOptions {
  target: CentralTarget;
  path: string;
  now: () => number;
  onServerTime: (sentMs: number, serverTime: string) => void;
}

export interface PullOutcome {
  /** At least one booking was stored (new or amended): the cached list should be reloaded. */
  bookingsStored: boolean;
  /** An open receipt got an amendment: the conflicts should be looked at again. */
  conflictsChanged: boolean;
}

export class BookingPuller {
  /** Central's cursor as last stored here (this puller is its only writer); null until read. */
  private cursor: string | null = null;

  constructor(
    private readonly db: DockDb,
    private readonly o: PullOptions,
  ) {}

  /** Pulls until central has no more; `outcome` says what was stored, even when a later page fails. */
  async pullAll(outcome: PullOutcome): Promise<void> {
    for (let page = 0; page < 1000; page++) {
      this.cursor ??= ((await this.db.meta.get(CURSOR_KEY))?.value as string | undefined) ?? "0";
      const cursor = this.cursor;
      const sent = this.o.now();
      const parsed = PullResponseSchema.safeParse(await postToCentral(this.o.target, this.o.path, { cursor }));
      if (!parsed.success) throw new Error(`central's pull answer was not understood: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? ""}`);
      this.o.onServerTime(sent, parsed.data.serverTime);
      await this.applyPull(parsed.data, outcome);
      if (!parsed.data.more) return;
    }
  }

  /** Stores pulled bookings; an amendment to a booking whose receipt is open waits for the operator. */
  private async applyPull(pull: PullResponse, outcome: PullOutcome): Promise<void> {
    const now = this.o.now();
    // Most rounds of a scanning session pull nothing new: then there is nothing to write.
    const nothing = pull.bookings.length === 0 && pull.operators.length === 0 && pull.redeliveryAmendments.length === 0 && pull.firmware.length === 0;
    if (nothing && pull.cursor === this.cursor) return;
    await this.db.transaction("rw", [this.db.bookings, this.db.receipts, this.db.meta], async () => {
      for (const booking of pull.bookings) {
        const current = await this.db.bookings.get(booking.bookingRef);
        if (current !== undefined && current.version > booking.version) continue;
        await this.db.bookings.put({ bookingRef: booking.bookingRef, version: booking.version, booking, pulledAt: now });
        outcome.bookingsStored = true;
        const receipt = await this.db.receipts.get(booking.bookingRef);
        if (receipt !== undefined && receipt.status === "open" && booking.version > receipt.booking.version && substantiveChanges(receipt.booking, booking).length > 0) {
          await this.db.receipts.put({ ...receipt, amendment: booking, updatedAt: now });
          outcome.conflictsChanged = true;
        }
      }
      await this.db.meta.put({ key: CURSOR_KEY, value: pull.cursor });
      if (pull.operators.length > 0) {
        // Pages carry only the operators changed since the cursor: merge by id.
        const known = ((await this.db.meta.get(OPERATORS_KEY))?.value as SyncOperator[] | undefined) ?? [];
        const byId = new Map(known.map((o) => [o.operatorId, o]));
        for (const o of pull.operators) byId.set(o.operatorId, o);
        await this.db.meta.put({ key: OPERATORS_KEY, value: [...byId.values()] });
      }
      // Pages carry only what changed since the cursor: merge amendments by booking and
      // version, catalogue entries by model and version (a withdrawal replaces the entry).
      await this.mergeMeta(REDELIVERY_AMENDMENTS_KEY, pull.redeliveryAmendments, (a) => `${a.bookingRef}#${a.bookingVersion}`);
      await this.mergeMeta(FIRMWARE_CATALOGUE_KEY, pull.firmware, (f) => `${f.deviceModel}#${f.version}`);
    });
    this.cursor = pull.cursor;
  }

  /** Merges pulled items into a list kept in meta, by key; called inside applyPull's transaction. */
  private async mergeMeta<T>(key: string, items: readonly T[], keyOf: (item: T) => string): Promise<void> {
    if (items.length === 0) return;
    const known = ((await this.db.meta.get(key))?.value as T[] | undefined) ?? [];
    const byKey = new Map(known.map((item) => [keyOf(item), item]));
    for (const item of items) byKey.set(keyOf(item), item);
    await this.db.meta.put({ key, value: [...byKey.values()] });
  }
}
