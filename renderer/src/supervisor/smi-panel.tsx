import { useEffect } from "react";
import { smiConfirmed } from "../../../shared/domain/smi-before-dispatch";
import { useDock } from "../store/store-context";

/**
 * MP155 Req 10: each manifest hub's SMI update as central knows it (sent as CSPM-N3, in an
 * uploaded SSMI file, confirmed by the SMI showing the new version). Dispatch waits for all.
 * Asked when the manifest opens and on demand; the list of hubs still waiting folds away.
 */
export function SmiPanel() {
  const manifestId = useDock((s) => s.supervisor?.manifest?.manifestId ?? null);
  const dispatched = useDock((s) => s.supervisor?.dispatch != null);
  const smi = useDock((s) => s.supervisorSmi);
  const check = useDock((s) => s.checkSmiUpdates);
  useEffect(() => {
    if (manifestId !== null && !dispatched) void check();
  }, [manifestId, dispatched, check]);
  if (manifestId === null) return null;
  const current = smi !== null && smi.manifestId === manifestId ? smi : null;
  const hubs = current?.hubs ?? [];
  const count = (u: string) => hubs.filter((h) => h.update === u).length;
  return (
    <div className="smi" data-testid="smi-panel">
      <h3>SMI updates before re-delivery</h3>
      {current === null && <p>Asking central…</p>}
      {current?.problem != null && (
        <p className="form-error" data-testid="smi-problem">
          {current.problem}
        </p>
      )}
      {current?.check && (
        <>
          <p data-testid="smi-summary" className={current.check.ok ? "" : "flag"}>
            {current.check.ok
              ? `All ${current.check.confirmed} hubs confirmed in the SMI: dispatch may go.`
              : `${current.check.confirmed} of ${hubs.length} hubs confirmed in the SMI; dispatch waits for the other ${current.check.pending.length}.`}
          </p>
          <ul className="smi-counts">
            <li>Sent as CSPM-N3: {count("emitted")}</li>
            <li>In an uploaded SSMI file: {count("uploaded")}</li>
            <li>Confirmed (the SMI shows the new version): {hubs.filter(smiConfirmed).length}</li>
            <li>Not sent yet: {count("pending")}</li>
            <li>Not at central yet: {count("none")}</li>
          </ul>
          {current.check.pending.length > 0 && (
            <details data-testid="smi-pending">
              <summary>{current.check.pending.length} hubs not confirmed: show the list</summary>
              <ul>
                {current.check.pending.map((p) => (
                  <li key={p.deviceId}>
                    <span className="device-id">{p.deviceId}</span>: {p.why}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
      {!dispatched && (
        <button type="button" data-testid="check-smi" onClick={() => void check()}>
          Check SMI updates again
        </button>
      )}
    </div>
  );
}
