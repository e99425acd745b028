import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import { parseDockEvent, type DockEvent } from "../../shared/events";
import { isUuidV7 } from "../../shared/domain/ids";
import type { PushResponse, PushResult } from "../../shared/sync";
import type { BusinessConfig } from "../config";
import { admitEvent, admitRecorder, admitShape } from "./admission";
import { FactFinder, keysNamedBy } from "./admission-facts";
import type { DockIdentity } from "./event-subjects";
import { CarefulSink, CopySink, isUniqueViolation, type EventSink, type StoredEvent } from "./event-store";
import { projectEvents } from "./projections";
import { committedIds, isSameEvent, rememberBatch, rememberCommitted, sha256, type StoredId } from "./push-replay";

export { ROLES_FOR_EVENT } from "./admission";
export { keysNamedBy, type NamedKeys } from "./admission-facts";
export { pushBodyKey, replayedBatch } from "./push-replay";

/**
 * A dock's push: each event parsed, checked (admission.ts, on facts looked up by
 * admission-facts.ts), stored (event-store.ts) and projected (projections.ts), one batch in one
 * transaction, idempotent by event id. A replay is answered from push-replay.ts's memory.
 */

/** Applies a push body (by pushBodyKey, and its events): an identical replay is answered from memory, anything else by pushEvents. */
export async function pushBody(
  db: Kysely<Database>,
  dock: DockIdentity,
  bodyKey: string,
  events: readonly unknown[],
  business: BusinessConfig,
): Promise<PushResponse> {
  const res = await pushEvents(db, dock, events, business);
  rememberBatch(db, bodyKey, res);
  return res;
}

/**
 * Applies one push batch in one transaction, idempotent by event id: an id already stored
 * with the same content is a duplicate (nothing changes), with other content it is rejected;
 * an event malformed, unstorable, unauthorised or refused by an admission rule is rejected
 * alone, with its reason, and the rest go on. Never a 500 for what one event holds.
 */
export async function pushEvents(
  db: Kysely<Database>,
  dock: DockIdentity,
  raws: readonly unknown[],
  business: BusinessConfig,
): Promise<PushResponse> {
  const committed = committedIds(db);
  const ids = raws.map((r) =>
    typeof r === "object" && r !== null && typeof (r as { id?: unknown }).id === "string"
      ? (r as { id: string }).id
      : null,
  );
  const known = new Map<string, StoredId>();
  for (const id of ids) {
    const k = id === null ? undefined : committed.get(id);
    if (id !== null && k !== undefined) known.set(id, k);
  }
  // A batch with no id this process knows is almost always all new: it goes the bulk way (no
  // look-up, COPY). If some id was stored after all (by another process, or before a restart),
  // COPY breaks the primary key, the transaction rolls back whole, and the batch goes again the
  // careful way, which looks every id up first and inserts with ON CONFLICT DO NOTHING.
  if (known.size === 0) {
    try {
      return await applyBatch(db, dock, raws, ids, known, business, "bulk");
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }
  return applyBatch(db, dock, raws, ids, known, business, "careful");
}

/**
 * Events are parsed and stored in slices of this many. On the bulk way the slices stream into
 * one COPY: the database stores one slice while this process parses the next.
 */
const SLICE = 125;
/** Smaller slices while queries are out before the COPY opens: each answer is taken sooner. */
const SLICE_WHILE_LOOKING_UP = 50;

/** Lets queued I/O (a query's answer, rows for a COPY) go out and come in before more work. */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const reused = (index: number, id: string): PushResult => ({
  index,
  id,
  status: "rejected",
  reason: `event id ${id} was already used for a different event; an id is never reused`,
});

/** A raw event after the checks that need no database: parsed and of storable shape (or null and why not), its JSON and hash. */
type Parsed = { index: number; id: string | null; event: DockEvent | null; reason: string; json: string; hash: string };

/**
 * The batch's events in order, through the checks that need no database: a replay of a stored
 * id is answered unparsed; the rest are parsed (shared schemas) and checked for text central
 * cannot store and an unbelievable instant. Then, in batch order, who recorded it; an id met
 * earlier in the batch is a duplicate when its content is the same, else refused.
 */
class Intake {
  readonly results: PushResult[];
  readonly stored: Map<string, StoredId>;
  private readonly slices: Parsed[][] = [];
  private parsed = 0;
  private taken = 0;
  private readonly seenInBatch = new Map<string, string>();

  constructor(
    private readonly raws: readonly unknown[],
    private readonly ids: ReadonlyArray<string | null>,
    known: ReadonlyMap<string, StoredId>,
    private readonly dock: DockIdentity,
    private readonly business: BusinessConfig,
    private readonly nowMs: number,
  ) {
    this.results = new Array(raws.length);
    this.stored = new Map(known);
  }

  get done(): boolean {
    return this.taken >= this.slices.length && this.parsed >= this.raws.length;
  }

  parseNext(size: number): void {
    const to = Math.min(this.raws.length, this.parsed + size);
    const out: Parsed[] = [];
    for (let index = this.parsed; index < to; index++) {
      const raw = this.raws[index];
      const id = this.ids[index] ?? null;
      const prior = id === null ? undefined : this.stored.get(id);
      if (id !== null && prior !== undefined) {
        this.results[index] =
          isSameEvent(raw, prior.hash) && prior.dockId === this.dock.dockId
            ? { index, id, status: "duplicate" }
            : reused(index, id);
        continue;
      }
      const p = parseDockEvent(raw);
      if (!p.ok) {
        out.push({ index, id, event: null, reason: p.reason, json: "", hash: "" });
        continue;
      }
      const json = JSON.stringify(p.event);
      const shape = admitShape(p.event, json, this.nowMs, this.business.eventWindow);
      if (!shape.ok) {
        out.push({ index, id, event: null, reason: shape.reason, json: "", hash: "" });
        continue;
      }
      out.push({ index, id, event: p.event, reason: "", json, hash: sha256(json) });
    }
    this.slices.push(out);
    this.parsed = to;
  }

  /** The next slice's events that a trusted recorder recorded, each new to the batch. */
  takeNext(facts: FactFinder): Array<StoredEvent & { index: number }> {
    if (this.taken >= this.slices.length) this.parseNext(SLICE);
    const slice = this.slices[this.taken] ?? [];
    this.slices[this.taken++] = [];
    const out: Array<StoredEvent & { index: number }> = [];
    for (const v of slice) {
      const { index, id } = v;
      const earlier = id === null ? undefined : this.seenInBatch.get(id);
      if (id !== null && earlier !== undefined) {
        this.results[index] =
          v.event !== null && v.hash === earlier ? { index, id, status: "duplicate" } : reused(index, id);
        continue;
      }
      const e = v.event;
      if (e === null) {
        this.results[index] = { index, id, status: "rejected", reason: v.reason };
        continue;
      }
      const who = admitRecorder(e, this.dock, facts.facts.operators.get(e.operatorId));
      if (!who.ok) {
        this.results[index] = { index, id: e.id, status: "rejected", reason: who.reason };
        continue;
      }
      this.seenInBatch.set(e.id, v.hash);
      out.push({ index, event: e, hash: v.hash, json: v.json });
    }
    return out;
  }
}

/**
 * Applies a batch one way. `ids` are the raw events' ids (null where there is none), `known`
 * those of them this process saw committed, with their content hash.
 */
async function applyBatch(
  db: Kysely<Database>,
  dock: DockIdentity,
  raws: readonly unknown[],
  ids: ReadonlyArray<string | null>,
  known: ReadonlyMap<string, StoredId>,
  business: BusinessConfig,
  mode: "bulk" | "careful",
): Promise<PushResponse> {
  const nowMs = Date.now();
  const intake = new Intake(raws, ids, known, dock, business, nowMs);
  const newlyStored: Array<{ id: string } & StoredId> = [];
  // While BEGIN and the look-ups are out, events are parsed ahead in small slices, so each answer
  // is taken, and the next query sent, soon after it comes.
  let lookingUp = true;
  const parseAhead = async () => {
    while (!intake.done) {
      await yieldToIo();
      if (!lookingUp) break;
      intake.parseNext(SLICE_WHILE_LOOKING_UP);
    }
  };
  const applied = db.transaction().execute(async (trx) => {
    // On the careful way, the ids this process does not know are looked up before any is parsed.
    if (mode === "careful") await lookUpStoredIds(trx, ids, known, intake.stored);
    const finder = new FactFinder(trx, dock, business, nowMs);
    const facts = finder.loadOperators().then(() => finder.lookUp(keysNamedBy(raws)));
    facts.then(
      () => {
        lookingUp = false;
      },
      () => {
        lookingUp = false;
      },
    );
    if (mode === "careful") await parseAhead();
    await facts;
    const sink: EventSink = mode === "bulk" ? new CopySink(trx, dock) : new CarefulSink(trx, dock);
    const admitted = await admitAndStore(intake, finder, sink);
    const fresh = admitted.filter((c) => sink.stored(c.event.id));
    for (const c of admitted)
      intake.results[c.index] = {
        index: c.index,
        id: c.event.id,
        status: sink.stored(c.event.id) ? "accepted" : "duplicate",
      };
    for (const c of fresh) newlyStored.push({ id: c.event.id, hash: c.hash, dockId: dock.dockId });
    // Central's records and outputs derived from the new facts, in the same transaction.
    await projectEvents(
      trx,
      dock,
      fresh.map((c) => c.event),
      business,
    );
  });
  // The bulk way knows every stored id it will know: parsing starts while BEGIN and the look-ups are out.
  applied.then(
    () => {
      lookingUp = false;
    },
    () => {
      lookingUp = false;
    },
  );
  // (Should parsing throw, the transaction meets the same slice again and fails with it.)
  if (mode === "bulk") await parseAhead().catch(() => {});
  await applied;
  rememberCommitted(db, newlyStored);
  return summarise(intake.results);
}

/**
 * The batch's events, slice by slice: who recorded it (Intake), the facts it names looked up
 * if the prefetch missed them, its admission rule, then the sink. On the bulk way each slice's
 * rows go to the COPY while the next slice is parsed, so the two work side by side; a failure
 * anywhere fails the COPY (so the rollback can run) and the transaction as a whole.
 */
async function admitAndStore(
  intake: Intake,
  finder: FactFinder,
  sink: EventSink,
): Promise<Array<StoredEvent & { index: number }>> {
  const admitted: Array<StoredEvent & { index: number }> = [];
  const streaming = sink instanceof CopySink;
  try {
    if (streaming) sink.open();
    while (!intake.done) {
      // Let the COPY and the rows so far go out (and an early error come in) before going on.
      if (streaming) {
        await yieldToIo();
        if (sink.failed) break;
      }
      const candidates = intake.takeNext(finder);
      const missing = finder.missing(candidates.map((c) => c.event));
      if (missing !== null) {
        await sink.pause();
        await finder.lookUp(missing);
      }
      const ok = candidates.filter((c) => {
        const verdict = admitEvent(c.event, finder.facts);
        if (!verdict.ok)
          intake.results[c.index] = { index: c.index, id: c.event.id, status: "rejected", reason: verdict.reason };
        else finder.noteAdmitted(c.event);
        return verdict.ok;
      });
      await sink.write(ok);
      admitted.push(...ok);
    }
    await sink.finish();
  } catch (e) {
    sink.abort(e);
    throw e;
  }
  return admitted;
}

/** The careful way: which of the batch's ids are already stored (by another process, or before a restart), with their hash. */
async function lookUpStoredIds(
  trx: Kysely<Database>,
  ids: ReadonlyArray<string | null>,
  known: ReadonlyMap<string, StoredId>,
  into: Map<string, StoredId>,
): Promise<void> {
  // Only ids of an event id's format (no other can be stored; a NUL would fail the query).
  const wanted = [...new Set(ids)].filter((id): id is string => id !== null && isUuidV7(id) && !known.has(id));
  if (wanted.length === 0) return;
  // One array parameter rather than thousands of placeholders: cheaper to bind on both drivers.
  const rows = await trx
    .selectFrom("events")
    .select(["id", "content_hash", "dock_id"])
    .where(sql<boolean>`id = any(${wanted}::text[])`)
    .execute();
  for (const r of rows) into.set(r.id, { hash: r.content_hash, dockId: r.dock_id });
}

function summarise(results: PushResult[]): PushResponse {
  let accepted = 0,
    duplicate = 0,
    rejected = 0;
  for (const r of results) {
    if (r.status === "accepted") accepted++;
    else if (r.status === "duplicate") duplicate++;
    else rejected++;
  }
  return { serverTime: new Date().toISOString(), accepted, duplicate, rejected, results };
}
