/**
 * What one raw scan is, once parsed (before it is reconciled against a booking).
 * Every scan source (keyboard wedge, HID-POS, camera) feeds the one parser
 * `parseScan` in ./scan-parser.ts, which returns exactly one of these and never throws.
 */
export type UnreadableCode =
  "empty" | "bad-characters" | "wrong-length" | "bad-check-digit" | "unknown-ai" | "malformed-gs1" | "unknown-format";

export type ParsedScan =
  | { kind: "booking-label"; raw: string; bookingRef: string; deliveryRef: string }
  | { kind: "pallet"; raw: string; sscc: string; bookingRef: string | null }
  | { kind: "carton"; raw: string; sscc: string; bookingRef: string | null; hubCount: number | null }
  /** Any valid SSCC with no label kind of ours (a Party's or supplier's GS1 logistic label): pallet or carton by lookup. */
  | { kind: "sscc"; raw: string; sscc: string }
  /** An original supplier's plain Code 128 carton number (docs/labels.md): a carton's label, never on a booking. */
  | { kind: "carton-number"; raw: string; cartonNumber: string }
  | { kind: "hub"; raw: string; deviceId: string }
  | { kind: "unreadable"; raw: string; code: UnreadableCode; reason: string };

export type ScanKind = ParsedScan["kind"];
