import { useEffect, useState } from "react";
import { useDock } from "../store/store-context";

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Sync health in words: online or not, last success, how old the oldest unsent event is, errors, drift. */
export function SyncHealthPanel() {
  const h = useDock((s) => s.syncHealth);
  const browserOnline = useDock((s) => s.browserOnline);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const online = browserOnline && (h?.online ?? true) && (h?.consecutiveFailures ?? 0) === 0;
  return (
    <section
      className={`sync-health ${online ? "sync-online" : "sync-offline"}`}
      data-testid="sync-health"
      aria-label="sync health"
    >
      <strong data-testid="sync-state">{online ? "Online" : "OFFLINE"}</strong>
      <span>last sync: {h?.lastSuccessAt ? `${age(now - h.lastSuccessAt)} ago` : "never"}</span>
      <span data-testid="sync-unsent">
        unsent: {h?.unsent ?? 0}
        {h?.oldestUnsentAt ? ` (oldest ${age(now - h.oldestUnsentAt)})` : ""}
      </span>
      {(h?.quarantined ?? 0) > 0 && (
        // Open from the start: which event central refused, and why, is for the operator to see without hunting.
        <details className="sync-bad" data-testid="sync-quarantine" open>
          <summary>quarantined: {h?.quarantined} (refused by central, not retried)</summary>
          <ul>
            {h?.quarantine.map((q) => (
              <li key={q.id}>
                {q.what}: {q.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      {h?.clockOffsetMs != null && (
        <span className={h.driftFlagged ? "sync-bad" : undefined}>
          clock {h.clockOffsetMs >= 0 ? "+" : ""}
          {(h.clockOffsetMs / 1000).toFixed(1)} s
          {h.driftFlagged ? " - DRIFT: fix this PC's clock (liability times depend on it)" : ""}
        </span>
      )}
      {h?.lastError && <span className="sync-bad">error: {h.lastError}</span>}
      {(h?.conflicts.length ?? 0) > 0 && <span className="sync-bad">amended centrally: {h?.conflicts.join(", ")}</span>}
    </section>
  );
}
