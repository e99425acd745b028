import { useMemo, useState } from "react";
import { type Booking } from "../../../shared/domain/booking";
import { LabelPreview } from "../../labels/label-preview";
import {
  labelPrintedPayload,
  renderLogisticsLabel,
  type LabelContent,
  type RenderedLabel,
} from "../../labels/logistics-label";
import { deliveryAddress, manifestLabelContents } from "../../labels/manifest-labels";
import { useDock } from "../store/store-context";
import { printLabelSheet } from "./print-route";
import { SITE_CONFIG } from "./site-config";

/**
 * The manifest's outbound labels: one per pallet and per carton going back, addressed to the
 * booking's re-delivery location. Never the inbound booking label (that one is the Party's, on
 * the delivery that came in).
 */
export function useLabels(booking: Booking): Array<{ content: LabelContent; label: RenderedLabel }> {
  const manifest = useDock((s) => s.supervisor?.manifest ?? null);
  return useMemo(() => {
    if (manifest === null) return [];
    const contents = manifestLabelContents(manifest, {
      from: SITE_CONFIG.dockAddress,
      to: deliveryAddress(manifest, booking.partyName),
    });
    return contents.flatMap((content) => {
      const label = renderLogisticsLabel(content);
      return label.ok ? [{ content, label }] : [];
    });
  }, [manifest, booking]);
}

/**
 * Prints the labels and records them as printed only when printing completed: the shell's print
 * service says so, or (the browser's print dialog tells the page nothing) the supervisor confirms
 * after the dialog. A label is previewed large enough to read; pick one to see it at full size.
 */
export function LabelsPanel(props: { labels: Array<{ content: LabelContent; label: RenderedLabel }> }) {
  const view = useDock((s) => s.supervisor);
  const recordPrinted = useDock((s) => s.recordLabelsPrinted);
  const [status, setStatus] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [shown, setShown] = useState(0);
  if (view === null || view.manifest === null) return null;
  const manifestId = view.manifest.manifestId;
  const record = (output: "printer" | "pdf") =>
    recordPrinted(props.labels.map((l) => labelPrintedPayload(l.label, l.content, { output, copies: 1, manifestId })));
  const print = async () => {
    setStatus("Printing…");
    setConfirming(false);
    try {
      const route = await printLabelSheet(
        window.dock,
        `Labels ${manifestId}`,
        props.labels.map((l) => ({ label: l.label })),
      );
      if (route.via === "bridge") {
        if (!route.printed)
          return setStatus(`Not printed: ${route.reason ?? "printing was cancelled"}. Nothing recorded.`);
        await record(route.pdfPath !== null ? "pdf" : "printer");
        return setStatus("Printed by the shell's print service.");
      }
      setConfirming(true);
      setStatus(`The print dialog has closed. Did all ${props.labels.length} labels print?`);
    } catch (e) {
      setStatus(`Printing failed: ${e instanceof Error ? e.message : String(e)}. Nothing recorded.`);
    }
  };
  const large = props.labels[Math.min(shown, props.labels.length - 1)];
  return (
    <section aria-label="labels" data-testid="labels-panel">
      <h2>Labels ({props.labels.length})</h2>
      <p>One label per pallet and per carton going back, addressed to {view.manifest.deliveryLocation.name}.</p>
      <button type="button" data-testid="print-labels" onClick={() => void print()}>
        Print labels
      </button>
      <span data-testid="labels-printed"> {view.labelsPrinted} label(s) recorded as printed</span>
      {status && (
        <p data-testid="print-status" role="status">
          {status}
        </p>
      )}
      {confirming && (
        <div className="confirm-print">
          <button
            type="button"
            data-testid="confirm-printed"
            onClick={() => {
              setConfirming(false);
              setStatus(null);
              void record("printer");
            }}
          >
            Yes, all printed
          </button>
          <button
            type="button"
            data-testid="not-printed"
            onClick={() => {
              setConfirming(false);
              setStatus("Not recorded as printed: print again when the printer is ready.");
            }}
          >
            No, not printed
          </button>
        </div>
      )}
      <div className="labels-thumbs" role="list" aria-label="labels to preview">
        {props.labels.map((l, i) => (
          <button
            type="button"
            role="listitem"
            key={l.label.payload.scan}
            aria-pressed={i === shown}
            data-testid="label-thumb"
            onClick={() => setShown(i)}
          >
            {l.content.kind === "pallet" ? "Pallet" : "Carton"} {l.content.kind === "booking" ? "" : l.content.sscc}
          </button>
        ))}
      </div>
      <div className="labels-preview">
        {props.labels.map((l) => (
          <div key={l.label.payload.scan} hidden={l !== large}>
            <LabelPreview label={l.label} scale={0.9} />
          </div>
        ))}
      </div>
    </section>
  );
}
