import { useDock } from "../store/store-context";

/**
 * The outbound load check: what is on the vehicle against the manifest. A unit scanned on by
 * mistake (or a carton re-packed) can be taken off again, so one wrong scan never blocks
 * dispatch for good.
 */
export function LoadPanel() {
  const view = useDock((s) => s.supervisor);
  const last = useDock((s) => s.outboundLast);
  const takeOff = useDock((s) => s.takeOffLoad);
  if (view === null || view.manifest === null || view.loadCheck === null || view.load === null) return null;
  const c = view.loadCheck;
  const loaded = [...view.load.loaded].map(([sscc, u]) => ({ sscc, kind: u.kind }));
  const open = view.dispatch === null;
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
      {c.extra.length > 0 && (
        <div className="form-error" data-testid="load-extra">
          <p>Not on the manifest: take these off the vehicle, then press Take off.</p>
          <ul>
            {c.extra.map((u) => (
              <li key={u.sscc}>
                {u.kind} {u.sscc}{" "}
                {open && (
                  <button type="button" data-testid={`take-off-${u.sscc}`} onClick={() => void takeOff(u.sscc)}>
                    Take off
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {c.missing.length > 0 && (
        <details data-testid="load-missing">
          <summary>Still to load: {c.missing.length}</summary>
          <ul>
            {c.missing.map((u) => (
              <li key={u.sscc}>
                {u.kind} {u.sscc}
                {u.palletSscc !== null ? ` (on pallet ${u.palletSscc})` : ""}
              </li>
            ))}
          </ul>
        </details>
      )}
      {loaded.length > 0 && (
        <details data-testid="load-loaded">
          <summary>On the vehicle: {loaded.length}</summary>
          <ul>
            {loaded.map((u) => (
              <li key={u.sscc}>
                {u.kind} {u.sscc}{" "}
                {open && (
                  <button type="button" data-testid={`take-off-${u.sscc}`} onClick={() => void takeOff(u.sscc)}>
                    Take off
                  </button>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
