import { describe, it, expect } from "vitest";
import {
  checkGs1,
  checkLayout,
  checkSuffixAndAim,
  LAYOUT_PROBE,
  selfTestOutcome,
  TEST_SHEET,
  typedThrough,
} from "./scanner-self-test";
import type { WedgeScan } from "./wedge-reader";

const scan = (raw: string, suffix: WedgeScan["suffix"] = "Enter"): WedgeScan => ({
  raw,
  aim: null,
  suffix,
  startedAt: 0,
  endedAt: 10,
});
const expected = (id: string) => TEST_SHEET.find((c) => c.id === id)!.expected;

describe("scanner self-test", () => {
  it("a correctly set-up scanner passes every check", () => {
    const a = checkSuffixAndAim(scan(expected("suffix-aim")));
    expect(a.findings.every((f) => f.level === "ok")).toBe(true);
    expect(a.learnt).toEqual({ suffix: "Enter", prefix: "", sendsAim: true });
    expect(checkGs1(scan(expected("gs1"))).map((f) => f.level)).toEqual(["ok"]);
    expect(checkLayout(scan(expected("layout"))).map((f) => f.level)).toEqual(["ok"]);
  });

  it("names a missing suffix, a missing AIM identifier and learns a prefix", () => {
    const a = checkSuffixAndAim(scan("~RFDTEST01", null));
    expect(a.learnt.prefix).toBe("~");
    const texts = a.findings.map((f) => f.text).join("\n");
    expect(texts).toMatch(/Enter \(CR\) as suffix/);
    expect(texts).toMatch(/Transmit AIM ID/);
    expect(texts).toMatch(/prefix "~"/);
  });

  it("learns GS typed as Alt+0029 and says so; names the digits arriving without their Alt", () => {
    const viaAlt = checkGs1({ ...scan(expected("gs1")), gsAltCodes: 1 });
    expect(viaAlt.map((f) => f.level)).toEqual(["ok"]);
    expect(viaAlt[0]?.text).toContain("Alt+0029");
    const digits = checkGs1(scan("]C10195012345678903" + "10ABC12300292142"));
    expect(digits[0]).toMatchObject({ level: "error", text: expect.stringContaining("Alt+0029") });
  });

  it("says when FNC1 is dropped or arrives as text", () => {
    expect(checkGs1(scan("]C10195012345678903" + "10ABC1232142"))[0]?.text).toMatch(/dropped/);
    expect(checkGs1(scan("]C10195012345678903" + "10ABC123^]2142"))[0]?.text).toMatch(/arrives as "\^\]"/);
  });

  it("names the scanner and PC layouts for every mismatched pair", () => {
    for (const [s, h, name] of [
      ["US", "DE", /US English keyboard but this PC uses a German/],
      ["UK", "US", /UK English keyboard but this PC uses a US English/],
      ["DE", "UK", /German keyboard but this PC uses a UK English/],
    ] as const) {
      const got = typedThrough(LAYOUT_PROBE, s, h);
      expect(got).not.toBe(LAYOUT_PROBE);
      expect(checkLayout(scan(`]C0${got}`))[0]?.text).toMatch(name);
    }
  });

  it("every layout pair gives a different reading, so the diagnosis is never ambiguous", () => {
    const seen = new Map<string, string>();
    for (const s of ["US", "UK", "DE"] as const)
      for (const h of ["US", "UK", "DE"] as const) {
        if (s === h) continue;
        const got = typedThrough(LAYOUT_PROBE, s, h);
        expect(seen.has(got)).toBe(false);
        seen.set(got, `${s}/${h}`);
      }
  });
});

describe("the test sheet says what it encodes (issue 18)", () => {
  it("the text under each code is exactly its data (GS1: the HRI of the encoded element strings)", () => {
    for (const code of TEST_SHEET) {
      const data = code.barcode.replace(/\u00cf/g, "");
      expect(code.printed.replace(/[()]/g, "")).toBe(data);
      // What a correct scanner delivers, without AIM ID and GS, is the same data.
      expect(code.expected.slice(3).replace(/\x1d/g, "")).toBe(data);
    }
  });

  it("never 'complete' after a failed code", () => {
    const ok = { level: "ok" as const, text: "fine" };
    const bad = { level: "error" as const, text: "wrong" };
    expect(selfTestOutcome([[ok], [ok], [ok]])).toMatchObject({
      ok: true,
      text: expect.stringMatching(/^Self-test complete/),
    });
    const failed = selfTestOutcome([[ok], [bad], [ok]]);
    expect(failed.ok).toBe(false);
    expect(failed.text).not.toMatch(/complete/);
    expect(failed.text).toContain("1 code failed");
  });
});
