import { DEFAULT_SITE_TIME_ZONE, formatSiteDateTime } from "./site-clock";

/**
 * The one way the dock's screens write dates and times (issue 18): `en-GB` day/month/year
 * and 24-hour times, on the site's clock (shared/domain/site-clock.ts), never ISO and never
 * the PC's locale (which gave `12/4/2026` in US order). Every function takes the zone, so no
 * answer depends on the process's own TZ.
 */

const dates = new Map<string, Intl.DateTimeFormat>();
function dateFormat(tz: string): Intl.DateTimeFormat {
  let f = dates.get(tz);
  if (!f)
    dates.set(
      tz,
      (f = new Intl.DateTimeFormat("en-GB", {
        timeZone: tz,
        weekday: "short",
        day: "2-digit",
        month: "2-digit",
        year: "numeric",
      })),
    );
  return f;
}

const times = new Map<string, Intl.DateTimeFormat>();
function timeFormat(tz: string): Intl.DateTimeFormat {
  let f = times.get(tz);
  if (!f)
    times.set(
      tz,
      (f = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })),
    );
  return f;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A site calendar date (YYYY-MM-DD, as bookings carry it) as "Fri 04/12/2026"; anything else as it came. */
export function showDate(date: string): string {
  const m = ISO_DATE.exec(date);
  if (!m) return date;
  // Noon UTC of that date names the same calendar day in every zone within ±12 h.
  const noon = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  if (Number.isNaN(noon.getTime())) return date;
  return dateFormat("UTC").format(noon).replace(",", "");
}

/** A booked date and window: "Fri 04/12/2026 09:00-12:00". */
export function showWindow(date: string, window: { start: string; end: string }): string {
  return `${showDate(date)} ${window.start}-${window.end}`;
}

/** An instant as the site reads it: "04/12/2026, 09:48" (en-GB, 24-hour); "-" for none or a bad value. */
export function showDateTime(instant: Date | string | number | null, tz: string = DEFAULT_SITE_TIME_ZONE): string {
  if (instant === null) return "-";
  return formatSiteDateTime(typeof instant === "number" ? new Date(instant) : instant, tz);
}

/** The time of day of an instant at the site: "09:48". */
export function showTime(instant: Date | string | number, tz: string = DEFAULT_SITE_TIME_ZONE): string {
  const at = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(at.getTime())) return "-";
  return timeFormat(tz).format(at);
}
