import { hash } from "node:crypto";
import { parseDockEvent } from "../../shared/events";
import type { PushResponse } from "../../shared/sync";
import type { DockIdentity } from "./event-subjects";

/**
 * What this process remembers of pushes it committed, so a dock retrying after a lost answer
 * costs little: the ids stored with their content hash, and whole push bodies applied without
 * a refusal. Events are immutable and never deleted, so an entry can never go stale, even with
 * several central processes on one PostgreSQL: a hit is a fact, a miss falls back to the
 * database. One memory per database handle, so two databases in one process (tests) never share one.
 */

export function sha256(text: string): string {
  return hash("sha256", text, "hex");
}

export interface StoredId {
  hash: string;
  dockId: string;
}
type CommittedCache = Map<string, StoredId>;
const caches = new WeakMap<object, CommittedCache>();
/** Bounded: the oldest entries go first. */
const COMMITTED_CACHE_MAX = 400_000;

/** Ids this process saw committed, with their content hash. */
export function committedIds(db: object): ReadonlyMap<string, StoredId> {
  return cacheFor(db);
}

function cacheFor(db: object): CommittedCache {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new Map()));
  return c;
}

/** Remembers ids just committed (only after the commit: a rolled-back batch must not be remembered). */
export function rememberCommitted(db: object, entries: ReadonlyArray<{ id: string } & StoredId>): void {
  const committed = cacheFor(db);
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
 * anything. Any other body takes the per-event path. Bounded by the number of ids held, oldest first.
 */
type BatchMemo = { batches: Map<string, readonly string[]>; ids: number };
const memos = new WeakMap<object, BatchMemo>();

function memoFor(db: object): BatchMemo {
  let m = memos.get(db);
  if (!m) memos.set(db, (m = { batches: new Map(), ids: 0 }));
  return m;
}

/** The key of a push body in the memo: the dock and the SHA-256 of the body's bytes (hashed once a request). */
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
  for (let index = 0; index < ids.length; index++)
    results += `${index === 0 ? "" : ","}{"index":${index},"id":${JSON.stringify(ids[index])},"status":"duplicate"}`;
  return `{"serverTime":${JSON.stringify(new Date().toISOString())},"accepted":0,"duplicate":${ids.length},"rejected":0,"results":[${results}]}`;
}

/** Remembers a body whose every event was accepted or a duplicate. */
export function rememberBatch(db: object, bodyKey: string, res: PushResponse): void {
  if (res.rejected !== 0 || !res.results.every((r) => r.id !== null)) return;
  const memo = memoFor(db);
  memo.batches.set(
    bodyKey,
    res.results.map((r) => r.id ?? ""),
  );
  memo.ids += res.results.length;
  for (const [k, v] of memo.batches) {
    if (memo.ids <= COMMITTED_CACHE_MAX) break;
    memo.batches.delete(k);
    memo.ids -= v.length;
  }
}

/**
 * Whether a raw event is the one stored under its id. The stored hash is of the parsed event's
 * JSON, whose key order is the schema's (zod builds its output in shape order), so a replay
 * sent as it was first sent matches without parsing; a reordered one is parsed, then compared.
 */
export function isSameEvent(raw: unknown, storedHash: string): boolean {
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
