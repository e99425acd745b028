import { lazy, Suspense, useEffect, useState, type FormEvent, type KeyboardEvent as ReactKeyboardEvent } from "react";
import { undoCandidates, type MissingHead } from "../../../shared/domain/reconcile";
import { outcomeWords } from "../../../shared/domain/receipt-close";
import type { Booking } from "../../../shared/domain/booking";
import { useDock } from "../store/store-context";
import { VerdictOverlay } from "../components/verdict-overlay";
import { amendedFields } from "../../../shared/domain/booking-amendment";
import { arrivalTiming, type ArrivalTiming } from "../../../shared/domain/site-clock";
import { showDateTime, showTime, showWindow } from "../../../shared/domain/display-time";
import { etaInstant } from "./receiving-rules";
import { CloseReceiptDialog } from "./close-receipt-dialog";

// zxing is most of the bundle and the camera is optional: load it when first opened.
const CameraPanel = lazy(() => import("../scanning/camera-panel").then((m) => ({ default: m.CameraPanel })));

/** An instant on the site's clock, en-GB 24-hour. */
function time(iso: string | null, timeZone: string): string {
  return showDateTime(iso, timeZone);
}

/** Arriving against the booked window, in words: early (with how early), on time or late. */
function timingWords(t: ArrivalTiming): string {
  if (t.kind === "late") return "LATE";
  if (t.kind === "on-time") return "on time";
  return t.daysEarly === 0
    ? "EARLY (before the window)"
    : `EARLY (${t.daysEarly} day${t.daysEarly === 1 ? "" : "s"} ahead)`;
}

function ArrivalPanel() {
  const receipt = useDock((s) => s.receipt);
  const recordArrival = useDock((s) => s.recordArrival);
  const tz = useDock((s) => s.siteTimeZone);
  const [eta, setEta] = useState("");
  if (receipt === null) return null;
  const booked = showWindow(receipt.booking.deliveryDate, receipt.booking.deliveryWindow);
  if (receipt.arrivedAt !== null)
    return (
      <div className="step done" data-testid="arrival">
        Arrived {time(receipt.arrivedAt, tz)} -{" "}
        {receipt.late
          ? `LATE (reported ETA ${time(receipt.reportedEta, tz)})`
          : timingWords(arrivalTiming(receipt.booking, new Date(receipt.arrivedAt), tz))}
      </div>
    );
  const timing = arrivalTiming(receipt.booking, new Date(), tz);
  const late = timing.kind === "late";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // The ETA is typed as the site's wall time; recorded as the instant it names.
    void recordArrival(late, late ? etaInstant(eta, tz) : null);
  };
  return (
    <form className="step" onSubmit={submit} aria-label="arrival">
      <div data-testid="arrival-timing" data-kind={timing.kind}>
        Booked {booked}: arriving now is <strong>{timingWords(timing)}</strong>
      </div>
      {late && (
        <label>
          ETA the carrier reported
          <input type="datetime-local" name="eta" value={eta} onChange={(e) => setEta(e.target.value)} required />
        </label>
      )}
      <button type="submit" data-testid="record-arrival">
        Record arrival
      </button>
    </form>
  );
}

function UnloadingPanel() {
  const receipt = useDock((s) => s.receipt);
  const tz = useDock((s) => s.siteTimeZone);
  const setUnloader = useDock((s) => s.setUnloader);
  const start = useDock((s) => s.startUnloading);
  const complete = useDock((s) => s.completeUnloading);
  if (receipt === null) return null;
  const locked = receipt.unloadingStartedAt !== null;
  return (
    <div className="step" aria-label="unloading">
      <fieldset disabled={locked}>
        <legend>Who unloads?</legend>
        <label>
          <input
            type="radio"
            name="unloader"
            checked={receipt.unloader === "dock"}
            onChange={() => void setUnloader("dock")}
          />{" "}
          Dock staff
        </label>
        <label>
          <input
            type="radio"
            name="unloader"
            checked={receipt.unloader === "party"}
            onChange={() => void setUnloader("party")}
          />{" "}
          Party&apos;s carrier
        </label>
      </fieldset>
      {!locked && (
        <button
          type="button"
          data-testid="start-unloading"
          disabled={receipt.arrivedAt === null || receipt.unloader === null}
          onClick={() => void start()}
        >
          Start unloading
        </button>
      )}
      {locked && <div>Unloading started {time(receipt.unloadingStartedAt, tz)}</div>}
      {locked && receipt.unloadingCompletedAt === null && (
        <button type="button" data-testid="complete-unloading" onClick={() => void complete()}>
          Unloading complete
        </button>
      )}
      {receipt.unloadingCompletedAt !== null && <div>Unloading completed {time(receipt.unloadingCompletedAt, tz)}</div>}
      <div className="liability" data-testid="liability">
        Liability:{" "}
        {receipt.liabilityAt === null ? (
          "still with the Party"
        ) : (
          <strong>passed to the DCC side at {time(receipt.liabilityAt, tz)}</strong>
        )}
        {receipt.liabilityRule && <div className="rule">{receipt.liabilityRule}</div>}
      </div>
    </div>
  );
}

function AmendmentBanner() {
  const receipt = useDock((s) => s.receipt);
  const accept = useDock((s) => s.acceptAmendment);
  if (receipt === null || receipt.amendment === null) return null;
  const a: Booking = receipt.amendment;
  return (
    <div className="amendment" role="alert" data-testid="amendment">
      Central amended booking {a.bookingRef} (version {receipt.booking.version} → {a.version}) while this receipt is
      open: {amendedFields(receipt.booking, a).join(", ")} changed (now {showWindow(a.deliveryDate, a.deliveryWindow)}).
      Scans still count against version {receipt.booking.version}.
      <button type="button" onClick={() => void accept()}>
        Accept amendment (F3)
      </button>
    </div>
  );
}

function Counts() {
  const sum = useDock((s) => s.summary);
  if (sum === null) return null;
  return (
    <table className="counts" aria-label="counts">
      <thead>
        <tr>
          <td />
          <th>received</th>
          <th>booked</th>
        </tr>
      </thead>
      <tbody>
        <tr data-testid="count-pallets">
          <th>Pallets</th>
          <td>{sum.pallets.received}</td>
          <td>{sum.pallets.booked}</td>
        </tr>
        <tr data-testid="count-cartons">
          <th>Cartons</th>
          <td>{sum.cartons.received}</td>
          <td>{sum.cartons.booked}</td>
        </tr>
        <tr data-testid="count-hubs">
          <th>Hubs</th>
          <td>{sum.hubs.received}</td>
          <td>{sum.hubs.booked}</td>
        </tr>
        {(sum.hubs.held > 0 || sum.hubs.extra > 0) && (
          <tr>
            <th>Held / extra</th>
            <td colSpan={2}>
              {sum.hubs.held} held, {sum.hubs.extra} not on this booking
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function MissingList() {
  const sum = useDock((s) => s.summary);
  if (sum === null) return null;
  // The counts and the first few by name (the summary does not list them all after every scan).
  const list = (title: string, { count, first }: MissingHead) => (
    <div>
      <h2>
        {title} missing: {count}
      </h2>
      <ul>
        {first.map((x) => (
          <li key={x}>{x}</li>
        ))}
        {count > first.length && <li>... and {count - first.length} more</li>}
      </ul>
    </div>
  );
  return (
    <section className="missing" aria-label="missing" data-testid="missing">
      {list("Pallets", sum.missingShown.pallets)}
      {list("Cartons", sum.missingShown.cartons)}
      {list("Hubs", sum.missingShown.hubs)}
    </section>
  );
}

function Recent() {
  const recent = useDock((s) => s.recent);
  return (
    <ol className="recent" aria-label="recent scans" tabIndex={0}>
      {recent.map((v) => (
        <li key={`${v.at}-${v.scanId ?? ""}`} className={`recent-${v.class}`} data-scan-id={v.scanId ?? ""}>
          {v.reason}
        </li>
      ))}
    </ol>
  );
}

/** What the guided scan asks for next; its own component so a scan re-renders only what it changes. */
function ExpectsNext() {
  const next = useDock((s) => s.next);
  const closed = useDock((s) => (s.receipt?.status === "closed" ? outcomeWords(s.receipt.outcome) : null));
  if (closed !== null)
    return (
      <div className="expects closed" data-testid="expects" data-kind="closed">
        This receipt is closed ({closed}): scans are not recorded on it. F10 goes back to the bookings.
      </div>
    );
  return (
    <div className="expects" data-testid="expects" data-kind={next?.kind ?? ""}>
      <span className="label">Expects next</span> {next?.prompt ?? ""}
    </div>
  );
}

function LastVerdict() {
  const last = useDock((s) => s.lastVerdict);
  if (last === null) return null;
  return (
    <div
      className={`last-verdict verdict-${last.class}`}
      data-testid="verdict"
      data-code={last.code}
      data-class={last.class}
      data-scan-id={last.scanId ?? ""}
    >
      {last.reason}
    </div>
  );
}

/**
 * Undo (F2): says which scan it will undo and offers the recent counted scans to pick from
 * (errors and duplicates changed nothing and are not offered; shared/domain/reconcile.ts).
 * A refusal stays in the dialog with what was typed.
 */
function UndoDialog(props: { onDone: () => void }) {
  const undo = useDock((s) => s.undoLast);
  const reconcile = useDock((s) => s.reconcile);
  const tz = useDock((s) => s.siteTimeZone);
  const [candidates] = useState(() => (reconcile === null ? [] : undoCandidates(reconcile)));
  const [picked, setPicked] = useState(candidates[0]?.scanId ?? "");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const target = candidates.find((c) => c.scanId === picked);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (target === undefined) return;
    if (reason.trim() === "") return setError("Say why the scan is undone.");
    void undo(reason, target.scanId).then((refused) => (refused === null ? props.onDone() : setError(refused)));
  };
  const escape = (e: ReactKeyboardEvent<HTMLElement>) => e.key === "Escape" && props.onDone();
  if (candidates.length === 0)
    return (
      <div className="dialog" role="dialog" aria-label="undo a scan" onKeyDown={escape}>
        <p>
          Nothing to undo: no scan has counted anything yet (errors, duplicates and unreadable codes change nothing).
        </p>
        <button type="button" autoFocus onClick={props.onDone}>
          Close (Esc)
        </button>
      </div>
    );
  return (
    <form className="dialog undo-dialog" onSubmit={submit} aria-label="undo a scan" onKeyDown={escape}>
      <p data-testid="undo-target">
        Will undo: <strong>{target ? `${target.what} (${target.did}) at ${showTime(target.at, tz)}` : "-"}</strong>
      </p>
      <fieldset>
        <legend>Recent counted scans</legend>
        {candidates.map((c) => (
          <label key={c.scanId}>
            <input
              type="radio"
              name="undoScan"
              value={c.scanId}
              checked={picked === c.scanId}
              onChange={() => setPicked(c.scanId)}
            />{" "}
            {showTime(c.at, tz)} {c.what} ({c.did})
          </label>
        ))}
      </fieldset>
      <label>
        Why undo it?
        <input autoFocus name="undoReason" value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">Undo this scan</button>
      <button type="button" onClick={props.onDone}>
        Cancel (Esc)
      </button>
    </form>
  );
}

/**
 * The receiving screen: arrival, unloading and liability, guided scanning with counts and the
 * missing list. It selects nothing a scan changes: each scan re-renders only the parts that
 * show it (expects next, the verdict, counts, missing, recent, the overlay).
 */
export function ReceiptScreen() {
  const receipt = useDock((s) => s.receipt);
  const message = useDock((s) => s.receiptMessage);
  const note = useDock((s) => s.receiptNote);
  const pending = useDock((s) => s.pendingError);
  const leave = useDock((s) => s.leaveReceipt);
  const accept = useDock((s) => s.acceptAmendment);
  const cameraOpen = useDock((s) => s.cameraOpen);
  const setCameraOpen = useDock((s) => s.setCameraOpen);
  const setCameraMode = useDock((s) => s.setCameraMode);
  const [dialog, setDialog] = useState<"none" | "undo" | "close">("none");

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (pending !== null || dialog !== "none") return;
      // Shift+F7: the camera in carton-face mode (every label of a carton face at once), straight away.
      if (e.key === "F7" && e.shiftKey) {
        e.preventDefault();
        void setCameraMode("carton-face");
        return setCameraOpen(true);
      }
      const actions: Record<string, () => void> = {
        F2: () => setDialog("undo"),
        F3: () => void accept(),
        F4: () => setDialog("close"),
        F7: () => setCameraOpen(!cameraOpen),
        F10: () => leave(),
      };
      const act = actions[e.key];
      if (act) {
        e.preventDefault();
        act();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [pending, dialog, accept, cameraOpen, setCameraOpen, setCameraMode, leave]);

  if (receipt === null) return null;
  const b = receipt.booking;
  return (
    <div className="receipt">
      <section className="receipt-head" aria-label="booking">
        <h1>
          Booking {b.bookingRef} <small>delivery {b.deliveryRef}</small>
        </h1>
        <div>
          {b.partyName} - {showWindow(b.deliveryDate, b.deliveryWindow)} -{" "}
          {receipt.status === "closed" ? `closed (${outcomeWords(receipt.outcome)})` : "open"}
        </div>
      </section>
      <AmendmentBanner />
      {message && (
        <p className="form-error" role="alert">
          {message}
        </p>
      )}
      {note && (
        <p className="prompt receipt-note" role="status" data-testid="receipt-note">
          {note}
        </p>
      )}
      <div className="receipt-grid">
        <aside className="column" aria-label="arrival and unloading">
          <ArrivalPanel />
          <UnloadingPanel />
        </aside>
        <main className="column scan-column">
          {/* Counts first: a long verdict must never push them below the fold (issue 18). */}
          <Counts />
          <ExpectsNext />
          <LastVerdict />
          {cameraOpen && (
            <Suspense fallback={<p>Loading the camera scanner...</p>}>
              <CameraPanel onClose={() => setCameraOpen(false)} cartonFace />
            </Suspense>
          )}
          <Recent />
        </main>
        <aside className="column" aria-label="not yet received">
          <MissingList />
        </aside>
      </div>
      <footer className="keys">
        <span>F2 undo a scan</span>
        <span>F3 accept amendment</span>
        <span>F4 close receipt</span>
        <span>F7 camera</span>
        <span>Shift+F7 carton face</span>
        <span>F10 back to bookings</span>
        <span>Esc acknowledge an error</span>
      </footer>
      {dialog === "undo" && <UndoDialog onDone={() => setDialog("none")} />}
      {dialog === "close" && <CloseReceiptDialog onDone={() => setDialog("none")} />}
      <VerdictOverlay />
    </div>
  );
}
