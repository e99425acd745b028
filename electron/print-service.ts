import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PrintToPDFOptions, WebContents, WebContentsPrintOptions } from "electron";
import { BridgeError } from "../shared/bridge/channels";
import type { PageSize, PrintArgs, PrintHandlers } from "./print-channels";

/**
 * Labels and manifests through Chromium's printing (webContents.print / printToPDF) of the
 * dock window's current page. See ./print-channels.ts for the channels this implements.
 */

export interface PrintServiceOptions {
  /** The dock window's web contents (null when it is closed). */
  contents(): WebContents | null;
  /** Where PDFs are written (created on first use). */
  pdfDir: string;
  now?: () => Date;
  write?: (path: string, data: Uint8Array) => Promise<void>;
}

const MICRONS_PER_MM = 1000;
const MM_PER_INCH = 25.4;

/** Page size for webContents.print (named, or microns). */
export function printPageSize(size: PageSize): WebContentsPrintOptions["pageSize"] {
  if (typeof size === "string") return size;
  return { width: Math.round(size.widthMm * MICRONS_PER_MM), height: Math.round(size.heightMm * MICRONS_PER_MM) };
}

/** Page size for printToPDF (named, or inches: printToPDF's unit differs from print's). */
export function pdfPageSize(size: PageSize): PrintToPDFOptions["pageSize"] {
  if (typeof size === "string") return size;
  return { width: size.widthMm / MM_PER_INCH, height: size.heightMm / MM_PER_INCH };
}

/** A file name that sorts by time and is safe on Windows (no colons). */
export function pdfFileName(document: string, at: Date): string {
  return `${document}-${at.toISOString().replace(/[:.]/g, "-")}.pdf`;
}

/** The print handlers bound to the dock window. */
export function createPrintService(options: PrintServiceOptions): PrintHandlers {
  const now = options.now ?? (() => new Date());
  const write =
    options.write ??
    (async (path: string, data: Uint8Array) => {
      await mkdir(options.pdfDir, { recursive: true });
      await writeFile(path, data);
    });

  function window(): WebContents {
    const contents = options.contents();
    if (contents === null || contents.isDestroyed())
      throw new BridgeError("unavailable", "print: the dock window is not open");
    return contents;
  }

  async function toPrinter(
    contents: WebContents,
    args: PrintArgs<"print.page">,
  ): Promise<{ printed: boolean; reason?: string }> {
    const printOptions: WebContentsPrintOptions = {
      // Silent only with a named printer: silently printing to "whatever is default" surprises people.
      silent: args.printerName !== undefined,
      printBackground: true,
      margins: { marginType: args.document === "label" ? "none" : "default" },
      copies: args.copies ?? 1,
      landscape: args.landscape ?? false,
      ...(args.printerName === undefined ? {} : { deviceName: args.printerName }),
      ...(args.pageSize === undefined ? {} : { pageSize: printPageSize(args.pageSize) }),
    };
    return new Promise((resolve) => {
      contents.print(printOptions, (success, failureReason) => {
        resolve(success ? { printed: true } : { printed: false, reason: failureReason.slice(0, 500) || "not printed" });
      });
    });
  }

  return {
    "print.printers": async () => {
      const printers = await window().getPrintersAsync();
      return {
        printers: printers.slice(0, 200).map((p) => ({
          name: p.name.slice(0, 256),
          displayName: p.displayName.slice(0, 256),
          description: p.description.slice(0, 1000),
        })),
      };
    },
    "print.page": async (args) => {
      const contents = window();
      if (args.output === "printer") return toPrinter(contents, args);
      if (args.printerName !== undefined || args.copies !== undefined)
        throw new BridgeError("bad-request", 'print.page: printerName and copies apply to output "printer" only');
      const pdf = await contents.printToPDF({
        printBackground: true,
        landscape: args.landscape ?? false,
        ...(args.pageSize === undefined ? { preferCSSPageSize: true } : { pageSize: pdfPageSize(args.pageSize) }),
        ...(args.document === "label" ? { margins: { marginType: "none" } } : {}),
      });
      const pdfPath = join(options.pdfDir, pdfFileName(args.document, now()));
      await write(pdfPath, pdf);
      return { printed: true, pdfPath };
    },
  };
}
