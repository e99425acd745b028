import { useMemo, useState } from "react";
import { type Booking } from "../../../shared/domain/booking";
import { LabelPreview } from "../../labels/label-preview";
import {
  labelPrintedPayload,
  renderLogisticsLabel,
  type LabelContent,
  type RenderedLabel,
} from "../../labels/logistics-label";
import { bookingLabelContent, deliveryAddress, manifestLabelContents } from "../../labels/manifest-labels";
import { useDock } from "../store/store-context";
import { printLabelSheet } from "./print-route";
import { SITE_CONFIG } from "./site-config";

/** The manifest's pallet and carton labels and the booking label: rendered, previewed, printed. */
export function useLabels(booking: Booking): Array<{ content: LabelContent; label: RenderedLabel }> {
  const manifest = useDock((s) => s.supervisor?.manifest ?? null);
  return useMemo(() => {
    if (manifest === null) return [];
    const contents = [
      ...manifestLabelContents(manifest, {
        from: SITE_CONFIG.dockAddress,
        to: deliveryAddress(manifest, booking.partyName),
      }),
      bookingLabelContent(booking, SITE_CONFIG.dockAddress),
    ];
    return contents.flatMap((content) => {
      const label = renderLogisticsLabel(content);
      return label.ok ? [{ content, label }] : [];
    });
  }, [manifest, booking]);
}

export function LabelsPanel(props: { labels: Array<{ content: LabelContent; label: RenderedLabel }> }) {
  const view = useDock((s) => s.supervisor);
  const recordPrinted = useDock((s) => s.recordLabelsPrinted);
  const [status, setStatus] = useState<string | null>(null);
  if (view === null || view.manifest === null) return null;
  const manifestId = view.manifest.manifestId;
  const print = async () => {
    setStatus("Printing...");
    try {
      const route = await printLabelSheet(
        window.dock,
        `Labels ${manifestId}`,
        props.labels.map((l) => ({ label: l.label })),
      );
      if (route.via === "bridge" && !route.printed) return setStatus(`Not printed: ${route.reason ?? "cancelled"}`);
      const output = route.via === "bridge" && route.pdfPath !== null ? "pdf" : "printer";
      await recordPrinted(
        props.labels.map((l) => labelPrintedPayload(l.label, l.content, { output, copies: 1, manifestId })),
      );
      setStatus(
        route.via === "bridge"
          ? "Printed by the shell's print service."
          : "Sent to the print dialog (Save as PDF there for a PDF).",
      );
    } catch (e) {
      setStatus(`Printing failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <section aria-label="labels" data-testid="labels-panel">
      <h2>Labels ({props.labels.length})</h2>
      <button type="button" data-testid="print-labels" onClick={() => void print()}>
        Print labels
      </button>
      <span data-testid="labels-printed"> {view.labelsPrinted} label(s) recorded as printed</span>
      {status && <p data-testid="print-status">{status}</p>}
      <div className="labels-preview">
        {props.labels.map((l) => (
          <LabelPreview key={l.label.payload.scan} label={l.label} scale={0.45} />
        ))}
      </div>
    </section>
  );
}
