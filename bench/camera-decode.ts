/**
 * Bench: the camera's decode of one 1280×720 frame with @zxing/library (the reader the
 * camera panel runs, same formats and GS1 hint), for a GS1-128 SSCC, a hub Device ID in
 * Code 128, and an empty frame (nothing to find: the decoder's worst case). Prints numbers
 * only. The camera panel tries a frame every 300 ms, so a decode well under that keeps up.
 * Run: npx tsx bench/camera-decode.ts [--runs 40]
 */
import { parseArgs } from "node:util";
import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  NotFoundException,
  RGBLuminanceSource,
} from "@zxing/library";
import { demoBooking, DEMO_PARTIES } from "../shared/domain/demo-booking";
import { code128Data, encodePalletLabel } from "../shared/domain/labels";
import { labelLuma, type BarcodeSpec } from "../e2e/label-video";
import { machineInfo, reportFigure, reportPair } from "./report";

const { values } = parseArgs({ options: { runs: { type: "string", default: "40" } } });
const runs = Number(values.runs);
const size = { width: 1280, height: 720 };

const booking = demoBooking({ csp: "North", partyId: DEMO_PARTIES[0].id });
const pallet = encodePalletLabel({ sscc: booking.pallets[0]?.sscc ?? "" });
if (!pallet.ok) throw new Error(pallet.reason);
const hub = booking.pallets[0]?.cartons[0]?.hubs[0]?.deviceId ?? "";

const reader = new MultiFormatReader();
reader.setHints(
  new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128, BarcodeFormat.DATA_MATRIX, BarcodeFormat.QR_CODE]],
    [DecodeHintType.ASSUME_GS1, true],
  ]),
);

/**
 * Median and worst ms to decode `luma`, and what it read (null: nothing found). The frame
 * goes in as RGB pixels, as a canvas hands them to zxing in the browser, so the luminance
 * conversion of all 921,600 pixels is in the time.
 */
function time(luma: Uint8Array): { median: number; worst: number; text: string | null } {
  const rgb = Int32Array.from(luma, (y) => (0xff << 24) | (y << 16) | (y << 8) | y);
  const once = (): string | null => {
    try {
      return reader
        .decodeWithState(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(rgb, size.width, size.height))))
        .getText();
    } catch (e) {
      if (e instanceof NotFoundException) return null;
      throw e;
    }
  };
  const text = once(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    once();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)] ?? 0, worst: ms.at(-1) ?? 0, text };
}

console.log(machineInfo());
const cases: Array<{ name: string; spec: BarcodeSpec | null; expect: string | null }> = [
  { name: "GS1-128 SSCC", spec: { data: code128Data(pallet), gs1: true }, expect: pallet.scan },
  { name: "hub Device ID (Code 128)", spec: { data: hub, gs1: false }, expect: hub },
  { name: "empty frame", spec: null, expect: null },
];
for (const c of cases) {
  const r = time(labelLuma(size, c.spec, 3));
  console.log(
    `${c.name}: median ${r.median.toFixed(2)} ms, worst ${r.worst.toFixed(2)} ms over ${runs}; read ${JSON.stringify(r.text)}${r.text === c.expect ? "" : ` (expected ${JSON.stringify(c.expect)})`}`,
  );
  reportFigure({
    figure: `camera: decode a 1280×720 frame, ${c.name} (median of ${runs})`,
    value: Math.round(r.median * 100) / 100,
    unit: "ms",
    target: "< 300 ms (one decode per camera tick)",
    met: r.median < 300 && r.text === c.expect,
  });
  const frameMs = 1000 / 30;
  reportPair({
    figure: `camera: decode of a 1280×720 frame, ${c.name}, median (worst) of ${runs}`,
    ours: `${r.median.toFixed(2)} (${r.worst.toFixed(2)}) ms`,
    compared: `one frame at 30 fps, ${frameMs.toFixed(1)} ms`,
    ratio: `${(r.median / frameMs).toFixed(2)} (worst ${(r.worst / frameMs).toFixed(2)})`,
    target: "< 33 ms",
    // The median: a worst of 40 on a shared machine is mostly the scheduler, shown beside it.
    met: r.median < frameMs && r.text === c.expect,
  });
}
