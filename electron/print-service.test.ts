import type { WebContents } from "electron";
import { describe, expect, it } from "vitest";
import { bridgeErrorCode } from "../shared/bridge/channels";
import { printRequests } from "./print-channels";
import { createPrintService, pdfFileName, pdfPageSize, printPageSize } from "./print-service";

/** A web contents that records print calls and answers like Chromium would. */
function printer(answer: { success: boolean; failureReason: string } = { success: true, failureReason: "" }) {
  const calls: { print: unknown[]; pdf: unknown[] } = { print: [], pdf: [] };
  const contents = {
    destroyed: false,
    isDestroyed: () => contents.destroyed,
    print(options: unknown, callback: (success: boolean, reason: string) => void) {
      calls.print.push(options);
      callback(answer.success, answer.failureReason);
    },
    async printToPDF(options: unknown) {
      calls.pdf.push(options);
      return Buffer.from("%PDF-1.7 fake");
    },
    async getPrintersAsync() {
      return [{ name: "zebra_gk420", displayName: "Zebra GK420d", description: "label printer", options: {} }];
    },
  };
  return { contents, calls };
}

function service(contents: unknown, written: Array<[string, string]> = []) {
  return createPrintService({
    contents: () => contents as WebContents | null,
    pdfDir: "/data/prints",
    now: () => new Date("2026-11-26T09:30:00.123Z"),
    write: async (path, data) => {
      written.push([path, Buffer.from(data).toString("utf8")]);
    },
  });
}

describe("printing labels and manifests", () => {
  it("prints a label silently to a named printer, edge to edge, on label stock in microns", async () => {
    const { contents, calls } = printer();
    const args = printRequests["print.page"].args.parse({
      document: "label",
      output: "printer",
      printerName: "zebra_gk420",
      copies: 2,
      pageSize: { widthMm: 100, heightMm: 150 },
    });
    expect(await service(contents)["print.page"](args)).toEqual({ printed: true });
    expect(calls.print).toEqual([
      {
        silent: true,
        printBackground: true,
        margins: { marginType: "none" },
        copies: 2,
        landscape: false,
        deviceName: "zebra_gk420",
        pageSize: { width: 100000, height: 150000 },
      },
    ]);
  });

  it("opens the system dialog when no printer is named, and reports a cancel as not printed", async () => {
    const { contents, calls } = printer({ success: false, failureReason: "cancelled" });
    expect(await service(contents)["print.page"]({ document: "manifest", output: "printer" })).toEqual({
      printed: false,
      reason: "cancelled",
    });
    expect(calls.print[0]).toMatchObject({ silent: false, margins: { marginType: "default" } });
  });

  it("writes a PDF (page size in inches, as printToPDF wants) into the prints folder", async () => {
    const { contents, calls } = printer();
    const written: Array<[string, string]> = [];
    const result = await service(contents, written)["print.page"]({
      document: "label",
      output: "pdf",
      pageSize: { widthMm: 101.6, heightMm: 152.4 },
    });
    expect(result).toEqual({ printed: true, pdfPath: "/data/prints/label-2026-11-26T09-30-00-123Z.pdf" });
    expect(written).toEqual([["/data/prints/label-2026-11-26T09-30-00-123Z.pdf", "%PDF-1.7 fake"]]);
    expect(calls.pdf[0]).toMatchObject({
      pageSize: { width: expect.closeTo(4, 9), height: expect.closeTo(6, 9) },
      margins: { marginType: "none" },
      printBackground: true,
    });
    await service(contents)["print.page"]({ document: "manifest", output: "pdf" });
    expect(calls.pdf[1]).toMatchObject({ preferCSSPageSize: true });
  });

  it("refuses printer options on a PDF, and everything when the window is closed", async () => {
    const { contents } = printer();
    const err = await service(contents)
      ["print.page"]({ document: "label", output: "pdf", copies: 3 })
      .catch((e: unknown) => e);
    expect(bridgeErrorCode(err)).toBe("bad-request");
    contents.destroyed = true;
    expect(
      bridgeErrorCode(
        await service(contents)
          ["print.printers"]({})
          .catch((e: unknown) => e),
      ),
    ).toBe("unavailable");
    expect(
      bridgeErrorCode(
        await service(null)
          ["print.page"]({ document: "label", output: "printer" })
          .catch((e: unknown) => e),
      ),
    ).toBe("unavailable");
  });

  it("lists the printers in the channel's shape", async () => {
    const { contents } = printer();
    const result = await service(contents)["print.printers"]({});
    expect(printRequests["print.printers"].result.parse(result)).toEqual({
      printers: [{ name: "zebra_gk420", displayName: "Zebra GK420d", description: "label printer" }],
    });
  });

  it("the channel schemas refuse bad requests", () => {
    const args = printRequests["print.page"].args;
    for (const bad of [
      {},
      { document: "invoice", output: "pdf" },
      { document: "label", output: "fax" },
      { document: "label", output: "pdf", copies: 0 },
      { document: "label", output: "pdf", pageSize: { widthMm: 1, heightMm: 5 } },
      { document: "label", output: "pdf", extra: 1 },
    ]) {
      expect(args.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("converts sizes and names files predictably", () => {
    expect(printPageSize("A4")).toBe("A4");
    expect(pdfPageSize("A6")).toBe("A6");
    expect(printPageSize({ widthMm: 62, heightMm: 29 })).toEqual({ width: 62000, height: 29000 });
    expect(pdfFileName("manifest", new Date("2026-01-02T03:04:05.006Z"))).toBe("manifest-2026-01-02T03-04-05-006Z.pdf");
  });
});
