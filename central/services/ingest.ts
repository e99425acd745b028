import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { parseDockEvent, type DockEvent, type DockEventType, type OperatorRole } from "../../shared/events";
import type { PushResponse, PushResult } from "../../shared/sync";
import type { BusinessConfig } from "../config";
import { hash } from "node:crypto";
import { CompiledQuery, sql } from "kysely";
import { copyField, copyFromStdinSql, copyJsonField, CopyRows } from "../db/copy-in";
import { bookingOf, bookingsOf, deviceOf, hubsPlacedBy, type DockIdentity } from "./event-subjects";
import { projectEvents } from "./projections";
import { workingHoursProblem } from "./working-time";

/** Which roles may record each event type (supervisors may do everything). */
export const ROLES_FOR_EVENT: Record<DockEventType, readonly OperatorRole[]> = {
  "operator.signed-in": ["receiver", "technician", "supervisor"],
  "operator.signed-out": ["receiver", "technician", "supervisor"],
  "booking.arrived": ["receiver", "supervisor"],
  "unloading.started": ["receiver", "supervisor"],
  "unloading.completed": ["receiver", "supervisor"],
  "liability.transferred": ["receiver", "supervisor"],
  "scan.recorded": ["receiver", "supervisor"],
  "scan.undone": ["receiver", "supervisor"],
  "receipt.closed": ["receiver", "supervisor"],
  "slot.loaded": ["technician", "supervisor"],
  "slot.unloaded": ["technician", "supervisor"],
  "flash.result": ["technician", "supervisor"],
  "fault.reported": ["technician", "supervisor"],
  "manifest.built": ["supervisor"],
  "label.printed": ["receiver", "technician", "supervisor"],
  "asn.issued": ["supervisor"],
  "notice.issued": ["supervisor"],
  "outbound.scan.recorded": ["receiver", "supervisor"],
  "dispatch.recorded": ["supervisor"],
  "amendment.acknowledged": ["receiver", "technician", "supervisor"],
};

type Candidate = { index: number; event: DockEvent; hash: string; json: string };
/** A raw event after the checks that need no database: parsed (or null and why not), its JSON text and that text's SHA-256. */
type Validated = { index: number; id: string | null; event: DockEvent | null; reason: string; json: string; hash: string };

/** Lets queued I/O (a query's answer, rows for a COPY) go out and come in before more work. */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sha256(text: string): string {
  return hash("sha256", text, "hex");
}

/**
 * Ids this process has seen committed, with their content hash. Events are immutable and never
 * deleted, so an entry can never go stale, even with several central processes on one
 * PostgreSQL: a hit is a fact, a miss falls back to the database. It spares a replayed batch
 * (a dock retrying after a lost answer) the index lookups. Bounded: the oldest entries go first.
 */
type CommittedCache = Map<string, { hash: string; dockId: string }>;
/** One cache per database handle, so two databases in one process (tests) never share one. */
const caches = new WeakMap<object, CommittedCache>();
const COMMITTED_CACHE_MAX = 400_000;

function cacheFor(db: object): CommittedCache {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new Map()));
  return c;
}

function remember(committed: CommittedCache, entries: ReadonlyArray<{ id: string; hash: string; dockId: string }>): void {
  for (const e of entries) committed.set(e.id, { hash: e.hash, dockId: e.dockId });
  if (committed.size > COMMITTED_CACHE_MAX) {
    let excess = committed.size - COMMITTED_CACHE_MAX;
    for (const k of committed.keys()) {
      if (excess-- <= 0) break;
      committed.delete(k);
    }
  }
}

/**
 * Push bodies this process has applied whole (every event accepted or a duplicate), by dock and
 * SHA-256 of the body text. A dock that lost the answer resends the very same bytes; the same
 * bytes are the same events, all stored, so the answer is "all duplicate" without parsing
 * anything. Like the id cache, an entry is a fact that never goes stale; any other body takes
 * the per-event path. Bounded by the number of ids held, oldest first.
 */
type BatchMemo = { batches: Map<string, readonly string[]>; ids: number };
const memos = new WeakMap<object, BatchMemo>();

function memoFor(db: object): BatchMemo {
  let m = memos.get(db);
  if (!m) memos.set(db, (m = { batches: new Map(), ids: 0 }));
  return m;
}

/** The key of a push body in the memo below: the dock and the SHA-256 of the body's bytes (hashed once a request). */
export function pushBodyKey(dock: DockIdentity, body: Uint8Array): string {
  return `${dock.dockId} ${hash("sha256", body, "hex")}`;
}

/**
 * The answer (PushResponse as JSON text) to a push body, by pushBodyKey, that this dock already
 * had applied whole, or null when it must be applied. Written directly: every result is
 * `{"index":i,"id":…,"status":"duplicate"}`, as JSON.stringify would write the PushResponse.
 */
export function replayedBatch(db: object, bodyKey: string): string | null {
  const ids = memoFor(db).batches.get(bodyKey);
  if (ids === undefined) return null;
  let results = "";
  for (let index = 0; index < ids.length; index++) results += `${index === 0 ? "" : ","}{"index":${index},"id":${JSON.stringify(ids[index])},"status":"duplicate"}`;
  return `{"serverTime":${JSON.stringify(new Date().toISOString())},"accepted":0,"duplicate":${ids.length},"rejected":0,"results":[${results}]}`;
}

/** Applies a push body (by pushBodyKey, and its events): an identical replay is answered from memory, anything else by pushEvents. */
export async function pushBody(db: Kysely<Database>, dock: DockIdentity, bodyKey: string, events: readonly unknown[], business: BusinessConfig): Promise<PushResponse> {
  const res = await pushEvents(db, dock, events, business);
  if (res.rejected === 0 && res.results.every((r) => r.id !== null)) {
    const memo = memoFor(db);
    memo.batches.set(bodyKey, res.results.map((r) => r.id ?? ""));
    memo.ids += res.results.length;
    for (const [k, v] of memo.batches) {
      if (memo.ids <= COMMITTED_CACHE_MAX) break;
      memo.batches.delete(k);
      memo.ids -= v.length;
    }
  }
  return res;
}

/**
 * Whether a raw event is the one stored under its id. The stored hash is of the parsed event's
 * JSON, whose key order is the schema's (zod builds its output in shape order), so a replay
 * sent as it was first sent matches without parsing; a reordered one is parsed, then compared.
 */
function isSameEvent(raw: unknown, storedHash: string): boolean {
  // The raw bytes are hashed only when no deeper than any valid event: JSON.stringify recurses,
  // and a replayed id with a 100,000-deep extra field must be refused, not overflow the stack.
  // Anything deeper cannot be a valid event, so the parse below refuses it without recursing.
  if (withinDepth(raw, MAX_EVENT_DEPTH) && sha256(JSON.stringify(raw)) === storedHash) return true;
  const parsed = parseDockEvent(raw);
  return parsed.ok && sha256(JSON.stringify(parsed.event)) === storedHash;
}

/** Deeper than any valid event (manifest.built: event, payload, pallets, pallet, cartons, carton, hubs, hub = 8). */
const MAX_EVENT_DEPTH = 12;

/** Whether a JSON value nests no deeper than `max` arrays/objects; stops descending at the limit, so it never recurses far. */
function withinDepth(value: unknown, max: number): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (max === 0) return false;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (!withinDepth(v, max - 1)) return false;
  return true;
}

/**
 * Applies one push batch in one transaction, idempotent by event id: an id already stored
 * with the same content is a duplicate (nothing changes), with other content it is rejected;
 * a malformed or unauthorised event is rejected alone, with its reason, and the rest go on.
 * Central never rejects a well-formed fact for what it says (an unexpected hub is a real
 * event at the dock); it rejects what it cannot trust or cannot place.
 */
export async function pushEvents(db: Kysely<Database>, dock: DockIdentity, raws: readonly unknown[], business: BusinessConfig): Promise<PushResponse> {
  const committed = cacheFor(db);
  const ids = raws.map((r) => (typeof r === "object" && r !== null && typeof (r as { id?: unknown }).id === "string" ? (r as { id: string }).id : null));
  const known = new Map<string, { hash: string; dockId: string }>();
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
 * Why an event cannot be placed at the pushing dock's facility, or null: every booking it names
 * must be known and this facility's, and every hub it names without a booking must not be on
 * another facility's booking (else another site could report flashes and faults, and earn
 * credits, for this site's hubs).
 */
function placementProblem(e: DockEvent, dock: DockIdentity, bookingFacility: ReadonlyMap<string, string | null>, hubPlace: ReadonlyMap<string, { ref: string; facility: string } | null>): string | null {
  for (const ref of bookingsOf(e)) {
    const f = bookingFacility.get(ref) ?? null;
    if (f === null) return `booking ${ref} is unknown to central`;
    if (f !== dock.facilityId) return `booking ${ref} belongs to facility ${f}, not this dock's (${dock.facilityId})`;
  }
  const foreign = hubsPlacedBy(e).flatMap((deviceId) => {
    const place = hubPlace.get(deviceId);
    return place && place.facility !== dock.facilityId ? [{ deviceId, ...place }] : [];
  });
  const first = foreign[0];
  if (first === undefined) return null;
  const others = foreign.length > 1 ? ` (and ${foreign.length - 1} more hubs of other facilities)` : "";
  return `hub ${first.deviceId} is on booking ${first.ref}, which belongs to facility ${first.facility}, not this dock's (${dock.facilityId})${others}`;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "23505";
}

const EVENT_COLUMNS = ["id", "dock_id", "facility_id", "type", "operator_id", "occurred_at", "booking_ref", "device_id", "content_hash", "payload"] as const;
const COPY_EVENTS = copyFromStdinSql("events", EVENT_COLUMNS);

/**
 * Events are parsed and stored in slices of this many. On the bulk way the slices stream into
 * one COPY: the database stores one slice while this process parses the next, so the two work
 * side by side within the one transaction, and little is left to store once the last is parsed.
 */
const SLICE = 125;
/** Smaller slices while queries are out before the COPY opens: each answer is taken sooner. */
const SLICE_WHILE_LOOKING_UP = 50;

/** The bookings, hubs and ASN numbers events name: what placing them needs looked up. */
export interface NamedKeys { refs: string[]; hubs: string[]; asns: string[] }

const HUB_EVENT_TYPES: ReadonlySet<unknown> = new Set<DockEventType>(["slot.loaded", "slot.unloaded", "flash.result", "fault.reported"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The keys a batch's raw (not yet parsed) events name where bookingsOf, hubsPlacedBy and the
 * ASN check will look, so they can be looked up in one go before the events stream into a COPY
 * (which holds the connection until it ends). Only a prefetch: an event is judged later on what
 * its parsed form names, and anything this missed is looked up then. Never recurses; a value
 * longer than any valid key of its kind is skipped rather than sent to the database.
 */
export function keysNamedBy(raws: readonly unknown[]): NamedKeys {
  const refs = new Set<string>();
  const hubs = new Set<string>();
  const asns = new Set<string>();
  // Longest valid key of each kind (BookingRefSchema 20, DeviceIdSchema 23, an ASN number 40).
  const add = (v: unknown, into: Set<string>, max: number) => { if (typeof v === "string" && v.length <= max) into.add(v); };
  const each = (v: unknown, f: (x: Record<string, unknown>) => void) => { if (Array.isArray(v)) for (const x of v) if (isRecord(x)) f(x); };
  const cartonHubs = (c: Record<string, unknown>) => each(c.hubs, (h) => add(h.deviceId, hubs, 23));
  for (const raw of raws) {
    if (!isRecord(raw) || !isRecord(raw.payload)) continue;
    const p = raw.payload;
    if (raw.type === "manifest.built") {
      if (Array.isArray(p.bookingRefs)) for (const r of p.bookingRefs) add(r, refs, 20);
      each(p.pallets, (pl) => each(pl.cartons, cartonHubs));
      each(p.looseCartons, cartonHubs);
      each(p.excludedHubs, (h) => add(h.deviceId, hubs, 23));
      continue;
    }
    add(p.bookingRef, refs, 20);
    if (HUB_EVENT_TYPES.has(raw.type)) add(p.deviceId, hubs, 23);
    if (raw.type === "asn.issued") add(p.asnNumber, asns, 40);
  }
  return { refs: [...refs], hubs: [...hubs], asns: [...asns] };
}

/**
 * A COPY of event rows into `events` fed slice by slice. It holds the transaction's connection
 * from open() to finish(), so lookups wait for finish(); abort() fails it so a rollback can run.
 */
class StreamedCopy {
  private rows: CopyRows | null = null;
  private running: Promise<unknown> | null = null;
  constructor(private readonly trx: Kysely<Database>) {}

  open(): void {
    if (this.rows !== null) return;
    const rows = new CopyRows();
    const running = this.trx.executeQuery(CompiledQuery.raw(COPY_EVENTS, [rows]));
    // Awaited in finish(); until then a failure (a key stored after all) must not go unhandled.
    running.catch(() => {});
    this.rows = rows;
    this.running = running;
  }

  write(lines: string): void {
    if (lines === "") return;
    this.open();
    this.rows?.push(lines);
  }

  /** True when the COPY has already failed (the database said so): finish() will throw why. */
  get failed(): boolean {
    return this.rows?.closed ?? false;
  }

  async finish(): Promise<void> {
    const { rows, running } = this;
    this.rows = null;
    this.running = null;
    if (rows === null) return;
    rows.end();
    await running;
  }

  abort(reason: unknown): void {
    this.rows?.fail(reason instanceof Error ? reason : new Error(String(reason)));
  }
}

/**
 * Applies a batch one way. `ids` are the raw events' ids (null where there is none), `known`
 * those of them this process saw committed, with their content hash.
 */
async function applyBatch(db: Kysely<Database>, dock: DockIdentity, raws: readonly unknown[], ids: ReadonlyArray<string | null>, known: ReadonlyMap<string, { hash: string; dockId: string }>, business: BusinessConfig, mode: "bulk" | "careful"): Promise<PushResponse> {
  const results: PushResult[] = new Array(raws.length);
  const newlyStored: Array<{ id: string; hash: string; dockId: string }> = [];
  const committed = cacheFor(db);
  // 1. Replays first, before any parsing: ids this process saw committed, and on the careful way
  // the others looked up in the transaction (below) before any event is parsed.
  const stored = new Map(known);

  // 2. The checks that need no database, event by event: parse (the shared zod schemas), then
  // the JSON text stored and its hash. An id stored before is answered here, unparsed.
  const validate = (from: number, to: number): Validated[] => {
    const out: Validated[] = [];
    for (let index = from; index < to; index++) {
      const raw = raws[index];
      const id = ids[index] ?? null;
      const prior = id === null ? undefined : stored.get(id);
      if (id !== null && prior !== undefined) {
        results[index] = isSameEvent(raw, prior.hash) && prior.dockId === dock.dockId
          ? { index, id, status: "duplicate" }
          : { index, id, status: "rejected", reason: `event id ${id} was already used for a different event; an id is never reused` };
        continue;
      }
      const parsed = parseDockEvent(raw);
      if (!parsed.ok) { out.push({ index, id, event: null, reason: parsed.reason, json: "", hash: "" }); continue; }
      const json = JSON.stringify(parsed.event);
      out.push({ index, id, event: parsed.event, reason: "", json, hash: sha256(json) });
    }
    return out;
  };
  const slices: Validated[][] = [];
  let validated = 0;
  const validateNext = (size: number) => {
    const to = Math.min(raws.length, validated + size);
    slices.push(validate(validated, to));
    validated = to;
  };
  // While queries are out (BEGIN, the look-ups), events are parsed ahead in small slices, so each
  // answer is taken, and the next query sent, soon after it comes.
  let lookingUp = true;
  const parseAhead = async () => {
    while (validated < raws.length) {
      await yieldToIo();
      if (!lookingUp) break;
      validateNext(SLICE_WHILE_LOOKING_UP);
    }
  };

  const applied = db.transaction().execute(async (trx) => {
    const wanted = mode === "careful" ? [...new Set(ids)].filter((id): id is string => id !== null && id.length <= 64 && !known.has(id)) : [];
    if (wanted.length > 0) {
      // One array parameter rather than thousands of placeholders: cheaper to bind on both drivers.
      const rows = await trx.selectFrom("events").select(["id", "content_hash", "dock_id"]).where(sql<boolean>`id = any(${wanted}::text[])`).execute();
      for (const r of rows) stored.set(r.id, { hash: r.content_hash, dockId: r.dock_id });
    }

    // Then, in batch order, who may record it: an id met earlier in this batch is a duplicate
    // when the content is the same (as isSameEvent decides: a valid event of that hash), else
    // refused; then the dock, the operator and the role.
    const operators = new Map<string, { roles: string[]; active: boolean }>();
    const seenInBatch = new Map<string, string>();
    const authorise = (slice: readonly Validated[]): Candidate[] => {
      const candidates: Candidate[] = [];
      for (const v of slice) {
        const { index, id } = v;
        const earlier = id === null ? undefined : seenInBatch.get(id);
        if (id !== null && earlier !== undefined) {
          results[index] = v.event !== null && v.hash === earlier
            ? { index, id, status: "duplicate" }
            : { index, id, status: "rejected", reason: `event id ${id} was already used for a different event; an id is never reused` };
          continue;
        }
        const e = v.event;
        if (e === null) { results[index] = { index, id, status: "rejected", reason: v.reason }; continue; }
        if (e.dockId !== dock.dockId) { results[index] = { index, id: e.id, status: "rejected", reason: `event was recorded by dock ${e.dockId}, but this token is dock ${dock.dockId}'s` }; continue; }
        const op = operators.get(e.operatorId);
        if (!op) { results[index] = { index, id: e.id, status: "rejected", reason: `operator ${e.operatorId} is not registered at facility ${dock.facilityId}` }; continue; }
        // As the HTTP actions do (auth.ts): central keeps no deactivation time, so every event of a
        // deactivated operator is refused, even one recorded offline before; the dock quarantines it.
        if (!op.active) { results[index] = { index, id: e.id, status: "rejected", reason: `operator-inactive: operator ${e.operatorId} is deactivated at facility ${dock.facilityId}; their events are refused` }; continue; }
        const allowed = ROLES_FOR_EVENT[e.type];
        if (!op.roles.some((r) => (allowed as readonly string[]).includes(r))) {
          results[index] = { index, id: e.id, status: "rejected", reason: `${e.type} needs role ${allowed.join(" or ")}; operator ${e.operatorId} has ${op.roles.join(", ") || "no role"}` };
          continue;
        }
        seenInBatch.set(e.id, v.hash);
        candidates.push({ index, event: e, hash: v.hash, json: v.json });
      }
      return candidates;
    };

    // 3. Checks that need the database (bookings must be this facility's; ASN numbers never
    // reused). Their facts are looked up for the whole batch before the first slice is stored.
    const bookingFacility = new Map<string, string | null>();
    const asnLookedUp = new Set<string>();
    const asnOwner = new Map<string, string>();
    const hubPlace = new Map<string, { ref: string; facility: string; createdMs: number } | null>();
    const lookUp = async (keys: NamedKeys): Promise<void> => {
      const refs = keys.refs.filter((r) => !bookingFacility.has(r));
      if (refs.length > 0) {
        for (const r of refs) bookingFacility.set(r, null);
        for (const b of await trx.selectFrom("bookings").select(["booking_ref", "facility_id"]).where("booking_ref", "in", refs).execute()) bookingFacility.set(b.booking_ref, b.facility_id);
      }
      // A hub named without its booking is placed by its latest booking (as the projections
      // attribute its flash results and credit): a hub on no booking is anyone's to report.
      const hubs = keys.hubs.filter((d) => !hubPlace.has(d));
      if (hubs.length > 0) {
        for (const d of hubs) hubPlace.set(d, null);
        const rows = await trx.selectFrom("booking_hubs").innerJoin("bookings", "bookings.booking_ref", "booking_hubs.booking_ref")
          .select(["booking_hubs.device_id", "bookings.booking_ref", "bookings.facility_id", "bookings.created_at"])
          .where(sql<boolean>`booking_hubs.device_id = any(${hubs}::text[])`).execute();
        for (const r of rows) {
          const createdMs = new Date(r.created_at).getTime();
          const known = hubPlace.get(r.device_id);
          if (!known || createdMs > known.createdMs) hubPlace.set(r.device_id, { ref: r.booking_ref, facility: r.facility_id, createdMs });
        }
      }
      const asnNumbers = keys.asns.filter((a) => !asnLookedUp.has(a));
      if (asnNumbers.length > 0) {
        for (const a of asnNumbers) asnLookedUp.add(a);
        for (const a of await trx.selectFrom("asns").select(["asn_number", "manifest_id", "status"]).where("asn_number", "in", asnNumbers).execute()) if (a.status === "issued" && !asnOwner.has(a.asn_number)) asnOwner.set(a.asn_number, a.manifest_id);
      }
    };
    /** What these parsed events name that was not looked up yet (the prefetch missed it), or null. */
    const notLookedUp = (candidates: readonly Candidate[]): NamedKeys | null => {
      const keys: NamedKeys = { refs: [], hubs: [], asns: [] };
      for (const { event: e } of candidates) {
        for (const r of bookingsOf(e)) if (!bookingFacility.has(r)) keys.refs.push(r);
        for (const d of hubsPlacedBy(e)) if (!hubPlace.has(d)) keys.hubs.push(d);
        if (e.type === "asn.issued" && !asnLookedUp.has(e.payload.asnNumber)) keys.asns.push(e.payload.asnNumber);
      }
      return keys.refs.length + keys.hubs.length + keys.asns.length > 0 ? keys : null;
    };
    const accepted: Candidate[] = [];
    const admit = (candidates: readonly Candidate[]): Candidate[] => {
      const ok: Candidate[] = [];
      for (const c of candidates) {
        const misplaced = placementProblem(c.event, dock, bookingFacility, hubPlace);
        if (misplaced !== null) { results[c.index] = { index: c.index, id: c.event.id, status: "rejected", reason: misplaced }; continue; }
        if (c.event.type === "notice.issued") {
          // Req 7: the re-delivery date and window must fall within Working Hours; central will not send a notice that breaks it.
          const problem = workingHoursProblem(business, c.event.payload.deliveryDate, c.event.payload.deliveryWindow);
          if (problem !== null) { results[c.index] = { index: c.index, id: c.event.id, status: "rejected", reason: `re-delivery notice not sent: ${problem}` }; continue; }
        }
        if (c.event.type === "asn.issued") {
          const owner = asnOwner.get(c.event.payload.asnNumber);
          if (owner !== undefined) { results[c.index] = { index: c.index, id: c.event.id, status: "rejected", reason: `ASN ${c.event.payload.asnNumber} was already issued (manifest ${owner}); every delivery needs a new ASN number` }; continue; }
          asnOwner.set(c.event.payload.asnNumber, c.event.payload.manifestId);
        }
        ok.push(c);
        accepted.push(c);
      }
      return ok;
    };

    // 4. Store. Bulk: COPY, one text line a row; all of them go in or the statement fails (see pushEvents).
    const copyLines = (ok: readonly Candidate[]): string => {
      let text = "";
      for (const { event: e, hash, json } of ok)
        text += `${copyField(e.id)}\t${copyField(e.dockId)}\t${copyField(dock.facilityId)}\t${e.type}\t${copyField(e.operatorId)}\t${copyField(e.at)}\t${copyField(bookingOf(e))}\t${copyField(deviceOf(e))}\t${hash}\t${copyJsonField(json)}\n`;
      return text;
    };
    // Careful: a concurrent push of the same id wins the race and this one reports a duplicate.
    // The slice travels as one json parameter and is unpacked by the server (json_to_recordset,
    // which keeps each payload's text as sent): far cheaper than ten placeholders a row.
    const inserted = new Set<string>();
    const insertCarefully = async (ok: readonly Candidate[]): Promise<void> => {
      if (ok.length === 0) return;
      const rows = ok.map(({ event: e, hash, json }) => `{"id":${JSON.stringify(e.id)},"dock_id":${JSON.stringify(e.dockId)},"facility_id":${JSON.stringify(dock.facilityId)},"type":${JSON.stringify(e.type)},"operator_id":${JSON.stringify(e.operatorId)},"occurred_at":${JSON.stringify(e.at)},"booking_ref":${JSON.stringify(bookingOf(e))},"device_id":${JSON.stringify(deviceOf(e))},"content_hash":"${hash}","payload":${json}}`);
      const res = await sql<{ id: string }>`
        insert into events (id, dock_id, facility_id, type, operator_id, occurred_at, booking_ref, device_id, content_hash, payload)
        select id, dock_id, facility_id, type, operator_id, occurred_at, booking_ref, device_id, content_hash, payload
        from json_to_recordset(${`[${rows.join(",")}]`}::json) as x(id text, dock_id text, facility_id text, type text, operator_id text, occurred_at text, booking_ref text, device_id text, content_hash text, payload json)
        on conflict (id) do nothing
        returning id`.execute(trx);
      for (const r of res.rows) inserted.add(r.id);
    };

    // The pipeline. The operators and the batch's bookings, hubs and ASN numbers are looked up
    // while the first slices are parsed; then the COPY opens, and each slice's rows go to the
    // database while the next slice is parsed, so the two work side by side. A failure anywhere
    // fails the COPY (so the rollback can run) and the transaction as a whole: nothing is committed.
    const facts = (async () => {
      for (const o of await trx.selectFrom("operators").select(["id", "roles", "active"]).where("facility_id", "=", dock.facilityId).execute()) operators.set(o.id, { roles: o.roles, active: o.active });
      await lookUp(keysNamedBy(raws));
    })();
    facts.then(() => { lookingUp = false; }, () => { lookingUp = false; });
    // On the careful way parsing waited for the stored ids; the bulk way parses ahead from the start (below).
    if (mode === "careful") await parseAhead();
    await facts;
    const copy = mode === "bulk" ? new StreamedCopy(trx) : null;
    try {
      copy?.open();
      for (let k = 0; k < slices.length || validated < raws.length; k++) {
        if (copy !== null) {
          // Let the COPY and the rows so far go out (and an early error come in) before going on.
          await yieldToIo();
          if (copy.failed) break;
        }
        if (k >= slices.length) validateNext(SLICE);
        const candidates = authorise(slices[k] ?? []);
        slices[k] = [];
        const missing = notLookedUp(candidates);
        if (missing !== null) {
          await copy?.finish();
          await lookUp(missing);
        }
        const ok = admit(candidates);
        if (copy === null) await insertCarefully(ok);
        else copy.write(copyLines(ok));
      }
      await copy?.finish();
    } catch (e) {
      copy?.abort(e);
      throw e;
    }
    const fresh: DockEvent[] = [];
    for (const c of accepted) {
      if (copy !== null || inserted.has(c.event.id)) { results[c.index] = { index: c.index, id: c.event.id, status: "accepted" }; fresh.push(c.event); newlyStored.push({ id: c.event.id, hash: c.hash, dockId: dock.dockId }); }
      else results[c.index] = { index: c.index, id: c.event.id, status: "duplicate" };
    }

    // 5. Derive central's records and outputs from the new facts, in the same transaction.
    await projectEvents(trx, dock, fresh, business);
  });
  // The bulk way knows every stored id it will know (this process's memory): parsing can start
  // while BEGIN and the look-ups are out. It stops when the look-ups are in (or the transaction
  // ended early); the transaction then parses the rest itself.
  applied.then(() => { lookingUp = false; }, () => { lookingUp = false; });
  // (Should parsing throw, the transaction meets the same slice again and fails with it.)
  if (mode === "bulk") await parseAhead().catch(() => {});
  await applied;
  // Only after the commit: a rolled-back batch must not be remembered as stored.
  remember(committed, newlyStored);
  let accepted = 0, duplicate = 0, rejected = 0;
  for (const r of results) {
    if (r.status === "accepted") accepted++;
    else if (r.status === "duplicate") duplicate++;
    else rejected++;
  }
  return { serverTime: new Date().toISOString(), accepted, duplicate, rejected, results };
}
