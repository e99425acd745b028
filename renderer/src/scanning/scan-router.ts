import type { ScanSource } from "../../../shared/events";
import { parseScan } from "../../../shared/domain/scan-parser";
import { describeScanPlainly, signedOutAnswer } from "../../../shared/domain/scan-words";
import type { WedgeScan } from "./wedge-reader";
import type { DockStore } from "../store/slice-types";

/**
 * Where a scan goes: every source (wedge, HID-POS over the bridge, camera) lands here and
 * the screen on show decides. On the receipt screen it is judged against the booking; on
 * the booking list a booking label opens that booking's receipt; in scanner set-up the
 * raw wedge read (with its suffix) goes to the self-test.
 */
let selfTestSink: ((scan: WedgeScan) => void) | null = null;

/** The scanner set-up screen takes raw wedge reads while it is open. */
export function setSelfTestSink(sink: ((scan: WedgeScan) => void) | null): void {
  selfTestSink = sink;
}

/** Routes one wedge read. */
export function routeWedgeScan(store: DockStore, scan: WedgeScan): void {
  if (store.getState().screen === "scanner-setup" && selfTestSink !== null) return selfTestSink(scan);
  routeScan(store, scan.raw, "wedge");
}

/** Routes one scan from any source to the screen on show. */
export function routeScan(store: DockStore, raw: string, source: ScanSource, readId?: string): void {
  const s = store.getState();
  // The "database upgraded elsewhere" screen covers everything and says to reload.
  if (s.blockedMessage !== null) return;
  // Every other screen answers in words; before sign-in nothing is recorded.
  if (s.screen === "scanner-setup")
    return s.answerScan(
      `Read ${describeScanPlainly(parseScan(raw))} from this scanner. The self-test here is for keyboard-wedge scanners; nothing was recorded.`,
    );
  if (s.operator === null) {
    // An operator's badge (their ID, known at this dock) fills the sign-in screen's ID field.
    const id = raw.trim();
    if (s.signInDirectory?.operators.some((o) => o.operatorId === id)) return s.scanBadge(id);
    return s.answerScan(signedOutAnswer(parseScan(raw)));
  }
  if (s.screen === "receipt") return s.submitScan(raw, source, readId);
  // The supervisor's outbound load check: pallet and carton labels scanned onto the vehicle.
  if (s.screen === "supervisor") return s.submitOutboundScan(raw, source);
  // The jig station: a hub ID or a slot code (e.g. "B4", a slot label's "JIG-B-4").
  if (s.screen === "jig") return void s.submitJigScan(raw, source);
  // The booking list: a booking label or a pallet's SSCC opens its receipt; anything else is answered.
  if (s.screen === "bookings") return void s.submitBookingsScan(raw);
}
