import { bridgeRequests, PageSizeSchema, PrintDocumentSchema, type PageSize } from "../shared/bridge/channels";
import type { z } from "zod";

/**
 * The printing channels, now part of the one channel map (shared/bridge/channels.ts `print.printers`,
 * `print.page`). electron/print-service.ts implements them for Electron; the browser shell's
 * host answers "unavailable" and the renderer falls back to window.print(). This module keeps
 * the print-only view of the map the print service and its tests are written against.
 */

export { PageSizeSchema, PrintDocumentSchema };
export type { PageSize };

export const printRequests = {
  "print.printers": bridgeRequests["print.printers"],
  "print.page": bridgeRequests["print.page"],
} as const;

export type PrintChannel = keyof typeof printRequests;
export type PrintArgs<C extends PrintChannel> = z.infer<(typeof printRequests)[C]["args"]>;
export type PrintResult<C extends PrintChannel> = z.infer<(typeof printRequests)[C]["result"]>;
export type PrintHandlers = { [C in PrintChannel]: (args: PrintArgs<C>) => Promise<PrintResult<C>> };
