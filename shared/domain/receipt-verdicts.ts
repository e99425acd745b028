/**
 * The receipt reconciler's verdicts: every code with its class (colour and sound) and whether
 * it needs a person's decision, and the verdict an action gets, with its facts as fields.
 */

export type VerdictClass = "ok" | "warn" | "error";

/** Every verdict code with its class (colour and sound) and whether it needs a person's decision. */
export const VERDICTS = {
  "booking-label-expected": { class: "ok", decision: false },
  "booking-label-mismatch": { class: "error", decision: false },
  "booking-label-other": { class: "error", decision: false },
  "booking-label-unknown": { class: "error", decision: false },
  "pallet-expected": { class: "ok", decision: false },
  "pallet-resumed": { class: "ok", decision: false },
  "pallet-other-booking": { class: "error", decision: true },
  "pallet-unexpected": { class: "error", decision: true },
  "carton-expected": { class: "ok", decision: false },
  "carton-resumed": { class: "ok", decision: false },
  "carton-count-mismatch": { class: "warn", decision: false },
  "carton-other-pallet": { class: "warn", decision: false },
  "carton-other-booking": { class: "error", decision: true },
  "carton-unexpected": { class: "error", decision: true },
  "carton-unlisted": { class: "ok", decision: false },
  "unit-hint-mismatch": { class: "warn", decision: false },
  "unit-unexpected": { class: "error", decision: true },
  "hub-expected": { class: "ok", decision: false },
  "hub-duplicate": { class: "warn", decision: false },
  "hub-wrong-container": { class: "warn", decision: true },
  "hub-not-eligible": { class: "error", decision: true },
  "hub-other-booking": { class: "error", decision: true },
  "hub-unexpected": { class: "error", decision: true },
  "hub-wrong-device-type": { class: "error", decision: false },
  "hub-test-lab": { class: "error", decision: true },
  unreadable: { class: "error", decision: false },
  "wrong-kind": { class: "error", decision: false },
  "scan-id-reused": { class: "error", decision: false },
  undone: { class: "ok", decision: false },
  "undo-refused": { class: "error", decision: false },
} as const satisfies Record<string, { class: VerdictClass; decision: boolean }>;

export type VerdictCode = keyof typeof VERDICTS;
export const VERDICT_CODES = Object.keys(VERDICTS) as VerdictCode[];

/** What the operator is told after one action. */
export interface Verdict {
  code: VerdictCode;
  class: VerdictClass;
  /** The reason in words, for the screen. */
  reason: string;
  /** The scan this verdict is about (for an undo: the scan undone). */
  scanId: string;
  /** The hub ID or SSCC the scan named, when it named one. */
  subject: string | null;
  /** For a pallet, carton or hub of another booking: that booking (a fact, never read back from `reason`). */
  otherBookingRef: string | null;
  /** For `hub-not-eligible`: why the booked hub cannot be accepted here. */
  ineligible: Ineligibility | null;
  /** For `unit-hint-mismatch`: what the booking lists the SSCC as, and what our label's (91) kind says. */
  listedAs: UnitKind | null;
  labelSays: UnitKind | null;
}

export type UnitKind = "pallet" | "carton";

/** Why a booked hub cannot be accepted at this site. */
export type Ineligibility = "not-pending" | "other-party" | "wrong-csp" | "wrong-facility";

export interface VerdictFacts {
  otherBookingRef?: string;
  ineligible?: Ineligibility;
  listedAs?: UnitKind;
  labelSays?: UnitKind;
}

/** A verdict with its class from the table and its facts (none unless given). */
export function verdict(
  code: VerdictCode,
  reason: string,
  scanId: string,
  subject: string | null,
  facts: VerdictFacts = {},
): Verdict {
  return {
    code,
    class: VERDICTS[code].class,
    reason,
    scanId,
    subject,
    otherBookingRef: facts.otherBookingRef ?? null,
    ineligible: facts.ineligible ?? null,
    listedAs: facts.listedAs ?? null,
    labelSays: facts.labelSays ?? null,
  };
}
