import { InvalidEventError } from "../../../shared/events";

/**
 * Disk full at the dock (issue 21): IndexedDB refuses a write with a QuotaExceededError once the
 * browser's quota, or the disk under it, is used up. The scan that hit it was not stored, so it is
 * never confirmed; the operator is told in plain words why, and that scanning cannot go on
 * until space is freed (every later write would fail the same way).
 */

/** True when `e` (or the transaction error it carries) is IndexedDB's "storage is full". */
export function isStorageFull(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const { name, code, inner } = e as { name?: unknown; code?: unknown; inner?: unknown };
  // code 22 is the legacy DOMException QUOTA_EXCEEDED_ERR; Dexie wraps the DOM error in `inner`.
  return name === "QuotaExceededError" || code === 22 || (inner !== undefined && isStorageFull(inner));
}

/** The words on the error overlay when a scan could not be stored. */
export function scanNotStoredReason(e: unknown): string {
  if (isStorageFull(e))
    return "NOT RECORDED - this computer's storage is full, so the dock cannot store scans. Scanning is stopped: ask your supervisor or IT to free disk space, then scan this item again. Scans already confirmed are safe.";
  // The record the dock built broke its own rules (a fault in the dock's software, refused before
  // anything was stored): the details are for support, not for the overlay.
  if (e instanceof InvalidEventError) {
    console.error(e);
    return "NOT RECORDED - the dock could not make a valid record of this scan, so nothing was stored. Scan it again; if this keeps happening, tell your supervisor (the dock's software needs a fix).";
  }
  return `NOT RECORDED - scan it again. The dock could not store this scan (${e instanceof Error ? e.message : String(e)}).`;
}
