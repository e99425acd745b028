import { v7 as uuidv7 } from "uuid";

/**
 * Event ids are UUIDv7 (RFC 9562): time-ordered, so the local log and central's ingest
 * sort by id, and random enough that two docks never collide. We use the `uuid`
 * package rather than hand-writing the bit layout; it draws randomness from
 * `globalThis.crypto.getRandomValues`, which Node 20+, Electron and browsers all have,
 * so this stays pure (no Node import).
 */

/** Canonical lower-case form only: ids are idempotency keys, so case variants must not pass as different ids. */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Random bytes for ids made at a given time, drawn from `getRandomValues` 4 KiB at a time
 * and each 16-byte slice used once. `uuid` asks for 16 bytes per id, and in a browser each
 * ask crosses into the engine (a dock's scan waits for its id's; issue 22).
 */
const POOL_BYTES = 4096;
/** Web Crypto's one call used here (shared/ has no DOM or Node types; Node 20+, Electron and browsers all have it). */
const web = globalThis as unknown as { crypto: { getRandomValues<T extends Uint8Array>(array: T): T } };
let pool = new Uint8Array(0);
let taken = 0;
function randomBytes16(): Uint8Array {
  if (taken + 16 > pool.length) {
    pool = web.crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    taken = 0;
  }
  const out = pool.subarray(taken, taken + 16);
  taken += 16;
  return out;
}

/** A fresh UUIDv7; monotonic within this process when `now` is omitted. */
export function newEventId(now?: Date): string {
  if (now === undefined) return uuidv7();
  const msecs = now.getTime();
  if (!Number.isFinite(msecs) || msecs < 0 || msecs > 0xffff_ffff_ffff) {
    throw new RangeError(`newEventId: time ${String(now)} is outside the UUIDv7 range`);
  }
  return uuidv7({ msecs, random: randomBytes16() });
}

/** True when `s` is a canonical (lower-case) UUIDv7 string. */
export function isUuidV7(s: unknown): s is string {
  return typeof s === "string" && UUID_V7.test(s);
}

/** The Unix-epoch milliseconds a UUIDv7 carries, or null when `id` is not one. */
export function uuidV7Time(id: string): number | null {
  if (!isUuidV7(id)) return null;
  // The first 48 bits are the timestamp: 12 hex digits, well inside Number's safe range.
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
