/**
 * A supervisor's override for a hub this dock flashed already (issue 18): one more flash,
 * allowed only by a supervisor and only with a reason. Pure: the caller records the
 * `flash.override` event it returns (central checks the role again from its own operator
 * records and audits it), then passes the override with the hub's next load.
 */

/** Shortest reason that says something a person can audit later. */
export const MIN_OVERRIDE_REASON_CHARS = 5;
export const MAX_OVERRIDE_REASON_CHARS = 500;

export interface FlashOverrideRequest {
  /** The signed-in operator's role. */
  role: string | null;
  /** The hub waiting for a decision, and the version this dock flashed it to; null when none waits. */
  pending: { deviceId: string; bookingRef: string; flashedTo: string } | null;
  reason: string;
}

export type FlashOverrideDecision =
  | { ok: true; payload: { deviceId: string; bookingRef: string; flashedTo: string; reason: string } }
  | { ok: false; reason: string };

/** Whether a second flash may be allowed, and the event's payload when it may. */
export function decideFlashOverride(r: FlashOverrideRequest): FlashOverrideDecision {
  if (r.pending === null) return { ok: false, reason: "No hub is waiting for a second flash." };
  if (r.role !== "supervisor") return { ok: false, reason: "Only a supervisor can allow a second flash." };
  const why = r.reason.trim();
  if (why.length < MIN_OVERRIDE_REASON_CHARS)
    return {
      ok: false,
      reason: `Give the reason in a few words (at least ${MIN_OVERRIDE_REASON_CHARS} characters), e.g. why the hub needs flashing again.`,
    };
  if (why.length > MAX_OVERRIDE_REASON_CHARS)
    return { ok: false, reason: `Keep the reason to ${MAX_OVERRIDE_REASON_CHARS} characters.` };
  return {
    ok: true,
    payload: {
      deviceId: r.pending.deviceId,
      bookingRef: r.pending.bookingRef,
      flashedTo: r.pending.flashedTo,
      reason: why,
    },
  };
}
