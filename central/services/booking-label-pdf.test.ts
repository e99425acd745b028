import { describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  RGBLuminanceSource,
} from "@zxing/library";
import { PDFDocument } from "pdf-lib";
import { decodeGs1 } from "../../shared/domain/labels";
import { bookingLabelBarcodePng, bookingLabelPdf } from "./booking-label-pdf";

/** Reads a GS1-128 symbol from a PNG as a scanner would: `]C1`, elements, GS between. */
function scanPng(png: Buffer): string {
  const img = PNG.sync.read(png);
  const luminance = new Uint8ClampedArray(img.width * img.height);
  for (let i = 0; i < luminance.length; i++)
    luminance[i] = Math.round((img.data[i * 4]! + img.data[i * 4 + 1]! + img.data[i * 4 + 2]!) / 3);
  const reader = new MultiFormatReader();
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128]],
    [DecodeHintType.ASSUME_GS1, true],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  const result = reader.decode(
    new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, img.width, img.height))),
    hints,
  );
  return result.getText();
}

describe("booking label PDF (Req 3)", () => {
  it.each([
    ["BK-ABCDEFGH", "DR-23456789"],
    ["BK-2027-0001", "DR-2027-0001"],
    ["ABCD", "WXYZ-9"],
  ])("the symbol of %s / %s scans back to the booking and delivery references", async (bookingRef, deliveryRef) => {
    const { png, scan } = await bookingLabelBarcodePng(bookingRef, deliveryRef);
    const text = scanPng(png);
    const decoded = decodeGs1(text);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.elements.map((e) => [e.ai, e.value])).toEqual([
      ["400", bookingRef],
      ["92", deliveryRef],
      ["91", "RFD1-BKG"],
    ]);
    // Exactly what the dock's own label encoder says a scanner delivers.
    const ours = decodeGs1(scan);
    expect(ours.ok && ours.elements).toEqual(decoded.elements);
  });

  it("is one printable page carrying the element string, and draws what a Party may type without failing", async () => {
    const pdf = await bookingLabelPdf({
      bookingRef: "BK-ABCDEFGH",
      deliveryRef: "DR-23456789",
      partyName: "Supplier Ö ✓ Energy",
      facilityName: "CSP North re-flash dock",
      arrivalLocation: "CSP North dock, 1 Dock Road, Manchester",
      arrivalDate: "2027-02-01",
      arrivalWindow: "10:00-12:00",
      redeliveryLocation: "Depot, 10 Meter Way, Leeds",
      hubCount: 896,
      palletCount: 1,
    });
    expect(Buffer.from(pdf.slice(0, 5)).toString("latin1")).toBe("%PDF-");
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getSubject()).toBe("(400)BK-ABCDEFGH(92)DR-23456789(91)RFD1-BKG");
    expect(doc.getKeywords()).toContain("BK-ABCDEFGH");
  });

  it("refuses a reference the label cannot carry", async () => {
    await expect(bookingLabelBarcodePng("bk lower", "DR-1")).rejects.toThrow(/booking label for bk lower/);
  });
});
