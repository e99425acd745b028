import { useEffect } from "react";
import { LABEL_PRINT_CSS } from "../../labels/print-sheet";
import { useDock } from "../store/store-context";
import { OutboundOverlay } from "./outbound-overlay";
import { BookingPicker } from "./booking-picker";
import { ChargesPanel } from "./charges-panel";
import { BookingDetail } from "./booking-detail";
import "./supervisor.css";

/**
 * The supervisor's screens: pick a received booking, build its re-delivery manifest from the
 * jig results, print its labels, scan the load, issue the ASN and the notice, see amendments,
 * dispatch with the outbound liability rule; and the charges per Party. Every control is a
 * plain button or input, so Tab / Enter drive it all; scans go to the load check.
 */

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
    <main className="supervisor receipt" aria-label="supervisor">
      <style>{LABEL_PRINT_CSS}</style>
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
    </main>
  );
}
