/**
 * GS1 logistics labels (4×6 in) for pallets, cartons and the booking label of MP155 Req 3, as
 * SVG text. The layout follows the GS1 Logistic Label guideline: a "from / to" section at the
 * top, a content section in words, and the barcode section at the bottom with the
 * human-readable interpretation (HRI) under the bars.
 *
 * Why an SVG string drawn here rather than JsBarcode's own SVG renderer: JsBarcode draws into a
 * DOM node with its own margins and fonts; we need the bars at a whole number of printer dots a
 * module, quiet zones we can prove, and the same output in a React screen, a print window, a
 * PDF and a DOM-less unit test. So JsBarcode computes the bar pattern (gs1-128-modules.ts) and
 * this file places it. The SVG is vector, so it prints sharp and saves as PDF from the browser
 * or Electron.
 */
import type { z } from "zod";
import { encodeBookingLabel, encodeCartonLabel, encodePalletLabel, type EncodedLabel } from "../../shared/domain/labels";
import type { DeliveryWindow } from "../../shared/domain/booking";
import type { LabelPrintedPayload } from "../../shared/events";
import { barRuns, gs1128Modules, GS1_128_QUIET_ZONE_MODULES } from "./gs1-128-modules";

export interface LabelAddress {
  name: string;
  /** Up to three lines are printed; longer lines are cut with an ellipsis. */
  lines: string[];
}

export type LabelContent =
  | {
      kind: "pallet";
      sscc: string;
      bookingRef: string | null;
      manifestId?: string | null;
      from: LabelAddress;
      to: LabelAddress;
      cartonCount: number;
      hubCount: number;
      deliveryDate?: string | null;
      deliveryWindow?: DeliveryWindow | null;
    }
  | {
      kind: "carton";
      sscc: string;
      bookingRef: string | null;
      manifestId?: string | null;
      from: LabelAddress;
      to: LabelAddress;
      hubCount: number;
      /** The pallet it travels on; null for a loose carton. */
      palletSscc: string | null;
      deliveryDate?: string | null;
      deliveryWindow?: DeliveryWindow | null;
    }
  | {
      kind: "booking";
      bookingRef: string;
      deliveryRef: string;
      from: LabelAddress;
      to: LabelAddress;
      deliveryDate: string;
      deliveryWindow: DeliveryWindow;
      palletCount?: number | null;
    };

export interface LabelRenderOptions {
  /**
   * Dots per inch of the printer the label is for; bars are whole dots at this resolution.
   * Default 300. Render at the printer's own dpi: a 300-dpi portrait label printed at 203 dpi
   * lands modules between dots (in a simulation a third of them then failed to decode).
   */
  dpi?: number;
  /** Default "landscape" (6 in wide): a GS1-128 symbol holding SSCC, booking ref and kind is long, and 6 in gives it wider modules. */
  orientation?: "portrait" | "landscape";
}

/** Where the barcode is on the label, in label dots (the viewBox units). */
export interface BarcodeGeometry {
  modules: string;
  /** Dots a module (X dimension); a whole number, so bars land on printer dots. */
  moduleDots: number;
  xDimensionMm: number;
  /** Quiet zone either side, in modules (at least 10). */
  quietZoneModules: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface RenderedLabel {
  ok: true;
  kind: LabelContent["kind"];
  svg: string;
  /** The payload encoded in the bars, as labels.ts built it. */
  payload: EncodedLabel;
  barcode: BarcodeGeometry;
  /** Print-quality concerns in words (X dimension below GS1's or scanners' comfort), for the screen. */
  warnings: string[];
  /** Label size in dots and inches. */
  size: { widthDots: number; heightDots: number; widthIn: number; heightIn: number; dpi: number; orientation: "portrait" | "landscape" };
}

export type RenderLabelResult = RenderedLabel | { ok: false; reason: string };

const KIND_TITLE: Record<LabelContent["kind"], string> = { pallet: "PALLET", carton: "CARTON", booking: "BOOKING" };
/** GS1 asks for bars at least 32 mm tall on a logistic label's SSCC symbol. */
const MIN_BAR_HEIGHT_MM = 32;
/** GS1 General Specifications, logistic labels (SSCC in GS1-128): smallest X dimension. */
const GS1_MIN_X_MM = 0.495;
/** Below this, ordinary handheld scanners struggle; we warn louder. */
const COMFORT_MIN_X_MM = 0.25;

/** XML-escapes text for an SVG text node or attribute. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** An SSCC grouped for people: extension digit, 16 digits of company prefix + serial, check digit. */
export function formatSscc(sscc: string): string {
  return /^\d{18}$/.test(sscc) ? `${sscc.slice(0, 1)} ${sscc.slice(1, 17)} ${sscc.slice(17)}` : sscc;
}

function payloadOf(content: LabelContent): EncodedLabel | { ok: false; reason: string } {
  switch (content.kind) {
    case "pallet":
      return encodePalletLabel({ sscc: content.sscc, bookingRef: content.bookingRef });
    case "carton":
      return encodeCartonLabel({ sscc: content.sscc, bookingRef: content.bookingRef, hubCount: content.hubCount });
    case "booking":
      return encodeBookingLabel({ bookingRef: content.bookingRef, deliveryRef: content.deliveryRef });
  }
}

function detailRows(c: LabelContent): Array<[string, string]> {
  const when = (d?: string | null, w?: DeliveryWindow | null): string => (d ? `${d}${w ? `  ${w.start}-${w.end}` : ""}` : "");
  const rows: Array<[string, string]> = [];
  switch (c.kind) {
    case "pallet":
      rows.push(["SSCC", formatSscc(c.sscc)], ["Booking", c.bookingRef ?? "-"], ["Contents", `${c.cartonCount} cartons, ${c.hubCount} hubs`]);
      if (c.manifestId) rows.push(["Manifest", c.manifestId]);
      if (c.deliveryDate) rows.push(["Delivery", when(c.deliveryDate, c.deliveryWindow)]);
      break;
    case "carton":
      rows.push(["SSCC", formatSscc(c.sscc)], ["Booking", c.bookingRef ?? "-"], ["Contents", `${c.hubCount} hubs`], ["Pallet", c.palletSscc ? formatSscc(c.palletSscc) : "loose carton"]);
      if (c.manifestId) rows.push(["Manifest", c.manifestId]);
      if (c.deliveryDate) rows.push(["Delivery", when(c.deliveryDate, c.deliveryWindow)]);
      break;
    case "booking":
      rows.push(["Booking", c.bookingRef], ["Delivery ref", c.deliveryRef], ["Delivery", when(c.deliveryDate, c.deliveryWindow)]);
      if (c.palletCount != null) rows.push(["Pallets", String(c.palletCount)]);
      break;
  }
  return rows;
}

/** Renders one label as a standalone SVG document (4×6 in), or says why it cannot. */
export function renderLogisticsLabel(content: LabelContent, options: LabelRenderOptions = {}): RenderLabelResult {
  const dpi = options.dpi ?? 300;
  if (!Number.isInteger(dpi) || dpi < 150 || dpi > 1200) return { ok: false, reason: `dpi ${dpi} is not a whole number 150-1200` };
  const orientation = options.orientation ?? "landscape";
  const payload = payloadOf(content);
  if (!payload.ok) return { ok: false, reason: payload.reason };
  const mod = gs1128Modules(payload);
  if (!mod.ok) return mod;

  const widthIn = orientation === "landscape" ? 6 : 4;
  const heightIn = orientation === "landscape" ? 4 : 6;
  const W = widthIn * dpi;
  const H = heightIn * dpi;
  const u = dpi / 100; // layout unit: 1/100 in
  const margin = Math.round(10 * u);
  const border = Math.max(2, Math.round(1.2 * u));

  // Module width: the widest whole number of dots for which bars and both quiet zones fit inside the border.
  const inner = W - 2 * (margin + border);
  const totalModules = mod.modules.length + 2 * GS1_128_QUIET_ZONE_MODULES;
  const moduleDots = Math.floor(inner / totalModules);
  if (moduleDots < 1) return { ok: false, reason: `the barcode (${totalModules} modules with quiet zones) does not fit ${widthIn} in at ${dpi} dpi` };
  const barWidth = mod.modules.length * moduleDots;
  const quietDots = Math.floor((inner - barWidth) / 2);
  const barLeft = margin + border + quietDots;
  const barHeight = Math.max(Math.round((MIN_BAR_HEIGHT_MM / 25.4) * dpi), Math.round(H * (orientation === "landscape" ? 0.3 : 0.22)));
  const hriSize = Math.round(13 * u);
  const barTop = H - margin - border - Math.round(8 * u) - hriSize - Math.round(6 * u) - barHeight;

  const parts: string[] = [];
  const rect = (x: number, y: number, w: number, h: number, cls: string) => parts.push(`<rect class="${cls}" x="${x}" y="${y}" width="${w}" height="${h}"/>`);
  const text = (x: number, y: number, size: number, s: string, o: { weight?: "bold"; anchor?: "middle" | "end"; family?: "mono" } = {}) =>
    parts.push(
      `<text x="${x}" y="${y}" font-size="${size}"${o.weight ? ` font-weight="${o.weight}"` : ""}${o.anchor ? ` text-anchor="${o.anchor}"` : ""} font-family="${o.family === "mono" ? "DejaVu Sans Mono, Consolas, monospace" : "Arial, Helvetica, sans-serif"}">${escapeXml(s)}</text>`,
    );

  // Rules are filled rects (not strokes), so a rasteriser of rects sees exactly what prints.
  // Only horizontal rules: nothing dark may share a row with the bars. GS1 asks for quiet zones,
  // and zxing-js 0.21.3's Code128Reader misses a symbol if anything dark precedes it in the row
  // (its findStartPattern shifts its counters with a typed-array slice that drops two slots).
  rect(margin, margin, W - 2 * margin, border, "rule");
  rect(margin, H - margin - border, W - 2 * margin, border, "rule");

  const left = margin + border + Math.round(8 * u);
  const right = W - margin - border - Math.round(8 * u);
  let y = margin + border + Math.round(24 * u);
  text(left, y, Math.round(22 * u), KIND_TITLE[content.kind], { weight: "bold" });
  text(right, y, Math.round(11 * u), "Re-Flash Dock · GS1-128", { anchor: "end" });
  y += Math.round(8 * u);
  rect(margin, y, W - 2 * margin, border, "rule");

  // From / To section.
  const half = Math.round(W / 2);
  const addrSize = Math.round(11 * u);
  const block = (x: number, title: string, a: LabelAddress, maxChars: number) => {
    let yy = y + Math.round(16 * u);
    text(x, yy, Math.round(9 * u), title, { weight: "bold" });
    yy += Math.round(14 * u);
    text(x, yy, addrSize, clip(a.name, maxChars), { weight: "bold" });
    for (const line of a.lines.slice(0, 3)) {
      yy += Math.round(13 * u);
      text(x, yy, addrSize, clip(line, maxChars));
    }
  };
  const maxChars = Math.floor((half - left - 10 * u) / (addrSize * 0.55));
  block(left, "FROM", content.from, maxChars);
  block(half + Math.round(8 * u), "TO", content.to, maxChars);
  y += Math.round(16 * u) + Math.round(14 * u) + 3 * Math.round(13 * u) + Math.round(10 * u);
  rect(margin, y, W - 2 * margin, border, "rule");

  // Content section in words.
  const rowSize = Math.round(12 * u);
  const rows = detailRows(content);
  const rowsRoom = barTop - Math.round(6 * u) - y;
  const rowStep = Math.min(Math.round(17 * u), Math.floor(rowsRoom / Math.max(1, rows.length)));
  for (const [k, v] of rows) {
    y += rowStep;
    text(left, y, Math.min(rowSize, rowStep - 2), k, { weight: "bold" });
    text(left + Math.round(110 * u), y, Math.min(rowSize, rowStep - 2), v, { family: "mono" });
  }

  // Barcode section: nothing else is drawn between the border and the bars (the quiet zones).
  for (const [start, width] of barRuns(mod.modules)) rect(barLeft + start * moduleDots, barTop, width * moduleDots, barHeight, "bar");
  text(Math.round(W / 2), barTop + barHeight + Math.round(6 * u) + hriSize, hriSize, payload.hri, { anchor: "middle", family: "mono" });

  const title = `${KIND_TITLE[content.kind]} label ${payload.hri}`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthIn}in" height="${heightIn}in" viewBox="0 0 ${W} ${H}" shape-rendering="crispEdges" role="img" aria-label="${escapeXml(title)}" data-label-kind="${content.kind}">` +
    `<title>${escapeXml(title)}</title><rect class="paper" x="0" y="0" width="${W}" height="${H}" fill="#fff"/><g fill="#000">${parts.join("")}</g></svg>`;

  const xDimensionMm = Math.round((moduleDots / dpi) * 25.4 * 1000) / 1000;
  const warnings: string[] = [];
  if (xDimensionMm < COMFORT_MIN_X_MM)
    warnings.push(`bars are only ${xDimensionMm} mm a module: many scanners will not read them; print landscape or on a higher-resolution printer`);
  else if (xDimensionMm < GS1_MIN_X_MM)
    warnings.push(`X dimension ${xDimensionMm} mm is below GS1's ${GS1_MIN_X_MM} mm for logistic labels (the payload holds ${mod.modules.length} modules)`);
  return {
    ok: true,
    kind: content.kind,
    svg,
    payload,
    warnings,
    barcode: {
      modules: mod.modules,
      moduleDots,
      xDimensionMm,
      quietZoneModules: Math.floor(quietDots / moduleDots),
      left: barLeft,
      top: barTop,
      width: barWidth,
      height: barHeight,
    },
    size: { widthDots: W, heightDots: H, widthIn, heightIn, dpi, orientation },
  };
}

/** The SVG as a data: URL, for an <img> or a download link. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** The `label.printed` payload for a rendered label. */
export function labelPrintedPayload(
  label: RenderedLabel,
  content: LabelContent,
  print: { output: "printer" | "pdf"; copies: number; manifestId?: string | null },
): z.output<typeof LabelPrintedPayload> {
  return {
    labelKind: label.kind,
    barcode: label.payload.scan,
    sscc: content.kind === "booking" ? null : content.sscc,
    bookingRef: content.bookingRef,
    manifestId: print.manifestId ?? (content.kind === "booking" ? null : (content.manifestId ?? null)),
    output: print.output,
    copies: print.copies,
  };
}
