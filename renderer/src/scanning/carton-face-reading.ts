import type { ReaderOptions, ReadResult } from "zxing-wasm/reader";
import { scanTextOf } from "./carton-face-marks";
import type { FrameCode } from "./carton-face-order";

/**
 * How the carton-face mode asks ZXing-C++ (zxing-wasm) for every code of a frame, and what it
 * keeps of the answer. Shared by the camera (multi-code-reader.ts) and bench/carton-face.ts, so
 * the bench times the reader the dock runs. Same formats as the single-label reader.
 */
export const CARTON_FACE_READER_OPTIONS: ReaderOptions = {
  formats: ["Code128", "DataMatrix", "QRCode"],
  // "Plain": GS1 FNC1 separators come through as GS, as a wedge scanner sends them.
  textMode: "Plain",
  // A carton face holds 33 (its SSCC label and 32 hub labels); room for a pallet label and more.
  maxNumberOfSymbols: 64,
  tryHarder: true,
};

/** The valid reads of a frame as the scan router's input, with their corners. */
export function frameCodesOf(results: readonly ReadResult[]): FrameCode[] {
  return results
    .filter((r) => r.isValid)
    .map((r) => ({ text: scanTextOf(r.text, r.symbologyIdentifier), position: r.position }));
}
