import type { VerdictCode } from "./receipt-verdicts";
import type { ParsedScan } from "./scan";

/**
 * Plain words for the dock's screens (issue 18): no verdict codes ("(hub-expected)") and no
 * parser detail ("'X' is not a hex digit (character 1 of …)") in front of an operator; always
 * a next step. The parser's own reason stays in the event log for support.
 */

export const RESCAN = "rescan, or type the ID printed under the barcode";

/** An unreadable scan in words with its next step. An SSCC's own fault (check digit, length) is named, as it is a fact on the label. */
export function plainUnreadable(scan: Extract<ParsedScan, { kind: "unreadable" }>): string {
  if (scan.code === "empty") return "Nothing was read (only the scanner's prefix arrived): rescan.";
  if (/^SSCC (check digit|has \d+ digits)/.test(scan.reason))
    return `Unreadable: ${scan.reason} (a misread or a damaged label). Rescan, or type the number printed under the barcode.`;
  return `Unreadable: ${RESCAN}.`;
}

/** What a receipt scan's verdict was, in words (for "already scanned … (received)" and the undo list). */
export const VERDICT_WORDS: Record<VerdictCode, string> = {
  "booking-label-expected": "booking label",
  "booking-label-mismatch": "booking label of another delivery",
  "booking-label-other": "booking label of another booking",
  "booking-label-unknown": "booking label not known here",
  "pallet-expected": "pallet received",
  "pallet-resumed": "back on a pallet",
  "pallet-other-booking": "pallet of another booking",
  "pallet-unexpected": "pallet on no booking",
  "carton-expected": "carton received",
  "carton-resumed": "back on a carton",
  "carton-count-mismatch": "carton, count differs from its label",
  "carton-other-pallet": "carton on another pallet",
  "carton-other-booking": "carton of another booking",
  "carton-unexpected": "carton on no booking",
  "carton-unlisted": "carton label (not listed)",
  "unit-hint-mismatch": "unit, label kind differs",
  "unit-unexpected": "unit on no booking",
  "hub-expected": "received",
  "hub-duplicate": "duplicate",
  "hub-wrong-container": "held: wrong container",
  "hub-not-eligible": "held: not eligible",
  "hub-other-booking": "set aside: another booking",
  "hub-unexpected": "set aside: on no booking",
  "hub-wrong-device-type": "GPF ID, not the hub's ID",
  "hub-test-lab": "test-lab ID",
  unreadable: "unreadable",
  "wrong-kind": "not expected here",
  "scan-id-reused": "already recorded",
  undone: "undone",
  "undo-refused": "undo refused",
};

/** What a scan is, in a few words ("hub 00-11-…", "booking label BK-…"), for answers outside a receipt. */
export function describeScanPlainly(scan: ParsedScan): string {
  switch (scan.kind) {
    case "hub":
      return `hub ${scan.deviceId}`;
    case "pallet":
      return `pallet label ${scan.sscc}`;
    case "carton":
      return `carton label ${scan.sscc}`;
    case "sscc":
      return `SSCC label ${scan.sscc}`;
    case "carton-number":
      return `carton number ${scan.cartonNumber}`;
    case "booking-label":
      return `booking label ${scan.bookingRef}`;
    case "unreadable":
      return "an unreadable code";
  }
}

/** The answer to a scan before anyone has signed in: nothing is recorded. */
export function signedOutAnswer(scan: ParsedScan): string {
  return `Sign in first, then scan. That was ${describeScanPlainly(scan)}; nothing was recorded.`;
}
