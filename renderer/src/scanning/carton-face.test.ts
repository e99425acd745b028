import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { demoBooking, DEMO_PARTIES } from "../../../shared/domain/demo-booking";
import { encodeCartonLabel, encodePalletLabel } from "../../../shared/domain/labels";
import { parseScan } from "../../../shared/domain/scan-parser";
import { VERDICT_CODES, VERDICTS } from "../../../shared/domain/reconcile";
import { containedFrame, overlayBox, quadBounds, type Quad } from "./carton-face-geometry";
import { faceMark, scanTextOf } from "./carton-face-marks";
import { containerRank, recordingOrder, type FrameCode } from "./carton-face-order";

const rect = (left: number, top: number, width: number, height: number): Quad => ({
  topLeft: { x: left, y: top },
  topRight: { x: left + width, y: top },
  bottomRight: { x: left + width, y: top + height },
  bottomLeft: { x: left, y: top + height },
});

const size = fc.record({ width: fc.integer({ min: 1, max: 4000 }), height: fc.integer({ min: 1, max: 4000 }) });
const quadIn = (w: number, h: number) =>
  fc
    .array(
      fc.record({ x: fc.double({ min: 0, max: w, noNaN: true }), y: fc.double({ min: 0, max: h, noNaN: true }) }),
      {
        minLength: 4,
        maxLength: 4,
      },
    )
    .map(([a, b, c, d]) => ({ topLeft: a!, topRight: b!, bottomRight: c!, bottomLeft: d! }));

describe("carton face: overlay geometry", () => {
  it("a code inside the frame is drawn inside the picture shown (never on the letterbox bars)", () => {
    fc.assert(
      fc.property(size, size, (frame, view) =>
        fc.assert(
          fc.property(quadIn(frame.width, frame.height), (q) => {
            const shown = containedFrame(frame, view);
            const box = overlayBox(q, frame, view);
            const eps = 1e-6 * Math.max(view.width, view.height);
            expect(box.width).toBeGreaterThanOrEqual(0);
            expect(box.height).toBeGreaterThanOrEqual(0);
            expect(box.left).toBeGreaterThanOrEqual(shown.left - eps);
            expect(box.top).toBeGreaterThanOrEqual(shown.top - eps);
            expect(box.left + box.width).toBeLessThanOrEqual(shown.left + shown.width + eps);
            expect(box.top + box.height).toBeLessThanOrEqual(shown.top + shown.height + eps);
          }),
          { numRuns: 5 },
        ),
      ),
      { numRuns: 40 },
    );
  });

  it("keeps the frame's proportions: a box is the code's bounds times one scale, shifted by the bars", () => {
    fc.assert(
      fc.property(size, size, (frame, view) => {
        const shown = containedFrame(frame, view);
        // The picture fills the view in one direction and is centred in the other.
        expect(Math.abs(shown.width - view.width) < 1e-6 || Math.abs(shown.height - view.height) < 1e-6).toBe(true);
        expect(shown.left).toBeCloseTo((view.width - shown.width) / 2, 6);
        expect(shown.width / frame.width).toBeCloseTo(shown.height / frame.height, 6);
        const whole = overlayBox(rect(0, 0, frame.width, frame.height), frame, view);
        expect(whole.left).toBeCloseTo(shown.left, 6);
        expect(whole.width).toBeCloseTo(shown.width, 6);
        expect(whole.height).toBeCloseTo(shown.height, 6);
      }),
    );
  });

  it("a 1280×720 frame in a 640×480 view: half size, 60 px bars above and below", () => {
    const box = overlayBox(rect(100, 200, 300, 40), { width: 1280, height: 720 }, { width: 640, height: 480 });
    expect(box).toEqual({ left: 50, top: 160, width: 150, height: 20 });
    expect(quadBounds({ ...rect(0, 0, 10, 10), topRight: { x: 12, y: -1 } })).toEqual({
      left: 0,
      top: -1,
      width: 12,
      height: 11,
    });
  });
});

/** A grid of codes, row-major texts, each jittered by less than a quarter of its cell. */
const grid = fc
  .record({
    cols: fc.integer({ min: 1, max: 6 }),
    rows: fc.integer({ min: 1, max: 10 }),
    cellW: fc.integer({ min: 60, max: 320 }),
    cellH: fc.integer({ min: 30, max: 120 }),
  })
  .chain((g) =>
    fc.record({
      g: fc.constant(g),
      jitter: fc.array(
        fc.record({
          dx: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
          dy: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
        }),
        { minLength: g.cols * g.rows, maxLength: g.cols * g.rows },
      ),
    }),
  )
  .map(({ g, jitter }) =>
    jitter.map((j, i): FrameCode => {
      const c = i % g.cols;
      const r = Math.floor(i / g.cols);
      const h = g.cellH * 0.6;
      return {
        text: `code-${String(i).padStart(3, "0")}`,
        position: rect(c * g.cellW + j.dx * g.cellW, r * g.cellH + g.cellH * 0.2 + j.dy * h, g.cellW * 0.8, h),
      };
    }),
  );

describe("carton face: recording order", () => {
  it("reads a grid row by row, left to right, whatever order the decoder listed it in", () => {
    fc.assert(
      fc.property(
        grid.chain((codes) => fc.tuple(fc.constant(codes), fc.shuffledSubarray(codes, { minLength: codes.length }))),
        ([codes, shuffled]) => {
          expect(recordingOrder(shuffled, () => 1).map((c) => c.text)).toEqual(codes.map((c) => c.text));
        },
      ),
    );
  });

  it("is a permutation of its input and does not depend on the input's order", () => {
    const anyCode = fc.record({
      text: fc.string({ maxLength: 3 }),
      position: fc
        .record({ x: fc.integer({ min: 0, max: 50 }), y: fc.integer({ min: 0, max: 50 }) })
        .map(({ x, y }) => rect(x, y, 10, 8)),
    });
    fc.assert(
      fc.property(
        fc
          .array(anyCode, { maxLength: 12 })
          .chain((codes) => fc.tuple(fc.constant(codes), fc.shuffledSubarray(codes, { minLength: codes.length }))),
        ([codes, shuffled]) => {
          const rank = (t: string) => (t.startsWith("a") ? 0 : 1);
          const a = recordingOrder(codes, rank);
          expect(recordingOrder(shuffled, rank)).toEqual(a);
          expect(
            [...a].sort(
              (x, y) =>
                x.text.localeCompare(y.text) ||
                x.position.topLeft.x - y.position.topLeft.x ||
                x.position.topLeft.y - y.position.topLeft.y,
            ),
          ).toEqual(
            [...codes].sort(
              (x, y) =>
                x.text.localeCompare(y.text) ||
                x.position.topLeft.x - y.position.topLeft.x ||
                x.position.topLeft.y - y.position.topLeft.y,
            ),
          );
          // Lower ranks first.
          const ranks = a.map((c) => rank(c.text));
          expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
        },
      ),
    );
  });

  it("puts a carton's label before its hubs, wherever it sits on the face", () => {
    const hubs: FrameCode[] = [0, 1, 2].map((i) => ({ text: `hub-${i}`, position: rect(i * 100, 0, 80, 20) }));
    const label: FrameCode = { text: "carton", position: rect(0, 500, 300, 40) };
    expect(recordingOrder([...hubs, label], (t) => (t === "carton" ? 0 : 1)).map((c) => c.text)).toEqual([
      "carton",
      "hub-0",
      "hub-1",
      "hub-2",
    ]);
  });

  it("ranks a pallet label before a carton label before a hub, as the receipt expects them", () => {
    const pallet = encodePalletLabel({
      sscc: demoBooking({ csp: "North", partyId: DEMO_PARTIES[0].id }).pallets[0]!.sscc,
    });
    const carton = encodeCartonLabel({
      sscc: demoBooking({ csp: "North", partyId: DEMO_PARTIES[0].id }).pallets[0]!.cartons[0]!.sscc,
    });
    if (!pallet.ok || !carton.ok) throw new Error("demo labels do not encode");
    expect([containerRank(pallet.scan), containerRank(carton.scan), containerRank("88-73-84-57-8E-37-4F-E0")]).toEqual([
      0, 1, 2,
    ]);
  });
});

describe("carton face: what the parser is given and what the overlay says", () => {
  const booking = demoBooking({ csp: "North", partyId: DEMO_PARTIES[0].id });
  const carton = booking.pallets[0]!.cartons[0]!;

  it("a GS1-128 label goes in with its ]C1, as a wedge scanner sends it; a hub ID in plain Code 128 as its text", () => {
    for (const label of [
      encodeCartonLabel({ sscc: carton.sscc }),
      encodePalletLabel({ sscc: booking.pallets[0]!.sscc }),
    ]) {
      if (!label.ok) throw new Error(label.reason);
      expect(label.scan.startsWith("]C1")).toBe(true);
      expect(scanTextOf(label.scan.slice(3), "]C1")).toBe(label.scan);
    }
    const id = carton.hubs[0]!.deviceId;
    expect(scanTextOf(id, "]C0")).toBe(id);
    expect(parseScan(scanTextOf(id, "]C0"))).toMatchObject({ kind: "hub", deviceId: id });
  });

  it("only a GS1 symbology identifier is kept", () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom("]C0", "]C2", "]d1", "]Q1", "]E0", ""), (text, id) => {
        expect(scanTextOf(text, id)).toBe(text);
      }),
    );
  });

  it("every verdict has a mark in words, and the words follow the verdict", () => {
    for (const code of VERDICT_CODES) {
      const m = faceMark({ code, class: VERDICTS[code].class });
      expect(m.words.length).toBeGreaterThan(0);
      expect(m.tone).toBe(code === "hub-duplicate" ? "warn" : VERDICTS[code].class);
    }
    expect(faceMark({ code: "hub-expected", class: "ok" }).words).toBe("accepted");
    expect(faceMark({ code: "hub-duplicate", class: "warn" }).words).toBe("already scanned");
    expect(faceMark({ code: "hub-other-booking", class: "error" }).words).toBe("refused");
    expect(faceMark(null)).toEqual({ tone: "waiting", words: "waiting" });
  });
});
