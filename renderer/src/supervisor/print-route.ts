import { bridgeErrorCode, type DockBridge } from "../../../shared/bridge/channels";
import type { RenderedLabel } from "../../labels/logistics-label";
import { printLabels } from "../../labels/print-labels";

/**
 * How labels leave the app. In Electron the host's print service prints the window's current
 * page (`print.page`): the supervisor screen keeps the label sheet in a print-only area, so
 * the page printed is exactly the labels. The browser shell answers "unavailable", and the
 * labels go through the print dialog of a hidden frame (printLabels / window.print()), whose
 * "Save as PDF" gives the PDF.
 */
export type PrintRoute =
  { via: "bridge"; printed: boolean; reason: string | null; pdfPath: string | null } | { via: "window" };

/** Prints a sheet of labels through the shell's print service when it has one, else window.print(). */
export async function printLabelSheet(
  bridge: DockBridge | undefined,
  title: string,
  labels: ReadonlyArray<{ label: RenderedLabel; copies?: number }>,
  output: "printer" | "pdf" = "printer",
): Promise<PrintRoute> {
  if (bridge !== undefined) {
    try {
      const r = await bridge.invoke("print.page", { document: "label", output });
      return { via: "bridge", printed: r.printed, reason: r.reason ?? null, pdfPath: r.pdfPath ?? null };
    } catch (e) {
      // Only "this shell cannot print" falls back; any other failure is the operator's to see.
      if (bridgeErrorCode(e) !== "unavailable") throw e;
    }
  }
  await printLabels(title, labels);
  return { via: "window" };
}
