import { parseScan } from "../../../shared/domain/scan-parser";
import { quadBounds, type Quad } from "./carton-face-geometry";

/**
 * The order the new codes of one frame are recorded in. The decoder lists codes in whatever
 * order it found them, which can change from frame to frame; the log must not depend on it.
 * So: container labels first (a carton's SSCC label read with its hubs is recorded before
 * them, so they count in that carton), then reading order (rows top to bottom, each row left
 * to right), and the text itself to break any tie. The same set of codes always gives the same order.
 */

export interface FrameCode {
  /** What is handed to the scan router (the parser's input). */
  text: string;
  position: Quad;
}

/**
 * Sorts `codes` for recording; `rank` puts lower ranks first (0 for a pallet or carton label,
 * 1 for the rest). Codes whose centres lie within half a code's height of a row's first code
 * share that row.
 */
export function recordingOrder<T extends FrameCode>(codes: readonly T[], rank: (text: string) => number): T[] {
  const placed = codes.map((code) => {
    const b = quadBounds(code.position);
    return { code, rank: rank(code.text), cx: b.left + b.width / 2, cy: b.top + b.height / 2, h: b.height };
  });
  const byText = (a: { code: T }, b: { code: T }) =>
    a.code.text < b.code.text ? -1 : a.code.text > b.code.text ? 1 : 0;
  // Sorted by centre (then x, then text: a total order, so the input's order never matters).
  placed.sort((a, b) => a.rank - b.rank || a.cy - b.cy || a.cx - b.cx || byText(a, b));
  const out: T[] = [];
  let i = 0;
  while (i < placed.length) {
    const first = placed[i]!;
    let j = i + 1;
    while (j < placed.length && placed[j]!.rank === first.rank && placed[j]!.cy - first.cy <= first.h / 2) j++;
    const row = placed.slice(i, j).sort((a, b) => a.cx - b.cx || a.cy - b.cy || byText(a, b));
    for (const p of row) out.push(p.code);
    i = j;
  }
  return out;
}

/** A code's rank for `recordingOrder`: a pallet label first, then a carton's, then everything else (hubs). */
export function containerRank(text: string): number {
  const kind = parseScan(text).kind;
  if (kind === "booking-label" || kind === "pallet") return 0;
  if (kind === "carton" || kind === "sscc" || kind === "carton-number") return 1;
  return 2;
}
