import { AsnBlockResponseSchema } from "../../../shared/sync";
import type { DockDb } from "../db/dock-db";
import { metaKey, readMeta, writeMeta } from "../db/dock-meta";
import { postToCentral, SyncHttpError, type CentralTarget } from "./central-request";

/**
 * ASN numbers from central only (issue 17). Central hands out numbers from one database
 * sequence in blocks reserved for a dock (POST /sync/asn-numbers), so no number is ever issued
 * twice, by two docks, after a restart or after a reinstall: a wiped dock simply reserves a
 * fresh block, and the numbers its old block still held are skipped for good (gaps are never
 * filled). The dock keeps a few numbers reserved ahead while it can reach central, stored in
 * its own database, so a supervisor can still issue an ASN while the dock is offline.
 *
 * A number is taken out of the stored block (committed) before the asn.issued event that uses
 * it is recorded: a crash between the two loses the number, never issues it twice.
 */

/** The numbers central reserved for this dock and this dock has not issued yet, oldest first. */
export const ASN_BLOCK = metaKey<string[]>("asn.block");

export type AsnNumberOutcome = { ok: true; asnNumber: string } | { ok: false; reason: string };

/** Where the supervisor's ASN numbers come from (the store's dependency; tests may pass their own). */
export interface AsnNumberSource {
  /** The next number of this dock's block, taken for good; the block is topped up from central first when empty. */
  next(operatorId: string): Promise<AsnNumberOutcome>;
  /** Reserves another block from central while fewer than the low mark are left; rejects when central cannot be asked. */
  topUp(operatorId: string): Promise<void>;
  /** How many numbers this dock holds. */
  remaining(): Promise<number>;
}

export interface AsnBlockOptions {
  target: CentralTarget;
  path?: string;
  /** Reserve more when fewer than this are left (default 3). */
  low?: number;
  /** How many to reserve at a time (default 5; central allows 1-100). */
  count?: number;
}

export class AsnBlockKeeper implements AsnNumberSource {
  private readonly path: string;
  private readonly low: number;
  private readonly count: number;
  private inflight: Promise<void> | null = null;
  /** The stored block's length as last read or written here, so a health tick does not read the database. */
  private known: number | null = null;

  constructor(
    private readonly db: DockDb,
    private readonly options: AsnBlockOptions,
  ) {
    this.path = options.path ?? "/sync/asn-numbers";
    this.low = options.low ?? 3;
    this.count = options.count ?? 5;
  }

  async remaining(): Promise<number> {
    this.known = (await readMeta(this.db, ASN_BLOCK))?.length ?? 0;
    return this.known;
  }

  topUp(operatorId: string): Promise<void> {
    if (this.inflight === null)
      this.inflight = this.reserve(operatorId).finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  async next(operatorId: string): Promise<AsnNumberOutcome> {
    let n = await this.take();
    if (n === null) {
      try {
        await this.topUp(operatorId);
      } catch (e) {
        return { ok: false, reason: noneLeft(e) };
      }
      n = await this.take();
    }
    if (n === null) return { ok: false, reason: noneLeft(null) };
    // Keep a few ahead for the next delivery (offline or not); a failure here is retried on the next sync round.
    this.topUp(operatorId).catch(() => undefined);
    return { ok: true, asnNumber: n };
  }

  private async reserve(operatorId: string): Promise<void> {
    if ((this.known ?? (await this.remaining())) >= this.low) return;
    const answer = AsnBlockResponseSchema.safeParse(
      await postToCentral(this.options.target, this.path, { count: this.count }, { "x-operator-id": operatorId }),
    );
    if (!answer.success) throw new Error("central's answer to the ASN number reservation was not understood");
    const fresh = answer.data.asnNumbers;
    await this.db.transaction("rw", this.db.meta, async () => {
      const have = (await readMeta(this.db, ASN_BLOCK)) ?? [];
      const next = [...have, ...fresh.filter((n) => !have.includes(n))];
      await writeMeta(this.db, ASN_BLOCK, next);
      this.known = next.length;
    });
  }

  /** Takes the oldest number out of the stored block in one transaction (two tabs never take the same one). */
  private async take(): Promise<string | null> {
    return this.db.transaction("rw", this.db.meta, async () => {
      const [first, ...rest] = (await readMeta(this.db, ASN_BLOCK)) ?? [];
      if (first === undefined) {
        this.known = 0;
        return null;
      }
      await writeMeta(this.db, ASN_BLOCK, rest);
      this.known = rest.length;
      return first;
    });
  }
}

/** The supervisor's message when the block is empty and central could not top it up. */
function noneLeft(e: unknown): string {
  const why =
    e instanceof TypeError || e === null
      ? "central cannot be reached to reserve more"
      : e instanceof SyncHttpError
        ? `central refused to reserve more (${e.reason.replace(/^[a-z-]+: /, "")})`
        : "central's answer could not be used";
  return `No ASN numbers left on this dock: ${why}. ASN numbers come only from central; reconnect this dock to central, then issue the ASN again. Nothing was issued.`;
}
