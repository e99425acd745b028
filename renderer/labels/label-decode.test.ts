/**
 * The round trip: "a test renders each label, decodes it with @zxing/library from the
 * image, and gets the same payload". No browser here, so the image is made from the label's
 * own SVG: every filled rect of it (bars and rules) is painted into a luminance buffer at the
 * label's dpi, and zxing reads that image like a camera frame. What the SVG draws is what is
 * decoded; text is not painted (no font engine), and nothing but text sits near the bars.
 */
import fc from "fast-check";
import { BinaryBitmap, Code128Reader, DecodeHintType, HybridBinarizer, MultiFormatReader, BarcodeFormat, RGBLuminanceSource } from "@zxing/library";
import { describe, expect, it } from "vitest";
import { parseScan } from "../../shared/domain/scan-parser";
import { makeSscc } from "../../shared/domain/labels";
import { bookingCartons } from "../../shared/domain/booking";
import { demoBooking } from "../../shared/domain/demo-booking";
import { buildManifest } from "../../shared/domain/manifest";
import { EXAMPLE_WORKING_HOURS } from "../../shared/domain/working-hours";
import { renderLogisticsLabel, type LabelContent, type RenderedLabel } from "./logistics-label";
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

/** Paints the SVG's filled rects (black on white) into a luminance image. */
function rasterise(label: RenderedLabel): { lum: Uint8ClampedArray; width: number; height: number } {
  const width = label.size.widthDots;
  const height = label.size.heightDots;
  const lum = new Uint8ClampedArray(width * height).fill(255);
  const rect = /<rect class="(bar|rule)" x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"\/>/g;
  for (const m of label.svg.matchAll(rect)) {
    const [x, y, w, h] = [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
    for (let yy = y; yy < Math.min(height, y + h); yy++) lum.fill(0, yy * width + x, yy * width + Math.min(width, x + w));
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
function decodeRegion(img: { lum: Uint8ClampedArray; width: number; height: number }, top: number, rows: number): string {
  const source = new RGBLuminanceSource(img.lum, img.width, rows, img.width, img.height, 0, top);
  return new Code128Reader().decode(new BinaryBitmap(new HybridBinarizer(source)), GS1).getText();
}

/** Code 128 pattern of symbol value 102 (FNC1). */
const FNC1_PATTERN = "11110101110";

/**
 * What zxing-js 0.21.3 returns for a label: the scanner payload, plus a GS when the symbol's
 * check character happens to be value 102 (FNC1, about 1 label in 103): with ASSUME_GS1 it
 * turns that check character into a trailing GS instead of dropping it. Our parser ignores a
 * trailing GS (decodeGs1), so the payload is the same; only `raw` shows it.
 */
function zxingText(label: RenderedLabel): string {
  const check = label.barcode.modules.slice(-24, -13);
  return label.payload.scan + (check === FNC1_PATTERN ? "\x1d" : "");
}

/** Decodes the barcode section (a scanner aimed at the bars) and classifies it with our parser. */
function scanBack(label: RenderedLabel) {
  const img = rasterise(label);
  const text = decodeRegion(img, label.barcode.top, label.barcode.height);
  return { text, parsed: parseScan(text) };
}

const pallet = (s: string, bookingRef: string | null): LabelContent => ({ kind: "pallet", sscc: s, bookingRef, manifestId: "RD-BK-1234-1", from, to, cartonCount: 28, hubCount: 896, deliveryDate: "2027-02-02", deliveryWindow: { start: "09:00", end: "12:00" } });
const carton = (s: string, bookingRef: string | null, hubCount: number): LabelContent => ({ kind: "carton", sscc: s, bookingRef, from, to, hubCount, palletSscc: sscc(1) });
const bookingLabel = (bookingRef: string, deliveryRef: string): LabelContent => ({ kind: "booking", bookingRef, deliveryRef, from: to, to: from, deliveryDate: "2027-01-04", deliveryWindow: { start: "08:00", end: "10:00" }, palletCount: 2 });

describe("every label scans back through our own parser", () => {
  it.each([
    ["pallet", pallet(sscc(1), "BK-1234"), { kind: "pallet", sscc: sscc(1), bookingRef: "BK-1234" }],
    ["pallet without booking ref", pallet(sscc(2, 3), null), { kind: "pallet", sscc: sscc(2, 3), bookingRef: null }],
    ["carton", carton(sscc(3), "BK-1234", 32), { kind: "carton", sscc: sscc(3), bookingRef: "BK-1234", hubCount: 32 }],
    ["booking label", bookingLabel("BK-2027-0001", "DR-2027-0001"), { kind: "booking-label", bookingRef: "BK-2027-0001", deliveryRef: "DR-2027-0001" }],
  ] as const)("%s: zxing reads exactly the encoded payload, and parseScan gives the same label", (_name, content, want) => {
    const label = render(content);
    const { text, parsed } = scanBack(label);
    expect(text).toBe(zxingText(label));
    expect(parsed).toEqual({ ...want, raw: text });
  });

  it("a label whose check character is FNC1 still gives the same payload (zxing adds a trailing GS)", () => {
    // Found by the property below: SSCC 6 0501234812708359 2 with 2911 hubs has check value 102.
    const label = render(carton(sscc(812708359, 6), null, 2911));
    expect(label.barcode.modules.slice(-24, -13)).toBe(FNC1_PATTERN);
    const { text, parsed } = scanBack(label);
    expect(text).toBe(`${label.payload.scan}\x1d`);
    expect(parsed).toEqual({ kind: "carton", raw: text, sscc: sscc(812708359, 6), bookingRef: null, hubCount: 2911 });
  });

  it("portrait labels scan back too", () => {
    const label = render(carton(sscc(4), "BK-2027-0001", 7), { orientation: "portrait" });
    expect(label.size).toMatchObject({ widthIn: 4, heightIn: 6, widthDots: 1200, heightDots: 1800 });
    expect(scanBack(label).text).toBe(zxingText(label));
  });

  it("the whole label, not only the bars, decodes with MultiFormatReader (nothing else on it reads as a barcode)", () => {
    const label = render(pallet(sscc(5), "BK-1234"));
    const img = rasterise(label);
    const reader = new MultiFormatReader();
    const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.ASSUME_GS1, true], [DecodeHintType.TRY_HARDER, true], [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128]]]);
    const result = reader.decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(img.lum, img.width, img.height))), hints);
    expect(result.getText()).toBe(zxingText(label));
    expect(result.getBarcodeFormat()).toBe(BarcodeFormat.CODE_128);
  });

  it("still decodes printed at 203 dpi (the 300-dpi image box-filtered down, grey edges and all)", () => {
    const label = render(pallet(sscc(6), "BK-2027-0001"));
    const img = downscale(rasterise(label), 203 / 300);
    const top = Math.floor(label.barcode.top * (203 / 300));
    const rows = Math.floor(label.barcode.height * (203 / 300));
    expect(parseScan(decodeRegion(img, top, rows))).toMatchObject({ kind: "pallet", sscc: sscc(6), bookingRef: "BK-2027-0001" });
  });

  it("rendered at a 203-dpi printer's own resolution, a portrait label decodes at the printer's dots", () => {
    const label = render(pallet(sscc(7), "BK-2027-0001"), { dpi: 203, orientation: "portrait" });
    expect(label.size).toMatchObject({ widthDots: 812, heightDots: 1218 });
    expect(label.warnings.join(" ")).toMatch(/many scanners will not read them/);
    expect(scanBack(label).parsed).toMatchObject({ kind: "pallet", sscc: sscc(7), bookingRef: "BK-2027-0001" });
  });

  it("property: any SSCC, booking ref and hub count round-trips (pallet and carton, either orientation)", () => {
    const ref = fc.stringMatching(/^[A-Z0-9-]{4,20}$/);
    fc.assert(
      fc.property(fc.nat({ max: 999_999_999 }), fc.integer({ min: 0, max: 9 }), fc.option(ref, { nil: null }), fc.integer({ min: 0, max: 9999 }), fc.boolean(), fc.constantFrom("landscape" as const, "portrait" as const), (n, ext, bookingRef, hubs, isPallet, orientation) => {
        const s = sscc(n, ext);
        const label = render(isPallet ? pallet(s, bookingRef) : carton(s, bookingRef, hubs), { orientation });
        const { text, parsed } = scanBack(label);
        expect(text).toBe(zxingText(label));
        expect(parsed).toEqual(isPallet ? { kind: "pallet", raw: text, sscc: s, bookingRef } : { kind: "carton", raw: text, sscc: s, bookingRef, hubCount: hubs });
      }),
      { numRuns: 40 },
    );
  });
});

describe("a whole re-delivery's labels", () => {
  it("every pallet and carton label of a manifest, and the booking label, scans back as itself", () => {
    const b = demoBooking({ pallets: 1, cartonsPerPallet: 2, hubsPerCarton: 3, looseCartons: 1, partyId: "SUPPLIER-A" });
    const hubs = bookingCartons(b).flatMap(({ carton }) => carton.hubs);
    const m = buildManifest({
      manifestId: `RD-${b.bookingRef}-1`, bookings: [b], targetVersionByModel: { "010A030B": "00020200" },
      results: hubs.map((h, i) => (i === 0 ? { deviceId: h.deviceId, outcome: "failed" as const, faultEventId: null } : { deviceId: h.deviceId, outcome: "flashed" as const, firmwareVersion: "00020200" })),
      deliveryDate: "2027-02-02", deliveryWindow: { start: "09:00", end: "12:00" }, workingHours: EXAMPLE_WORKING_HOURS,
    });
    if (!m.ok) throw new Error(m.message);
    const contents = [...manifestLabelContents(m.payload, { from, to: deliveryAddress(m.payload, b.partyName) }), bookingLabelContent(b, from)];
    expect(contents.map((c) => c.kind)).toEqual(["pallet", "carton", "carton", "carton", "booking"]);
    for (const c of contents) {
      const label = render(c);
      const { parsed } = scanBack(label);
      if (c.kind === "booking") expect(parsed).toMatchObject({ kind: "booking-label", bookingRef: b.bookingRef, deliveryRef: b.deliveryRef });
      else expect(parsed).toMatchObject({ kind: c.kind, sscc: c.sscc, bookingRef: b.bookingRef });
      if (c.kind === "carton") expect(parsed).toMatchObject({ hubCount: c.hubCount });
    }
    // The short carton's label carries its new count.
    expect(contents[1]).toMatchObject({ kind: "carton", hubCount: 2 });
  });
});
