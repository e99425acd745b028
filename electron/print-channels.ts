import { z } from "zod";

/**
 * The printing channels, written as they should be added to `bridgeRequests` in
 * shared/bridge.ts (the channel map is not this folder's to change; until the lead moves
 * them there, electron/print-service.ts implements them but the preload cannot expose
 * them, because the preload exposes exactly the map). In the browser shell the host
 * answers "unavailable" and the renderer falls back to window.print().
 *
 * The renderer lays the label or manifest out in the window (print CSS), then asks the
 * host to print the window's current page: to a printer (system dialog, or silently to a
 * named printer at a label station), or to a PDF kept in the dock's data folder.
 */

export const PrintDocumentSchema = z.enum(["label", "manifest"]);

/** Millimetres: label stock is specified in mm (e.g. 100 x 150). */
export const PageSizeSchema = z.union([
  z.enum(["A4", "A5", "A6", "Letter"]),
  z.strictObject({ widthMm: z.number().min(10).max(1000), heightMm: z.number().min(10).max(1000) }),
]);
export type PageSize = z.infer<typeof PageSizeSchema>;

export const printRequests = {
  /** The printers the OS offers, for the label-station settings. */
  "print.printers": {
    args: z.strictObject({}),
    result: z.strictObject({
      printers: z.array(z.strictObject({ name: z.string().max(256), displayName: z.string().max(256), description: z.string().max(1000) })).max(200),
    }),
  },
  /** Prints the window's current page (the label or manifest the renderer just laid out). */
  "print.page": {
    args: z.strictObject({
      document: PrintDocumentSchema,
      output: z.enum(["printer", "pdf"]),
      /** With output "printer": print silently to this printer; without it the system print dialog opens. */
      printerName: z.string().min(1).max(256).optional(),
      copies: z.number().int().min(1).max(99).optional(),
      pageSize: PageSizeSchema.optional(),
      landscape: z.boolean().optional(),
    }),
    result: z.strictObject({
      printed: z.boolean(),
      /** Why nothing was printed (e.g. the operator cancelled the dialog). */
      reason: z.string().max(500).optional(),
      /** With output "pdf": where the PDF was written. */
      pdfPath: z.string().max(4096).optional(),
    }),
  },
} as const;

export type PrintChannel = keyof typeof printRequests;
export type PrintArgs<C extends PrintChannel> = z.infer<(typeof printRequests)[C]["args"]>;
export type PrintResult<C extends PrintChannel> = z.infer<(typeof printRequests)[C]["result"]>;
export type PrintHandlers = { [C in PrintChannel]: (args: PrintArgs<C>) => Promise<PrintResult<C>> };
