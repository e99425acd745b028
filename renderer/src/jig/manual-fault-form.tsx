import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useDock } from "../store/store-context";

/**
 * The technician's manual Fault Analysis Report (Req 6: damage prevents analysis): hub, damage
 * found, notes. Keyboard-only: it opens with the keyboard on its first empty field, Enter in a
 * field files it, Esc closes it; a scan while it is open fills the hub. The rules are in
 * shared/domain/manual-fault-report.ts; a refusal names its field and keeps what was typed.
 */
export function ManualFaultForm() {
  const form = useDock((s) => s.jigFaultForm);
  // Mounted afresh each time it opens, so nothing typed last time is left in it.
  return form === null ? null : <OpenFaultForm scannedHub={form.hub} />;
}

function OpenFaultForm(props: { scannedHub: string }) {
  const { scannedHub } = props;
  const file = useDock((s) => s.fileManualFaultReport);
  const close = useDock((s) => s.closeManualFaultReport);
  const [hub, setHub] = useState(scannedHub);
  const [seenHub, setSeenHub] = useState(scannedHub);
  const [damage, setDamage] = useState("");
  const [notes, setNotes] = useState("");
  const [problem, setProblem] = useState<{ field: string; reason: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const hubRef = useRef<HTMLInputElement>(null);
  const damageRef = useRef<HTMLInputElement>(null);
  const notesRef = useRef<HTMLTextAreaElement>(null);
  // A scan while the form is open replaces the hub field.
  if (scannedHub !== seenHub) {
    setSeenHub(scannedHub);
    setHub(scannedHub);
  }
  // Opening (or a scan of the hub) puts the keyboard on the next field to fill.
  useEffect(() => {
    if (scannedHub === "") hubRef.current?.focus();
    else damageRef.current?.focus();
  }, [scannedHub]);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const p = await file({ hub, damage, notes });
    setBusy(false);
    setProblem(p);
    if (p !== null) (p.field === "damage" ? damageRef : p.field === "notes" ? notesRef : hubRef).current?.focus();
    else document.querySelector<HTMLInputElement>("input[name=jigEntry]")?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    close();
    document.querySelector<HTMLInputElement>("input[name=jigEntry]")?.focus();
  };
  const invalid = (field: string) => (problem?.field === field ? true : undefined);
  return (
    <form
      className="fault-form"
      data-testid="manual-fault-form"
      aria-label="manual fault analysis report"
      onSubmit={(e) => void onSubmit(e)}
      onKeyDown={onKeyDown}
    >
      <h2>Manual Fault Analysis Report</h2>
      <p className="fault-form-help">For a hub too damaged to go on a jig or to analyse. Esc closes without filing.</p>
      <label>
        Hub ID (scan, or type the ID under its barcode)
        <input
          ref={hubRef}
          name="faultHub"
          value={hub}
          onChange={(e) => setHub(e.target.value)}
          autoComplete="off"
          aria-invalid={invalid("hub")}
        />
      </label>
      <label>
        Damage found
        <input
          ref={damageRef}
          name="faultDamage"
          value={damage}
          onChange={(e) => setDamage(e.target.value)}
          autoComplete="off"
          placeholder="e.g. cracked casing, bent pins"
          aria-invalid={invalid("damage")}
        />
      </label>
      <label>
        Notes (optional)
        <textarea
          ref={notesRef}
          name="faultNotes"
          rows={2}
          value={notes}
          onChange={(e) => setNotes(e.target.value)}
          onKeyDown={(e) => {
            // Enter files the report as in the other fields; Shift+Enter starts a new line.
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
          aria-invalid={invalid("notes")}
        />
      </label>
      <div className="fault-form-actions">
        <button type="submit" data-testid="file-fault-report" disabled={busy}>
          File the report
        </button>
        <button
          type="button"
          onClick={() => {
            close();
            document.querySelector<HTMLInputElement>("input[name=jigEntry]")?.focus();
          }}
        >
          Cancel
        </button>
      </div>
      {problem !== null && (
        <p className="form-error" role="alert" data-testid="fault-form-problem">
          {problem.reason}
        </p>
      )}
    </form>
  );
}
