import { useDock } from "../store/store-context";

/** The outbound load check: what is on the vehicle against the manifest. */
export function LoadPanel() {
  const view = useDock((s) => s.supervisor);
  const last = useDock((s) => s.outboundLast);
  if (view === null || view.manifest === null || view.loadCheck === null) return null;
  const c = view.loadCheck;
  return (
    <section aria-label="outbound load" data-testid="load-panel">
      <h2>Load check</h2>
      <p className="prompt">Scan every pallet and carton label onto the vehicle.</p>
      <p data-testid="load-count" data-agrees={String(c.agrees)}>
        Loaded {c.loadedCount} of {c.expectedCount} {c.agrees ? "- the load agrees with the manifest" : ""}
      </p>
      {last && (
        <div
          className={`last-verdict verdict-${last.class}`}
          data-testid="outbound-verdict"
          data-code={last.code}
          data-class={last.class}
        >
          {last.reason}
        </div>
      )}
      {c.missing.length > 0 && (
        <p>
          Still to load:{" "}
          {c.missing
            .slice(0, 8)
            .map((u) => `${u.kind} ${u.sscc}`)
            .join(", ")}
          {c.missing.length > 8 ? ` and ${c.missing.length - 8} more` : ""}
        </p>
      )}
      {c.extra.length > 0 && (
        <p className="form-error">
          Not on the manifest, take off: {c.extra.map((u) => `${u.kind} ${u.sscc}`).join(", ")}
        </p>
      )}
    </section>
  );
}
