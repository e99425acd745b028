import type { BookedHub } from "../../../shared/domain/booking";
import type { DockDb } from "../db/dock-db";

/**
 * A hub may go on a jig only once this dock has received it against a booking: the
 * hub-state projection says "received", and the receipt's booking lists it. The booked
 * record travels with `jig.load`, because the host holds no bookings.
 */
export async function findReceivedHub(db: DockDb, deviceId: string): Promise<{ ok: true; hub: BookedHub; bookingRef: string } | { ok: false; reason: string }> {
  const state = await db.hubStates.get(deviceId);
  if (state === undefined) return { ok: false, reason: `hub ${deviceId} has not been received at this dock` };
  if (state.state !== "received") return { ok: false, reason: `hub ${deviceId} was refused at receipt (booking ${state.bookingRef})` };
  const receipt = await db.receipts.get(state.bookingRef);
  const booking = receipt?.booking ?? (await db.bookings.get(state.bookingRef))?.booking;
  if (booking === undefined) return { ok: false, reason: `booking ${state.bookingRef} of hub ${deviceId} is not held at this dock` };
  for (const pallet of booking.pallets) for (const carton of pallet.cartons) for (const hub of carton.hubs) if (hub.deviceId === deviceId) return { ok: true, hub, bookingRef: booking.bookingRef };
  return { ok: false, reason: `hub ${deviceId} is not listed on booking ${booking.bookingRef}` };
}
