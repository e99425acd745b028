import type { Booking } from "../../../shared/domain/booking";

/**
 * Small pure rules of the receiving screen: the booked window. (The receipt's decisions, how a
 * verdict is logged and what an amendment from central changed are in shared/domain.)
 */

/** The end of the booked delivery window as a local instant (the dock's wall clock). */
export function windowEnd(booking: Booking): Date {
  const [h, m] = booking.deliveryWindow.end.split(":").map(Number);
  const [y, mo, d] = booking.deliveryDate.split("-").map(Number);
  return new Date(y ?? 1970, (mo ?? 1) - 1, d ?? 1, h ?? 0, m ?? 0);
}

/** True when arriving at `now` is after the booked window (Req 4: a late arrival records the reported ETA). */
export function isLate(booking: Booking, now: Date): boolean {
  return now.getTime() > windowEnd(booking).getTime();
}
