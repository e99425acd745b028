import JsBarcode from "jsbarcode";

/**
 * Rendered labels as camera frames, for the camera e2e (a Y4M file Chromium's fake capture
 * device plays, `--use-file-for-fake-video-capture`) and the decode bench. Each label is
 * encoded by JsBarcode (the library the app prints with) and drawn as dark bars on a light
 * card, a few degrees of nothing fancy: what a steady phone camera sees of a label at arm's
 * length. Luma only matters to the decoder; chroma is neutral grey.
 */

export interface FrameSize {
  width: number;
  height: number;
}

export interface BarcodeSpec {
  /** What JsBarcode encodes (labels.ts `code128Data` for GS1-128, the text itself otherwise). */
  data: string;
  /** GS1-128: a leading FNC1 (JsBarcode's `ean128`). */
  gs1: boolean;
}

const DARK = 24;
const LIGHT = 232;

/** The bars of one Code 128 symbol, as JsBarcode encodes it: "1" a dark module, "0" a light one. */
export function code128Modules(spec: BarcodeSpec): string {
  const target: { encodings?: Array<{ data: string }> } = {};
  JsBarcode(target, spec.data, { format: "CODE128", ean128: spec.gs1 });
  const modules = (target.encodings ?? []).map((e) => e.data).join("");
  if (!/^[01]+$/.test(modules)) throw new Error(`JsBarcode could not encode ${JSON.stringify(spec.data)}`);
  return modules;
}

/** One luma plane (width × height bytes): the symbol centred with 10 light modules either side, or nothing when `spec` is null. */
export function labelLuma(size: FrameSize, spec: BarcodeSpec | null, moduleWidth = 2): Uint8Array {
  const luma = new Uint8Array(size.width * size.height).fill(LIGHT);
  if (spec === null) return luma;
  const modules = code128Modules(spec);
  const barsWidth = modules.length * moduleWidth;
  if (barsWidth + 20 * moduleWidth > size.width)
    throw new Error(`a ${modules.length}-module symbol does not fit ${size.width} px at ${moduleWidth} px a module`);
  const left = Math.floor((size.width - barsWidth) / 2);
  const top = Math.floor(size.height * 0.3);
  const bottom = Math.floor(size.height * 0.7);
  for (let y = top; y < bottom; y++) {
    const row = y * size.width;
    for (let m = 0; m < modules.length; m++) {
      if (modules[m] !== "1") continue;
      luma.fill(DARK, row + left + m * moduleWidth, row + left + (m + 1) * moduleWidth);
    }
  }
  return luma;
}

/** A YUV4MPEG2 (4:2:0) video of `frames`, `fps` frames a second, as Chromium's fake camera reads it. */
export function y4mVideo(size: FrameSize, fps: number, frames: readonly Uint8Array[]): Buffer {
  if (size.width % 2 !== 0 || size.height % 2 !== 0) throw new Error("4:2:0 needs even dimensions");
  const header = Buffer.from(`YUV4MPEG2 W${size.width} H${size.height} F${fps}:1 Ip A1:1 C420jpeg\n`, "latin1");
  const chroma = Buffer.alloc((size.width / 2) * (size.height / 2) * 2, 128);
  const marker = Buffer.from("FRAME\n", "latin1");
  const parts: Buffer[] = [header];
  for (const luma of frames) parts.push(marker, Buffer.from(luma.buffer, luma.byteOffset, luma.byteLength), chroma);
  return Buffer.concat(parts);
}

/** Draws one symbol's bars into `luma` with its left edge at `left`, from row `top` to `bottom` (exclusive). */
function drawBars(
  luma: Uint8Array,
  frameWidth: number,
  modules: string,
  moduleWidth: number,
  left: number,
  top: number,
  bottom: number,
): void {
  for (let y = top; y < bottom; y++) {
    const row = y * frameWidth;
    for (let m = 0; m < modules.length; m++) {
      if (modules[m] === "1") luma.fill(DARK, row + left + m * moduleWidth, row + left + (m + 1) * moduleWidth);
    }
  }
}

/** What a carton face shows the camera: the carton's SSCC label (or none) and its hubs' Device ID labels. */
export interface CartonFace {
  label: BarcodeSpec | null;
  hubs: readonly string[];
}

/**
 * One luma plane of a carton face: the carton label across the top band (2 px a module),
 * then the hub labels in a grid of `columns` (1 px a module: a 23-character Device ID is
 * 288 modules, so four fit across 1280 px with their quiet zones), row by row.
 */
export function cartonFaceLuma(size: FrameSize, face: CartonFace, columns = 4): Uint8Array {
  const luma = new Uint8Array(size.width * size.height).fill(LIGHT);
  const band = face.label === null ? 0 : Math.floor(size.height / 6);
  if (face.label !== null) {
    const modules = code128Modules(face.label);
    const left = Math.floor((size.width - modules.length * 2) / 2);
    if (left < 20) throw new Error("the carton label does not fit the frame's width");
    drawBars(luma, size.width, modules, 2, left, Math.floor(band * 0.15), Math.floor(band * 0.85));
  }
  const rows = Math.ceil(face.hubs.length / columns);
  const cellW = Math.floor(size.width / columns);
  const cellH = Math.floor((size.height - band) / Math.max(1, rows));
  face.hubs.forEach((hub, i) => {
    const modules = code128Modules({ data: hub, gs1: false });
    if (modules.length + 20 > cellW) throw new Error(`hub label ${hub} does not fit a ${cellW} px cell`);
    const left = (i % columns) * cellW + Math.floor((cellW - modules.length) / 2);
    const top = band + Math.floor(i / columns) * cellH;
    drawBars(luma, size.width, modules, 1, left, top + Math.floor(cellH * 0.15), top + Math.floor(cellH * 0.85));
  });
  return luma;
}
