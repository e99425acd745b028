import { describeSlotProblems } from "../../../shared/domain/working-hours";
import { useDock } from "../store/store-context";

/** A Party's amendment since the manifest was built, to acknowledge. */
export function AmendmentPanel() {
  const view = useDock((s) => s.supervisor);
  const acknowledge = useDock((s) => s.acknowledgeRedeliveryAmendment);
  const a = view?.amendment ?? null;
  if (a === null) return null;
  return (
    <div className="amendment" role="alert" data-testid="redelivery-amendment">
      The Party amended the re-delivery ({a.fields.join(", ")}): now {a.delivery.date} {a.delivery.window.start}-
      {a.delivery.window.end} at {a.delivery.location.name}.{" "}
      {a.slot.ok ? "Within working hours." : `Outside working hours: ${describeSlotProblems(a.slot)}.`}
      <button type="button" data-testid="ack-amendment" onClick={() => void acknowledge()}>
        Acknowledge, rebuild and re-issue the notice
      </button>
    </div>
  );
}
