/**
 * GS1 logistics labels (4×6 in) for pallets, cartons and the booking label of MP155 Req 3, as
 * SVG text. The layout follows the GS1 Logistic Label guideline: a "from / to" section at the
 * top, a content section in words, and the barcode section at the bottom with the
 * human-readable interpretation (HRI) under the bars.
 *
 * Pallet and carton labels carry two GS1-128 symbols, as the guideline does it: the SSCC
 * symbol, lowest on the label, holds only (00) SSCC and (91) kind, which keeps it short enough
 * for GS1's 0.495 mm X dimension across 6 in at 203 and 300 dpi; the symbol above it holds the
 * rest, (37) hub count and (400) booking ref, with its own kind (91)RFD1-REF, so a scanner aimed
 * at it is told to scan the bottom one. The booking label keeps its one symbol.
 *
 * Why an SVG string drawn here rather than JsBarcode's own SVG renderer: JsBarcode draws into a
 * DOM node with its own margins and fonts; we need the bars at a whole number of printer dots a
 * module, quiet zones we can prove, and the same output in a React screen, a print window, a
 * PDF and a DOM-less unit test. So JsBarcode computes the bar pattern (gs1-128-modules.ts) and
 * this file places it. The SVG is vector, so it prints sharp and saves as PDF from the browser
 * or Electron.
 */
import type { z } from "zod";
import { encodeBookingLabel, encodeLogisticLabelSymbols, type EncodedLabel } from "../../shared/domain/labels";
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
  /**
   * Default "landscape" (6 in wide): only 6 in gives the SSCC symbol ((00) + (91), 266 modules
   * with 20 of quiet zone) GS1's 0.495 mm X dimension; 4 in gives it 0.254 mm (300 dpi) or 0.25 mm (203 dpi).
   */
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

/** One symbol on a label: what its bars encode and where they are. */
export interface RenderedSymbol {
  /** The payload encoded in the bars, as labels.ts built it. */
  payload: EncodedLabel;
  barcode: BarcodeGeometry;
}

export interface RenderedLabel extends RenderedSymbol {
  ok: true;
  kind: LabelContent["kind"];
  svg: string;
  /**
   * `payload` and `barcode` are the lowest symbol: on a pallet or carton label the SSCC symbol,
   * (00) and (91) only; on a booking label its one symbol. `reference` is the symbol above the
   * SSCC symbol, (37) count, (400) booking ref, (91)RFD1-REF; null on a booking label and on a
   * pallet label without a booking ref.
   */
  reference: RenderedSymbol | null;
  /** Print-quality concerns in words (X dimension below GS1's or scanners' comfort), for the screen. */
  warnings: string[];
  /** Label size in dots and inches. */
  size: {
    widthDots: number;
    heightDots: number;
    widthIn: number;
    heightIn: number;
    dpi: number;
    orientation: "portrait" | "landscape";
  };
}

export type RenderLabelResult = RenderedLabel | { ok: false; reason: string };

const KIND_TITLE: Record<LabelContent["kind"], string> = { pallet: "PALLET", carton: "CARTON", booking: "BOOKING" };
/** GS1 asks for bars at least 32 mm tall on a logistic label's SSCC symbol. */
const MIN_BAR_HEIGHT_MM = 32;
/**
 * The booking-reference symbol gets what is left between the content rows and the SSCC symbol,
 * up to 32 mm (all of it in portrait) and never less than this (about 14 mm in landscape).
 */
const MIN_REFERENCE_BAR_HEIGHT_MM = 10;
/** GS1 General Specifications, logistic labels (SSCC in GS1-128): smallest X dimension. */
const GS1_MIN_X_MM = 0.495;
/** Below this, ordinary handheld scanners struggle; we warn louder. */
const COMFORT_MIN_X_MM = 0.25;

/** XML-escapes text for an SVG text node or attribute. */
export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  );
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** An SSCC grouped for people: extension digit, 16 digits of company prefix + serial, check digit. */
export function formatSscc(sscc: string): string {
  return /^\d{18}$/.test(sscc) ? `${sscc.slice(0, 1)} ${sscc.slice(1, 17)} ${sscc.slice(17)}` : sscc;
}

/** The label's symbols: `main` lowest (SSCC or booking), `reference` above it or null. */
function payloadsOf(
  content: LabelContent,
): { ok: true; main: EncodedLabel; reference: EncodedLabel | null } | { ok: false; reason: string } {
  if (content.kind === "booking") {
    const main = encodeBookingLabel({ bookingRef: content.bookingRef, deliveryRef: content.deliveryRef });
    return main.ok ? { ok: true, main, reference: null } : main;
  }
  const symbols =
    content.kind === "pallet"
      ? encodeLogisticLabelSymbols({ kind: "pallet", sscc: content.sscc, bookingRef: content.bookingRef })
      : encodeLogisticLabelSymbols({
          kind: "carton",
          sscc: content.sscc,
          bookingRef: content.bookingRef,
          hubCount: content.hubCount,
        });
  return symbols.ok ? { ok: true, main: symbols.sscc, reference: symbols.reference } : symbols;
}

function detailRows(c: LabelContent): Array<[string, string]> {
  const when = (d?: string | null, w?: DeliveryWindow | null): string =>
    d ? `${d}${w ? `  ${w.start}-${w.end}` : ""}` : "";
  const rows: Array<[string, string]> = [];
  switch (c.kind) {
    case "pallet":
      rows.push(
        ["SSCC", formatSscc(c.sscc)],
        ["Booking", c.bookingRef ?? "-"],
        ["Contents", `${c.cartonCount} cartons, ${c.hubCount} hubs`],
      );
      if (c.manifestId) rows.push(["Manifest", c.manifestId]);
      if (c.deliveryDate) rows.push(["Delivery", when(c.deliveryDate, c.deliveryWindow)]);
      break;
    case "carton":
      rows.push(
        ["SSCC", formatSscc(c.sscc)],
        ["Booking", c.bookingRef ?? "-"],
        ["Contents", `${c.hubCount} hubs`],
        ["Pallet", c.palletSscc ? formatSscc(c.palletSscc) : "loose carton"],
      );
      if (c.manifestId) rows.push(["Manifest", c.manifestId]);
      if (c.deliveryDate) rows.push(["Delivery", when(c.deliveryDate, c.deliveryWindow)]);
      break;
    case "booking":
      rows.push(
        ["Booking", c.bookingRef],
        ["Delivery ref", c.deliveryRef],
        ["Delivery", when(c.deliveryDate, c.deliveryWindow)],
      );
      if (c.palletCount != null) rows.push(["Pallets", String(c.palletCount)]);
      break;
  }
  return rows;
}

/** Renders one label as a standalone SVG document (4×6 in), or says why it cannot. */
export function renderLogisticsLabel(content: LabelContent, options: LabelRenderOptions = {}): RenderLabelResult {
  const dpi = options.dpi ?? 300;
  if (!Number.isInteger(dpi) || dpi < 150 || dpi > 1200)
    return { ok: false, reason: `dpi ${dpi} is not a whole number 150-1200` };
  const orientation = options.orientation ?? "landscape";
  const payloads = payloadsOf(content);
  if (!payloads.ok) return { ok: false, reason: payloads.reason };
  const payload = payloads.main;
  const mod = gs1128Modules(payload);
  if (!mod.ok) return mod;
  const refPayload = payloads.reference;
  const refMod = refPayload === null ? null : gs1128Modules(refPayload);
  if (refMod !== null && !refMod.ok) return refMod;

  const widthIn = orientation === "landscape" ? 6 : 4;
  const heightIn = orientation === "landscape" ? 4 : 6;
  const W = widthIn * dpi;
  const H = heightIn * dpi;
  const u = dpi / 100; // layout unit: 1/100 in
  const margin = Math.round(10 * u);
  const border = Math.max(2, Math.round(1.2 * u));
  const mmDots = (mm: number): number => Math.round((mm / 25.4) * dpi);

  // Module width: the widest whole number of dots for which bars and both quiet zones fit inside the border.
  const inner = W - 2 * (margin + border);
  const across = (
    modules: string,
  ): { moduleDots: number; left: number; width: number; quietDots: number } | { ok: false; reason: string } => {
    const totalModules = modules.length + 2 * GS1_128_QUIET_ZONE_MODULES;
    const moduleDots = Math.floor(inner / totalModules);
    if (moduleDots < 1)
      return {
        ok: false,
        reason: `the barcode (${totalModules} modules with quiet zones) does not fit ${widthIn} in at ${dpi} dpi`,
      };
    const width = modules.length * moduleDots;
    const quietDots = Math.floor((inner - width) / 2);
    return { moduleDots, left: margin + border + quietDots, width, quietDots };
  };
  const main = across(mod.modules);
  if ("ok" in main) return main;
  const ref = refMod === null ? null : across(refMod.modules);
  if (ref !== null && "ok" in ref) return ref;

  // Barcode section, from the bottom up: the lowest symbol (SSCC) and its HRI, then the reference symbol's.
  const barHeight = Math.max(mmDots(MIN_BAR_HEIGHT_MM), Math.round(H * (orientation === "landscape" ? 0.3 : 0.22)));
  const hriSize = Math.round(13 * u);
  const hriGap = Math.round(6 * u);
  const hriY = H - margin - border - Math.round(8 * u);
  const barTop = hriY - hriSize - hriGap - barHeight;
  const refHriY = barTop - Math.round(10 * u);
  const refBarsBottom = refHriY - hriSize - hriGap;

  // With two symbols on a 4 in tall label the text above them is set tighter, and the content rows in two columns.
  const compact = ref !== null && orientation === "landscape";

  const parts: string[] = [];
  const rect = (x: number, y: number, w: number, h: number, cls: string) =>
    parts.push(`<rect class="${cls}" x="${x}" y="${y}" width="${w}" height="${h}"/>`);
  const text = (
    x: number,
    y: number,
    size: number,
    s: string,
    o: { weight?: "bold"; anchor?: "middle" | "end"; family?: "mono" } = {},
  ) =>
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
  y += Math.round((compact ? 6 : 8) * u);
  rect(margin, y, W - 2 * margin, border, "rule");

  // From / To section.
  const half = Math.round(W / 2);
  const addrSize = Math.round((compact ? 10 : 11) * u);
  const addrTitle = Math.round((compact ? 13 : 16) * u);
  const addrName = Math.round((compact ? 12 : 14) * u);
  const addrLine = Math.round((compact ? 11 : 13) * u);
  const addrEnd = Math.round((compact ? 7 : 10) * u);
  const block = (x: number, title: string, a: LabelAddress, maxChars: number) => {
    let yy = y + addrTitle;
    text(x, yy, Math.round(9 * u), title, { weight: "bold" });
    yy += addrName;
    text(x, yy, addrSize, clip(a.name, maxChars), { weight: "bold" });
    for (const line of a.lines.slice(0, 3)) {
      yy += addrLine;
      text(x, yy, addrSize, clip(line, maxChars));
    }
  };
  const maxChars = Math.floor((half - left - 10 * u) / (addrSize * 0.55));
  block(left, "FROM", content.from, maxChars);
  block(half + Math.round(8 * u), "TO", content.to, maxChars);
  y += addrTitle + addrName + 3 * addrLine + addrEnd;
  rect(margin, y, W - 2 * margin, border, "rule");

  // Content section in words: one column, or two side by side when compact.
  const rows = detailRows(content);
  const columns = compact ? 2 : 1;
  const perColumn = Math.max(1, Math.ceil(rows.length / columns));
  const naturalStep = Math.round((compact ? 15 : 17) * u);
  const rowsGap = Math.round((ref === null ? 6 : 9) * u);
  const rowsEndNatural = y + perColumn * naturalStep + rowsGap;
  // The reference symbol takes what the rows leave, between its floor and GS1's 32 mm.
  const refBarHeight =
    ref === null
      ? 0
      : Math.max(
          mmDots(MIN_REFERENCE_BAR_HEIGHT_MM),
          Math.min(mmDots(MIN_BAR_HEIGHT_MM), refBarsBottom - rowsEndNatural),
        );
  const refBarTop = refBarsBottom - refBarHeight;
  const rowsRoom = (ref === null ? barTop : refBarTop) - rowsGap - y;
  const rowStep = Math.min(naturalStep, Math.floor(rowsRoom / perColumn));
  const rowSize = Math.min(Math.round((compact ? 11 : 12) * u), rowStep - 2);
  const columnWidth = Math.floor((right - left) / columns);
  const valueOffset = Math.round((compact ? 75 : 110) * u);
  const valueChars = Math.max(4, Math.floor((columnWidth - valueOffset - 6 * u) / (rowSize * 0.6)));
  rows.forEach(([k, v], i) => {
    const x = left + Math.floor(i / perColumn) * columnWidth;
    const yy = y + ((i % perColumn) + 1) * rowStep;
    text(x, yy, rowSize, k, { weight: "bold" });
    text(x + valueOffset, yy, rowSize, compact ? clip(v, valueChars) : v, { family: "mono" });
  });

  // Barcode section: nothing else is drawn between the border and the bars (the quiet zones).
  if (ref !== null && refMod !== null && refPayload !== null) {
    for (const [start, width] of barRuns(refMod.modules))
      rect(ref.left + start * ref.moduleDots, refBarTop, width * ref.moduleDots, refBarHeight, "bar");
    text(Math.round(W / 2), refHriY, hriSize, refPayload.hri, { anchor: "middle", family: "mono" });
  }
  for (const [start, width] of barRuns(mod.modules))
    rect(main.left + start * main.moduleDots, barTop, width * main.moduleDots, barHeight, "bar");
  text(Math.round(W / 2), hriY, hriSize, payload.hri, { anchor: "middle", family: "mono" });

  const title = `${KIND_TITLE[content.kind]} label ${payload.hri}${refPayload ? ` ${refPayload.hri}` : ""}`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthIn}in" height="${heightIn}in" viewBox="0 0 ${W} ${H}" shape-rendering="crispEdges" role="img" aria-label="${escapeXml(title)}" data-label-kind="${content.kind}">` +
    `<title>${escapeXml(title)}</title><rect class="paper" x="0" y="0" width="${W}" height="${H}" fill="#fff"/><g fill="#000">${parts.join("")}</g></svg>`;

  const xMm = (moduleDots: number): number => Math.round((moduleDots / dpi) * 25.4 * 1000) / 1000;
  const geometry = (
    modules: string,
    at: { moduleDots: number; left: number; width: number; quietDots: number },
    top: number,
    height: number,
  ): BarcodeGeometry => ({
    modules,
    moduleDots: at.moduleDots,
    xDimensionMm: xMm(at.moduleDots),
    quietZoneModules: Math.floor(at.quietDots / at.moduleDots),
    left: at.left,
    top,
    width: at.width,
    height,
  });
  const barcode = geometry(mod.modules, main, barTop, barHeight);
  const reference =
    ref !== null && refMod !== null && refPayload !== null
      ? { payload: refPayload, barcode: geometry(refMod.modules, ref, refBarTop, refBarHeight) }
      : null;

  const warnings: string[] = [];
  const which = content.kind === "booking" ? "the barcode" : "the SSCC barcode";
  if (barcode.xDimensionMm < COMFORT_MIN_X_MM)
    warnings.push(
      `bars are only ${barcode.xDimensionMm} mm a module: many scanners will not read them; print landscape or on a higher-resolution printer`,
    );
  else if (barcode.xDimensionMm < GS1_MIN_X_MM)
    warnings.push(
      `X dimension ${barcode.xDimensionMm} mm is below GS1's ${GS1_MIN_X_MM} mm for logistic labels (${which} holds ${mod.modules.length} modules)`,
    );
  // The reference symbol is not the logistic unit's key; it is read by hand, so only a width scanners struggle with is worth a warning.
  if (reference !== null && reference.barcode.xDimensionMm < COMFORT_MIN_X_MM)
    warnings.push(
      `the booking-reference barcode's bars are only ${reference.barcode.xDimensionMm} mm a module: many scanners will not read them; print landscape or on a higher-resolution printer`,
    );
  return {
    ok: true,
    kind: content.kind,
    svg,
    payload,
    barcode,
    reference,
    warnings,
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
