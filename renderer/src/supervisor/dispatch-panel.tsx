import { useState } from "react";
import type { Unloader } from "../../../shared/domain/liability";
import { useDock } from "../store/store-context";
import { time } from "./supervisor-format";
import { SmiPanel } from "./smi-panel";

/** Records dispatch and the outbound unloading, with the liability rule. */
export function DispatchPanel() {
  const view = useDock((s) => s.supervisor);
  const dispatch = useDock((s) => s.recordDispatch);
  const start = useDock((s) => s.startOutboundUnloading);
  const complete = useDock((s) => s.completeOutboundUnloading);
  const timeZone = useDock((s) => s.siteTimeZone);
  const [unloader, setUnloader] = useState<Unloader>("party");
  const [carrier, setCarrier] = useState("");
  const [vehicle, setVehicle] = useState("");
  if (view === null || view.manifest === null) return null;
  const ready = view.loadCheck?.agrees === true && view.asn !== null;
  const u = view.unloading;
  return (
    <section aria-label="dispatch" data-testid="dispatch-panel">
      <h2>Dispatch</h2>
      <SmiPanel />
      {view.dispatch === null ? (
        <>
          <fieldset>
            <legend>Who unloads at the Party&apos;s end?</legend>
            <label>
              <input
                type="radio"
                name="outUnloader"
                checked={unloader === "party"}
                onChange={() => setUnloader("party")}
              />{" "}
              The Party
            </label>
            <label>
              <input
                type="radio"
                name="outUnloader"
                checked={unloader === "dock"}
                onChange={() => setUnloader("dock")}
              />{" "}
              Our (DCC side) crew
            </label>
          </fieldset>
          <label>
            Carrier <input name="carrier" value={carrier} onChange={(e) => setCarrier(e.target.value)} />
          </label>
          <label>
            Vehicle <input name="vehicleRef" value={vehicle} onChange={(e) => setVehicle(e.target.value)} />
          </label>
          <button
            type="button"
            data-testid="dispatch"
            disabled={!ready}
            onClick={() => void dispatch({ unloader, carrier, vehicleRef: vehicle })}
          >
            Dispatch
          </button>
          {!ready && <p>Dispatch needs the load to agree with the manifest and a new ASN.</p>}
          <p>
            Dispatch also needs every hub&apos;s SMI update confirmed: the dock asks central again when you dispatch.
          </p>
        </>
      ) : (
        <div data-testid="dispatched">
          Dispatched under ASN {view.dispatch.asnNumber}: {view.dispatch.palletCount} pallet(s),{" "}
          {view.dispatch.cartonCount} carton(s), {view.dispatch.hubCount} hub(s);{" "}
          {view.dispatch.unloader === "party" ? "the Party unloads" : "our crew unloads"}.
          {u === null && (
            <button type="button" data-testid="start-outbound-unloading" onClick={() => void start()}>
              Unloading started at the Party
            </button>
          )}
          {u !== null && <div>Unloading started {time(u.startedAt, timeZone)}</div>}
          {u !== null && u.completedAt === null && (
            <button type="button" data-testid="complete-outbound-unloading" onClick={() => void complete()}>
              Unloading complete
            </button>
          )}
          {u?.completedAt && <div>Unloading completed {time(u.completedAt, timeZone)}</div>}
          <div className="liability" data-testid="outbound-liability">
            Liability:{" "}
            {u?.liabilityAt ? (
              <strong>passed to the Party at {time(u.liabilityAt, timeZone)}</strong>
            ) : (
              "still with the DCC side"
            )}
            {u?.liabilityRule && <div className="rule">{u.liabilityRule}</div>}
          </div>
        </div>
      )}
    </section>
  );
}
