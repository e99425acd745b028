import { useEffect, useMemo, useState, type FormEvent } from "react";
import { asnCsv, asnJson } from "../../../shared/domain/asn";
import { bookingHubCount, type Booking } from "../../../shared/domain/booking";
import { formatMoney } from "../../../shared/domain/charges";
import type { Unloader } from "../../../shared/domain/liability";
import { checkDeliverySlot, describeSlotProblems } from "../../../shared/domain/working-hours";
import { LabelPreview } from "../../labels/label-preview";
import { labelPrintedPayload, renderLogisticsLabel, type LabelContent, type RenderedLabel } from "../../labels/logistics-label";
import { bookingLabelContent, deliveryAddress, manifestLabelContents } from "../../labels/manifest-labels";
import { LABEL_PRINT_CSS, labelSheetHtml } from "../../labels/print-sheet";
import { useDock } from "../app/store-context";
import { localDate } from "../store/supervisor-slice";
import { OutboundOverlay } from "./outbound-overlay";
import { printLabelSheet } from "./print-route";
import { SITE_CONFIG } from "./site-config";
import { nextDeliveryDate } from "./supervisor-projection";

/**
 * The supervisor's screens: pick a received booking, build its re-delivery manifest from the
 * jig results, print its labels, scan the load, issue the ASN and the notice, see amendments,
 * dispatch with the outbound liability rule; and the charges per Party. Every control is a
 * plain button or input, so Tab / Enter drive it all; scans go to the load check.
 */

// Only the label sheet prints (Electron's print.page prints the window; page.pdf() too).
const SCREEN_CSS = `
.sup-print-area { display: none; }
.supervisor section { background: #fff; margin: 0.6em 0; padding: 0.6em 1em; }
.supervisor .sup-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.supervisor .flag { color: var(--warn); }
.supervisor .excluded { color: var(--error); }
.supervisor .labels-preview { display: flex; flex-wrap: wrap; gap: 0.5em; }
.supervisor table { border-collapse: collapse; }
.supervisor td, .supervisor th { padding: 0.1em 0.5em; text-align: left; }
@media print {
  .app-head, .sync-health, .overlay, .overlay-flash { display: none !important; }
  .supervisor > :not(.sup-print-area) { display: none !important; }
  .sup-print-area { display: block !important; }
}
${LABEL_PRINT_CSS}
`;

function time(iso: string | null): string {
  return iso === null ? "-" : new Date(iso).toLocaleString();
}

function BookingPicker() {
  const bookings = useDock((s) => s.bookings);
  const receipts = useDock((s) => s.receiptsByRef);
  const open = useDock((s) => s.openSupervisor);
  const received = bookings.filter((b) => receipts[b.bookingRef]?.status === "closed");
  return (
    <section aria-label="received bookings">
      <h2>Received bookings</h2>
      {received.length === 0 && <p>No booking has been received and closed at this dock yet.</p>}
      <ul className="booking-list">
        {received.map(({ booking }) => (
          <li key={booking.bookingRef}>
            <button type="button" data-testid={`supervise-${booking.bookingRef}`} onClick={() => void open(booking.bookingRef)}>
              <strong>{booking.bookingRef}</strong> {booking.partyName} - {booking.pallets.length} pallets, {bookingHubCount(booking)} hubs - received ({receipts[booking.bookingRef]?.outcome ?? ""})
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ChargesPanel() {
  const statements = useDock((s) => s.chargesStatements);
  const load = useDock((s) => s.loadCharges);
  const today = localDate(Date.now());
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  useEffect(() => {
    void load({ from, to });
  }, [load, from, to]);
  return (
    <section aria-label="charges" data-testid="charges">
      <h2>Charges per Party</h2>
      <p className="rule">Rates are site configuration ({SITE_CONFIG.charges.currency}), not rules: see renderer/src/supervisor/site-config.ts.</p>
      <label>
        From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      {statements.length === 0 && <p>No re-flash results in this period.</p>}
      {statements.map((st) => (
        <table key={st.partyId} data-testid={`statement-${st.partyId}`}>
          <caption>
            {st.partyName} ({st.partyId}): {st.counts.reflashed} re-flashed, {st.counts.notReflashable} not re-flashable
          </caption>
          <tbody>
            {st.lines.map((l) => (
              <tr key={l.code}>
                <td>{l.description}</td>
                <td>{l.quantity}</td>
                <td>{formatMoney(l.unitMinor, st.currency)}</td>
                <td>
                  {l.direction === "credit" ? "-" : ""}
                  {formatMoney(l.amountMinor, st.currency)}
                </td>
              </tr>
            ))}
            <tr>
              <th colSpan={3}>Net</th>
              <th>{formatMoney(st.totals.netMinor, st.currency)}</th>
            </tr>
            {st.unpriced.length > 0 && (
              <tr>
                <td colSpan={4}>{st.unpriced.length} hub(s) unpriced (HAN variant unknown at the dock)</td>
              </tr>
            )}
          </tbody>
        </table>
      ))}
    </section>
  );
}

function ManifestPanel(props: { booking: Booking }) {
  const view = useDock((s) => s.supervisor);
  const build = useDock((s) => s.buildRedeliveryManifest);
  const today = localDate(Date.now());
  const defaultWindow = checkDeliverySlot(nextDeliveryDate(today, () => true), props.booking.deliveryWindow, SITE_CONFIG.workingHours).ok ? props.booking.deliveryWindow : { start: "09:00", end: "12:00" };
  const [start, setStart] = useState(defaultWindow.start);
  const [end, setEnd] = useState(defaultWindow.end);
  const [date, setDate] = useState(() => nextDeliveryDate(today, (d) => checkDeliverySlot(d, defaultWindow, SITE_CONFIG.workingHours, today).ok));
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
        Results: {flashed} re-flashed, {failed} failed, of {bookingHubCount(props.booking)} booked. Back to {props.booking.partyName} at {props.booking.deliveryLocation.name}.
      </p>
      {view.dispatch === null && (
        <form onSubmit={submit} aria-label="build manifest">
          <label>
            Re-delivery date <input type="date" name="deliveryDate" value={date} onChange={(e) => setDate(e.target.value)} required />
          </label>
          <label>
            Window from <input type="time" name="windowStart" value={start} onChange={(e) => setStart(e.target.value)} required />
          </label>
          <label>
            Window to <input type="time" name="windowEnd" value={end} onChange={(e) => setEnd(e.target.value)} required />
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
            {m.manifestId}: {m.deliveryDate} {m.deliveryWindow.start}-{m.deliveryWindow.end} to {m.deliveryLocation.name}
          </h3>
          {view.built === null && <p className="form-error">Results changed since this manifest was built: rebuild it.</p>}
          <p data-testid="manifest-counts">
            {m.pallets.length} pallet(s), {m.pallets.reduce((n, p) => n + p.cartons.length, 0) + m.looseCartons.length} carton(s),{" "}
            {m.pallets.reduce((n, p) => n + p.cartons.reduce((k, c) => k + c.hubs.length, 0), 0) + m.looseCartons.reduce((n, c) => n + c.hubs.length, 0)} hub(s) go back
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

function useLabels(booking: Booking): Array<{ content: LabelContent; label: RenderedLabel }> {
  const manifest = useDock((s) => s.supervisor?.manifest ?? null);
  return useMemo(() => {
    if (manifest === null) return [];
    const contents = [...manifestLabelContents(manifest, { from: SITE_CONFIG.dockAddress, to: deliveryAddress(manifest, booking.partyName) }), bookingLabelContent(booking, SITE_CONFIG.dockAddress)];
    return contents.flatMap((content) => {
      const label = renderLogisticsLabel(content);
      return label.ok ? [{ content, label }] : [];
    });
  }, [manifest, booking]);
}

function LabelsPanel(props: { labels: Array<{ content: LabelContent; label: RenderedLabel }> }) {
  const view = useDock((s) => s.supervisor);
  const recordPrinted = useDock((s) => s.recordLabelsPrinted);
  const [status, setStatus] = useState<string | null>(null);
  if (view === null || view.manifest === null) return null;
  const manifestId = view.manifest.manifestId;
  const print = async () => {
    setStatus("Printing...");
    try {
      const route = await printLabelSheet(window.dock, `Labels ${manifestId}`, props.labels.map((l) => ({ label: l.label })));
      if (route.via === "bridge" && !route.printed) return setStatus(`Not printed: ${route.reason ?? "cancelled"}`);
      const output = route.via === "bridge" && route.pdfPath !== null ? "pdf" : "printer";
      await recordPrinted(props.labels.map((l) => labelPrintedPayload(l.label, l.content, { output, copies: 1, manifestId })));
      setStatus(route.via === "bridge" ? "Printed by the shell's print service." : "Sent to the print dialog (Save as PDF there for a PDF).");
    } catch (e) {
      setStatus(`Printing failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <section aria-label="labels" data-testid="labels-panel">
      <h2>Labels ({props.labels.length})</h2>
      <button type="button" data-testid="print-labels" onClick={() => void print()}>
        Print labels
      </button>
      <span data-testid="labels-printed"> {view.labelsPrinted} label(s) recorded as printed</span>
      {status && <p data-testid="print-status">{status}</p>}
      <div className="labels-preview">
        {props.labels.map((l) => (
          <LabelPreview key={l.label.payload.scan} label={l.label} scale={0.45} />
        ))}
      </div>
    </section>
  );
}

function LoadPanel() {
  const view = useDock((s) => s.supervisor);
  const last = useDock((s) => s.outboundLast);
  if (view === null || view.manifest === null || view.loadCheck === null) return null;
  const c = view.loadCheck;
  return (
    <section aria-label="outbound load" data-testid="load-panel">
      <h2>Load check</h2>
      <p className="prompt">Scan every pallet and carton label onto the vehicle.</p>
      <p data-testid="load-count" data-agrees={String(c.agrees)}>
        Loaded {c.loadedCount} of {c.expectedCount} {c.agrees ? "- the load agrees with the manifest" : ""}
      </p>
      {last && (
        <div className={`last-verdict verdict-${last.class}`} data-testid="outbound-verdict" data-code={last.code} data-class={last.class}>
          {last.reason}
        </div>
      )}
      {c.missing.length > 0 && (
        <p>
          Still to load: {c.missing.slice(0, 8).map((u) => `${u.kind} ${u.sscc}`).join(", ")}
          {c.missing.length > 8 ? ` and ${c.missing.length - 8} more` : ""}
        </p>
      )}
      {c.extra.length > 0 && <p className="form-error">Not on the manifest, take off: {c.extra.map((u) => `${u.kind} ${u.sscc}`).join(", ")}</p>}
    </section>
  );
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function AsnPanel() {
  const view = useDock((s) => s.supervisor);
  const issueAsn = useDock((s) => s.issueAsn);
  const issueNotice = useDock((s) => s.issueNotice);
  if (view === null || view.manifest === null) return null;
  const doc = view.asn?.document ?? null;
  return (
    <section aria-label="ASN and notice" data-testid="asn-panel">
      <h2>ASN and re-delivery notice</h2>
      {view.asn === null ? (
        <button type="button" data-testid="issue-asn" onClick={() => void issueAsn()}>
          Issue new ASN
        </button>
      ) : (
        <div data-testid="asn" data-asn={view.asn.asnNumber}>
          ASN <strong>{view.asn.asnNumber}</strong> (SHA-256 {view.asn.documentSha256.slice(0, 16)}...)
          {doc && (
            <>
              <button type="button" onClick={() => download(`${doc.asnNumber}.json`, "application/json", asnJson(doc))}>
                Download JSON
              </button>
              <button type="button" onClick={() => download(`${doc.asnNumber}.csv`, "text/csv", asnCsv(doc))}>
                Download CSV
              </button>
            </>
          )}
        </div>
      )}
      <p>
        <button type="button" data-testid="issue-notice" onClick={() => void issueNotice()}>
          {view.noticesIssued === 0 ? "Issue re-delivery notice" : "Re-issue re-delivery notice"}
        </button>
        <span data-testid="notices"> {view.noticesIssued} notice(s) issued for this manifest</span>
      </p>
    </section>
  );
}

function AmendmentPanel() {
  const view = useDock((s) => s.supervisor);
  const acknowledge = useDock((s) => s.acknowledgeRedeliveryAmendment);
  const a = view?.amendment ?? null;
  if (a === null) return null;
  return (
    <div className="amendment" role="alert" data-testid="redelivery-amendment">
      The Party amended the re-delivery ({a.fields.join(", ")}): now {a.delivery.date} {a.delivery.window.start}-{a.delivery.window.end} at {a.delivery.location.name}.{" "}
      {a.slot.ok ? "Within working hours." : `Outside working hours: ${describeSlotProblems(a.slot)}.`}
      <button type="button" data-testid="ack-amendment" onClick={() => void acknowledge()}>
        Acknowledge, rebuild and re-issue the notice
      </button>
    </div>
  );
}

function DispatchPanel() {
  const view = useDock((s) => s.supervisor);
  const dispatch = useDock((s) => s.recordDispatch);
  const start = useDock((s) => s.startOutboundUnloading);
  const complete = useDock((s) => s.completeOutboundUnloading);
  const [unloader, setUnloader] = useState<Unloader>("party");
  const [carrier, setCarrier] = useState("");
  const [vehicle, setVehicle] = useState("");
  if (view === null || view.manifest === null) return null;
  const ready = view.loadCheck?.agrees === true && view.asn !== null;
  const u = view.unloading;
  return (
    <section aria-label="dispatch" data-testid="dispatch-panel">
      <h2>Dispatch</h2>
      {view.dispatch === null ? (
        <>
          <fieldset>
            <legend>Who unloads at the Party&apos;s end?</legend>
            <label>
              <input type="radio" name="outUnloader" checked={unloader === "party"} onChange={() => setUnloader("party")} /> The Party
            </label>
            <label>
              <input type="radio" name="outUnloader" checked={unloader === "dock"} onChange={() => setUnloader("dock")} /> Our (DCC side) crew
            </label>
          </fieldset>
          <label>
            Carrier <input name="carrier" value={carrier} onChange={(e) => setCarrier(e.target.value)} />
          </label>
          <label>
            Vehicle <input name="vehicleRef" value={vehicle} onChange={(e) => setVehicle(e.target.value)} />
          </label>
          <button type="button" data-testid="dispatch" disabled={!ready} onClick={() => void dispatch({ unloader, carrier, vehicleRef: vehicle })}>
            Dispatch
          </button>
          {!ready && <p>Dispatch needs the load to agree with the manifest and a new ASN.</p>}
        </>
      ) : (
        <div data-testid="dispatched">
          Dispatched under ASN {view.dispatch.asnNumber}: {view.dispatch.palletCount} pallet(s), {view.dispatch.cartonCount} carton(s), {view.dispatch.hubCount} hub(s); {view.dispatch.unloader === "party" ? "the Party unloads" : "our crew unloads"}.
          {u === null && (
            <button type="button" data-testid="start-outbound-unloading" onClick={() => void start()}>
              Unloading started at the Party
            </button>
          )}
          {u !== null && <div>Unloading started {time(u.startedAt)}</div>}
          {u !== null && u.completedAt === null && (
            <button type="button" data-testid="complete-outbound-unloading" onClick={() => void complete()}>
              Unloading complete
            </button>
          )}
          {u?.completedAt && <div>Unloading completed {time(u.completedAt)}</div>}
          <div className="liability" data-testid="outbound-liability">
            Liability: {u?.liabilityAt ? <strong>passed to the Party at {time(u.liabilityAt)}</strong> : "still with the DCC side"}
            {u?.liabilityRule && <div className="rule">{u.liabilityRule}</div>}
          </div>
        </div>
      )}
    </section>
  );
}

function BookingDetail() {
  const view = useDock((s) => s.supervisor);
  const leave = useDock((s) => s.leaveSupervisor);
  const message = useDock((s) => s.supervisorMessage);
  const booking = view?.booking ?? null;
  const labels = useLabels(booking ?? ({} as Booking));
  if (view === null || booking === null) return null;
  return (
    <>
      <header>
        <h1>
          Re-delivery of {booking.bookingRef} <small>{booking.partyName}</small>
        </h1>
        <button type="button" onClick={leave}>
          Back to received bookings (F10)
        </button>
      </header>
      <AmendmentPanel />
      {message && (
        <p className="status" role="status" data-testid="supervisor-message">
          {message}
        </p>
      )}
      <div className="sup-grid">
        <div>
          <ManifestPanel booking={booking} />
          <AsnPanel />
          <DispatchPanel />
        </div>
        <div>
          <LoadPanel />
          <LabelsPanel labels={labels} />
        </div>
      </div>
      {/* The label sheet as it prints: hidden on screen, the only thing on a printed page. */}
      <div className="sup-print-area" data-testid="print-area" dangerouslySetInnerHTML={{ __html: labelSheetHtml(labels.map((l) => ({ label: l.label }))) }} />
    </>
  );
}

/** The supervisor's screen: a received booking's re-delivery, or the list and the charges. */
export function SupervisorScreen() {
  const view = useDock((s) => s.supervisor);
  const loadBookings = useDock((s) => s.loadBookings);
  const leave = useDock((s) => s.leaveSupervisor);
  const refresh = useDock((s) => s.refreshSupervisor);
  const health = useDock((s) => s.syncHealth);
  useEffect(() => {
    void loadBookings();
  }, [loadBookings]);
  // Sync may bring an amended booking: look again whenever it reports.
  useEffect(() => {
    void refresh();
  }, [health, refresh]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "F10") {
        e.preventDefault();
        leave();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [leave]);
  return (
    <div className="supervisor receipt">
      <style>{SCREEN_CSS}</style>
      {view === null ? (
        <>
          <h1>Supervisor</h1>
          <BookingPicker />
          <ChargesPanel />
        </>
      ) : (
        <BookingDetail />
      )}
      <OutboundOverlay />
    </div>
  );
}
