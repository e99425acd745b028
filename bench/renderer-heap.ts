/**
 * Issue 22's pause and heap rows of the renderer scan bench (kept apart from renderer-scan.ts,
 * which prints the scan → durable pair): the longest main-thread pause during the burst
 * against one frame (16.7 ms), and the renderer heap after GC against the raw bytes of the
 * compact hub index (shared/domain/hub-index.ts) that the receipt's catalogue builds.
 */
import type { Page } from "@playwright/test";
import { hubIndexBytes } from "../shared/domain/hub-index";
import { reportFigure, reportPair } from "./report";

const FRAME_MS = 1000 / 60;
const mib = (bytes: number): number => bytes / 2 ** 20;

/*
 * An event-loop probe in the page: a setTimeout(0) chain (Chrome clamps it to ~4 ms) records
 * the longest gap between two of its turns, i.e. the longest stretch the main thread ran
 * something else (a scan's work, a render, a garbage collection) without a break. It costs a
 * few hundred tiny tasks a second, nothing a GC or a scan would notice.
 * Beside it, the same chain in a dedicated worker of the page, a thread with nothing else to
 * do: its longest gap is how long this machine can hold a thread that wants to run (the
 * scheduler, the other processes on 2 cores), the floor under the main thread's figure in the
 * same run. Gaps over 8 ms of each are kept with their times, to say how much they overlap.
 */
const PROBE_CHAIN = `let last = performance.now(), max = 0, over = 0, running = true; const gaps = [];
  const tick = () => {
    const now = performance.now();
    const gap = now - last;
    if (gap > max) max = gap;
    if (gap > ${FRAME_MS}) over++;
    if (gap > 8) gaps.push([performance.timeOrigin + last, performance.timeOrigin + now]);
    last = now;
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);`;
const PAUSE_PROBE = `(() => {
  const worker = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(PROBE_CHAIN)} +
    "onmessage = () => { running = false; postMessage({ max, over, gaps }); };"], { type: "text/javascript" })));
  ${PROBE_CHAIN}
  window.__pauseProbe = {
    async stop() {
      running = false;
      const w = await new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); worker.postMessage("stop"); });
      worker.terminate();
      let worst = null;
      for (const [a, b] of gaps) if (worst === null || b - a > worst[1] - worst[0]) worst = [a, b];
      let shared = 0;
      if (worst !== null) for (const [c, d] of w.gaps) shared += Math.max(0, Math.min(worst[1], d) - Math.max(worst[0], c));
      return { max, over, workerMax: w.max, workerOver: w.over, sharedWithWorker: shared };
    },
  };
})()`;

export async function startPauseProbe(page: Page): Promise<void> {
  await page.evaluate(PAUSE_PROBE);
}

/** Stops the probe and prints the longest pause against one frame, and the worker thread's in the same run. */
export async function reportPause(page: Page, label: string): Promise<number> {
  const p = (await page.evaluate("window.__pauseProbe.stop()")) as {
    max: number;
    over: number;
    workerMax: number;
    workerOver: number;
    sharedWithWorker: number;
  };
  console.log(
    `  longest main-thread pause (event-loop probe): ${p.max.toFixed(1)} ms = ${(p.max / FRAME_MS).toFixed(2)} frames of 16.7 ms; ${p.over} gaps longer than a frame`,
  );
  console.log(
    `  the same probe in an idle worker thread of the page: longest ${p.workerMax.toFixed(1)} ms, ${p.workerOver} gaps longer than a frame; the worker was itself held ${p.sharedWithWorker.toFixed(1)} ms of the main thread's longest pause`,
  );
  reportFigure({
    figure: `${label}: longest main-thread pause, against one frame (16.7 ms)`,
    value: p.max,
    unit: "ms",
    target: "< 16 ms",
    met: p.max < 16,
  });
  reportPair({
    figure: `${label}: longest main-thread pause`,
    ours: `${p.max.toFixed(1)} ms (${p.sharedWithWorker.toFixed(1)} ms of it the worker was held too)`,
    compared: `one frame, 16.7 ms; an idle worker thread of the page, same run: ${p.workerMax.toFixed(1)} ms`,
    ratio: `${(p.max / FRAME_MS).toFixed(2)} frames`,
    target: "< 16 ms",
    met: p.max < 16,
  });
  return p.max;
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
