import type { RenderedLabel } from "./logistics-label";
import { labelPrintDocument } from "./print-sheet";

/**
 * Prints labels from the browser or Electron window: the standalone print document goes into a
 * hidden iframe, so only the labels print, each on a page of its own size; "Save as PDF" in the
 * print dialog gives the PDF. Resolves once the print dialog has returned.
 */
export async function printLabels(
  title: string,
  labels: ReadonlyArray<{ label: RenderedLabel; copies?: number }>,
  doc: Document = document,
): Promise<void> {
  const frame = doc.createElement("iframe");
  frame.setAttribute("aria-hidden", "true");
  frame.style.cssText = "position:fixed;right:0;bottom:0;width:0;height:0;border:0;visibility:hidden";
  const loaded = new Promise<void>((resolve) => frame.addEventListener("load", () => resolve(), { once: true }));
  frame.srcdoc = labelPrintDocument(title, labels);
  doc.body.appendChild(frame);
  try {
    await loaded;
    const win = frame.contentWindow;
    if (win === null) throw new Error("the print frame has no window");
    win.focus();
    // print() blocks until the dialog closes in Chromium, so the frame may go right after.
    win.print();
  } finally {
    frame.remove();
  }
}
