import type { VerdictClass } from "../../../shared/domain/reconcile";
import type { VerdictSignal } from "../store/dock-deps";

/**
 * A distinct sound per verdict class, made with WebAudio (no sound files to ship or load):
 * ok is one short high beep, warn two mid beeps, error a long low buzz repeated three
 * times, so an operator facing away from the screen still knows which it was.
 */
const PATTERNS: Record<VerdictClass, Array<{ freq: number; ms: number; gapMs: number; type: OscillatorType }>> = {
  ok: [{ freq: 1760, ms: 90, gapMs: 0, type: "sine" }],
  warn: [
    { freq: 880, ms: 120, gapMs: 80, type: "triangle" },
    { freq: 880, ms: 120, gapMs: 0, type: "triangle" },
  ],
  error: [
    { freq: 196, ms: 350, gapMs: 120, type: "square" },
    { freq: 196, ms: 350, gapMs: 120, type: "square" },
    { freq: 196, ms: 350, gapMs: 0, type: "square" },
  ],
};

/** The WebAudio verdict sound; silent (not failing) where audio is unavailable. */
export function createVerdictSound(): VerdictSignal & { unlock(): void } {
  let ctx: AudioContext | null = null;
  const context = (): AudioContext | null => {
    if (ctx === null && typeof AudioContext !== "undefined") ctx = new AudioContext();
    return ctx;
  };
  return {
    unlock() {
      // Browsers start audio suspended until a user gesture; any key press is one.
      void context()
        ?.resume()
        .catch(() => undefined);
    },
    signal(cls) {
      const ac = context();
      if (ac === null) return;
      let t = ac.currentTime + 0.01;
      for (const tone of PATTERNS[cls]) {
        const osc = ac.createOscillator();
        const gain = ac.createGain();
        osc.type = tone.type;
        osc.frequency.value = tone.freq;
        gain.gain.setValueAtTime(0.25, t);
        gain.gain.setValueAtTime(0, t + tone.ms / 1000);
        osc.connect(gain).connect(ac.destination);
        osc.start(t);
        osc.stop(t + tone.ms / 1000 + 0.02);
        t += (tone.ms + tone.gapMs) / 1000;
      }
    },
  };
}
