import { lazy, Suspense, useContext, useEffect, useRef, useState } from "react";
import { BarcodeFormat, BrowserMultiFormatReader, DecodeHintType } from "@zxing/library";
import { routeScan } from "./scan-router";
import { StoreContext, useDock } from "../store/store-context";

// The WebAssembly decoder is loaded only when the carton-face mode is first chosen.
const CartonFaceCamera = lazy(() => import("./carton-face-camera").then((m) => ({ default: m.CartonFaceCamera })));

/**
 * Optional camera scanning. "One label" (the default): @zxing/library reads the label held
 * up, Code 128 / GS1-128, DataMatrix and QR. "Carton face" (offered where whole cartons are
 * received): every label in the frame at once (carton-face-camera.tsx). The mode last chosen
 * is kept on this dock PC; Shift+F7 on the receipt screen opens the camera in carton-face mode.
 */
export function CameraPanel(props: { onClose: () => void; cartonFace?: boolean }) {
  const chosen = useDock((s) => s.cameraMode);
  const setMode = useDock((s) => s.setCameraMode);
  const mode = props.cartonFace === true ? chosen : "single";
  return (
    <section className="camera-panel" aria-label="camera scanner">
      {props.cartonFace === true && (
        <div className="camera-modes" role="group" aria-label="camera mode">
          <button type="button" aria-pressed={mode === "single"} onClick={() => void setMode("single")}>
            One label
          </button>
          <button type="button" aria-pressed={mode === "carton-face"} onClick={() => void setMode("carton-face")}>
            Carton face
          </button>
        </div>
      )}
      {mode === "single" ? (
        <SingleLabelCamera />
      ) : (
        <Suspense fallback={<p>Loading the carton-face reader...</p>}>
          <CartonFaceCamera />
        </Suspense>
      )}
      <button type="button" onClick={props.onClose}>
        Close camera (F7)
      </button>
    </section>
  );
}

/**
 * One label at a time with @zxing/library. ASSUME_GS1 makes zxing report a GS1-128 symbol
 * with its "]C1" identifier and FNC1 separators as GS, so the one parser sees the same text
 * a wedge scanner would send.
 */
function SingleLabelCamera() {
  const store = useContext(StoreContext);
  const video = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState("Starting the camera...");
  useEffect(() => {
    if (store === null || video.current === null) return;
    const hints = new Map<DecodeHintType, unknown>([
      [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128, BarcodeFormat.DATA_MATRIX, BarcodeFormat.QR_CODE]],
      [DecodeHintType.ASSUME_GS1, true],
    ]);
    const reader = new BrowserMultiFormatReader(hints, 300);
    let last = { text: "", at: 0 };
    reader
      .decodeFromVideoDevice(null, video.current, (result) => {
        if (!result) return;
        const text = result.getText();
        const now = Date.now();
        // The camera sees the same code many times a second: one read per code per 2 s.
        if (text === last.text && now - last.at < 2000) return;
        last = { text, at: now };
        routeScan(store, text, "camera");
      })
      .then(() => setStatus("Hold a label in front of the camera."))
      .catch((e: unknown) => setStatus(`No camera: ${e instanceof Error ? e.message : String(e)}`));
    return () => reader.reset();
  }, [store]);
  return (
    <>
      <video ref={video} muted playsInline />
      <p>{status}</p>
    </>
  );
}
