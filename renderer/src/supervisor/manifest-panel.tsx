import { useState, type FormEvent } from "react";
import { bookingHubCount, redeliveryLocation, type Booking } from "../../../shared/domain/booking";
import { manifestCounts, type ExclusionCode } from "../../../shared/domain/manifest";
import { checkDeliverySlot, describeSlotProblems } from "../../../shared/domain/working-hours";
import { useDock } from "../store/store-context";
import { localDate } from "./supervisor-slice";
import { SITE_CONFIG } from "./site-config";
import { nextDeliveryDate } from "./supervisor-projection";
import { calendarDate } from "./supervisor-format";

/** Why hubs stay behind, in words, for the counts above the list. */
const LEFT_OUT_WORDS: Record<ExclusionCode, string> = {
  failed: "re-flash failed",
  "wrong-version": "wrong firmware version",
  "no-target-version": "no target version known",
  "not-received": "never received",
  rejected: "rejected at receipt",
  "no-result": "no re-flash result yet",
};

/** Builds the re-delivery manifest for a delivery slot within working hours, and shows it. */
export function ManifestPanel(props: { booking: Booking }) {
  const view = useDock((s) => s.supervisor);
  const build = useDock((s) => s.buildRedeliveryManifest);
  // The dock's date when the panel opened (reading the clock while rendering would make a render impure).
  const timeZone = useDock((s) => s.siteTimeZone);
  const [today] = useState(() => localDate(Date.now(), timeZone));
  // The Party's requested re-delivery (Req 1, 7) when it is still possible; else the next date its window fits.
  const asked = props.booking.redelivery ?? null;
  const askedOk =
    asked !== null && checkDeliverySlot(asked.deliveryDate, asked.deliveryWindow, SITE_CONFIG.workingHours, today).ok;
  const askedWindow = asked?.deliveryWindow ?? props.booking.deliveryWindow;
  const defaultWindow = checkDeliverySlot(
    nextDeliveryDate(today, () => true),
    askedWindow,
    SITE_CONFIG.workingHours,
  ).ok
    ? askedWindow
    : { start: "09:00", end: "12:00" };
  const [start, setStart] = useState(askedOk ? askedWindow.start : defaultWindow.start);
  const [end, setEnd] = useState(askedOk ? askedWindow.end : defaultWindow.end);
  const [date, setDate] = useState(() =>
    askedOk && asked !== null
      ? asked.deliveryDate
      : nextDeliveryDate(today, (d) => checkDeliverySlot(d, defaultWindow, SITE_CONFIG.workingHours, today).ok),
  );
  const [confirming, setConfirming] = useState(false);
  if (view === null) return null;
  const slot = checkDeliverySlot(date, { start, end }, SITE_CONFIG.workingHours, today);
  const m = view.manifest;
  const integrity = view.built?.integrity ?? [];
  const counts = m === null ? null : manifestCounts(m);
  const leftOutCounts = new Map<string, number>();
  for (const e of view.built?.excluded ?? []) {
    const why = LEFT_OUT_WORDS[e.code];
    leftOutCounts.set(why, (leftOutCounts.get(why) ?? 0) + 1);
  }
  const leftOut = [...leftOutCounts];
  const flashed = view.results.filter((r) => r.outcome === "flashed").length;
  const failed = view.results.filter((r) => r.outcome === "failed").length;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Rebuilding after an ASN withdraws it: asked first, in words.
    if (view.asn !== null) return setConfirming(true);
    void build({ date, window: { start, end } });
  };
  return (
    <section aria-label="re-delivery manifest" data-testid="manifest-panel">
      <h2>Re-delivery manifest</h2>
      <p data-testid="results-summary">
        Results: {flashed} re-flashed, {failed} failed, of {bookingHubCount(props.booking)} booked. Back to{" "}
        {props.booking.partyName} at {redeliveryLocation(props.booking).name}.
      </p>
      {view.dispatch === null && (
        <form onSubmit={submit} aria-label="build manifest">
          <label>
            Re-delivery date{" "}
            <input type="date" name="deliveryDate" value={date} onChange={(e) => setDate(e.target.value)} required />
          </label>
          <label>
            Window from{" "}
            <input type="time" name="windowStart" value={start} onChange={(e) => setStart(e.target.value)} required />
          </label>
          <label>
            Window to{" "}
            <input type="time" name="windowEnd" value={end} onChange={(e) => setEnd(e.target.value)} required />
          </label>
          <p data-testid="chosen-slot">
            Re-delivery on {calendarDate(date)}, {start}–{end}
            {asked !== null &&
            (asked.deliveryDate !== date || asked.deliveryWindow.start !== start || asked.deliveryWindow.end !== end)
              ? ` (the Party asked for ${calendarDate(asked.deliveryDate)}, ${asked.deliveryWindow.start}–${asked.deliveryWindow.end})`
              : ""}
            .
          </p>
          <p data-testid="working-hours" className={slot.ok ? "" : "form-error"}>
            Working hours: {describeSlotProblems(slot)}
          </p>
          <button type="submit" data-testid="build-manifest">
            {m === null ? "Build manifest" : "Rebuild manifest (new id)"}
          </button>
          {confirming && view.asn !== null && (
            <div className="amendment" role="alert" data-testid="rebuild-warning">
              <p>
                Manifest {m?.manifestId} already has ASN {view.asn.asnNumber}. Rebuilding cancels that ASN: the Party is
                told by email that it is cancelled and replaced, and the new manifest needs a new ASN.
              </p>
              <button
                type="button"
                data-testid="confirm-rebuild"
                onClick={() => {
                  setConfirming(false);
                  void build({ date, window: { start, end } }, { cancelAsn: true });
                }}
              >
                Rebuild and cancel ASN {view.asn.asnNumber}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep this manifest
              </button>
            </div>
          )}
        </form>
      )}
      {view.buildError && (
        <p className="form-error" role="alert" data-testid="build-error">
          {view.buildError}
        </p>
      )}
      {m !== null && (
        <div data-testid="manifest" data-manifest-id={m.manifestId}>
          <h3>
            {m.manifestId}: {calendarDate(m.deliveryDate)}, {m.deliveryWindow.start}–{m.deliveryWindow.end}, to{" "}
            {m.deliveryLocation.name} ({m.deliveryLocation.address})
          </h3>
          {view.built === null && (
            <p className="form-error">Results changed since this manifest was built: rebuild it.</p>
          )}
          <p data-testid="manifest-counts">
            {counts?.palletCount} pallet(s), {counts?.cartonCount} carton(s), {counts?.hubCount} hub(s) go back
          </p>
          {integrity.length > 0 && (
            <details className="flag" data-testid="integrity">
              <summary>
                {integrity.length} pallet or carton note(s): {integrity[0]?.message}
                {integrity.length > 1 ? " …" : ""}
              </summary>
              {integrity.map((f) => (
                <p key={`${f.kind}-${f.sscc}`} className="flag" data-testid="integrity-flag">
                  {f.message}
                </p>
              ))}
            </details>
          )}
          {m.excludedHubs.length > 0 && (
            <details data-testid="excluded-list">
              <summary data-testid="excluded-summary">
                Left out: {m.excludedHubs.length} hub(s)
                {leftOut.length > 0 ? ` (${leftOut.map(([why, n]) => `${n} ${why}`).join(", ")})` : ""}: show the list
              </summary>
              <table data-testid="excluded">
                <tbody>
                  {m.excludedHubs.map((h) => (
                    <tr key={h.deviceId} className="excluded">
                      <td className="device-id">{h.deviceId}</td>
                      <td>{h.reason}</td>
                      <td>{h.faultEventId === null ? "" : `Fault Analysis Report ${h.faultEventId}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
