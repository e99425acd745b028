import { useState, type FormEvent } from "react";
import { bookingHubCount, type Booking } from "../../../shared/domain/booking";
import { checkDeliverySlot, describeSlotProblems } from "../../../shared/domain/working-hours";
import { useDock } from "../store/store-context";
import { localDate } from "./supervisor-slice";
import { SITE_CONFIG } from "./site-config";
import { nextDeliveryDate } from "./supervisor-projection";

/** Builds the re-delivery manifest for a delivery slot within working hours, and shows it. */
export function ManifestPanel(props: { booking: Booking }) {
  const view = useDock((s) => s.supervisor);
  const build = useDock((s) => s.buildRedeliveryManifest);
  // The dock's date when the panel opened (reading the clock while rendering would make a render impure).
  const [today] = useState(() => localDate(Date.now()));
  const defaultWindow = checkDeliverySlot(
    nextDeliveryDate(today, () => true),
    props.booking.deliveryWindow,
    SITE_CONFIG.workingHours,
  ).ok
    ? props.booking.deliveryWindow
    : { start: "09:00", end: "12:00" };
  const [start, setStart] = useState(defaultWindow.start);
  const [end, setEnd] = useState(defaultWindow.end);
  const [date, setDate] = useState(() =>
    nextDeliveryDate(today, (d) => checkDeliverySlot(d, defaultWindow, SITE_CONFIG.workingHours, today).ok),
  );
  if (view === null) return null;
  const slot = checkDeliverySlot(date, { start, end }, SITE_CONFIG.workingHours, today);
  const m = view.manifest;
  const flashed = view.results.filter((r) => r.outcome === "flashed").length;
  const failed = view.results.filter((r) => r.outcome === "failed").length;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void build({ date, window: { start, end } });
  };
  return (
    <section aria-label="re-delivery manifest" data-testid="manifest-panel">
      <h2>Re-delivery manifest</h2>
      <p data-testid="results-summary">
        Results: {flashed} re-flashed, {failed} failed, of {bookingHubCount(props.booking)} booked. Back to{" "}
        {props.booking.partyName} at {props.booking.deliveryLocation.name}.
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
          <p data-testid="working-hours" className={slot.ok ? "" : "form-error"}>
            Working hours: {describeSlotProblems(slot)}
          </p>
          <button type="submit" data-testid="build-manifest">
            {m === null ? "Build manifest" : "Rebuild manifest (new id)"}
          </button>
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
            {m.manifestId}: {m.deliveryDate} {m.deliveryWindow.start}-{m.deliveryWindow.end} to{" "}
            {m.deliveryLocation.name}
          </h3>
          {view.built === null && (
            <p className="form-error">Results changed since this manifest was built: rebuild it.</p>
          )}
          <p data-testid="manifest-counts">
            {m.pallets.length} pallet(s), {m.pallets.reduce((n, p) => n + p.cartons.length, 0) + m.looseCartons.length}{" "}
            carton(s),{" "}
            {m.pallets.reduce((n, p) => n + p.cartons.reduce((k, c) => k + c.hubs.length, 0), 0) +
              m.looseCartons.reduce((n, c) => n + c.hubs.length, 0)}{" "}
            hub(s) go back
          </p>
          {view.built?.integrity.map((f) => (
            <p key={`${f.kind}-${f.sscc}`} className="flag" data-testid="integrity-flag">
              {f.message}
            </p>
          ))}
          {m.excludedHubs.length > 0 && (
            <table data-testid="excluded">
              <caption>Left out ({m.excludedHubs.length})</caption>
              <tbody>
                {m.excludedHubs.map((h) => (
                  <tr key={h.deviceId} className="excluded">
                    <td className="device-id">{h.deviceId}</td>
                    <td>{h.reason}</td>
                    <td>{h.faultEventId === null ? "no fault report" : `fault report ${h.faultEventId}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
