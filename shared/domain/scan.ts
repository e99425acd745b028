/**
 * What one raw scan is, once parsed (before it is reconciled against a booking).
 * Every scan source (keyboard wedge, HID-POS, camera) feeds the one parser
 * `parseScan` in ./scan-parser.ts, which returns exactly one of these and never throws.
 */
export type UnreadableCode =
  | "empty"
  | "bad-characters"
  | "wrong-length"
  | "bad-check-digit"
  | "unknown-ai"
  | "malformed-gs1"
  | "unknown-format";

export type ParsedScan =
  | { kind: "booking-label"; raw: string; bookingRef: string; deliveryRef: string }
  | { kind: "pallet"; raw: string; sscc: string; bookingRef: string | null }
  | { kind: "carton"; raw: string; sscc: string; bookingRef: string | null; hubCount: number | null }
  | { kind: "hub"; raw: string; deviceId: string }
  | { kind: "unreadable"; raw: string; code: UnreadableCode; reason: string };

export type ScanKind = ParsedScan["kind"];
