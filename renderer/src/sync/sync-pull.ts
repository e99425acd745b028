import { DOCK_OUTBOX_HEADER, PullResponseSchema, type PullResponse } from "../../../shared/sync";
import type { DockDb } from "../db/dock-db";
import { OPERATORS_SYNCED_AT, readMeta, SYNC_CURSOR, writeMeta } from "../db/dock-meta";
import { mergeAmendments, mergeFirmware, mergeOperators, putCachedBookings } from "../db/dock-records";
import { substantiveChanges } from "../../../shared/domain/booking-amendment";
import { postToCentral, type CentralTarget } from "./central-request";

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
  /** Operators arrived (or the dock's first pull was applied): the sign-in screen should read them again. */
  operatorsStored?: boolean;
}

export class BookingPuller {
  /** Whether this dock is known to have applied a pull (its operators are here); false until checked. */
  private operatorsSynced = false;
  /** Central's cursor as last stored here (this puller is its only writer); null until read. */
  private cursor: string | null = null;

  constructor(
    private readonly db: DockDb,
    private readonly o: PullOptions,
  ) {}

  /** Pulls until central has no more; `outcome` says what was stored, even when a later page fails. */
  async pullAll(outcome: PullOutcome): Promise<void> {
    for (let page = 0; page < 1000; page++) {
      this.cursor ??= (await readMeta(this.db, SYNC_CURSOR)) ?? "0";
      const cursor = this.cursor;
      const sent = this.o.now();
      // A pull follows a push that emptied the outbox: the dock holds nothing older than this round.
      const parsed = PullResponseSchema.safeParse(
        await postToCentral(this.o.target, this.o.path, { cursor }, { [DOCK_OUTBOX_HEADER]: "0;-" }),
      );
      if (!parsed.success)
        throw new Error(
          `central's pull answer was not understood: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? ""}`,
        );
      this.o.onServerTime(sent, parsed.data.serverTime);
      await this.applyPull(parsed.data, outcome);
      if (!parsed.data.more) return;
    }
  }

  /** Stores pulled bookings; an amendment to a booking whose receipt is open waits for the operator. */
  private async applyPull(pull: PullResponse, outcome: PullOutcome): Promise<void> {
    const now = this.o.now();
    // Most rounds of a scanning session pull nothing new: then there is nothing to write.
    const nothing =
      pull.bookings.length === 0 &&
      pull.operators.length === 0 &&
      pull.redeliveryAmendments.length === 0 &&
      pull.firmware.length === 0;
    if (nothing && pull.cursor === this.cursor) return this.markOperatorsSynced(now, outcome);
    await this.db.transaction(
      "rw",
      [
        this.db.bookings,
        this.db.bookingList,
        this.db.receipts,
        this.db.meta,
        this.db.operators,
        this.db.amendments,
        this.db.firmware,
      ],
      async () => {
        for (const booking of pull.bookings) {
          const current = await this.db.bookings.get(booking.bookingRef);
          if (current !== undefined && current.version > booking.version) continue;
          await putCachedBookings(this.db, [booking], now);
          outcome.bookingsStored = true;
          const receipt = await this.db.receipts.get(booking.bookingRef);
          if (
            receipt !== undefined &&
            receipt.status === "open" &&
            booking.version > receipt.booking.version &&
            substantiveChanges(receipt.booking, booking).length > 0
          ) {
            await this.db.receipts.put({ ...receipt, amendment: booking, updatedAt: now });
            outcome.conflictsChanged = true;
          }
        }
        await writeMeta(this.db, SYNC_CURSOR, pull.cursor);
        // Pages carry only what changed since the cursor: merge operators by id, amendments by
        // booking and version, catalogue entries by model and version (a withdrawal replaces the entry).
        await mergeOperators(this.db, pull.operators);
        if (pull.operators.length > 0) outcome.operatorsStored = true;
        await mergeAmendments(this.db, pull.redeliveryAmendments);
        await mergeFirmware(this.db, pull.firmware);
      },
    );
    this.cursor = pull.cursor;
    // After the commit: the operators are stored before the dock says it has them.
    await this.markOperatorsSynced(now, outcome);
  }

  /** The first pull applied means this dock has its operators: from then on sign-in can check PINs. */
  private async markOperatorsSynced(now: number, outcome: PullOutcome): Promise<void> {
    if (this.operatorsSynced) return;
    if ((await readMeta(this.db, OPERATORS_SYNCED_AT)) === undefined) {
      await writeMeta(this.db, OPERATORS_SYNCED_AT, now);
      outcome.operatorsStored = true;
    }
    this.operatorsSynced = true;
  }
}
