import type { Booking } from "../../../shared/domain/booking";
import { DEFAULT_SITE_TIME_ZONE, isLateArrival, siteInstant } from "../../../shared/domain/site-clock";

/**
 * Small pure rules of the receiving screen: the booked window, on the site's clock
 * (shared/domain/site-clock.ts), never the PC's zone. (The receipt's decisions, how a verdict
 * is logged and what an amendment from central changed are in shared/domain.)
 */

/** The end of the booked delivery window: the instant the site's wall clock reads it. */
export function windowEnd(booking: Booking, timeZone: string = DEFAULT_SITE_TIME_ZONE): Date {
  return siteInstant(booking.deliveryDate, booking.deliveryWindow.end, timeZone);
}

/** True when arriving at `now` is after the booked window (Req 4: a late arrival records the reported ETA). */
export function isLate(booking: Booking, now: Date, timeZone: string = DEFAULT_SITE_TIME_ZONE): boolean {
  return isLateArrival(booking, now, timeZone);
}

/** A reported ETA typed as the site's wall time (a `datetime-local` value, YYYY-MM-DDTHH:MM) as an ISO instant, or null. */
export function etaInstant(local: string, timeZone: string = DEFAULT_SITE_TIME_ZONE): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(local);
  return m ? siteInstant(m[1]!, m[2]!, timeZone).toISOString() : null;
}
