/**
 * Where a code read in a camera frame is drawn over the video on screen. The decoder gives
 * each code's four corners in the frame's pixels; the <video> element shows the frame scaled
 * to fit (CSS `object-fit: contain`, letterboxed), so a box is the corners' bounds, scaled by
 * the same factor and shifted by the same bars.
 */

export interface Point {
  x: number;
  y: number;
}

/** A code's corners in frame pixels, as ZXing reports them. */
export interface Quad {
  topLeft: Point;
  topRight: Point;
  bottomRight: Point;
  bottomLeft: Point;
}

export interface Size {
  width: number;
  height: number;
}

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The smallest upright box holding the four corners. */
export function quadBounds(q: Quad): Box {
  const xs = [q.topLeft.x, q.topRight.x, q.bottomRight.x, q.bottomLeft.x];
  const ys = [q.topLeft.y, q.topRight.y, q.bottomRight.y, q.bottomLeft.y];
  const left = Math.min(...xs);
  const top = Math.min(...ys);
  return { left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top };
}

/** Where the frame itself lands inside a view of `view` size under `object-fit: contain`. */
export function containedFrame(frame: Size, view: Size): Box {
  if (frame.width <= 0 || frame.height <= 0) return { left: 0, top: 0, width: 0, height: 0 };
  const scale = Math.min(view.width / frame.width, view.height / frame.height);
  const width = frame.width * scale;
  const height = frame.height * scale;
  return { left: (view.width - width) / 2, top: (view.height - height) / 2, width, height };
}

/** The overlay box (view pixels) of a code at `q` in a `frame`-sized frame shown contained in `view`; clipped to the picture. */
export function overlayBox(q: Quad, frame: Size, view: Size): Box {
  const shown = containedFrame(frame, view);
  if (shown.width === 0 || shown.height === 0) return { left: shown.left, top: shown.top, width: 0, height: 0 };
  const scale = shown.width / frame.width;
  const b = quadBounds(q);
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const left = clamp(shown.left + b.left * scale, shown.left, shown.left + shown.width);
  const top = clamp(shown.top + b.top * scale, shown.top, shown.top + shown.height);
  const right = clamp(shown.left + (b.left + b.width) * scale, shown.left, shown.left + shown.width);
  const bottom = clamp(shown.top + (b.top + b.height) * scale, shown.top, shown.top + shown.height);
  return { left, top, width: right - left, height: bottom - top };
}
