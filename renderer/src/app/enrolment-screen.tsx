import { useState, type FormEvent } from "react";
import type { DockBridge } from "../../../shared/bridge/channels";
import { submitEnrolment, type EnrolmentAnswer } from "./enrolment";

/** First start: central's address and a one-time code from the DCC desk; the host does the rest (./enrolment.ts). */
export function EnrolmentScreen(props: {
  bridge: Pick<DockBridge, "invoke">;
  centralUrl: string;
  dockId: string;
  onEnrolled: () => void;
}) {
  const [centralUrl, setCentralUrl] = useState(props.centralUrl);
  const [dockId, setDockId] = useState(props.dockId);
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<EnrolmentAnswer | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    void submitEnrolment(props.bridge, { centralUrl, dockId, code }).then((a) => {
      setBusy(false);
      setAnswer(a);
      if (a.ok) props.onEnrolled();
    });
  };
  return (
    <main className="app">
      <form className="panel sign-in" onSubmit={submit} aria-label="enrol this dock">
        <h1>Enrol this dock</h1>
        <p>This dock is not enrolled with central yet. Ask the DCC desk for a one-time enrolment code for this dock.</p>
        <label>
          Central&apos;s address
          <input
            name="centralUrl"
            value={centralUrl}
            onChange={(e) => setCentralUrl(e.target.value)}
            autoComplete="off"
          />
        </label>
        <label>
          Dock ID
          <input name="dockId" value={dockId} onChange={(e) => setDockId(e.target.value)} autoComplete="off" />
        </label>
        <label>
          Enrolment code
          <input
            name="code"
            autoFocus
            value={code}
            placeholder="ABCD-EFGH-JKLM"
            onChange={(e) => setCode(e.target.value)}
            autoComplete="off"
          />
        </label>
        {answer && (
          <p className={answer.ok ? "form-ok" : "form-error"} role="status">
            {answer.message}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Enrol
        </button>
      </form>
    </main>
  );
}
