import { type Booking } from "../../../shared/domain/booking";
import { labelSheetHtml } from "../../labels/print-sheet";
import { useDock } from "../store/store-context";
import { ManifestPanel } from "./manifest-panel";
import { useLabels, LabelsPanel } from "./labels-panel";
import { LoadPanel } from "./load-panel";
import { AsnPanel } from "./asn-panel";
import { AmendmentPanel } from "./amendment-panel";
import { DispatchPanel } from "./dispatch-panel";

/** One received booking's re-delivery: every panel. */
export function BookingDetail() {
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
      <div
        className="sup-print-area"
        data-testid="print-area"
        dangerouslySetInnerHTML={{ __html: labelSheetHtml(labels.map((l) => ({ label: l.label }))) }}
      />
    </>
  );
}
