import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FLASH_MS, MIN_FLASH_GAP_MS, startsFlash, type Flash, type FlashColour } from "./flash-rate";

/** Feeds verdicts (gap since the previous one, colour) through the decision; the flashes started. */
function flashes(verdicts: Array<[number, FlashColour]>): Flash[] {
  const out: Flash[] = [];
  let now = 0;
  for (const [gap, colour] of verdicts) {
    now += gap;
    if (startsFlash(out.at(-1) ?? null, colour, now)) out.push({ colour, startedAt: now });
  }
  return out;
}

const verdicts = fc.array(fc.tuple(fc.integer({ min: 0, max: 1500 }), fc.constantFrom<FlashColour>("ok", "warn")), {
  maxLength: 300,
});

describe("verdict flashes (WCAG 2.3.1: three a second at most)", () => {
  it("never start more than three in any one second, whatever the scan rate", () => {
    fc.assert(
      fc.property(verdicts, (vs) => {
        const f = flashes(vs);
        for (let i = 3; i < f.length; i++) expect(f[i]!.startedAt - f[i - 3]!.startedAt).toBeGreaterThanOrEqual(1000);
      }),
    );
  });

  it("a verdict after the last flash has faded always flashes; the first one too", () => {
    fc.assert(
      fc.property(verdicts, fc.constantFrom<FlashColour>("ok", "warn"), (vs, colour) => {
        const f = flashes(vs);
        const last = f.at(-1) ?? null;
        expect(startsFlash(last, colour, (last?.startedAt ?? 0) + FLASH_MS)).toBe(true);
      }),
    );
    expect(startsFlash(null, "ok", 0)).toBe(true);
  });

  it("a 20 scans/s burst flashes once a fade, and amber breaks into green after a third of a second", () => {
    const burst = Array.from({ length: 40 }, (): [number, FlashColour] => [50, "ok"]);
    expect(flashes(burst).map((x) => x.startedAt)).toEqual([50, 750, 1450]);
    const f = flashes([
      [0, "ok"],
      [100, "warn"],
      [MIN_FLASH_GAP_MS - 100, "warn"],
    ]);
    expect(f.map((x) => `${x.colour}@${x.startedAt.toFixed(0)}`)).toEqual(["ok@0", "warn@333"]);
  });
});
