import { DEFAULT_SITE_TIME_ZONE, formatSiteDateTime } from "../../../shared/domain/site-clock";

/**
 * Small helpers the supervisor panels share: dates and instants as the site reads them (en-GB,
 * 24-hour, the site's time zone, never the PC's locale), and a file download.
 */
export function time(iso: string | null, timeZone: string = DEFAULT_SITE_TIME_ZONE): string {
  return iso === null ? "-" : formatSiteDateTime(iso, timeZone);
}

const calendar = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

/** A calendar date (YYYY-MM-DD, a day of the site's calendar) in en-GB words, e.g. "Mon 1 Feb 2027". */
export function calendarDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  return calendar.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
