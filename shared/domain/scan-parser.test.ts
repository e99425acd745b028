import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { classifyScan, labelReferenceOf, parseScan } from "./scan-parser";
import {
  encodeBookingLabel,
  encodeCartonLabel,
  encodeHubLabel,
  encodeLabelReference,
  encodeLogisticLabelSymbols,
  encodePalletLabel,
  makeSscc,
  type EncodedLabel,
  type LabelError,
} from "./labels";
import type { ParsedScan } from "./scan";

const digits16 = fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 16, maxLength: 16 });
const sscc = fc.tuple(digits16, fc.integer({ min: 0, max: 9 })).map(([body, ext]) => {
  const r = makeSscc(body, ext);
  if (!r.ok) throw new Error(r.reason);
  return r.sscc;
});
const ref = fc.stringMatching(/^[A-Z0-9-]{4,20}$/);
const octets = fc
  .uint8Array({ minLength: 8, maxLength: 8 })
  .map((b) => [...b].map((x) => x.toString(16).padStart(2, "0").toUpperCase()));

function ok(r: EncodedLabel | LabelError): EncodedLabel {
  if (!r.ok) throw new Error(r.reason);
  return r;
}

/** The ways a scanner may deliver one encoded label (prefix on/off, FNC1 mapping, suffix). */
type Delivery = { aim: boolean; gs: string; suffix: string; hri: boolean };
const delivery: fc.Arbitrary<Delivery> = fc.record({
  aim: fc.boolean(),
  gs: fc.constantFrom("\x1d", "<GS>", "^]", "\\x1D", "\u241d"),
  suffix: fc.constantFrom("", "\r", "\n", "\r\n", "\t", "\0"),
  hri: fc.boolean(),
});
function deliver(label: EncodedLabel, d: Delivery): string {
  if (d.hri) return `${d.aim ? "]C1" : ""}${label.hri}${d.suffix}`;
  const body = label.scan.slice(3).replaceAll("\x1d", d.gs);
  return `${d.aim ? "]C1" : ""}${body}${d.suffix}`;
}
const without = (p: ParsedScan): Omit<ParsedScan, "raw"> => {
  const { raw: _raw, ...rest } = p;
  return rest;
};

describe("parseScan round trip", () => {
  it("booking labels", () => {
    fc.assert(
      fc.property(ref, ref, delivery, (bookingRef, deliveryRef, d) => {
        const raw = deliver(ok(encodeBookingLabel({ bookingRef, deliveryRef })), d);
        expect(parseScan(raw)).toEqual({ kind: "booking-label", raw, bookingRef, deliveryRef });
      }),
      { numRuns: 300 },
    );
  });

  it("pallet labels", () => {
    fc.assert(
      fc.property(sscc, fc.option(ref), delivery, (s, bookingRef, d) => {
        const raw = deliver(ok(encodePalletLabel({ sscc: s, bookingRef })), d);
        expect(parseScan(raw)).toEqual({ kind: "pallet", raw, sscc: s, bookingRef });
      }),
      { numRuns: 300 },
    );
  });

  it("carton labels", () => {
    fc.assert(
      fc.property(
        sscc,
        fc.option(ref),
        fc.option(fc.integer({ min: 0, max: 9999 })),
        delivery,
        (s, bookingRef, hubCount, d) => {
          const raw = deliver(ok(encodeCartonLabel({ sscc: s, bookingRef, hubCount })), d);
          expect(parseScan(raw)).toEqual({ kind: "carton", raw, sscc: s, bookingRef, hubCount });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("booking-reference symbols: read back exactly, and refused by name as a scan", () => {
    fc.assert(
      fc.property(
        fc.option(ref),
        fc.option(fc.integer({ min: 0, max: 99_999_999 })),
        delivery,
        (bookingRef, hubCount, d) => {
          fc.pre(bookingRef !== null || hubCount !== null);
          const raw = deliver(ok(encodeLabelReference({ bookingRef, hubCount })), d);
          const want = { kind: "label-reference", raw, bookingRef, hubCount };
          expect(classifyScan(raw)).toEqual(want);
          const parsed = parseScan(raw);
          expect(parsed).toMatchObject({ kind: "unreadable", raw, code: "unknown-format" });
          expect(parsed.kind === "unreadable" && parsed.reason).toMatch(
            /^this is the booking-reference barcode of a label \(.+\), not a pallet, carton or hub: scan the SSCC barcode \(the bottom one\)$/,
          );
          expect(labelReferenceOf(parsed)).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("both symbols of a two-symbol pallet or carton label", () => {
    fc.assert(
      fc.property(
        sscc,
        fc.option(ref),
        fc.option(fc.integer({ min: 0, max: 9999 })),
        fc.boolean(),
        delivery,
        (s, bookingRef, hubCount, isPallet, d) => {
          const r = encodeLogisticLabelSymbols(
            isPallet ? { kind: "pallet", sscc: s, bookingRef } : { kind: "carton", sscc: s, bookingRef, hubCount },
          );
          if (!r.ok) throw new Error(r.reason);
          const bottom = deliver(r.sscc, d);
          expect(parseScan(bottom)).toEqual(
            isPallet
              ? { kind: "pallet", raw: bottom, sscc: s, bookingRef: null }
              : { kind: "carton", raw: bottom, sscc: s, bookingRef: null, hubCount: null },
          );
          if (r.reference === null) return;
          const top = deliver(r.reference, d);
          expect(classifyScan(top)).toEqual({
            kind: "label-reference",
            raw: top,
            bookingRef,
            hubCount: isPallet ? null : hubCount,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("GS1-wrapped hub labels", () => {
    fc.assert(
      fc.property(octets, delivery, (o, d) => {
        const deviceId = o.join("-");
        const raw = deliver(ok(encodeHubLabel({ deviceId })), d);
        expect(parseScan(raw)).toEqual({ kind: "hub", raw, deviceId });
      }),
      { numRuns: 200 },
    );
  });

  it("plain Code 128 hub IDs in every notation, under any AIM prefix", () => {
    const notations = [
      (o: string[]) => o.join("-"),
      (o: string[]) => o.join(":").toLowerCase(),
      (o: string[]) => o.join(""),
      (o: string[]) => o.join(" "),
    ];
    fc.assert(
      fc.property(
        octets,
        fc.constantFrom(...notations),
        fc.constantFrom("", "]C0", "]C1", "]Q1", "]d1"),
        fc.constantFrom("", "\r\n", "\t"),
        (o, n, aim, suffix) => {
          expect(without(parseScan(`${aim}${n(o)}${suffix}`))).toEqual({ kind: "hub", deviceId: o.join("-") });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("parseScan refusals", () => {
  const pallet = ok(encodePalletLabel({ sscc: "005012345000000019", bookingRef: "BK-1234" }));

  it("names a corrupted SSCC on a label by its check digit", () => {
    const missed: string[] = [];
    for (let i = 0; i < 18; i++)
      for (const d of "0123456789") {
        const s = pallet.scan.slice(0, 5 + i) + d + pallet.scan.slice(6 + i);
        if (s === pallet.scan) continue;
        const r = parseScan(s);
        if (r.kind !== "unreadable" || r.code !== "bad-check-digit") missed.push(s);
      }
    expect(missed).toEqual([]);
    expect(parseScan("]C100005012345000000017\x1d91RFD1-PAL")).toMatchObject({
      kind: "unreadable",
      code: "bad-check-digit",
      reason: "SSCC check digit is 9, label says 7",
    });
  });

  it("tells a scanner that drops FNC1 from a bad label", () => {
    for (const label of [
      pallet,
      ok(encodeBookingLabel({ bookingRef: "BK-1234", deliveryRef: "DL-0001" })),
      ok(encodeCartonLabel({ sscc: "005012345000000019", hubCount: 32, bookingRef: "BK-1234" })),
    ]) {
      const r = parseScan(label.scan.replaceAll("\x1d", "") + "\r\n");
      expect(r).toMatchObject({ kind: "unreadable", code: "malformed-gs1", reason: expect.stringContaining("FNC1") });
    }
  });

  it("gives specific reasons for labels that are not ours or are incomplete", () => {
    expect(parseScan("")).toMatchObject({ kind: "unreadable", code: "empty" });
    expect(parseScan("\r\n")).toMatchObject({ kind: "unreadable", code: "empty" });
    expect(parseScan("]C1")).toMatchObject({ kind: "unreadable", code: "empty" });
    expect(parseScan("]C100005012345000000019")).toEqual({
      kind: "sscc",
      raw: "]C100005012345000000019",
      sscc: "005012345000000019",
    });
    expect(parseScan("]C100005012345000000019\x1d91ACME-7")).toMatchObject({
      kind: "unreadable",
      code: "unknown-format",
      reason: expect.stringContaining("another company"),
    });
    expect(parseScan("]C100005012345000000019\x1d91RFD2-PAL")).toMatchObject({
      kind: "unreadable",
      code: "unknown-format",
      reason: expect.stringContaining("RFD2-PAL"),
    });
    expect(parseScan("]C10204006381333931\x1d3724")).toMatchObject({
      kind: "unreadable",
      code: "unknown-format",
      reason: expect.stringContaining("(02)(37)"),
    });
    expect(parseScan("]C1400BK-1234\x1d91RFD1-BKG")).toMatchObject({
      kind: "unreadable",
      code: "malformed-gs1",
      reason: expect.stringContaining("AI 92"),
    });
    expect(parseScan("]C191RFD1-PAL")).toMatchObject({
      kind: "unreadable",
      code: "malformed-gs1",
      reason: expect.stringContaining("AI 00"),
    });
    expect(parseScan("]C1400bk-1\x1d00005012345000000019\x1d91RFD1-PAL")).toMatchObject({
      kind: "unreadable",
      code: "bad-characters",
    });
    expect(parseScan("]C193001122334455667\x1d91RFD1-HUB")).toMatchObject({
      kind: "unreadable",
      code: "wrong-length",
      reason: expect.stringContaining("15 hex digits"),
    });
    expect(parseScan("88-73-84-57-00-2F-96-1")).toMatchObject({ kind: "unreadable", code: "wrong-length" });
    expect(parseScan("hello")).toMatchObject({ kind: "unreadable", code: "bad-characters" });
  });

  it("the documented one-symbol payloads still read exactly as before", () => {
    expect(parseScan("]C100005012345000000019400BK-1234\x1d91RFD1-PAL")).toEqual({
      kind: "pallet",
      raw: "]C100005012345000000019400BK-1234\x1d91RFD1-PAL",
      sscc: "005012345000000019",
      bookingRef: "BK-1234",
    });
    expect(without(parseScan("]C1000050123450000000193732\x1d400BK-1234\x1d91RFD1-CTN"))).toEqual({
      kind: "carton",
      sscc: "005012345000000019",
      bookingRef: "BK-1234",
      hubCount: 32,
    });
    expect(without(parseScan("(00)005012345000000019(400)BK-1234(91)RFD1-PAL"))).toEqual({
      kind: "pallet",
      sscc: "005012345000000019",
      bookingRef: "BK-1234",
    });
    expect(without(parseScan("]C1400BK-1234\x1d92DL-0001\x1d91RFD1-BKG"))).toEqual({
      kind: "booking-label",
      bookingRef: "BK-1234",
      deliveryRef: "DL-0001",
    });
    for (const raw of ["]C1400BK-1234\x1d91RFD1-PAL", "]C1hello", "]C100005012345000000019"])
      expect(labelReferenceOf(parseScan(raw))).toBeNull();
  });

  it("refuses a booking-reference symbol that is not one we print, and one whose FNC1 was lost", () => {
    expect(parseScan("]C100005012345000000019400BK-1234\x1d91RFD1-REF")).toMatchObject({
      kind: "unreadable",
      code: "malformed-gs1",
      reason: expect.stringContaining("carrying an SSCC"),
    });
    expect(parseScan("]C192DL-0001\x1d91RFD1-REF")).toMatchObject({
      kind: "unreadable",
      code: "malformed-gs1",
      reason: expect.stringContaining("without a booking reference (AI 400) or a hub count (AI 37)"),
    });
    const ref = ok(encodeLabelReference({ bookingRef: "BK-1234", hubCount: 32 }));
    expect(parseScan(ref.scan.replaceAll("\x1d", "") + "\r")).toMatchObject({
      kind: "unreadable",
      code: "malformed-gs1",
      reason: expect.stringContaining("FNC1"),
    });
    expect(parseScan("400BK-123491RFD1-REF")).toMatchObject({
      kind: "unreadable",
      code: "malformed-gs1",
      reason: expect.stringContaining("FNC1"),
    });
  });

  it("reads a GS1-wrapped hub ID without a kind, and a bare (93)", () => {
    expect(parseScan("]C19388738457002F961E\r")).toMatchObject({ kind: "hub", deviceId: "88-73-84-57-00-2F-96-1E" });
    expect(parseScan("(93)88738457002F961E")).toMatchObject({ kind: "hub", deviceId: "88-73-84-57-00-2F-96-1E" });
  });

  it("never throws, keeps the raw text, and always explains a refusal", () => {
    const chars = fc.constantFrom(..."0123456789ABCDEFRPLN-:()]^<>GS\x1d\r\n\t\0 ");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 50 }).map((c) => String.fromCharCode(...c)),
          fc.string({ unit: chars, maxLength: 50 }),
        ),
        (raw) => {
          const r = parseScan(raw);
          expect(r.raw).toBe(raw);
          if (r.kind === "unreadable") expect(r.reason.length).toBeGreaterThan(5);
        },
      ),
      { numRuns: 400 },
    );
  });
});
