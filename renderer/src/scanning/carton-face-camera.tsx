import { useContext, useEffect, useRef, useState } from "react";
import { routeScan } from "./scan-router";
import { overlayBox, type Size } from "./carton-face-geometry";
import { faceMark, type FaceMark } from "./carton-face-marks";
import { containerRank, recordingOrder, type FrameCode } from "./carton-face-order";
import { EMPTY_FACE_TRACKER, trackFrame } from "./carton-face-tracker";
import { readFrameCodes } from "./multi-code-reader";
import { StoreContext } from "../store/store-context";
import type { ShownVerdict } from "../store/slice-types";

/** A label is read again only after this many frames without it (about a second: the carton was moved away). */
const FORGET_AFTER_FRAMES = 8;
/** Pause between the end of one decode and the next frame grab: the decode itself sets the pace. */
const FRAME_GAP_MS = 60;
const READY = "Hold a carton face in front of the camera: every label in view is read.";

interface ShownFrame {
  size: Size;
  codes: FrameCode[];
}

/**
 * "Carton face" mode: every label in a camera frame is read at once (multi-code-reader.ts),
 * each new one handed to the scan router (the same parser, reconciler and log as a scanner's
 * read) in recording order, and each drawn over the video with its verdict in words.
 */
export function CartonFaceCamera() {
  const store = useContext(StoreContext);
  const video = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState("Starting the camera...");
  const [shown, setShown] = useState<ShownFrame | null>(null);
  const [verdicts, setVerdicts] = useState<ReadonlyMap<string, ShownVerdict>>(new Map());
  const [view, setView] = useState<Size>({ width: 0, height: 0 });
  // Frames decoded so far (on the element for tests: "N more frames read nothing new").
  const [frames, setFrames] = useState(0);

  // Each code's verdict: the scans this panel handed over are judged in order, and each verdict
  // shown passes through `lastVerdict` (also those of scans held behind an error, once acknowledged).
  const submitted = useRef(new Set<string>());
  useEffect(() => {
    if (store === null) return;
    return store.subscribe((s, prev) => {
      const v = s.lastVerdict;
      if (v === null || v === prev.lastVerdict || !submitted.current.has(v.raw)) return;
      setVerdicts((m) => new Map(m).set(v.raw, v));
    });
  }, [store]);

  useEffect(() => {
    const el = video.current;
    if (store === null || el === null) return;
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: number | undefined;
    let tracker = EMPTY_FACE_TRACKER;
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });

    const tick = async () => {
      if (stopped) return;
      try {
        if (context !== null && el.readyState >= el.HAVE_CURRENT_DATA && el.videoWidth > 0) {
          const size = { width: el.videoWidth, height: el.videoHeight };
          if (canvas.width !== size.width || canvas.height !== size.height) Object.assign(canvas, size);
          context.drawImage(el, 0, 0);
          const codes = await readFrameCodes(context.getImageData(0, 0, size.width, size.height));
          if (stopped) return;
          const step = trackFrame(
            tracker,
            codes.map((c) => c.text),
            FORGET_AFTER_FRAMES,
          );
          tracker = step.tracker;
          const fresh = new Set(step.fresh);
          for (const code of recordingOrder(
            codes.filter((c) => fresh.has(c.text)),
            containerRank,
          )) {
            submitted.current.add(code.text);
            routeScan(store, code.text, "camera");
          }
          setShown({ size, codes });
          setStatus(READY);
          setFrames((n) => n + 1);
          setView({ width: el.clientWidth, height: el.clientHeight });
        }
      } catch {
        setStatus("The carton-face reader could not read this frame; it keeps trying.");
      }
      if (!stopped) timer = window.setTimeout(() => void tick(), FRAME_GAP_MS);
    };

    navigator.mediaDevices
      .getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "environment" },
        audio: false,
      })
      .then(async (s) => {
        stream = s;
        if (stopped) return s.getTracks().forEach((t) => t.stop());
        el.srcObject = s;
        await el.play();
        setStatus(READY);
        void tick();
      })
      .catch((e: unknown) =>
        setStatus(
          e instanceof DOMException && e.name === "NotAllowedError"
            ? "No camera: permission was refused."
            : "No camera: none was found or it is in use.",
        ),
      );
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [store]);

  const marks: Array<{ code: FrameCode; mark: FaceMark; reason: string | null }> = (shown?.codes ?? []).map((code) => {
    const v = verdicts.get(code.text) ?? null;
    return { code, mark: faceMark(v), reason: v?.reason ?? null };
  });
  const counts = new Map<string, number>();
  for (const m of marks) counts.set(m.mark.words, (counts.get(m.mark.words) ?? 0) + 1);

  return (
    <div className="carton-face" data-frames={frames}>
      <div className="carton-face-view">
        <video ref={video} muted playsInline />
        {shown !== null &&
          marks.map(({ code, mark, reason }) => {
            const box = overlayBox(code.position, shown.size, view);
            return (
              <div
                key={code.text}
                className={`face-mark face-mark-${mark.tone}`}
                data-testid="face-mark"
                data-verdict={mark.words}
                title={reason === null ? code.text : `${code.text}: ${reason}`}
                style={{ left: box.left, top: box.top, width: box.width, height: box.height }}
              >
                <span>{mark.words}</span>
              </div>
            );
          })}
      </div>
      <p role="status">{status}</p>
      <p data-testid="face-summary">
        {marks.length === 0
          ? "No label in view."
          : `${marks.length} label${marks.length === 1 ? "" : "s"} in view: ${[...counts].map(([w, n]) => `${n} ${w}`).join(", ")}.`}
      </p>
    </div>
  );
}
