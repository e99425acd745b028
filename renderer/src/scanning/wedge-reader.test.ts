import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { WedgeReader, DEFAULT_WEDGE_CONFIG, type WedgeConfig, type WedgeKey, type WedgeScan } from "./wedge-reader";

/** Types `text` then `suffix` with the given gaps (ms) from an injected clock; returns every scan. */
function play(
  reader: WedgeReader,
  keys: Array<{ key: string; gap: number; ctrlKey?: boolean; altKey?: boolean }>,
  start = 1000,
): WedgeScan[] {
  const out: WedgeScan[] = [];
  let t = start;
  for (const k of keys) {
    t += k.gap;
    const key: WedgeKey = { key: k.key, ctrlKey: k.ctrlKey ?? false, altKey: k.altKey ?? false, time: t };
    const r = reader.feed(key);
    if (r.scan) out.push(r.scan);
  }
  const idle = reader.flush(t + 10_000);
  if (idle) out.push(idle);
  return out;
}

const printable = fc.string({ unit: fc.constantFrom(..."0123456789ABCDEF-]Cd1xyz@#"), minLength: 4, maxLength: 40 });

describe("WedgeReader", () => {
  it("reads GS typed as Alt+0029 (a Windows wedge's ALT-code mode) as GS, and says it came that way", () => {
    const typed = (s: string) => [...s].map((key) => ({ key, gap: 5 }));
    const altCode = (digits: string) => [
      { key: "Alt", gap: 5, altKey: true },
      ...[...digits].map((key) => ({ key, gap: 5, altKey: true })),
    ];
    const scans = play(new WedgeReader(), [
      ...typed("]C1019501234567890310ABC123"),
      ...altCode("0029"),
      ...typed("2142"),
      { key: "Enter", gap: 5 },
    ]);
    expect(scans).toHaveLength(1);
    expect(scans[0]?.raw).toBe("]C1019501234567890310ABC123\x1d2142");
    expect(scans[0]?.gsAltCodes).toBe(1);
    // Any ALT code gives its character; AltGr (Ctrl+Alt) with a digit starts no code (keyToChar's rule for it stands).
    expect(
      play(new WedgeReader(), [...typed("AB"), ...altCode("067"), ...typed("D"), { key: "Enter", gap: 5 }])[0],
    ).toMatchObject({ raw: "ABCD" });
    const altGr = play(new WedgeReader(), [
      ...typed("AB"),
      { key: "1", gap: 5, altKey: true, ctrlKey: true },
      ...typed("CD"),
      { key: "Enter", gap: 5 },
    ])[0];
    expect(altGr?.raw).toBe("ABCD");
    expect(altGr?.gsAltCodes).toBeUndefined();
  });

  it("reads a burst ending in Enter as one scan, with its AIM identifier", () => {
    const r = new WedgeReader();
    const scans = play(
      r,
      [..."]C100123456789012345678"].map((key) => ({ key, gap: 5 })).concat({ key: "Enter", gap: 5 }),
    );
    expect(scans).toHaveLength(1);
    expect(scans[0]?.raw).toBe("]C100123456789012345678");
    expect(scans[0]?.aim).toBe("]C1");
    expect(scans[0]?.suffix).toBe("Enter");
  });

  it("maps Ctrl+] to GS and consumes it so the browser does not act on it", () => {
    const r = new WedgeReader();
    let t = 0;
    for (const key of "]C10195012345678903") r.feed({ key, ctrlKey: false, altKey: false, time: (t += 3) });
    const gs = r.feed({ key: "]", ctrlKey: true, altKey: false, time: (t += 3) });
    expect(gs.consumed).toBe(true);
    for (const key of "10LOT") r.feed({ key, ctrlKey: false, altKey: false, time: (t += 3) });
    const end = r.feed({ key: "Enter", ctrlKey: false, altKey: false, time: (t += 3) });
    expect(end.scan?.raw).toBe("]C10195012345678903\x1d10LOT");
  });

  it("a lone Enter typed by a person is never consumed (and never a scan)", () => {
    const r = new WedgeReader();
    const res = r.feed({ key: "Enter", ctrlKey: false, altKey: false, time: 100 });
    expect(res).toEqual({ consumed: false, scan: null });
  });

  it("removes a configured prefix and refuses a burst without it", () => {
    const cfg: WedgeConfig = { ...DEFAULT_WEDGE_CONFIG, prefix: "~" };
    const ok = play(
      new WedgeReader(cfg),
      [..."~ABCDEF"].map((key) => ({ key, gap: 4 })).concat({ key: "Tab", gap: 4 }),
    );
    expect(ok.map((s) => s.raw)).toEqual(["ABCDEF"]);
    const missing = play(
      new WedgeReader(cfg),
      [..."ABCDEF"].map((key) => ({ key, gap: 4 })).concat({ key: "Tab", gap: 4 }),
    );
    expect(missing).toEqual([]);
  });

  it("with no suffix configured, a burst ends when the keys stop", () => {
    const r = new WedgeReader({ ...DEFAULT_WEDGE_CONFIG, suffixes: [] });
    const scans = play(
      r,
      [..."ABCDEF"]
        .map((key) => ({ key, gap: 4 }))
        .concat([..."GHIJKL"].map((key, i) => ({ key, gap: i === 0 ? 500 : 4 }))),
    );
    expect(scans.map((s) => s.raw)).toEqual(["ABCDEF", "GHIJKL"]);
  });

  it("property: a burst at scanner speed is always exactly one scan of the same text", () => {
    fc.assert(
      fc.property(
        printable,
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 41, maxLength: 41 }),
        fc.constantFrom("Enter", "Tab"),
        (text, gaps, suffix) => {
          const r = new WedgeReader();
          const keys = [...text]
            .map((key, i) => ({ key, gap: i === 0 ? 1000 : (gaps[i] ?? 1) }))
            .concat({ key: suffix, gap: gaps[40] ?? 1 });
          const scans = play(r, keys);
          expect(scans).toHaveLength(1);
          expect(scans[0]?.raw).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: slow typing is never a scan", () => {
    fc.assert(
      fc.property(
        printable,
        fc.array(fc.integer({ min: 51, max: 400 }), { minLength: 41, maxLength: 41 }),
        fc.constantFrom("Enter", "Tab"),
        (text, gaps, suffix) => {
          const r = new WedgeReader();
          const keys = [...text]
            .map((key, i) => ({ key, gap: gaps[i] ?? 100 }))
            .concat({ key: suffix, gap: gaps[40] ?? 100 });
          expect(play(r, keys)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: two bursts separated by a pause are two scans", () => {
    fc.assert(
      fc.property(printable, printable, fc.integer({ min: 51, max: 5000 }), (a, b, pause) => {
        const r = new WedgeReader();
        const keys = [...a].map((key) => ({ key, gap: 3 })).concat({ key: "Enter", gap: 3 });
        const more = [...b].map((key, i) => ({ key, gap: i === 0 ? pause : 3 })).concat({ key: "Enter", gap: 3 });
        expect(play(r, keys.concat(more)).map((s) => s.raw)).toEqual([a, b]);
      }),
      { numRuns: 200 },
    );
  });
});
