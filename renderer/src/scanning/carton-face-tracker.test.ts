import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMPTY_FACE_TRACKER, trackFrame } from "./carton-face-tracker";

const frames = fc.array(fc.array(fc.constantFrom("A", "B", "C", "D", "E"), { maxLength: 6 }), { maxLength: 40 });

/** Runs the tracker over frames and returns what each frame recorded. */
function run(all: string[][], forgetAfter: number): string[][] {
  let tracker = EMPTY_FACE_TRACKER;
  return all.map((texts) => {
    const r = trackFrame(tracker, texts, forgetAfter);
    tracker = r.tracker;
    return r.fresh;
  });
}

describe("carton face: a label seen frame after frame records once", () => {
  it("a code is recorded in a frame exactly when none of the `forgetAfter` frames before it read it", () => {
    fc.assert(
      fc.property(frames, fc.integer({ min: 1, max: 6 }), (all, forgetAfter) => {
        const recorded = run(all, forgetAfter);
        all.forEach((texts, t) => {
          const window = all.slice(Math.max(0, t - forgetAfter), t).flat();
          const expected = [...new Set(texts)].filter((x) => !window.includes(x));
          expect(recorded[t]).toEqual(expected);
        });
      }),
    );
  });

  it("a face held in view (a code missing from fewer than `forgetAfter` frames at a time) records each code once", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 32 }),
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.nat(), { minLength: 2, maxLength: 30 }),
        (codes, forgetAfter, dropSeeds) => {
          // Each frame drops at most one code (a frame's glare), never the same one twice running.
          let lastDropped = -1;
          const all = dropSeeds.map((seed) => {
            let drop = seed % (codes.length + 1);
            if (drop === lastDropped) drop = -1;
            lastDropped = drop;
            return codes.filter((_, i) => i !== drop);
          });
          const recorded = run(all, forgetAfter).flat();
          expect(recorded.length).toBe(new Set(recorded).size);
          expect(new Set(recorded)).toEqual(new Set(all.flat()));
        },
      ),
    );
  });

  it("a code read twice in one frame is recorded once", () => {
    expect(trackFrame(EMPTY_FACE_TRACKER, ["A", "A", "B"], 3).fresh).toEqual(["A", "B"]);
  });

  it("a carton taken away and brought back is read again (the reconciler then says already scanned)", () => {
    expect(run([["A"], [], [], ["A"]], 2)).toEqual([["A"], [], [], ["A"]]);
    expect(run([["A"], [], ["A"]], 2)).toEqual([["A"], [], []]);
  });

  it("refuses a window that is not a whole number of frames", () => {
    expect(() => trackFrame(EMPTY_FACE_TRACKER, ["A"], 0)).toThrow(/at least 1/);
    expect(() => trackFrame(EMPTY_FACE_TRACKER, ["A"], 1.5)).toThrow(/whole number/);
  });
});
