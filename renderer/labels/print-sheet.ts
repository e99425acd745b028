import type { RenderedLabel } from "./logistics-label";
import { escapeXml } from "./logistics-label";

/**
 * Print CSS for labels: one label a page, the page the label's own size (4×6 in either way),
 * no margins, nothing else printed. Named pages let portrait and landscape labels share one
 * print job (Chromium, so Electron and the browser shell). Print the standalone document
 * (labelPrintDocument) in its own window or iframe, so nothing of the app prints with it;
 * saving that print as PDF gives the PDF (Electron's printToPDF honours the same @page rules).
 */
export const LABEL_PRINT_CSS = `
@page label-landscape { size: 6in 4in; margin: 0; }
@page label-portrait { size: 4in 6in; margin: 0; }
.rfd-label { display: block; break-inside: avoid; }
.rfd-label + .rfd-label { break-before: page; }
.rfd-label.landscape { page: label-landscape; width: 6in; height: 4in; }
.rfd-label.portrait { page: label-portrait; width: 4in; height: 6in; }
.rfd-label > svg { display: block; width: 100%; height: 100%; }
@media print {
  html, body { margin: 0; padding: 0; background: #fff; }
}
@media screen {
  .rfd-label { margin: 0 auto 16px; box-shadow: 0 0 0 1px #ccc; }
}
`;

/** The HTML fragment of a sheet of labels (each copy its own page), for a print view inside the app. */
export function labelSheetHtml(labels: ReadonlyArray<{ label: RenderedLabel; copies?: number }>): string {
  const pages: string[] = [];
  for (const { label, copies } of labels) {
    const n = Math.max(1, Math.min(100, Math.floor(copies ?? 1)));
    for (let i = 0; i < n; i++) pages.push(`<div class="rfd-label ${label.size.orientation}">${label.svg}</div>`);
  }
  return `<div class="rfd-label-sheet">${pages.join("")}</div>`;
}

/** A whole HTML document to print or save as PDF (a print window, an iframe, or Electron printToPDF). */
export function labelPrintDocument(
  title: string,
  labels: ReadonlyArray<{ label: RenderedLabel; copies?: number }>,
): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${LABEL_PRINT_CSS}</style></head><body>${labelSheetHtml(labels)}</body></html>`;
}
