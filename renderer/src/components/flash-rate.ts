/**
 * When a verdict flashes the whole screen. A full-screen flash is a large-area luminance
 * change: WCAG 2.3.1 (three flashes or below threshold) allows no more than three in any one
 * second, and a scanner emptying a carton reads 10-20 labels a second. So a verdict flashes
 * only when the flash before it has faded (FLASH_MS), or, for a different colour (amber
 * after green), once a third of a second has passed; otherwise the screen keeps the flash it
 * shows and the verdict is heard (each has its sound) and read in the recent-scans list.
 * Fewer flashes are also fewer frames to draw while a burst of scans is being written.
 */

/** The flash's fade, as in styles.css (.overlay-flash). */
export const FLASH_MS = 700;
/** Three a second at most (WCAG 2.3.1). */
export const MIN_FLASH_GAP_MS = 1000 / 3;

export type FlashColour = "ok" | "warn";

export interface Flash {
  colour: FlashColour;
  /** When it started (ms, any monotonic clock). */
  startedAt: number;
}

/** Whether a verdict of `colour` at `now` starts a new flash, given the one last started. */
export function startsFlash(last: Flash | null, colour: FlashColour, now: number): boolean {
  if (last === null) return true;
  const since = now - last.startedAt;
  if (since >= FLASH_MS) return true;
  return colour !== last.colour && since >= MIN_FLASH_GAP_MS;
}
