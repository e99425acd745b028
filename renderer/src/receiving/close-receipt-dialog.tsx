import { useMemo, useState, type FormEvent } from "react";
import { closeFigures } from "../../../shared/domain/receipt-close";
import { isCanonicalDeviceId, parseDeviceId } from "../../../shared/domain/device-id";
import { useDock } from "../store/store-context";
import { rejectionCodeFor, type HubRejectionCode } from "../../../shared/domain/receipt-decision";
import type { CloseInput } from "../store/slice-types";

const HELD_CODES = new Set<string>(["hub-not-eligible", "hub-wrong-container", "hub-test-lab"]);

/**
 * Closing a receipt: received / booked / missing per pallet first, then the outcome, which the
 * operator chooses (no default): accepted whole, accepted in part (a shortfall alone will do;
 * hubs the scans flagged are offered, damaged ones can be typed), or rejected with the reason;
 * damage and packaging notes go with it. A refusal keeps everything typed and says what to change.
 */
export function CloseReceiptDialog(props: { onDone: () => void }) {
  const summary = useDock((s) => s.summary);
  const reconcile = useDock((s) => s.reconcile);
  const close = useDock((s) => s.closeReceipt);
  const figures = useMemo(() => (reconcile === null ? null : closeFigures(reconcile)), [reconcile]);
  const [outcome, setOutcome] = useState<CloseInput["outcome"]>(null);
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
      if (!id.ok)
        return setError(`"${line}" is not a hub ID: type the 16-character ID printed on the hub, one a line.`);
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
    }).then((refused) => (refused === null ? props.onDone() : setError(refused)));
  };
  const missing = figures?.total.missing ?? 0;

  return (
    <form
      className="dialog close-dialog"
      onSubmit={submit}
      aria-label="close receipt"
      onKeyDown={(e) => e.key === "Escape" && props.onDone()}
    >
      <h2>Close receipt</h2>
      {figures && (
        <table className="close-figures" aria-label="hubs per pallet" data-testid="close-figures">
          <thead>
            <tr>
              <th scope="col">Pallet</th>
              <th scope="col">received</th>
              <th scope="col">booked</th>
              <th scope="col">missing</th>
              <th scope="col">held</th>
            </tr>
          </thead>
          <tbody>
            {figures.lines.map((l) => (
              <tr key={l.pallet ?? "loose"}>
                <th scope="row">{l.pallet ?? "loose cartons"}</th>
                <td>{l.received}</td>
                <td>{l.booked}</td>
                <td>{l.missing}</td>
                <td>{l.held}</td>
              </tr>
            ))}
            <tr data-testid="close-total">
              <th scope="row">All</th>
              <td>{figures.total.received}</td>
              <td>{figures.total.booked}</td>
              <td>{figures.total.missing}</td>
              <td>{figures.total.held}</td>
            </tr>
          </tbody>
        </table>
      )}
      {figures && figures.extra > 0 && (
        <p>{figures.extra} hubs scanned are not on this booking: set aside, never accepted.</p>
      )}
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
            />{" "}
            {o === "accepted" ? "Accepted whole" : o === "partial" ? "Accepted in part" : "Rejected"}
          </label>
        ))}
      </fieldset>
      {outcome === "accepted" && missing > 0 && (
        <p className="warning" role="status">
          {missing} booked hubs did not arrive: accepting whole tells the Party every hub came. Accepted in part is
          usual for a shortfall.
        </p>
      )}
      {outcome === "partial" && (
        <fieldset>
          <legend>Hubs rejected {missing > 0 ? `(none needed: ${missing} missing is a shortfall)` : ""}</legend>
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
      {error && (
        <p className="form-error" role="alert" data-testid="close-error">
          {error}
        </p>
      )}
      <button type="submit">Close receipt</button>
      <button type="button" onClick={props.onDone}>
        Cancel (Esc)
      </button>
    </form>
  );
}
