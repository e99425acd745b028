import { useEffect, useState } from "react";
import { useDock } from "../store/store-context";
import { startsFlash, type Flash } from "./flash-rate";

const TITLES = { ok: "OK", warn: "CHECK", error: "STOP" } as const;

export interface OverlayProps {
  /** The last verdict shown (its class decides the flash colour). */
  last: { class: "ok" | "warn" | "error"; at: number } | null;
  /** An error waiting for a person to acknowledge it. */
  pending: { code: string; reason: string; raw: string } | null;
  /** Scans held behind the error, processed after it is acknowledged. */
  held: number;
  acknowledge: () => void;
  label: string;
  testId: string;
}

/**
 * The flash showing: decided once per verdict, by the verdict's own time (flash-rate.ts), and
 * kept in state from one verdict to the next (React's "adjusting state on a prop change").
 */
function useFlash(last: OverlayProps["last"]): Flash | null {
  const [state, setState] = useState<{ verdictAt: number; shown: Flash } | null>(null);
  if (last === null || last.class === "error" || state?.verdictAt === last.at) return state?.shown ?? null;
  const prior = state?.shown ?? null;
  const shown =
    prior !== null && !startsFlash(prior, last.class, last.at) ? prior : { colour: last.class, startedAt: last.at };
  setState({ verdictAt: last.at, shown });
  return shown;
}

/**
 * The full-screen verdict every scanning screen shares. ok and warn flash the whole screen
 * green or amber and fade; an error covers the screen in red until it is deliberately
 * acknowledged with Escape or a pointer click on the button. Enter is ignored on purpose:
 * a scanner's suffix is an Enter, and the next scan must never dismiss an error nobody read.
 */
export function ScanVerdictOverlay({ last, pending, held, acknowledge, label, testId }: OverlayProps) {
  const flash = useFlash(last);
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
      <div
        className="overlay overlay-error"
        role="alertdialog"
        aria-label={label}
        data-testid={testId}
        data-code={pending.code}
      >
        <div className="overlay-title">{TITLES.error}</div>
        <div className="overlay-reason">{pending.reason}</div>
        {pending.raw !== "" && <div className="overlay-raw">Scanned: {pending.raw.replace(/\x1d/g, "<GS>")}</div>}
        {held > 0 && (
          <div className="overlay-held" data-testid="held-count">
            {held} scan{held === 1 ? "" : "s"} held - processed after you acknowledge
          </div>
        )}
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
  if (last === null || last.class === "error" || flash === null) return null;
  // A verdict that starts no flash (three a second at most) leaves the one showing as it is.
  return <div key={flash.startedAt} className={`overlay-flash flash-${flash.colour}`} aria-hidden="true" />;
}

/** Receiving's verdict overlay. */
export function VerdictOverlay() {
  const last = useDock((s) => s.lastVerdict);
  const pending = useDock((s) => s.pendingError);
  // Shown only behind an error: a queue that fills and empties with every scan re-renders nothing.
  const held = useDock((s) => (s.pendingError === null ? 0 : s.queue.length));
  const acknowledge = useDock((s) => s.acknowledge);
  return (
    <ScanVerdictOverlay
      last={last}
      pending={pending}
      held={held}
      acknowledge={acknowledge}
      label="scan error"
      testId="verdict-error"
    />
  );
}
