import { useState } from "react";
import { redeliveryLocation, type Booking } from "../../../shared/domain/booking";
import { labelSheetHtml } from "../../labels/print-sheet";
import { useDock } from "../store/store-context";
import { ManifestPanel } from "./manifest-panel";
import { useLabels, LabelsPanel } from "./labels-panel";
import { LoadPanel } from "./load-panel";
import { AsnPanel } from "./asn-panel";
import { NoticePanel } from "./notice-panel";
import { AmendmentPanel } from "./amendment-panel";
import { DispatchPanel } from "./dispatch-panel";
import { calendarDate } from "./supervisor-format";
import { nextStep, supervisorSteps, type StepId } from "./supervisor-steps";

/** Where and when the hubs go back, as the booking says (Req 1, 7, 8), and whether work is blocked. */
function BookingFacts(props: { booking: Booking }) {
  const b = props.booking;
  const place = redeliveryLocation(b);
  const date = b.redelivery?.deliveryDate ?? null;
  const window = b.redelivery?.deliveryWindow ?? null;
  return (
    <div className="sup-facts" data-testid="booking-facts">
      <p data-testid="redelivery-to">
        Goes back to <strong>{place.name}</strong>, {place.address}
        {date !== null && window !== null ? (
          <>
            {" "}
            on <strong>{calendarDate(date)}</strong>, {window.start}–{window.end}
          </>
        ) : (
          " (the booking names no re-delivery date)"
        )}
        .
      </p>
      {b.workBlocked ? (
        <p className="form-error" role="alert" data-testid="work-blocked">
          Work on this booking is blocked: {b.workBlocked}.
        </p>
      ) : null}
    </div>
  );
}

/** One received booking's re-delivery, as steps: manifest, labels, load check, ASN, notice, dispatch. */
export function BookingDetail() {
  const view = useDock((s) => s.supervisor);
  const leave = useDock((s) => s.leaveSupervisor);
  const message = useDock((s) => s.supervisorMessage);
  const booking = view?.booking ?? null;
  const labels = useLabels(booking ?? ({} as Booking));
  // Opens at the first step not done, and stays where the supervisor is until they move on.
  const [chosen, setChosen] = useState<StepId | null>(() =>
    view === null ? null : nextStep(supervisorSteps(view, labels.length)),
  );
  if (view === null || booking === null) return null;
  const steps = supervisorSteps(view, labels.length);
  const step = chosen ?? nextStep(steps);
  const at = steps.findIndex((s) => s.id === step);
  const following = steps[at + 1];
  return (
    <>
      <div className="sup-head">
        <h1>
          Re-delivery of {booking.bookingRef} <small>{booking.partyName}</small>
        </h1>
        <button type="button" onClick={leave}>
          Back to received bookings (F10)
        </button>
      </div>
      <BookingFacts booking={booking} />
      <nav aria-label="steps" className="sup-steps">
        <ol>
          {steps.map((s, i) => (
            <li key={s.id}>
              <button
                type="button"
                data-testid={`step-${s.id}`}
                data-done={String(s.done)}
                aria-current={s.id === step ? "step" : undefined}
                onClick={() => setChosen(s.id)}
              >
                <span className="sup-step-title">
                  {s.done ? "✓ " : `${i + 1}. `}
                  {s.title}
                </span>
                <span className="sup-step-summary">{s.summary}</span>
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <AmendmentPanel />
      {message && (
        <p className="status" role="status" data-testid="supervisor-message">
          {message}
        </p>
      )}
      <div className="sup-step" data-testid="sup-step" data-step={step}>
        {step === "manifest" && <ManifestPanel booking={booking} />}
        {step === "labels" && <LabelsPanel labels={labels} />}
        {step === "load" && <LoadPanel />}
        {step === "asn" && <AsnPanel />}
        {step === "notice" && <NoticePanel />}
        {step === "dispatch" && <DispatchPanel />}
        {view.manifest === null && step !== "manifest" && <p>Build the manifest first.</p>}
        {following !== undefined && view.manifest !== null && (
          <button type="button" className="sup-next" data-testid="next-step" onClick={() => setChosen(following.id)}>
            Next: {following.title}
          </button>
        )}
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
