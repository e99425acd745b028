import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { parseDockEvent, type DockEvent, type DockEventType, type OperatorRole } from "../../shared/events";
import type { PushResponse, PushResult } from "../../shared/sync";
import type { BusinessConfig } from "../config";
import { hash } from "node:crypto";
import { CompiledQuery, sql } from "kysely";
import { copyField, copyFromStdinSql } from "../db/copy-in";
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

/** The answer to a push body this dock already had applied whole, or null when it must be applied. */
export function replayedBatch(db: object, dock: DockIdentity, bodyText: string): PushResponse | null {
  const ids = memoFor(db).batches.get(`${dock.dockId} ${sha256(bodyText)}`);
  if (ids === undefined) return null;
  return { serverTime: new Date().toISOString(), accepted: 0, duplicate: ids.length, rejected: 0, results: ids.map((id, index) => ({ index, id, status: "duplicate" as const })) };
}

/** Applies a push body (text, as received): an identical replay is answered from memory, anything else by pushEvents. */
export async function pushBody(db: Kysely<Database>, dock: DockIdentity, bodyText: string, events: readonly unknown[], business: BusinessConfig): Promise<PushResponse> {
  const res = await pushEvents(db, dock, events, business);
  if (res.rejected === 0 && res.results.every((r) => r.id !== null)) {
    const memo = memoFor(db);
    memo.batches.set(`${dock.dockId} ${sha256(bodyText)}`, res.results.map((r) => r.id ?? ""));
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
  // A batch with no id this process knows is almost always all new: it goes the bulk way (no
  // look-up, COPY). If some id was stored after all (by another process, or before a restart),
  // COPY breaks the primary key, the transaction rolls back whole, and the batch goes again the
  // careful way, which looks every id up first and inserts with ON CONFLICT DO NOTHING.
  const anyKnown = raws.some((r) => typeof r === "object" && r !== null && typeof (r as { id?: unknown }).id === "string" && committed.has((r as { id: string }).id));
  if (!anyKnown) {
    try {
      return await applyBatch(db, dock, raws, business, "bulk");
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }
  return applyBatch(db, dock, raws, business, "careful");
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
 * Events parsed and stored in slices of this many: while the database stores one slice, this
 * process parses the next, so the two work side by side within the one transaction.
 */
const SLICE = 250;

async function applyBatch(db: Kysely<Database>, dock: DockIdentity, raws: readonly unknown[], business: BusinessConfig, mode: "bulk" | "careful"): Promise<PushResponse> {
  const results: PushResult[] = new Array(raws.length);
  const newlyStored: Array<{ id: string; hash: string; dockId: string }> = [];
  const committed = cacheFor(db);
  await db.transaction().execute(async (trx) => {
    // 1. Replays first, before any parsing: a replayed batch costs one indexed lookup.
    const ids = raws.map((r) => (typeof r === "object" && r !== null && typeof (r as { id?: unknown }).id === "string" ? (r as { id: string }).id : null));
    const stored = new Map<string, { hash: string; dockId: string }>();
    const wanted: string[] = [];
    for (const id of new Set(ids)) {
      if (id === null || id.length > 64) continue;
      const known = committed.get(id);
      if (known) stored.set(id, known);
      else wanted.push(id);
    }
    if (wanted.length > 0 && mode === "careful") {
      // One array parameter rather than thousands of placeholders: cheaper to bind on both drivers.
      const rows = await trx.selectFrom("events").select(["id", "content_hash", "dock_id"]).where(sql<boolean>`id = any(${wanted}::text[])`).execute();
      for (const r of rows) stored.set(r.id, { hash: r.content_hash, dockId: r.dock_id });
    }
    const operators = new Map<string, { roles: string[]; active: boolean }>();
    for (const o of await trx.selectFrom("operators").select(["id", "roles", "active"]).where("facility_id", "=", dock.facilityId).execute()) operators.set(o.id, { roles: o.roles, active: o.active });

    // 2. Parse and authorise each new event on its own.
    const seenInBatch = new Map<string, string>();
    const parseSlice = (from: number, to: number): Candidate[] => {
      const candidates: Candidate[] = [];
      for (let index = from; index < to; index++) {
        const raw = raws[index];
        const id = ids[index] ?? null;
        const prior = id === null ? undefined : stored.get(id) ?? (seenInBatch.has(id) ? { hash: seenInBatch.get(id) ?? "", dockId: dock.dockId } : undefined);
        if (id !== null && prior !== undefined) {
          results[index] = isSameEvent(raw, prior.hash) && prior.dockId === dock.dockId
            ? { index, id, status: "duplicate" }
            : { index, id, status: "rejected", reason: `event id ${id} was already used for a different event; an id is never reused` };
          continue;
        }
        const parsed = parseDockEvent(raw);
        if (!parsed.ok) { results[index] = { index, id, status: "rejected", reason: parsed.reason }; continue; }
        const e = parsed.event;
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
        const json = JSON.stringify(e);
        const hash = sha256(json);
        seenInBatch.set(e.id, hash);
        candidates.push({ index, event: e, hash, json });
      }
      return candidates;
    };

    // 3. Checks that need the database (bookings must be this facility's; ASN numbers never
    // reused), then store. Slices go through here one after another, in batch order.
    const bookingFacility = new Map<string, string | null>();
    const asnOwner = new Map<string, string>();
    const inserted = new Set<string>();
    const accepted: Candidate[] = [];
    const hubPlace = new Map<string, { ref: string; facility: string; createdMs: number } | null>();
    const checkAndStore = async (candidates: Candidate[]): Promise<void> => {
      const refs = [...new Set(candidates.flatMap((c) => bookingsOf(c.event)).filter((r) => !bookingFacility.has(r)))];
      if (refs.length > 0) {
        for (const r of refs) bookingFacility.set(r, null);
        for (const b of await trx.selectFrom("bookings").select(["booking_ref", "facility_id"]).where("booking_ref", "in", refs).execute()) bookingFacility.set(b.booking_ref, b.facility_id);
      }
      // A hub named without its booking is placed by its latest booking (as the projections
      // attribute its flash results and credit): a hub on no booking is anyone's to report.
      const hubs = [...new Set(candidates.flatMap((c) => hubsPlacedBy(c.event)).filter((d) => !hubPlace.has(d)))];
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
      const asnNumbers = candidates.flatMap((c) => (c.event.type === "asn.issued" && !asnOwner.has(c.event.payload.asnNumber) ? [c.event.payload.asnNumber] : []));
      if (asnNumbers.length > 0) for (const a of await trx.selectFrom("asns").select(["asn_number", "manifest_id", "status"]).where("asn_number", "in", asnNumbers).execute()) if (a.status === "issued") asnOwner.set(a.asn_number, a.manifest_id);
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
      if (ok.length === 0) return;
      if (mode === "bulk") {
        // COPY, one text line a row; all of them go in or the statement fails (see pushEvents).
        const lines = ok.map(({ event: e, hash, json }) =>
          `${copyField(e.id)}\t${copyField(e.dockId)}\t${copyField(dock.facilityId)}\t${e.type}\t${copyField(e.operatorId)}\t${copyField(e.at)}\t${copyField(bookingOf(e))}\t${copyField(deviceOf(e))}\t${hash}\t${copyField(json)}\n`);
        await trx.executeQuery(CompiledQuery.raw(COPY_EVENTS, [lines.join("")]));
        for (const c of ok) inserted.add(c.event.id);
        return;
      }
      // Careful: a concurrent push of the same id wins the race and this one reports a duplicate.
      // The slice travels as one json parameter and is unpacked by the server (json_to_recordset,
      // which keeps each payload's text as sent): far cheaper than ten placeholders a row.
      const rows = ok.map(({ event: e, hash, json }) => `{"id":${JSON.stringify(e.id)},"dock_id":${JSON.stringify(e.dockId)},"facility_id":${JSON.stringify(dock.facilityId)},"type":${JSON.stringify(e.type)},"operator_id":${JSON.stringify(e.operatorId)},"occurred_at":${JSON.stringify(e.at)},"booking_ref":${JSON.stringify(bookingOf(e))},"device_id":${JSON.stringify(deviceOf(e))},"content_hash":"${hash}","payload":${json}}`);
      const res = await sql<{ id: string }>`
        insert into events (id, dock_id, facility_id, type, operator_id, occurred_at, booking_ref, device_id, content_hash, payload)
        select id, dock_id, facility_id, type, operator_id, occurred_at, booking_ref, device_id, content_hash, payload
        from json_to_recordset(${`[${rows.join(",")}]`}::json) as x(id text, dock_id text, facility_id text, type text, operator_id text, occurred_at text, booking_ref text, device_id text, content_hash text, payload json)
        on conflict (id) do nothing
        returning id`.execute(trx);
      for (const r of res.rows) inserted.add(r.id);
    };

    // The pipeline: parse slice k+1 while slice k is checked and stored. A failure anywhere
    // rejects the transaction as a whole (the last await sees it), and nothing is committed.
    let storing: Promise<void> = Promise.resolve();
    for (let from = 0; from < raws.length; from += SLICE) {
      const candidates = parseSlice(from, Math.min(raws.length, from + SLICE));
      storing = storing.then(() => checkAndStore(candidates));
      // Let the slice's queries go out before the next one is parsed.
      await Promise.race([storing, new Promise<void>((r) => setImmediate(r))]);
    }
    await storing;
    const fresh: DockEvent[] = [];
    for (const c of accepted) {
      if (inserted.has(c.event.id)) { results[c.index] = { index: c.index, id: c.event.id, status: "accepted" }; fresh.push(c.event); newlyStored.push({ id: c.event.id, hash: c.hash, dockId: dock.dockId }); }
      else results[c.index] = { index: c.index, id: c.event.id, status: "duplicate" };
    }

    // 5. Derive central's records and outputs from the new facts, in the same transaction.
    await projectEvents(trx, dock, fresh, business);
  });
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
