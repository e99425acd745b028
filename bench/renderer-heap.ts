/**
 * Issue 22's pause and heap rows of the renderer scan bench (kept apart from renderer-scan.ts,
 * which prints the scan → durable pair): the longest main-thread pause during the burst
 * against one frame (16.7 ms), and the renderer heap after GC against the raw bytes of the
 * compact hub index (shared/domain/hub-index.ts) that the receipt's catalogue builds.
 */
import type { Page } from "@playwright/test";
import { hubIndexBytes } from "../shared/domain/hub-index";
import { reportFigure } from "./report";

const FRAME_MS = 1000 / 60;
const mib = (bytes: number): number => bytes / 2 ** 20;

/*
 * An event-loop probe in the page: a setTimeout(0) chain (Chrome clamps it to ~4 ms) records
 * the longest gap between two of its turns, i.e. the longest stretch the main thread ran
 * something else (a scan's work, a render, a garbage collection) without a break. It costs a
 * few hundred tiny tasks a second, nothing a GC or a scan would notice.
 */
const PAUSE_PROBE = `(() => {
  let last = performance.now(), max = 0, over = 0, running = true;
  const tick = () => {
    const now = performance.now();
    const gap = now - last;
    if (gap > max) max = gap;
    if (gap > ${FRAME_MS}) over++;
    last = now;
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  window.__pauseProbe = { stop() { running = false; return { max, over }; } };
})()`;

export async function startPauseProbe(page: Page): Promise<void> {
  await page.evaluate(PAUSE_PROBE);
}

/** Stops the probe and prints the longest pause against one frame. */
export async function reportPause(page: Page, label: string): Promise<number> {
  const { max, over } = (await page.evaluate("window.__pauseProbe.stop()")) as { max: number; over: number };
  console.log(
    `  longest main-thread pause (event-loop probe): ${max.toFixed(1)} ms = ${(max / FRAME_MS).toFixed(2)} frames of 16.7 ms; ${over} gaps longer than a frame`,
  );
  reportFigure({
    figure: `${label}: longest main-thread pause, against one frame (16.7 ms)`,
    value: max,
    unit: "ms",
    target: "< 16 ms",
    met: max < 16,
  });
  return max;
}

/**
 * The heap after GC with the receipt open against the hub index's raw bytes: two HubIndex
 * tables (hub ID, GPF ID) over the cached hubs, 12 bytes a slot, plus 4 bytes a carton.
 */
export function reportHeap(heapBytes: number, cachedHubs: number, label: string): void {
  const indexBytes = 2 * hubIndexBytes(cachedHubs);
  console.log(
    `  ${label}: heap after GC ${mib(heapBytes).toFixed(1)} MiB; the hub index's raw bytes for ${cachedHubs.toLocaleString("en-GB")} hubs ${mib(indexBytes).toFixed(1)} MiB (${(heapBytes / indexBytes).toFixed(1)}×)`,
  );
  reportFigure({
    figure: `renderer heap after GC, ${label}, against the hub index's raw bytes (${mib(indexBytes).toFixed(1)} MiB)`,
    value: mib(heapBytes),
    unit: "MiB",
    target: "< 40 MiB",
    met: mib(heapBytes) < 40,
  });
}
