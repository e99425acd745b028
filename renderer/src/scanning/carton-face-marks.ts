import { GS1_SYMBOLOGIES } from "../../../shared/domain/labels";
import type { VerdictClass, VerdictCode } from "../../../shared/domain/reconcile";

/**
 * What the camera hands the one parser, and what each code's overlay says. A GS1 symbol goes
 * in with its symbology identifier ("]C1" for GS1-128) and its FNC1 separators as GS, as a
 * wedge scanner configured for GS1 sends it (and as @zxing/library's ASSUME_GS1 gave it); any
 * other symbol (a hub's Device ID in plain Code 128, "]C0") goes in as its text alone.
 */
export function scanTextOf(text: string, symbologyIdentifier: string): string {
  return GS1_SYMBOLOGIES.has(symbologyIdentifier) ? `${symbologyIdentifier}${text}` : text;
}

export type FaceTone = "ok" | "warn" | "error" | "waiting";

/** An overlay's colour and its words (the words carry the meaning; the colour only repeats it). */
export interface FaceMark {
  tone: FaceTone;
  words: string;
}

/** The mark of a code from its verdict; null while the code waits its turn (behind an error on screen). */
export function faceMark(verdict: { code: VerdictCode; class: VerdictClass } | null): FaceMark {
  if (verdict === null) return { tone: "waiting", words: "waiting" };
  if (verdict.code === "hub-duplicate") return { tone: "warn", words: "already scanned" };
  if (verdict.class === "ok") return { tone: "ok", words: "accepted" };
  if (verdict.class === "error") return { tone: "error", words: "refused" };
  return { tone: "warn", words: "check" };
}
