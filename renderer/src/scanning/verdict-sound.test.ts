import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { createVerdictSound, LEVEL, PATTERNS, renderPattern, type Tone } from "./verdict-sound";

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

/** The WebAudio calls the verdict sound makes, as a browser's AudioContext would take them. */
class FakeAudioContext {
  static made: FakeAudioContext[] = [];
  readonly sampleRate = 48000;
  currentTime = 0;
  readonly destination = { node: "destination" };
  readonly log: string[] = [];
  private sources = 0;
  constructor() {
    FakeAudioContext.made.push(this);
  }
  resume() {
    return Promise.resolve();
  }
  createBuffer(_channels: number, length: number) {
    return { length, copyToChannel: () => undefined };
  }
  createBufferSource() {
    const n = ++this.sources;
    const log = this.log;
    log.push(`create ${n}`);
    return {
      buffer: null as { length: number } | null,
      connect(to: unknown) {
        log.push(`connect ${n} ${to === undefined ? "nowhere" : "out"}`);
      },
      start() {
        log.push(`start ${n} (${this.buffer?.length ?? 0} samples)`);
      },
    };
  }
}

describe("the verdict sound at a scan", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    FakeAudioContext.made = [];
  });

  it("plays a source made and connected ahead: the verdict's own step is one start, the next is made after it", () => {
    vi.useFakeTimers();
    vi.stubGlobal("AudioContext", FakeAudioContext);
    const sound = createVerdictSound();
    sound.unlock();
    const ac = FakeAudioContext.made[0];
    if (ac === undefined) throw new Error("no AudioContext made");
    const okSamples = renderPattern(PATTERNS.ok, ac.sampleRate).length;
    const warnSamples = renderPattern(PATTERNS.warn, ac.sampleRate).length;

    // The first of a class has nothing ready: made, connected and started at once.
    sound.signal("ok");
    expect(ac.log).toEqual(["create 1", "connect 1 out", `start 1 (${okSamples} samples)`]);
    // Its successor is made after the scan's task, not on its path.
    vi.runAllTimers();
    expect(ac.log.slice(3)).toEqual(["create 2", "connect 2 out"]);
    // The next ok verdict only starts it; each class keeps its own.
    sound.signal("ok");
    expect(ac.log.slice(5)).toEqual([`start 2 (${okSamples} samples)`]);
    sound.signal("warn");
    expect(ac.log.slice(6)).toEqual(["create 3", "connect 3 out", `start 3 (${warnSamples} samples)`]);
    // Another ok before its successor was made: it makes its own on the path; afterwards one
    // successor a class, however many verdicts asked for one (the second ok's finds one ready).
    sound.signal("ok");
    expect(ac.log.slice(9)).toEqual(["create 4", "connect 4 out", `start 4 (${okSamples} samples)`]);
    vi.runAllTimers();
    expect(ac.log.slice(12)).toEqual(["create 5", "connect 5 out", "create 6", "connect 6 out"]);
    expect(FakeAudioContext.made).toHaveLength(1);
  });

  it("is silent, not failing, where the browser has no audio", () => {
    vi.stubGlobal("AudioContext", undefined);
    const sound = createVerdictSound();
    expect(() => sound.signal("error")).not.toThrow();
  });
});
