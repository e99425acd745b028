import type { BookedHub } from "../../../shared/domain/booking";
import { decideHubForJig, type JigRefusalCode } from "../../../shared/domain/jig-slot-decision";
import type { DockDb } from "../db/dock-db";

/**
 * A hub may go on a jig only once this dock received it and closed its receipt accepting it
 * (the rule: `decideHubForJig` in shared/domain/jig-slot-decision.ts). This reads the facts:
 * the hub-state row, the scan that set it, the receipt and its close. The booked record
 * travels with `jig.load`, because the host holds no bookings.
 */
export async function findReceivedHub(
  db: DockDb,
  deviceId: string,
): Promise<{ ok: true; hub: BookedHub; bookingRef: string } | { ok: false; code: JigRefusalCode; reason: string }> {
  const state = await db.hubStates.get(deviceId);
  if (state === undefined)
    return decideHubForJig({
      deviceId,
      hubState: null,
      lastScan: null,
      receipt: null,
      rejectedAtClose: null,
      booking: null,
    });
  const last = (await db.events.where("id").equals(state.lastEventId).first())?.event;
  const lastScan =
    last?.type === "scan.recorded" ? { verdict: last.payload.verdict, reason: last.payload.reason } : null;
  const receipt = await db.receipts.get(state.bookingRef);
  let rejectedAtClose: { code: string; reason: string } | null = null;
  if (receipt?.status === "closed") {
    // By type (one close per receipt), not by booking (every scan of a 1,792-hub delivery).
    const closes = await db.events
      .where("type")
      .equals("receipt.closed")
      .filter((e) => e.bookingRef === state.bookingRef)
      .toArray();
    const close = closes.at(-1)?.event;
    const line =
      close?.type === "receipt.closed" ? close.payload.rejectedHubs.find((h) => h.deviceId === deviceId) : undefined;
    if (line) rejectedAtClose = { code: line.code, reason: line.reason };
  }
  const booking = receipt?.booking ?? (await db.bookings.get(state.bookingRef))?.booking ?? null;
  return decideHubForJig({
    deviceId,
    hubState: { state: state.state, bookingRef: state.bookingRef },
    lastScan,
    receipt: receipt ? { status: receipt.status, outcome: receipt.outcome } : null,
    rejectedAtClose,
    booking,
  });
}
