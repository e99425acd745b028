import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  GS,
  code128Data,
  decodeGs1,
  encodeBookingLabel,
  encodeCartonLabel,
  encodeHubLabel,
  encodeLabelReference,
  encodeLogisticLabelSymbols,
  encodePalletLabel,
  gs1CheckDigit,
  isValidSscc,
  makeSscc,
  ssccCheckDigit,
  ssccProblem,
  type EncodedLabel,
  type LabelError,
} from "./labels";

const digits = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n });
const sscc = fc.tuple(digits(16), fc.integer({ min: 0, max: 9 })).map(([body, ext]) => {
  const r = makeSscc(body, ext);
  if (!r.ok) throw new Error(r.reason);
  return r.sscc;
});
const ref = fc.stringMatching(/^[A-Z0-9-]{4,20}$/);
const hubId = fc
  .uint8Array({ minLength: 8, maxLength: 8 })
  .map((b) => [...b].map((x) => x.toString(16).padStart(2, "0").toUpperCase()).join("-"));

function ok(r: EncodedLabel | LabelError): EncodedLabel {
  if (!r.ok) throw new Error(r.reason);
  return r;
}

describe("SSCC check digit", () => {
  it("matches GS1's published examples", () => {
    expect(isValidSscc("106141412345678908")).toBe(true);
    expect(isValidSscc("376104250021234569")).toBe(true);
    expect(ssccCheckDigit("10614141234567890")).toBe(8);
    expect(gs1CheckDigit("0400638133393")).toBe(1); // GTIN 04006381333931
  });

  it("makeSscc builds valid SSCCs and refuses bad input with a reason", () => {
    fc.assert(
      fc.property(sscc, (s) => isValidSscc(s)),
      { numRuns: 200 },
    );
    expect(makeSscc("0501234500000001")).toEqual({ ok: true, sscc: "005012345000000019" });
    expect(makeSscc("0501234500000001", 3)).toMatchObject({ ok: true, sscc: expect.stringMatching(/^3/) });
    expect(makeSscc("050123450000001")).toMatchObject({ ok: false, reason: expect.stringContaining("16 digits") });
    expect(makeSscc("0501234500000001", 10)).toMatchObject({ ok: false, reason: expect.stringContaining("0-9") });
  });

  it("catches every single-digit substitution (exhaustively, all 18 positions x 9 digits)", () => {
    fc.assert(
      fc.property(sscc, (s) => {
        const missed: string[] = [];
        for (let i = 0; i < 18; i++)
          for (const d of "0123456789") {
            if (d === s[i]) continue;
            const bad = s.slice(0, i) + d + s.slice(i + 1);
            if (isValidSscc(bad) || ssccProblem(bad)?.code !== "bad-check-digit") missed.push(bad);
          }
        expect(missed).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("catches every other single-character corruption: a non-digit, a dropped or an added character", () => {
    fc.assert(
      fc.property(
        sscc,
        fc.integer({ min: 0, max: 17 }),
        fc.constantFrom("A", " ", "-", "\x1d", "O", "l"),
        (s, i, c) => {
          expect(ssccProblem(s.slice(0, i) + c + s.slice(i + 1))).toMatchObject({ code: "bad-characters" });
          expect(ssccProblem(s.slice(0, i) + s.slice(i + 1))).toMatchObject({ code: "wrong-length" });
          expect(ssccProblem(s.slice(0, i) + "7" + s.slice(i))).toMatchObject({ code: "wrong-length" });
        },
      ),
      { numRuns: 200 },
    );
  });

  // Mod-10 with weights 3,1 changes the sum by 2(a-b) when adjacent a,b swap: caught unless
  // a-b is 0 or +/-5. This test states both halves, so the limitation is on record.
  it("catches adjacent transpositions except of digits 5 apart, which mod-10 cannot see", () => {
    fc.assert(
      fc.property(sscc, (s) => {
        for (let i = 0; i < 17; i++) {
          const a = Number(s[i]);
          const b = Number(s[i + 1]);
          if (a === b) continue;
          const swapped = s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
          expect(isValidSscc(swapped)).toBe(Math.abs(a - b) === 5);
        }
      }),
      { numRuns: 200 },
    );
    expect(isValidSscc("005012345000000019")).toBe(true);
    expect(isValidSscc("000512345000000019")).toBe(true); // 0<->5 swapped: undetectable by design
  });
});

describe("label encode -> decode round trip", () => {
  it("booking labels", () => {
    fc.assert(
      fc.property(ref, ref, (bookingRef, deliveryRef) => {
        const label = ok(encodeBookingLabel({ bookingRef, deliveryRef }));
        expect(label.scan.startsWith("]C1")).toBe(true);
        expect(decodeGs1(label.scan)).toMatchObject({
          ok: true,
          symbology: "]C1",
          form: "element-string",
          elements: label.elements,
        });
        expect(decodeGs1(label.hri)).toMatchObject({ ok: true, form: "hri", elements: label.elements });
      }),
      { numRuns: 200 },
    );
  });

  it("pallet and carton labels, with and without optional parts", () => {
    fc.assert(
      fc.property(
        sscc,
        fc.option(ref),
        fc.option(fc.integer({ min: 0, max: 99_999_999 })),
        (s, bookingRef, hubCount) => {
          for (const label of [
            ok(encodePalletLabel({ sscc: s, bookingRef })),
            ok(encodeCartonLabel({ sscc: s, bookingRef, hubCount })),
          ]) {
            expect(decodeGs1(label.scan)).toMatchObject({ ok: true, elements: label.elements });
            expect(decodeGs1(label.hri)).toMatchObject({ ok: true, elements: label.elements });
            expect(label.scan.endsWith(GS)).toBe(false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("booking-reference symbols ((37), (400), (91)RFD1-REF), with either or both parts", () => {
    fc.assert(
      fc.property(fc.option(ref), fc.option(fc.integer({ min: 0, max: 99_999_999 })), (bookingRef, hubCount) => {
        const r = encodeLabelReference({ bookingRef, hubCount });
        if (bookingRef === null && hubCount === null) {
          expect(r).toMatchObject({
            ok: false,
            reason: expect.stringContaining("needs a booking reference or a hub count"),
          });
          return;
        }
        const label = ok(r);
        expect(label.elements.at(-1)).toEqual({ ai: "91", value: "RFD1-REF" });
        expect(label.elements.some((e) => e.ai === "00")).toBe(false);
        expect(decodeGs1(label.scan)).toMatchObject({ ok: true, symbology: "]C1", elements: label.elements });
        expect(decodeGs1(label.hri)).toMatchObject({ ok: true, form: "hri", elements: label.elements });
        expect(label.scan.endsWith(GS)).toBe(false);
      }),
      { numRuns: 200 },
    );
    expect(ok(encodeLabelReference({ bookingRef: "BK-1234", hubCount: 32 })).scan).toBe(
      "]C13732\x1d400BK-1234\x1d91RFD1-REF",
    );
  });

  it("a pallet or carton label splits into an SSCC symbol ((00), (91) only) and a booking-reference symbol", () => {
    fc.assert(
      fc.property(
        sscc,
        fc.option(ref),
        fc.option(fc.integer({ min: 0, max: 99_999_999 })),
        fc.boolean(),
        (s, bookingRef, hubCount, isPallet) => {
          const r = encodeLogisticLabelSymbols(
            isPallet ? { kind: "pallet", sscc: s, bookingRef } : { kind: "carton", sscc: s, bookingRef, hubCount },
          );
          if (!r.ok) throw new Error(r.reason);
          expect(r.sscc).toEqual(ok(isPallet ? encodePalletLabel({ sscc: s }) : encodeCartonLabel({ sscc: s })));
          const count = isPallet ? null : hubCount;
          if (bookingRef === null && count === null) expect(r.reference).toBeNull();
          else expect(r.reference).toEqual(ok(encodeLabelReference({ bookingRef, hubCount: count })));
        },
      ),
      { numRuns: 200 },
    );
    expect(
      encodeLogisticLabelSymbols({ kind: "carton", sscc: "005012345000000019", bookingRef: "bk 1", hubCount: 3 }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining("booking reference") });
    expect(
      encodeLogisticLabelSymbols({ kind: "pallet", sscc: "005012345000000018", bookingRef: "BK-1234" }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining("check digit") });
  });

  it("hub labels", () => {
    fc.assert(
      fc.property(hubId, (deviceId) => {
        const label = ok(encodeHubLabel({ deviceId }));
        expect(label.elements[0]).toEqual({ ai: "93", value: deviceId.replaceAll("-", "") });
        expect(decodeGs1(label.scan)).toMatchObject({ ok: true, elements: label.elements });
      }),
      { numRuns: 100 },
    );
  });

  it("puts GS only after variable-length elements that are not last", () => {
    const label = ok(encodeCartonLabel({ sscc: "005012345000000019", bookingRef: "BK-1234", hubCount: 32 }));
    expect(label.scan).toBe("]C1000050123450000000193732\x1d400BK-1234\x1d91RFD1-CTN");
    expect(label.hri).toBe("(00)005012345000000019(37)32(400)BK-1234(91)RFD1-CTN");
    expect(code128Data(label)).toBe("000050123450000000193732\u00cf400BK-1234\u00cf91RFD1-CTN");
  });

  it("refuses to encode what it could not decode", () => {
    expect(encodePalletLabel({ sscc: "005012345000000018" })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("check digit is 9"),
    });
    expect(encodePalletLabel({ sscc: "12345" })).toMatchObject({ ok: false });
    expect(encodeBookingLabel({ bookingRef: "bk-1", deliveryRef: "DL-0001" })).toMatchObject({ ok: false });
    expect(encodeCartonLabel({ sscc: "005012345000000019", hubCount: -1 })).toMatchObject({ ok: false });
    expect(encodeHubLabel({ deviceId: "00-11" })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("a hub ID has 16"),
    });
    expect(encodeLabelReference({ hubCount: 1.5 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("hub count"),
    });
    expect(encodeLabelReference({ bookingRef: "BK-1234", hubCount: 100_000_000 })).toMatchObject({ ok: false });
  });
});

describe("decodeGs1", () => {
  it("reads FNC1 mis-mappings, a leading GS, scanner suffixes and spaced HRI", () => {
    const want = [
      { ai: "00", value: "005012345000000019" },
      { ai: "400", value: "BK-1234" },
      { ai: "91", value: "RFD1-PAL" },
    ];
    for (const sep of ["\x1d", "<GS>", "^]", "\\x1D", "{GS}", "\u241d"])
      expect(decodeGs1(`]C100005012345000000019400BK-1234${sep}91RFD1-PAL\r\n`)).toMatchObject({
        ok: true,
        elements: want,
      });
    expect(decodeGs1(`\x1d00005012345000000019400BK-1234\x1d91RFD1-PAL\t`)).toMatchObject({
      ok: true,
      symbology: null,
      elements: want,
    });
    expect(decodeGs1("(00) 0 0501234 500000001 9 (400)BK-1234(91)RFD1-PAL")).toMatchObject({
      ok: true,
      elements: want,
    });
  });

  it("splits a third party's GS1 label by the AI tables", () => {
    expect(decodeGs1("]C102040063813339313724\x1d10ABC123")).toMatchObject({
      ok: true,
      elements: [
        { ai: "02", value: "04006381333931" },
        { ai: "37", value: "24" },
        { ai: "10", value: "ABC123" },
      ],
    });
  });

  it("gives a specific error", () => {
    expect(decodeGs1("")).toMatchObject({ ok: false, code: "empty" });
    expect(decodeGs1("]C1\r\n")).toMatchObject({ ok: false, code: "empty" });
    expect(decodeGs1("]C100005012345000000018")).toEqual({
      ok: false,
      code: "bad-check-digit",
      reason: "SSCC check digit is 9, label says 8",
    });
    expect(decodeGs1("]C10000501234500000")).toMatchObject({
      ok: false,
      code: "wrong-length",
      reason: expect.stringContaining("needs 18"),
    });
    expect(decodeGs1("]C1270000")).toMatchObject({
      ok: false,
      code: "unknown-ai",
      reason: expect.stringContaining("27"),
    });
    expect(decodeGs1("]C1400AB\x1d400CD")).toMatchObject({
      ok: false,
      code: "malformed-gs1",
      reason: expect.stringContaining("twice"),
    });
    expect(decodeGs1("]C1400ab~")).toMatchObject({ ok: false, code: "bad-characters" });
    expect(decodeGs1("]C1AB")).toMatchObject({ ok: false, code: "malformed-gs1" });
    expect(decodeGs1("(00)12(91)X")).toMatchObject({ ok: false, code: "wrong-length" });
    expect(decodeGs1("(00)005012345000000019 junk")).toMatchObject({ ok: false, code: "wrong-length" });
    expect(decodeGs1("(00)005012345000000019(9")).toMatchObject({ ok: false, code: "malformed-gs1" });
    expect(decodeGs1("]C13732A")).toMatchObject({ ok: false, code: "bad-characters" });
  });

  it("never throws on garbage", () => {
    const chars = fc.constantFrom(..."0123456789()ABCRFD-]^<>GS\x1d\r\n\0 ~");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 60 }).map((c) => String.fromCharCode(...c)),
          fc.string({ unit: chars, maxLength: 60 }),
        ),
        (s) => {
          const r = decodeGs1(s);
          if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
        },
      ),
      { numRuns: 300 },
    );
  });
});
