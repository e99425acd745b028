/**
 * Which codes of a camera frame are new: the camera sees a carton face many times a second,
 * and a label in view frame after frame must be recorded once, not once a frame. A code is
 * "in view" while it was read in at least one of the last `forgetAfter` frames; a code read
 * after that many frames without it (the carton was taken away and brought back) is new
 * again, and the reconciler answers it as it answers a second scan ("already scanned").
 */

export interface FaceTracker {
  /** Text → frames in a row it has not been read (0: read in the last frame). */
  readonly missed: ReadonlyMap<string, number>;
}

export const EMPTY_FACE_TRACKER: FaceTracker = { missed: new Map() };

/** Folds one frame's read texts into the tracker; `fresh` are those to record, first reading first, each once. */
export function trackFrame(
  tracker: FaceTracker,
  texts: readonly string[],
  forgetAfter: number,
): { tracker: FaceTracker; fresh: string[] } {
  if (!Number.isInteger(forgetAfter) || forgetAfter < 1)
    throw new Error("forgetAfter must be a whole number of frames, at least 1");
  const inFrame = new Set(texts);
  const fresh = [...inFrame].filter((t) => !tracker.missed.has(t));
  const missed = new Map<string, number>();
  for (const [text, n] of tracker.missed) {
    if (inFrame.has(text)) continue;
    // Missed in this frame too: forgotten once it has been missed `forgetAfter` frames running.
    if (n + 1 < forgetAfter) missed.set(text, n + 1);
  }
  for (const text of inFrame) missed.set(text, 0);
  return { tracker: { missed }, fresh };
}
