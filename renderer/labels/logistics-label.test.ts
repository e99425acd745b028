import { describe, expect, it } from "vitest";
import { encodePalletLabel } from "../../shared/domain/labels";
import { LabelPrintedPayload } from "../../shared/events";
import { barRuns, gs1128Modules } from "./gs1-128-modules";
import {
  escapeXml,
  formatSscc,
  labelPrintedPayload,
  renderLogisticsLabel,
  svgDataUrl,
  type LabelContent,
} from "./logistics-label";
import { LABEL_PRINT_CSS, labelPrintDocument, labelSheetHtml } from "./print-sheet";

const SSCC = "005012345000000019";
const from = { name: "CSP North dock", lines: ["1 Dock Road", "Manchester"] };
const to = { name: 'Supplier <A> & "Sons"', lines: ["Unit 4", "Leeds"] };
const pallet: LabelContent = {
  kind: "pallet",
  sscc: SSCC,
  bookingRef: "BK-1234",
  manifestId: "RD-BK-1234-1",
  from,
  to,
  cartonCount: 28,
  hubCount: 896,
  deliveryDate: "2027-02-02",
  deliveryWindow: { start: "09:00", end: "12:00" },
};

describe("gs1128Modules", () => {
  it("is JsBarcode's CODE128 pattern with FNC1 first: start C, FNC1, …, stop", () => {
    const label = encodePalletLabel({ sscc: SSCC, bookingRef: "BK-1234" });
    if (!label.ok) throw new Error(label.reason);
    const m = gs1128Modules(label);
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(m.modules.slice(0, 11)).toBe("11010011100"); // Start C
    expect(m.modules.slice(11, 22)).toBe("11110101110"); // FNC1
    expect(m.modules.slice(-13)).toBe("1100011101011"); // Stop
    expect(barRuns("0110111001")).toEqual([
      [1, 2],
      [4, 3],
      [9, 1],
    ]);
  });
});

describe("renderLogisticsLabel", () => {
  it("is a 6×4 in SVG (landscape by default) with whole-dot modules, 10X quiet zones and 32 mm bars", () => {
    const r = renderLogisticsLabel(pallet);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="6in" height="4in" viewBox="0 0 1800 1200"/,
    );
    expect(r.barcode.quietZoneModules).toBeGreaterThanOrEqual(10);
    expect(Number.isInteger(r.barcode.moduleDots)).toBe(true);
    expect((r.barcode.height / 300) * 25.4).toBeGreaterThanOrEqual(32);
    expect(r.barcode.left + r.barcode.width).toBeLessThanOrEqual(1800);
    expect(r.svg).toContain(r.payload.hri);
    expect(r.svg).toContain(formatSscc(SSCC));
    expect(r.svg).toContain("896 hubs");
  });

  it("a pallet or carton label: the SSCC symbol lowest, (00) and (91) only, at GS1's 0.495 mm X and 32 mm tall at 300 and 203 dpi", () => {
    const carton: LabelContent = {
      kind: "carton",
      sscc: SSCC,
      bookingRef: "BK-2027-0001",
      from,
      to,
      hubCount: 32,
      palletSscc: SSCC,
    };
    for (const content of [pallet, carton, { ...pallet, bookingRef: "BK-ABCDEFGHIJ-123456" }])
      for (const dpi of [300, 203]) {
        const r = renderLogisticsLabel(content, { dpi });
        if (!r.ok) throw new Error(r.reason);
        expect(r.payload.elements.map((e) => e.ai)).toEqual(["00", "91"]);
        expect(r.barcode.modules.length).toBe(266);
        expect(r.barcode.xDimensionMm).toBeGreaterThanOrEqual(0.495);
        expect(r.barcode.quietZoneModules).toBeGreaterThanOrEqual(10);
        expect((r.barcode.height / dpi) * 25.4).toBeGreaterThanOrEqual(31.75);
        expect(r.warnings).toEqual([]);
        // The booking-reference symbol above it, clear of the SSCC symbol and its HRI.
        expect(r.reference).not.toBeNull();
        const ref = r.reference!;
        expect(ref.payload.elements.at(-1)).toEqual({ ai: "91", value: "RFD1-REF" });
        expect(ref.barcode.top + ref.barcode.height).toBeLessThan(r.barcode.top);
        expect(ref.barcode.quietZoneModules).toBeGreaterThanOrEqual(10);
        expect((ref.barcode.height / dpi) * 25.4).toBeGreaterThanOrEqual(10);
        expect(r.svg).toContain(ref.payload.hri);
      }
    expect(renderLogisticsLabel(carton)).toMatchObject({
      reference: { payload: { hri: "(37)32(400)BK-2027-0001(91)RFD1-REF" } },
    });
    expect(renderLogisticsLabel({ ...pallet, bookingRef: null })).toMatchObject({
      ok: true,
      reference: null,
      warnings: [],
    });
  });

  it("portrait (4 in wide) cannot give the SSCC symbol 0.495 mm, and says so; the booking label keeps one symbol and its warning", () => {
    for (const [dpi, x] of [
      [300, 0.254],
      [203, 0.25],
    ] as const) {
      const r = renderLogisticsLabel(pallet, { dpi, orientation: "portrait" });
      if (!r.ok) throw new Error(r.reason);
      expect(r.barcode.xDimensionMm).toBe(x);
      expect(r.warnings[0]).toMatch(/below GS1's 0.495 mm .*the SSCC barcode holds 266 modules/);
      expect((r.reference!.barcode.height / dpi) * 25.4).toBeGreaterThanOrEqual(31.75);
    }
    const booking: LabelContent = {
      kind: "booking",
      bookingRef: "BK-2027-0001",
      deliveryRef: "DR-2027-0001",
      from,
      to,
      deliveryDate: "2027-01-04",
      deliveryWindow: { start: "08:00", end: "10:00" },
    };
    const b = renderLogisticsLabel(booking);
    if (!b.ok) throw new Error(b.reason);
    expect(b.reference).toBeNull();
    expect(b.barcode.xDimensionMm).toBe(0.254);
    expect(b.warnings).toEqual([expect.stringMatching(/below GS1's 0.495 mm/)]);
  });

  it("draws exactly the JsBarcode pattern as bars, for each symbol", () => {
    const r = renderLogisticsLabel(pallet);
    if (!r.ok) throw new Error(r.reason);
    for (const symbol of [r, r.reference!]) {
      const g = symbol.barcode;
      const bars = [...r.svg.matchAll(/<rect class="bar" x="(\d+)" y="(\d+)" width="(\d+)"/g)]
        .filter((m) => Number(m[2]) === g.top)
        .map((m) => [(Number(m[1]) - g.left) / g.moduleDots, Number(m[3]) / g.moduleDots]);
      expect(bars).toEqual(barRuns(g.modules));
    }
    expect(r.svg.match(/class="bar"/g)?.length).toBe(
      barRuns(r.barcode.modules).length + barRuns(r.reference!.barcode.modules).length,
    );
  });

  it("escapes text, so a Party name cannot break the SVG", () => {
    const r = renderLogisticsLabel(pallet);
    if (!r.ok) throw new Error(r.reason);
    expect(r.svg).toContain("Supplier &lt;A&gt; &amp; &quot;Sons&quot;");
    expect(r.svg).not.toContain("<A>");
    expect(escapeXml(`'`)).toBe("&apos;");
  });

  it("portrait is 4×6 in; a long booking ref still fits", () => {
    const r = renderLogisticsLabel({ ...pallet, bookingRef: "BK-ABCDEFGHIJ-123456" }, { orientation: "portrait" });
    expect(r.ok && r.svg).toMatch(/width="4in" height="6in"/);
    expect(r.ok && r.barcode.quietZoneModules).toBeGreaterThanOrEqual(10);
    expect(r.ok && r.reference?.barcode.quietZoneModules).toBeGreaterThanOrEqual(10);
  });

  it("refuses what labels.ts refuses, and a silly dpi, with the reason", () => {
    expect(renderLogisticsLabel({ ...pallet, sscc: "005012345000000018" })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/check digit/),
    });
    expect(
      renderLogisticsLabel({
        kind: "booking",
        bookingRef: "bk 1",
        deliveryRef: "DR-1",
        from,
        to,
        deliveryDate: "2027-01-04",
        deliveryWindow: { start: "08:00", end: "10:00" },
      }),
    ).toMatchObject({ ok: false });
    expect(renderLogisticsLabel(pallet, { dpi: 72 })).toMatchObject({ ok: false });
  });

  it("label.printed payload fits its schema", () => {
    const r = renderLogisticsLabel(pallet);
    if (!r.ok) throw new Error(r.reason);
    const p = labelPrintedPayload(r, pallet, { output: "pdf", copies: 2 });
    expect(LabelPrintedPayload.safeParse(p).success).toBe(true);
    expect(p).toMatchObject({
      labelKind: "pallet",
      barcode: r.payload.scan,
      sscc: SSCC,
      bookingRef: "BK-1234",
      manifestId: "RD-BK-1234-1",
      output: "pdf",
      copies: 2,
    });
    // The event records the SSCC symbol (the unit's identity); the booking ref has its own field.
    expect(p.barcode).toBe("]C10000501234500000001991RFD1-PAL");
    const booking: LabelContent = {
      kind: "booking",
      bookingRef: "BK-1234",
      deliveryRef: "DR-0001",
      from,
      to,
      deliveryDate: "2027-01-04",
      deliveryWindow: { start: "08:00", end: "10:00" },
    };
    const b = renderLogisticsLabel(booking);
    if (!b.ok) throw new Error(b.reason);
    expect(
      LabelPrintedPayload.safeParse(labelPrintedPayload(b, booking, { output: "printer", copies: 1 })).success,
    ).toBe(true);
  });
});

describe("print sheet", () => {
  it("one page a copy, each page the label's own size", () => {
    const r = renderLogisticsLabel(pallet);
    const p = renderLogisticsLabel(pallet, { orientation: "portrait" });
    if (!r.ok || !p.ok) throw new Error("render");
    const html = labelSheetHtml([{ label: r, copies: 2 }, { label: p }]);
    expect(html.match(/class="rfd-label landscape"/g)?.length).toBe(2);
    expect(html.match(/class="rfd-label portrait"/g)?.length).toBe(1);
    expect(LABEL_PRINT_CSS).toMatch(/@page label-landscape \{ size: 6in 4in; margin: 0; \}/);
    const doc = labelPrintDocument("Labels <RD-1>", [{ label: r }]);
    expect(doc).toMatch(/^<!doctype html>/);
    expect(doc).toContain("<title>Labels &lt;RD-1&gt;</title>");
    expect(svgDataUrl("<svg/>")).toBe("data:image/svg+xml;charset=utf-8,%3Csvg%2F%3E");
  });
});
