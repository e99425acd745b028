import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";
// The decoder's WebAssembly is one of the renderer's own files (Vite copies it into dist/assets
// and gives its URL relative to this module): it loads offline, in Electron's app:// origin and
// the browser shell alike, and never from zxing-wasm's default CDN.
import readerWasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";
import { CARTON_FACE_READER_OPTIONS, frameCodesOf } from "./carton-face-reading";
import type { FrameCode } from "./carton-face-order";

/**
 * Every code in one camera frame, with ZXing-C++ compiled to WebAssembly (zxing-wasm):
 * @zxing/library's browser reader stops at the first symbol it finds, and a carton face
 * holds 33 (its SSCC label and 32 hub labels).
 */

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
  return frameCodesOf(await readBarcodes(frame, CARTON_FACE_READER_OPTIONS));
}
