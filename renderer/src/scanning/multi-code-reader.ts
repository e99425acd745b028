import { prepareZXingModule, readBarcodes, type ReaderOptions } from "zxing-wasm/reader";
// The decoder's WebAssembly is one of the renderer's own files (Vite copies it into dist/assets
// and gives its URL relative to this module): it loads offline, in Electron's app:// origin and
// the browser shell alike, and never from zxing-wasm's default CDN.
import readerWasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";
import { scanTextOf } from "./carton-face-marks";
import type { FrameCode } from "./carton-face-order";

/**
 * Every code in one camera frame, with ZXing-C++ compiled to WebAssembly (zxing-wasm):
 * @zxing/library's browser reader stops at the first symbol it finds, and a carton face
 * holds 33 (its SSCC label and 32 hub labels). Same formats as the single-label reader.
 */
const OPTIONS: ReaderOptions = {
  formats: ["Code128", "DataMatrix", "QRCode"],
  // "Plain": GS1 FNC1 separators come through as GS, as a wedge scanner sends them.
  textMode: "Plain",
  maxNumberOfSymbols: 64,
  tryHarder: true,
};

let prepared = false;

function prepare(): void {
  if (prepared) return;
  prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) =>
        path.endsWith(".wasm") ? new URL(readerWasmUrl, document.baseURI).href : prefix + path,
    },
  });
  prepared = true;
}

/** The codes ZXing read in `frame` (invalid reads dropped), as the scan router's input with their corners. */
export async function readFrameCodes(frame: ImageData): Promise<FrameCode[]> {
  prepare();
  const results = await readBarcodes(frame, OPTIONS);
  return results
    .filter((r) => r.isValid)
    .map((r) => ({ text: scanTextOf(r.text, r.symbologyIdentifier), position: r.position }));
}
