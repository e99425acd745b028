/**
 * The round trip: "a test renders each label, decodes it with @zxing/library from the
 * image, and gets the same payload". No browser here, so the image is made from the label's
 * own SVG: every filled rect of it (bars and rules) is painted into a luminance buffer at the
 * label's dpi, and zxing reads that image like a camera frame. What the SVG draws is what is
 * decoded; text is not painted (no font engine), and nothing but text sits near the bars.
 * Pallet and carton labels carry two symbols (SSCC below, booking reference above): both are
 * decoded, each from its own rows, as a scanner aimed at one of them reads it.
 */
import fc from "fast-check";
import {
  BinaryBitmap,
  Code128Reader,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  BarcodeFormat,
  RGBLuminanceSource,
} from "@zxing/library";
import { describe, expect, it } from "vitest";
import { classifyScan, parseScan } from "../../shared/domain/scan-parser";
import { makeSscc } from "../../shared/domain/labels";
import { bookingCartons } from "../../shared/domain/booking";
import { demoBooking } from "../../shared/domain/demo-booking";
import { buildManifest } from "../../shared/domain/manifest";
import { EXAMPLE_WORKING_HOURS } from "../../shared/domain/working-hours";
import { renderLogisticsLabel, type LabelContent, type RenderedLabel, type RenderedSymbol } from "./logistics-label";
import { bookingLabelContent, deliveryAddress, manifestLabelContents } from "./manifest-labels";

const from = { name: "CSP Central & South 3PL dock", lines: ["2 Logistics Park", "Milton Keynes"] };
const to = { name: "Supplier A Energy", lines: ["Unit 4, Meter Way", "Leeds LS1 1AA"] };

function sscc(n: number, ext = 0): string {
  const r = makeSscc(`0501234${String(n).padStart(9, "0")}`, ext);
  if (!r.ok) throw new Error(r.reason);
  return r.sscc;
}

function render(content: LabelContent, options?: Parameters<typeof renderLogisticsLabel>[1]): RenderedLabel {
  const r = renderLogisticsLabel(content, options);
  if (!r.ok) throw new Error(r.reason);
  return r;
}

/** Paints the SVG's filled rects (black on white) into a luminance image, leaving out the symbols in `without` (as if covered). */
function rasterise(
  label: RenderedLabel,
  without: RenderedSymbol[] = [],
): { lum: Uint8ClampedArray; width: number; height: number } {
  const width = label.size.widthDots;
  const height = label.size.heightDots;
  const lum = new Uint8ClampedArray(width * height).fill(255);
  const rect = /<rect class="(bar|rule)" x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"\/>/g;
  for (const m of label.svg.matchAll(rect)) {
    const [x, y, w, h] = [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
    if (m[1] === "bar" && without.some((s) => y === s.barcode.top)) continue;
    for (let yy = y; yy < Math.min(height, y + h); yy++)
      lum.fill(0, yy * width + x, yy * width + Math.min(width, x + w));
  }
  return { lum, width, height };
}

/** Box-filter downscale, as a printer of lower resolution (or a camera further away) sees the label. */
function downscale(img: { lum: Uint8ClampedArray; width: number; height: number }, factor: number) {
  const width = Math.floor(img.width * factor);
  const height = Math.floor(img.height * factor);
  const out = new Uint8ClampedArray(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < width; x++) {
      const x0 = x / factor;
      const x1 = (x + 1) / factor;
      let sum = 0;
      for (let sx = Math.floor(x0); sx < Math.ceil(x1); sx++) {
        const cover = Math.min(x1, sx + 1) - Math.max(x0, sx);
        sum += cover * (img.lum[sy * img.width + sx] ?? 255);
      }
      out[y * width + x] = Math.round(sum / (x1 - x0));
    }
  }
  return { lum: out, width, height };
}

const GS1 = new Map<DecodeHintType, unknown>([[DecodeHintType.ASSUME_GS1, true]]);

/** zxing's text of the Code 128 symbol in a region of the image (ASSUME_GS1: `]C1` prefix, FNC1 as GS). */
function decodeRegion(
  img: { lum: Uint8ClampedArray; width: number; height: number },
  top: number,
  rows: number,
): string {
  const source = new RGBLuminanceSource(img.lum, img.width, rows, img.width, img.height, 0, top);
  return new Code128Reader().decode(new BinaryBitmap(new HybridBinarizer(source)), GS1).getText();
}

/** Code 128 pattern of symbol value 102 (FNC1). */
const FNC1_PATTERN = "11110101110";

/**
 * What zxing-js 0.21.3 returns for a symbol: the scanner payload, plus a GS when the symbol's
 * check character happens to be value 102 (FNC1, about 1 symbol in 103): with ASSUME_GS1 it
 * turns that check character into a trailing GS instead of dropping it. Our parser ignores a
 * trailing GS (decodeGs1), so the payload is the same; only `raw` shows it.
 */
function zxingText(symbol: RenderedSymbol): string {
  const check = symbol.barcode.modules.slice(-24, -13);
  return symbol.payload.scan + (check === FNC1_PATTERN ? "\x1d" : "");
}

/** The symbols of a label, lowest (SSCC or booking) first. */
function symbolsOf(label: RenderedLabel): RenderedSymbol[] {
  return label.reference === null ? [label] : [label, label.reference];
}

/** Decodes one symbol's rows (a scanner aimed at those bars) and classifies it with our parser. */
function scanSymbol(label: RenderedLabel, symbol: RenderedSymbol) {
  const text = decodeRegion(rasterise(label), symbol.barcode.top, symbol.barcode.height);
  return { text, parsed: parseScan(text), classified: classifyScan(text) };
}

/** Decodes the lowest symbol (SSCC, or the booking label's one). */
function scanBack(label: RenderedLabel) {
  return scanSymbol(label, label);
}

/** Decodes the booking-reference symbol above the SSCC symbol. */
function scanReference(label: RenderedLabel) {
  if (label.reference === null) throw new Error(`${label.kind} label has no booking-reference symbol`);
  return scanSymbol(label, label.reference);
}

const REFUSED_BY_NAME = /booking-reference barcode of a label .*scan the SSCC barcode \(the bottom one\)/;

const pallet = (s: string, bookingRef: string | null): LabelContent => ({
  kind: "pallet",
  sscc: s,
  bookingRef,
  manifestId: "RD-BK-1234-1",
  from,
  to,
  cartonCount: 28,
  hubCount: 896,
  deliveryDate: "2027-02-02",
  deliveryWindow: { start: "09:00", end: "12:00" },
});
const carton = (s: string, bookingRef: string | null, hubCount: number): LabelContent => ({
  kind: "carton",
  sscc: s,
  bookingRef,
  from,
  to,
  hubCount,
  palletSscc: sscc(1),
});
const bookingLabel = (bookingRef: string, deliveryRef: string): LabelContent => ({
  kind: "booking",
  bookingRef,
  deliveryRef,
  from: to,
  to: from,
  deliveryDate: "2027-01-04",
  deliveryWindow: { start: "08:00", end: "10:00" },
  palletCount: 2,
});

describe("every label scans back through our own parser", () => {
  it.each([
    [
      "pallet",
      pallet(sscc(1), "BK-1234"),
      { kind: "pallet", sscc: sscc(1), bookingRef: null },
      { bookingRef: "BK-1234", hubCount: null },
    ],
    [
      "pallet without booking ref",
      pallet(sscc(2, 3), null),
      { kind: "pallet", sscc: sscc(2, 3), bookingRef: null },
      null,
    ],
    [
      "carton",
      carton(sscc(3), "BK-1234", 32),
      { kind: "carton", sscc: sscc(3), bookingRef: null, hubCount: null },
      { bookingRef: "BK-1234", hubCount: 32 },
    ],
    [
      "carton without booking ref",
      carton(sscc(8), null, 5),
      { kind: "carton", sscc: sscc(8), bookingRef: null, hubCount: null },
      { bookingRef: null, hubCount: 5 },
    ],
    [
      "booking label",
      bookingLabel("BK-2027-0001", "DR-2027-0001"),
      { kind: "booking-label", bookingRef: "BK-2027-0001", deliveryRef: "DR-2027-0001" },
      null,
    ],
  ] as const)(
    "%s: zxing reads exactly the encoded payload of each symbol, and parseScan gives the same label",
    (_name, content, want, reference) => {
      const label = render(content);
      const { text, parsed } = scanBack(label);
      expect(text).toBe(zxingText(label));
      expect(parsed).toEqual({ ...want, raw: text });
      if (reference === null) {
        expect(label.reference).toBeNull();
        return;
      }
      const top = scanReference(label);
      expect(top.text).toBe(zxingText(label.reference!));
      expect(top.classified).toEqual({ kind: "label-reference", raw: top.text, ...reference });
      expect(top.parsed).toMatchObject({
        kind: "unreadable",
        raw: top.text,
        reason: expect.stringMatching(REFUSED_BY_NAME),
      });
    },
  );

  it("a symbol whose check character is FNC1 still gives the same payload (zxing adds a trailing GS)", () => {
    // Found by search: the SSCC symbol of SSCC 0 0501234000000121 9 (a carton), and the
    // booking-reference symbol (37)6(91)RFD1-REF, have check value 102.
    const label = render(carton(sscc(121), null, 6));
    expect(label.barcode.modules.slice(-24, -13)).toBe(FNC1_PATTERN);
    expect(label.reference?.barcode.modules.slice(-24, -13)).toBe(FNC1_PATTERN);
    const { text, parsed } = scanBack(label);
    expect(text).toBe(`${label.payload.scan}\x1d`);
    expect(parsed).toEqual({ kind: "carton", raw: text, sscc: sscc(121), bookingRef: null, hubCount: null });
    const top = scanReference(label);
    expect(top.text).toBe(`${label.reference!.payload.scan}\x1d`);
    expect(top.classified).toEqual({ kind: "label-reference", raw: top.text, bookingRef: null, hubCount: 6 });
  });

  it("portrait labels scan back too", () => {
    const label = render(carton(sscc(4), "BK-2027-0001", 7), { orientation: "portrait" });
    expect(label.size).toMatchObject({ widthIn: 4, heightIn: 6, widthDots: 1200, heightDots: 1800 });
    expect(scanBack(label).text).toBe(zxingText(label));
    expect(scanReference(label).text).toBe(zxingText(label.reference!));
  });

  it("the whole label decodes with MultiFormatReader: both symbols, and nothing else on it reads as a barcode", () => {
    const label = render(pallet(sscc(5), "BK-1234"));
    const reader = new MultiFormatReader();
    const hints = new Map<DecodeHintType, unknown>([
      [DecodeHintType.ASSUME_GS1, true],
      [DecodeHintType.TRY_HARDER, true],
      [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128]],
    ]);
    const read = (without: RenderedSymbol[]) => {
      const img = rasterise(label, without);
      return reader.decode(
        new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(img.lum, img.width, img.height))),
        hints,
      );
    };
    // The reader returns one symbol; cover it and the other is found; cover both and nothing is.
    const symbols = symbolsOf(label);
    const first = read([]);
    expect(first.getBarcodeFormat()).toBe(BarcodeFormat.CODE_128);
    const firstSymbol = symbols.find((s) => zxingText(s) === first.getText());
    expect(firstSymbol, first.getText()).toBeDefined();
    const second = read([firstSymbol!]);
    const secondSymbol = symbols.find((s) => s !== firstSymbol && zxingText(s) === second.getText());
    expect(secondSymbol, second.getText()).toBeDefined();
    expect(() => read(symbols)).toThrow();
  });

  it("still decodes printed at 203 dpi (the 300-dpi image box-filtered down, grey edges and all)", () => {
    const label = render(pallet(sscc(6), "BK-2027-0001"));
    const img = downscale(rasterise(label), 203 / 300);
    const at = (s: RenderedSymbol) =>
      decodeRegion(img, Math.floor(s.barcode.top * (203 / 300)), Math.floor(s.barcode.height * (203 / 300)));
    expect(parseScan(at(label))).toMatchObject({ kind: "pallet", sscc: sscc(6), bookingRef: null });
    expect(classifyScan(at(label.reference!))).toMatchObject({
      kind: "label-reference",
      bookingRef: "BK-2027-0001",
      hubCount: null,
    });
  });

  it("rendered at a 203-dpi printer's own resolution, a portrait label decodes at the printer's dots", () => {
    const label = render(pallet(sscc(7), "BK-2027-0001"), { dpi: 203, orientation: "portrait" });
    expect(label.size).toMatchObject({ widthDots: 812, heightDots: 1218 });
    // Portrait is 4 in wide: the SSCC symbol gets 2 dots a module (0.25 mm), below GS1's 0.495 mm.
    expect(label.barcode.xDimensionMm).toBe(0.25);
    expect(label.warnings.join(" ")).toMatch(/below GS1's 0.495 mm/);
    expect(scanBack(label).parsed).toMatchObject({ kind: "pallet", sscc: sscc(7), bookingRef: null });
    expect(scanReference(label).classified).toMatchObject({ kind: "label-reference", bookingRef: "BK-2027-0001" });
  });

  it("property: any SSCC, booking ref and hub count round-trips through both symbols (pallet and carton, either orientation, 203 or 300 dpi)", () => {
    const ref = fc.stringMatching(/^[A-Z0-9-]{4,20}$/);
    fc.assert(
      fc.property(
        fc.nat({ max: 999_999_999 }),
        fc.integer({ min: 0, max: 9 }),
        fc.option(ref, { nil: null }),
        fc.integer({ min: 0, max: 9999 }),
        fc.boolean(),
        fc.constantFrom("landscape" as const, "portrait" as const),
        fc.constantFrom(203, 300),
        (n, ext, bookingRef, hubs, isPallet, orientation, dpi) => {
          const s = sscc(n, ext);
          const label = render(isPallet ? pallet(s, bookingRef) : carton(s, bookingRef, hubs), { orientation, dpi });
          const { text, parsed } = scanBack(label);
          expect(text).toBe(zxingText(label));
          expect(parsed).toEqual(
            isPallet
              ? { kind: "pallet", raw: text, sscc: s, bookingRef: null }
              : { kind: "carton", raw: text, sscc: s, bookingRef: null, hubCount: null },
          );
          if (isPallet && bookingRef === null) {
            expect(label.reference).toBeNull();
            return;
          }
          const top = scanReference(label);
          expect(top.text).toBe(zxingText(label.reference!));
          expect(top.classified).toEqual({
            kind: "label-reference",
            raw: top.text,
            bookingRef,
            hubCount: isPallet ? null : hubs,
          });
          expect(top.parsed).toMatchObject({ kind: "unreadable", reason: expect.stringMatching(REFUSED_BY_NAME) });
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("a whole re-delivery's labels", () => {
  it("every pallet and carton label of a manifest, and the booking label, scans back as itself, both symbols", () => {
    const b = demoBooking({
      pallets: 1,
      cartonsPerPallet: 2,
      hubsPerCarton: 3,
      looseCartons: 1,
      partyId: "SUPPLIER-A",
    });
    const hubs = bookingCartons(b).flatMap(({ carton }) => carton.hubs);
    const m = buildManifest({
      manifestId: `RD-${b.bookingRef}-1`,
      bookings: [b],
      targetVersionByModel: { "010A030B": "00020200" },
      results: hubs.map((h, i) =>
        i === 0
          ? { deviceId: h.deviceId, outcome: "failed" as const, faultEventId: null }
          : { deviceId: h.deviceId, outcome: "flashed" as const, firmwareVersion: "00020200" },
      ),
      deliveryDate: "2027-02-02",
      deliveryWindow: { start: "09:00", end: "12:00" },
      workingHours: EXAMPLE_WORKING_HOURS,
    });
    if (!m.ok) throw new Error(m.message);
    const contents = [
      ...manifestLabelContents(m.payload, { from, to: deliveryAddress(m.payload, b.partyName) }),
      bookingLabelContent(b, from),
    ];
    expect(contents.map((c) => c.kind)).toEqual(["pallet", "carton", "carton", "carton", "booking"]);
    for (const c of contents) {
      const label = render(c);
      const { parsed } = scanBack(label);
      if (c.kind === "booking") {
        expect(parsed).toMatchObject({ kind: "booking-label", bookingRef: b.bookingRef, deliveryRef: b.deliveryRef });
        expect(label.reference).toBeNull();
        continue;
      }
      expect(parsed).toMatchObject({ kind: c.kind, sscc: c.sscc });
      // GS1's 0.495 mm for the SSCC symbol, landscape at 300 dpi: no warning on any of them.
      expect(label.barcode.xDimensionMm).toBeGreaterThanOrEqual(0.495);
      expect(label.warnings).toEqual([]);
      expect(scanReference(label).classified).toMatchObject({
        kind: "label-reference",
        bookingRef: b.bookingRef,
        hubCount: c.kind === "carton" ? c.hubCount : null,
      });
    }
    // The short carton's label carries its new count.
    expect(contents[1]).toMatchObject({ kind: "carton", hubCount: 2 });
  });
});
