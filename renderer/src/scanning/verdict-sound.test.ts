import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LEVEL, PATTERNS, renderPattern, type Tone } from "./verdict-sound";

const tone: fc.Arbitrary<Tone> = fc.record({
  freq: fc.integer({ min: 100, max: 4000 }),
  ms: fc.integer({ min: 20, max: 400 }),
  gapMs: fc.integer({ min: 0, max: 200 }),
  type: fc.constantFrom("sine", "triangle", "square"),
});

/** Upward zero crossings in a stretch of samples: one a cycle. */
function cycles(samples: Float32Array, from: number, to: number): number {
  let n = 0;
  for (let i = from + 1; i < to; i++) if ((samples[i - 1] ?? 0) < 0 && (samples[i] ?? 0) >= 0) n++;
  return n;
}

describe("verdict sounds rendered once into samples", () => {
  it("each tone sounds at its pitch and level for its length, each gap is silent", () => {
    fc.assert(
      fc.property(fc.array(tone, { minLength: 1, maxLength: 4 }), fc.constantFrom(44100, 48000), (tones, rate) => {
        const s = renderPattern(tones, rate);
        let at = 0;
        for (const t of tones) {
          const on = Math.round((t.ms / 1000) * rate);
          const off = Math.round((t.gapMs / 1000) * rate);
          let peak = 0;
          for (let i = at; i < at + on; i++) peak = Math.max(peak, Math.abs(s[i] ?? 0));
          expect(peak).toBeLessThanOrEqual(LEVEL + 1e-6);
          expect(peak).toBeGreaterThan(LEVEL * 0.9);
          const expected = (t.freq * t.ms) / 1000;
          expect(Math.abs(cycles(s, at, at + on) - expected)).toBeLessThanOrEqual(2);
          expect(s.subarray(at + on, at + on + off).every((x) => x === 0)).toBe(true);
          at += on + off;
        }
        expect(s.length).toBe(at);
      }),
      { numRuns: 40 },
    );
  });

  it("the three classes stay told apart by ear: one, two and three tones, falling in pitch, longer for worse", () => {
    const rate = 48000;
    const seconds = (cls: keyof typeof PATTERNS) => renderPattern(PATTERNS[cls], rate).length / rate;
    expect(PATTERNS.ok).toHaveLength(1);
    expect(PATTERNS.warn).toHaveLength(2);
    expect(PATTERNS.error).toHaveLength(3);
    expect(PATTERNS.ok[0]!.freq).toBeGreaterThan(PATTERNS.warn[0]!.freq);
    expect(PATTERNS.warn[0]!.freq).toBeGreaterThan(PATTERNS.error[0]!.freq);
    expect(seconds("ok")).toBeLessThan(seconds("warn"));
    expect(seconds("warn")).toBeLessThan(seconds("error"));
  });
});
