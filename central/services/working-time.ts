import type { BusinessConfig } from "../config";
import { checkDeliverySlot, describeSlotProblems } from "../../shared/domain/working-hours";
import { DEFAULT_SITE_TIME_ZONE, siteToday } from "../../shared/domain/site-clock";

/** Day of week (0 Sunday) of a YYYY-MM-DD date, in UTC so no zone shifts it. */
export function dayOfWeek(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * Today's date at the site as YYYY-MM-DD (issue 16): on the site's clock, never the server's
 * UTC (at 00:30 BST the UTC date is still yesterday, and "today" would let a past date through).
 */
export function today(now = new Date(), timeZone: string = DEFAULT_SITE_TIME_ZONE): string {
  return siteToday(now, timeZone);
}

/** The site's time zone central works in (configuration; Europe/London when not set). */
export function siteZone(cfg: Pick<BusinessConfig, "siteTimeZone">): string {
  return cfg.siteTimeZone ?? DEFAULT_SITE_TIME_ZONE;
}

/**
 * Why a date and window fall outside Working Hours, or null when they are inside: the dock's
 * own rule (checkDeliverySlot) over the configured opening hours, bank holidays and, when
 * `todayDate` is given, the past and the minimum notice.
 */
export function workingHoursProblem(
  cfg: BusinessConfig,
  date: string,
  window: { start: string; end: string },
  todayDate?: string,
): string | null {
  const check = checkDeliverySlot(date, window, cfg.workingHours, todayDate);
  return check.ok ? null : describeSlotProblems(check);
}
