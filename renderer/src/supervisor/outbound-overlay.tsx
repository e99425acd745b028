import { useEffect } from "react";
import { useDock } from "../app/store-context";

const TITLES = { ok: "OK", warn: "CHECK", error: "STOP" } as const;

/**
 * The load check's full-screen verdict, the same as receiving's (components/verdict-overlay):
 * ok and warn flash green or amber; an error stays red until acknowledged with Escape or a
 * pointer click, never by a scanner's Enter.
 */
export function OutboundOverlay() {
  const last = useDock((s) => s.outboundLast);
  const pending = useDock((s) => s.outboundError);
  const held = useDock((s) => s.outboundQueue.length);
  const acknowledge = useDock((s) => s.acknowledgeOutbound);

  useEffect(() => {
    if (pending === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        acknowledge();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [pending, acknowledge]);

  if (pending !== null) {
    return (
      <div className="overlay overlay-error" role="alertdialog" aria-label="load scan error" data-testid="outbound-verdict-error" data-code={pending.code}>
        <div className="overlay-title">{TITLES.error}</div>
        <div className="overlay-reason">{pending.reason}</div>
        {pending.raw !== "" && <div className="overlay-raw">Scanned: {pending.raw.replace(/\x1d/g, "<GS>")}</div>}
        {held > 0 && <div className="overlay-held">{held} scan{held === 1 ? "" : "s"} held - processed after you acknowledge</div>}
        <button
          type="button"
          className="ack-button"
          tabIndex={-1}
          onClick={(e) => {
            // A keyboard "click" (detail 0) could be a scanner's Enter; only a pointer counts.
            if (e.detail > 0) acknowledge();
          }}
        >
          Acknowledge (Esc)
        </button>
      </div>
    );
  }
  if (last === null || last.class === "error") return null;
  return <div key={last.at} className={`overlay-flash flash-${last.class}`} aria-hidden="true" />;
}
