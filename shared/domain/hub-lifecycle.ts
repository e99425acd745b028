import { z } from "zod";

/**
 * The states of one Communications Hub in the re-flash service, as a checked state
 * machine: projections (dock and central) move a hub only through `transition`, so an
 * event that would put a hub somewhere impossible (dispatching a hub that failed its
 * flash, flashing a hub never received) is refused by name instead of silently applied.
 */

export const HUB_STATES = [
  "booked",
  "received",
  "rejected-at-receipt",
  "queued-for-jig",
  "flashing",
  "flashed",
  "flash-failed",
  "scrapped",
  // Req 6: a hub that cannot be re-flashed is credited to the Party (no replacement) and
  // is not re-delivered; that end is distinct from scrapping, so it has its own state.
  "credited",
  "manifested",
  "dispatched",
  "delivered",
] as const;
export const HubStateSchema = z.enum(HUB_STATES);
export type HubState = z.infer<typeof HubStateSchema>;

/** Every legal move and what makes it happen (the event or decision behind it). */
const TRANSITIONS: Readonly<Record<HubState, Readonly<Partial<Record<HubState, string>>>>> = {
  booked: {
    received: "scanned at receipt as expected",
    // Whole-delivery rejection: the hub never got scanned but is refused with its booking.
    "rejected-at-receipt": "receipt closed with the hub rejected",
  },
  received: {
    booked: "the receipt scan was undone",
    "rejected-at-receipt": "receipt closed with the hub rejected",
    "queued-for-jig": "receipt closed with the hub accepted",
  },
  "rejected-at-receipt": {},
  "queued-for-jig": { flashing: "loaded into a jig slot" },
  flashing: {
    flashed: "flash result: flashed and read back at the target version",
    "flash-failed": "flash result: failed",
    // The technician took the hub out before any result (wrong slot, jig swapped).
    "queued-for-jig": "unloaded from the slot before a result",
  },
  flashed: {
    manifested: "put on a re-delivery manifest",
    // A supervisor may order a re-flash of a hub already at the target (issue 6).
    "queued-for-jig": "re-flash authorised by a supervisor",
  },
  "flash-failed": {
    "queued-for-jig": "queued for a retry",
    scrapped: "fault report: disposition scrap",
    credited: "fault report: disposition credit",
  },
  scrapped: {},
  credited: {},
  manifested: {
    dispatched: "dispatched on its manifest",
    // A manifest rebuilt before dispatch (amendment, load mismatch) releases its hubs.
    flashed: "taken off a manifest before dispatch",
  },
  dispatched: { delivered: "liability passed to the Party on re-delivery" },
  delivered: {},
};

export type TransitionResult =
  | { ok: true; from: HubState; to: HubState; because: string }
  | { ok: false; code: "unknown-state" | "illegal-transition"; message: string };

function isHubState(s: unknown): s is HubState {
  return typeof s === "string" && (HUB_STATES as readonly string[]).includes(s);
}

/** Check a move of a hub from one state to another; an illegal move names both states. */
export function transition(from: HubState, to: HubState): TransitionResult {
  if (!isHubState(from)) return { ok: false, code: "unknown-state", message: `unknown hub state ${JSON.stringify(from)}` };
  if (!isHubState(to)) return { ok: false, code: "unknown-state", message: `unknown hub state ${JSON.stringify(to)}` };
  const because = TRANSITIONS[from][to];
  if (because === undefined) {
    const next = allowedNext(from);
    const hint = next.length === 0 ? `${from} is final` : `from ${from} a hub may go to ${next.join(", ")}`;
    return { ok: false, code: "illegal-transition", message: `a hub cannot go from ${from} to ${to} (${hint})` };
  }
  return { ok: true, from, to, because };
}

/** The states a hub may move to next. */
export function allowedNext(state: HubState): readonly HubState[] {
  if (!isHubState(state)) return [];
  return HUB_STATES.filter((s) => TRANSITIONS[state][s] !== undefined);
}

/** True when no move leaves this state. */
export function isFinalHubState(state: HubState): boolean {
  return allowedNext(state).length === 0;
}
