import { useState, type FormEvent } from "react";
import { isCanonicalDeviceId, parseDeviceId } from "../../../shared/domain/device-id";
import { useDock } from "../store/store-context";
import { rejectionCodeFor, type HubRejectionCode } from "../../../shared/domain/receipt-decision";
import type { CloseInput } from "../store/slice-types";

const HELD_CODES = new Set<string>(["hub-not-eligible", "hub-wrong-container", "hub-test-lab"]);

/**
 * Closing a receipt: accepted whole, accepted in part (the hubs rejected and why: those
 * the scans flagged are offered, others can be typed with the damage reason), or rejected
 * with the reason; damage and packaging notes go with it.
 */
export function CloseReceiptDialog(props: { onDone: () => void }) {
  const summary = useDock((s) => s.summary);
  const close = useDock((s) => s.closeReceipt);
  const [outcome, setOutcome] = useState<CloseInput["outcome"]>("accepted");
  // Booked hubs the scans held for a decision; hubs not on this booking were set aside, not received.
  const flagged = (summary?.exceptions ?? []).filter((x) => HELD_CODES.has(x.code) && isCanonicalDeviceId(x.subject));
  const [chosen, setChosen] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(flagged.map((x) => [x.subject, true])),
  );
  const [extra, setExtra] = useState("");
  const [rejectionReason, setRejectionReason] = useState("");
  const [packaging, setPackaging] = useState("");
  const [damage, setDamage] = useState("");
  const [error, setError] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const rejectedHubs: CloseInput["rejectedHubs"] = flagged
      .filter((x) => chosen[x.subject])
      .map((x) => ({ deviceId: x.subject, code: rejectionCodeFor(x), reason: x.reason.slice(0, 500) }));
    for (const line of extra
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "")) {
      const id = parseDeviceId(line);
      if (!id.ok) return setError(`"${line}": ${id.reason}`);
      const code: HubRejectionCode = "damaged";
      rejectedHubs.push({ deviceId: id.deviceId, code, reason: damage.trim() || "damaged (noted at receipt)" });
    }
    setError(null);
    void close({
      outcome,
      rejectedHubs,
      rejectionReason: rejectionReason.trim() || null,
      packagingNotes: packaging,
      damageNotes: damage,
    }).then(props.onDone);
  };

  return (
    <form
      className="dialog close-dialog"
      onSubmit={submit}
      aria-label="close receipt"
      onKeyDown={(e) => e.key === "Escape" && props.onDone()}
    >
      <h2>Close receipt</h2>
      <fieldset>
        <legend>Outcome</legend>
        {(["accepted", "partial", "rejected"] as const).map((o) => (
          <label key={o}>
            <input
              type="radio"
              name="outcome"
              value={o}
              checked={outcome === o}
              onChange={() => setOutcome(o)}
              autoFocus={o === "accepted"}
            />
            {o === "accepted" ? "Accepted whole" : o === "partial" ? "Accepted in part" : "Rejected"}
          </label>
        ))}
      </fieldset>
      {outcome === "partial" && (
        <fieldset>
          <legend>Hubs rejected</legend>
          {flagged.map((x) => (
            <label key={x.subject}>
              <input
                type="checkbox"
                checked={chosen[x.subject] ?? false}
                onChange={(e) => setChosen({ ...chosen, [x.subject]: e.target.checked })}
              />
              {x.subject}: {x.reason}
            </label>
          ))}
          <label>
            Other hubs rejected (damaged), one ID a line
            <textarea name="extraHubs" value={extra} onChange={(e) => setExtra(e.target.value)} rows={3} />
          </label>
        </fieldset>
      )}
      {outcome === "rejected" && (
        <label>
          Why is the delivery rejected?
          <textarea
            name="rejectionReason"
            value={rejectionReason}
            onChange={(e) => setRejectionReason(e.target.value)}
            rows={2}
            required
          />
        </label>
      )}
      <label>
        Damage noted
        <textarea name="damageNotes" value={damage} onChange={(e) => setDamage(e.target.value)} rows={2} />
      </label>
      <label>
        Wrong or damaged packaging noted
        <textarea name="packagingNotes" value={packaging} onChange={(e) => setPackaging(e.target.value)} rows={2} />
      </label>
      {error && <p className="form-error">{error}</p>}
      <button type="submit">Close receipt</button>
      <button type="button" onClick={props.onDone}>
        Cancel (Esc)
      </button>
    </form>
  );
}
