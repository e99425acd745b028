import { lazy, Suspense, useEffect, useRef, useState, type CSSProperties, type FormEvent } from "react";
import type { SlotViewMessage } from "../../../shared/bridge/channels";
import type { FlashStep } from "../../../shared/events";
import { useDock } from "../store/store-context";
import { compactSlotList, formatSlotCode } from "../../../shared/domain/slot-code";
import { mayLoadJigs } from "../../../shared/domain/jig-slot-decision";
import { ScanVerdictOverlay } from "../components/verdict-overlay";
import { ManualFaultForm } from "./manual-fault-form";
import { formatSiteDateTime } from "../../../shared/domain/site-clock";

// zxing is most of the bundle and the camera is optional: load it when first opened.
const CameraPanel = lazy(() => import("../scanning/camera-panel").then((m) => ({ default: m.CameraPanel })));

/**
 * The technician's jig station: scan a hub, then the slot it goes into (or the other way
 * round; a slot is "B4", typed or scanned from its label), watch the jigs × 8 slots
 * flash, unload what finished. The last message stays until the next scan; the day's
 * counts and Fault Analysis Reports sit beside the grid.
 */

const PHASE_LABEL: Record<SlotViewMessage["phase"], string> = {
  empty: "empty",
  "waiting-for-hub": "waiting for the hub",
  flashing: "flashing",
  "waiting-for-jig": "jig disconnected",
  flashed: "FLASHED - unload",
  failed: "FAILED - unload",
};

const PHASE_COLOUR: Record<SlotViewMessage["phase"], string> = {
  empty: "#f4f4f4",
  "waiting-for-hub": "#fff6d6",
  flashing: "#e3efff",
  "waiting-for-jig": "#ffe2b8",
  flashed: "#d8f5d8",
  failed: "#ffd6d6",
};

/** The flash steps in the technician's words, not the protocol's. */
const STEP_WORDS: Record<FlashStep, string> = {
  "read-identity": "reading the hub",
  unlock: "unlocking",
  "begin-image": "starting the image",
  "image-chunk": "writing the image",
  commit: "saving the image",
  verify: "checking the image",
  "read-back": "reading the version back",
};

function timeLeft(ms: number | null): string {
  if (ms === null) return "";
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} left`;
}

function SlotCell(props: { view: SlotViewMessage; code: string }) {
  const unload = useDock((s) => s.unloadJigSlot);
  const report = useDock((s) => s.openManualFaultReport);
  const pendingSlot = useDock((s) => s.jigPendingSlot);
  const { view, code } = props;
  const chosen = pendingSlot !== null && pendingSlot.jigId === view.jigId && pendingSlot.slot === view.slot;
  const finished = view.phase === "flashed" || view.phase === "failed";
  const style: CSSProperties = {
    background: PHASE_COLOUR[view.phase],
    border: chosen ? "3px solid #1a56db" : view.phase === "failed" ? "2px solid #c81e1e" : "1px solid #bbb",
    borderRadius: 6,
    padding: 4,
    minHeight: 52,
    fontSize: 12,
  };
  return (
    <div style={style} data-testid={`slot-${code}`} data-phase={view.phase} aria-label={`slot ${code}`}>
      <div>
        <strong>{code}</strong> <span>{PHASE_LABEL[view.phase]}</span>
      </div>
      {view.deviceId && <div style={{ fontFamily: "monospace" }}>{view.deviceId}</div>}
      {view.phase === "flashing" && (
        <>
          <progress max={100} value={view.percent} style={{ width: "100%" }} aria-label={`${code} progress`} />
          <div>
            {view.step === null ? "starting" : STEP_WORDS[view.step]}
            {view.attempt > 1 ? ` (attempt ${view.attempt})` : ""} · {view.percent}% {timeLeft(view.etaMs)}
          </div>
        </>
      )}
      {view.phase === "failed" && (
        <div style={{ color: "#9b1c1c", fontWeight: 600 }} data-testid={`slot-${code}-reason`}>
          {view.reason}
          {view.manualReportRequired && " - the hub did not answer: file a manual fault report"}
        </div>
      )}
      {view.phase === "failed" && view.manualReportRequired && view.deviceId !== null && (
        <button
          type="button"
          data-testid={`report-${code}`}
          style={{ padding: "2px 8px", fontSize: 12, minHeight: 0, marginRight: 4 }}
          onClick={() => report({ deviceId: view.deviceId ?? "", jigId: view.jigId, slot: view.slot })}
        >
          Report {code}
        </button>
      )}
      {finished && (
        <button
          type="button"
          data-testid={`unload-${code}`}
          style={{ padding: "2px 8px", fontSize: 12, minHeight: 0 }}
          onClick={() => void unload(view.jigId, view.slot).finally(focusEntry)}
        >
          Unload {code}
        </button>
      )}
    </div>
  );
}

/** Puts the keyboard back on the hub/slot field: a wedge reader's Enter must never land on a button. */
function focusEntry(): void {
  document.querySelector<HTMLInputElement>("input[name=jigEntry]")?.focus();
}

function KeyboardEntry() {
  const submit = useDock((s) => s.submitJigScan);
  const notice = useDock((s) => s.jigNotice);
  const refusal = useDock((s) => s.jigRefusal);
  const [text, setText] = useState("");
  const ref = useRef<HTMLInputElement>(null);
  // On entry and after every action (a notice, a refusal acknowledged) the field takes the keyboard,
  // unless a supervisor is typing an override reason.
  useEffect(() => {
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && active.name === "overrideReason") return;
    if (active instanceof HTMLElement && active.closest(".fault-form") !== null) return;
    ref.current?.focus();
  }, [notice, refusal]);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim() === "") return;
    void submit(text, "wedge");
    setText("");
  };
  return (
    <form onSubmit={onSubmit} aria-label="type a hub or slot">
      <label>
        Hub ID or slot (scan, or type then Enter)
        <input
          ref={ref}
          name="jigEntry"
          autoFocus
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoComplete="off"
          placeholder="88-73-… or B4"
        />
      </label>
    </form>
  );
}

/** A supervisor allows one more flash of a hub this dock flashed already, with a reason; the host journals it with the flash. */
function OverridePanel() {
  const override = useDock((s) => s.jigOverride);
  const refusal = useDock((s) => s.jigRefusal);
  const allow = useDock((s) => s.allowSecondFlash);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  if (override === null || !override.canOverride || refusal !== null) return null;
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const p = await allow(reason);
    setProblem(p);
    if (p === null) setReason("");
  };
  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      data-testid="override-panel"
      aria-label="allow a second flash"
      className="override-panel"
    >
      <p>
        Hub <strong>{override.hub.deviceId}</strong> was already flashed to {override.flashedTo} at this dock.
      </p>
      <label>
        Reason for a second flash
        <input name="overrideReason" value={reason} onChange={(e) => setReason(e.target.value)} autoComplete="off" />
      </label>
      <button type="submit" data-testid="allow-second-flash">
        Allow a second flash
      </button>
      {problem !== null && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

export function JigScreen() {
  const link = useDock((s) => s.jigLink);
  const message = useDock((s) => s.jigMessage);
  const slots = useDock((s) => s.jigSlots);
  const offline = useDock((s) => s.jigOffline);
  const notice = useDock((s) => s.jigNotice);
  const pendingHub = useDock((s) => s.jigPendingHub);
  const today = useDock((s) => s.jigToday);
  const problems = useDock((s) => s.jigDrainProblems);
  const operator = useDock((s) => s.operator);
  const cameraOpen = useDock((s) => s.cameraOpen);
  const setCameraOpen = useDock((s) => s.setCameraOpen);
  const refreshSlots = useDock((s) => s.refreshJigSlots);
  const refusal = useDock((s) => s.jigRefusal);
  const held = useDock((s) => s.jigHeld);
  const acknowledge = useDock((s) => s.acknowledgeJigRefusal);
  const unloadAll = useDock((s) => s.unloadAllJigSlots);
  const openReport = useDock((s) => s.openManualFaultReport);
  const faultFormOpen = useDock((s) => s.jigFaultForm !== null);
  const siteTimeZone = useDock((s) => s.siteTimeZone);
  // The host may have restarted or moved on since the slots were last fetched.
  useEffect(() => void refreshSlots(), [refreshSlots]);
  const jigs = [...new Set(slots.map((s) => s.jigId))].sort();
  const inProgress = slots.filter(
    (s) => s.phase === "flashing" || s.phase === "waiting-for-hub" || s.phase === "waiting-for-jig",
  ).length;
  const toUnload = slots.filter((s) => s.phase === "flashed" || s.phase === "failed");
  const noticeColour =
    notice === null ? "" : notice.tone === "error" ? "#c81e1e" : notice.tone === "ok" ? "#046c4e" : "#1e429f";
  return (
    <main className="panel jig-station" aria-label="jig station">
      <h1 style={{ margin: "0 0 4px", fontSize: 24 }}>Jig station</h1>
      <ScanVerdictOverlay
        last={
          notice === null || notice.tone === "info"
            ? null
            : { class: notice.tone === "ok" ? "ok" : "error", at: notice.at }
        }
        pending={refusal === null ? null : { code: "jig-refused", reason: refusal.reason, raw: refusal.raw }}
        held={held}
        acknowledge={() => void acknowledge()}
        label="jig station refusal"
        testId="jig-refusal"
      />
      {operator !== null && !mayLoadJigs(operator.role) && (
        <p className="form-error" data-testid="jig-role">
          Only a technician or a supervisor can load jigs. Sign out, then sign in as a technician.
        </p>
      )}
      {link !== "ready" && (
        <p data-testid="jig-link">
          {link === "connecting" ? "Connecting to the jigs…" : `No jigs: ${message ?? "no host"}`}
        </p>
      )}
      <div data-testid="jig-counts" style={{ display: "flex", gap: 24, fontSize: 16, margin: "4px 0" }}>
        <span data-testid="count-flashed">Flashed today: {today.flashed}</span>
        <span data-testid="count-failed" style={{ color: today.failed > 0 ? "#c81e1e" : undefined }}>
          Failed today: {today.failed}
        </span>
        <span data-testid="count-in-progress">In progress: {inProgress}</span>
      </div>
      <div
        data-testid="jig-notice"
        data-tone={notice?.tone ?? "none"}
        role="status"
        style={{
          minHeight: 24,
          padding: 6,
          fontSize: 16,
          fontWeight: 600,
          color: "white",
          background: noticeColour || "#6b7280",
          borderRadius: 6,
        }}
      >
        {notice?.text ??
          (pendingHub
            ? `Hub ${pendingHub.deviceId}: scan its slot`
            : "Scan a hub, then the slot it goes into (or a slot, then the hub).")}
      </div>
      <div className="jig-entry">
        <KeyboardEntry />
        <button type="button" onClick={() => setCameraOpen(!cameraOpen)}>
          {cameraOpen ? "Close camera" : "Camera"}
        </button>
        {!faultFormOpen && (
          <button type="button" data-testid="open-fault-report" onClick={() => openReport()}>
            Report a damaged hub
          </button>
        )}
      </div>
      <ManualFaultForm />
      {cameraOpen && (
        <Suspense fallback={<p>Loading the camera…</p>}>
          <CameraPanel onClose={() => setCameraOpen(false)} />
        </Suspense>
      )}
      <OverridePanel />
      {toUnload.length > 0 && (
        <p data-testid="unload-prompt" className="unload-prompt">
          <button type="button" data-testid="unload-all" onClick={() => void unloadAll().finally(focusEntry)}>
            Unload all ({toUnload.length})
          </button>{" "}
          <span className="unload-list">
            Take out and unload {toUnload.length === 1 ? "1 hub" : `${toUnload.length} hubs`}:{" "}
            {compactSlotList(toUnload.map((s) => ({ jigIndex: jigs.indexOf(s.jigId), slot: s.slot })))} (or scan a slot
            again).
          </span>
        </p>
      )}
      {jigs.map((jigId, j) => (
        <section key={jigId} aria-label={`jig ${jigId}`} data-testid={`jig-${jigId}`} style={{ margin: "4px 0" }}>
          <h2 style={{ fontSize: 16, margin: "4px 0" }}>
            {String.fromCharCode(65 + j)} · {jigId}{" "}
            {offline.includes(jigId) && <span style={{ color: "#c81e1e" }}>DISCONNECTED</span>}
          </h2>
          <div style={{ display: "grid", gridTemplateColumns: "repeat(8, minmax(110px, 1fr))", gap: 6 }}>
            {slots
              .filter((s) => s.jigId === jigId)
              .map((s) => (
                <SlotCell key={s.slot} view={s} code={formatSlotCode({ jigIndex: j, slot: s.slot })} />
              ))}
          </div>
        </section>
      ))}
      <section aria-label="fault reports today" data-testid="fault-reports">
        <h2 style={{ fontSize: 16 }}>Fault Analysis Reports today ({today.faults.length})</h2>
        {today.faults.length === 0 ? (
          <p>None.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Hub</th>
                <th>Jig / slot</th>
                <th>Step</th>
                <th>What happened</th>
                <th>Disposition</th>
                <th>When</th>
              </tr>
            </thead>
            <tbody>
              {today.faults.map((f) => (
                <tr key={f.eventId} data-testid={`fault-${f.deviceId}`}>
                  <td style={{ fontFamily: "monospace" }}>{f.deviceId}</td>
                  <td>{f.jigId === null ? "-" : `${f.jigId} / ${f.slot === null ? "-" : f.slot + 1}`}</td>
                  <td>{f.manual ? "manual report" : f.step === null ? "-" : STEP_WORDS[f.step]}</td>
                  <td>
                    {f.damage !== null ? `Damage: ${f.damage}. ` : ""}
                    {f.notes}
                    {f.jigSaid ? ` (jig said: ${f.jigSaid.slice(0, 40)}…)` : ""}
                  </td>
                  <td>{f.disposition === "scrap" ? "scrap" : "credit the Party"}</td>
                  <td>{formatSiteDateTime(f.at, siteTimeZone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {problems.length > 0 && (
        <ul className="form-error" data-testid="jig-drain-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </main>
  );
}
