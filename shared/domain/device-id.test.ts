import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isCanonicalDeviceId, parseDeviceId, testLabRange } from "./device-id";

const hex = (b: number) => b.toString(16).padStart(2, "0");
const eui64 = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((bytes) => [...bytes].map(hex));

/** Every notation a label or scanner is known to deliver, from the octets (lower case). */
const notations: Array<(o: string[]) => string> = [
  (o) => o.join("-").toUpperCase(),
  (o) => o.join("-"),
  (o) => o.join(":"),
  (o) => o.join(" ").toUpperCase(),
  (o) => o.join(""),
  (o) => o.join("").toUpperCase(),
  (o) => [0, 2, 4, 6].map((i) => `${o[i]}${o[i + 1]}`).join("-"),
  (o) => [0, 4].map((i) => o.slice(i, i + 4).join("")).join(" "),
  (o) => o.map((x, i) => (i % 2 ? x.toUpperCase() : x)).join("-"),
];
const aimPrefixes = ["", "]C0", "]C1", "]d2", "]Q1", "]E0", "]A0"];
const suffixes = ["", "\r", "\n", "\r\n", "\t", "\0", " \r\n", "\0\0"];
const leads = ["", " ", "\0", "\r\n"];

describe("parseDeviceId", () => {
  it("normalises every delivery variant of an EUI-64 to the one canonical form", () => {
    fc.assert(
      fc.property(
        eui64,
        fc.constantFrom(...notations),
        fc.constantFrom(...aimPrefixes),
        fc.constantFrom(...suffixes),
        fc.constantFrom(...leads),
        (octets, notation, aim, suffix, lead) => {
          const canonical = octets.join("-").toUpperCase();
          const r = parseDeviceId(`${lead}${aim}${notation(octets)}${suffix}`);
          expect(r).toEqual({ ok: true, deviceId: canonical });
          expect(isCanonicalDeviceId(canonical)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never throws on garbage, and every refusal carries a code and a reason", () => {
    const garbage = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((c) => String.fromCharCode(...c)),
      fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFG-: \r\n\t\0\x1d]C1()"), maxLength: 30 }),
    );
    fc.assert(
      fc.property(garbage, (s) => {
        const r = parseDeviceId(s);
        if (r.ok) expect(isCanonicalDeviceId(r.deviceId)).toBe(true);
        else {
          expect(["empty", "bad-characters", "wrong-length", "unknown-format"]).toContain(r.code);
          expect(r.reason.length).toBeGreaterThan(5);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("accepts a random hex string exactly when it has 16 hex digits", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), maxLength: 24 }), (s) => {
        expect(parseDeviceId(s).ok).toBe(s.length === 16);
      }),
      { numRuns: 300 },
    );
  });

  it("gives specific reasons", () => {
    expect(parseDeviceId("")).toMatchObject({ ok: false, code: "empty" });
    expect(parseDeviceId("]C0\r\n")).toMatchObject({ ok: false, code: "empty" });
    expect(parseDeviceId("00-11-22-33-44-55-66-7")).toEqual({
      ok: false,
      code: "wrong-length",
      reason: "15 hex digits, a hub ID has 16",
    });
    expect(parseDeviceId("00-11-22-33-44-55")).toMatchObject({
      code: "wrong-length",
      reason: expect.stringContaining("MAC-48"),
    });
    const g = parseDeviceId("00-11-22-3G-44-55-66-77");
    expect(g).toMatchObject({ ok: false, code: "bad-characters" });
    expect(!g.ok && g.reason).toContain("'G' is not a hex digit");
    expect(parseDeviceId("00-11\x1d22-33-44-55-66-77")).toMatchObject({ ok: false, code: "unknown-format" });
    expect(parseDeviceId("0-01-12-23-34-45-56-677")).toMatchObject({
      ok: false,
      code: "unknown-format",
      reason: expect.stringContaining("splits an octet"),
    });
    expect(parseDeviceId("00--11-22-33-44-55-66-77")).toMatchObject({ ok: false, code: "unknown-format" });
    expect(parseDeviceId("(93)0011223344556677")).toMatchObject({
      ok: false,
      code: "unknown-format",
      reason: expect.stringContaining("GS1"),
    });
    const tab = parseDeviceId("00-11-22\t33-44-55-66-77");
    expect(tab).toMatchObject({ ok: false, code: "bad-characters", reason: expect.stringContaining("U+0009") });
  });
});

describe("testLabRange", () => {
  it("flags the DCC test-lab ranges and nothing else", () => {
    expect(testLabRange("00-DB-12-00-00-00-00-01")).not.toBeNull();
    expect(testLabRange("90-B3-D5-1F-30-01-00-00")).not.toBeNull();
    expect(testLabRange("90-B3-D5-1F-30-01-00-01")).toBeNull();
    expect(testLabRange("88-73-84-57-00-2F-96-1E")).toBeNull();
    fc.assert(
      fc.property(eui64, (o) => {
        const id = o.join("-").toUpperCase();
        const expected = id.startsWith("00-DB-12-") || id === "90-B3-D5-1F-30-01-00-00";
        expect(testLabRange(id) !== null).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("finds a test-lab ID however it was scanned", () => {
    const r = parseDeviceId("]C000db12aabbccddee\r\n");
    expect(r.ok && testLabRange(r.deviceId)).toBeTruthy();
  });
});

describe("isCanonicalDeviceId", () => {
  it("accepts only upper-case hyphenated octets", () => {
    expect(isCanonicalDeviceId("88-73-84-57-00-2F-96-1E")).toBe(true);
    expect(isCanonicalDeviceId("88-73-84-57-00-2f-96-1e")).toBe(false);
    expect(isCanonicalDeviceId("887384570002F961E")).toBe(false);
    expect(isCanonicalDeviceId("88:73:84:57:00:2F:96:1E")).toBe(false);
  });
});
