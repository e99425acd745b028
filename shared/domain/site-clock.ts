import { z } from "zod";
import type { DeliveryWindow } from "./booking";
import { WEEKDAYS, type Weekday, type WorkingHoursConfig } from "./working-hours";

/**
 * One clock for a site (issue 16): every "today", late check, working-hours check and date
 * shown is in the site's IANA time zone, never the PC's or the server's. GB docks are
 * `Europe/London` (GMT in winter, BST in summer).
 *
 * Hand-written on `Intl.DateTimeFormat` (which carries the tz database in every browser and
 * Node) rather than a library: the instant → wall time direction is Intl itself, and wall
 * time → instant is two passes of "guess as UTC, subtract the zone's offset there", which
 * covers both DST changes (rules below). No dependency is added for ~60 lines.
 */

export const DEFAULT_SITE_TIME_ZONE = "Europe/London";

/** True when `tz` names a zone this runtime's tz database knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const SiteTimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, "not an IANA time zone (e.g. Europe/London)");

/** A site's wall clock at one instant. */
export interface WallTime {
  /** YYYY-MM-DD in the site's calendar. */
  date: string;
  /** HH:MM, 24-hour. */
  time: string;
  weekday: Weekday;
  /** Minutes since the site's midnight (wall time). */
  minutes: number;
}

const partsFormat = new Map<string, Intl.DateTimeFormat>();
function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = partsFormat.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      weekday: "long",
    });
    partsFormat.set(tz, f);
  }
  return f;
}

function fields(
  instant: Date,
  tz: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number; weekday: Weekday } {
  const p: Record<string, string> = {};
  for (const part of formatterFor(tz).formatToParts(instant)) p[part.type] = part.value;
  const weekday = (p.weekday ?? "").toLowerCase() as Weekday;
  return {
    y: Number(p.year),
    mo: Number(p.month),
    d: Number(p.day),
    h: Number(p.hour),
    mi: Number(p.minute),
    s: Number(p.second),
    weekday: WEEKDAYS.includes(weekday) ? weekday : "monday",
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

/** The site's wall clock at `instant`. */
export function wallTime(instant: Date, tz: string = DEFAULT_SITE_TIME_ZONE): WallTime {
  const f = fields(instant, tz);
  return {
    date: `${pad(f.y, 4)}-${pad(f.mo)}-${pad(f.d)}`,
    time: `${pad(f.h)}:${pad(f.mi)}`,
    weekday: f.weekday,
    minutes: f.h * 60 + f.mi,
  };
}

/** The site's date today. */
export function siteToday(now: Date, tz: string = DEFAULT_SITE_TIME_ZONE): string {
  return wallTime(now, tz).date;
}

/** The zone's offset from UTC at `instant`, in milliseconds (BST: +3,600,000). */
function offsetAt(instant: number, tz: string): number {
  const f = fields(new Date(instant), tz);
  return Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a wall time at the site names. In the spring gap (01:00-01:59 does not exist in
 * London on the last Sunday of March) it is the instant that many minutes after the gap
 * begins (01:30 → 02:30 BST); in the autumn overlap (01:00-01:59 happens twice) the first.
 */
export function siteInstant(date: string, time: string, tz: string = DEFAULT_SITE_TIME_ZONE): Date {
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const asUtc = Date.UTC(y ?? 1970, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0);
  // The offsets in effect half a day either side; equal unless a change is near.
  const before = offsetAt(asUtc - 43_200_000, tz);
  const after = offsetAt(asUtc + 43_200_000, tz);
  const early = asUtc - before;
  if (before === after) return new Date(early);
  const late = asUtc - after;
  const valid = [early, late].filter((t, i) => offsetAt(t, tz) === (i === 0 ? before : after));
  // Overlap: both readings are real, the first is taken. Gap: neither is, the earlier offset's reading is taken.
  return new Date(valid.length > 0 ? Math.min(...valid) : early);
}

/** True when arriving at `now` is after the end of the booked window, on the site's clock (Req 4). */
export function isLateArrival(
  booking: { deliveryDate: string; deliveryWindow: DeliveryWindow },
  now: Date,
  tz: string = DEFAULT_SITE_TIME_ZONE,
): boolean {
  return now.getTime() > siteInstant(booking.deliveryDate, booking.deliveryWindow.end, tz).getTime();
}

/** True when `now` falls within the site's working hours (a bank holiday or a closed day is not). */
export function withinWorkingHours(
  now: Date,
  config: WorkingHoursConfig,
  tz: string = DEFAULT_SITE_TIME_ZONE,
): boolean {
  const w = wallTime(now, tz);
  if (config.bankHolidays.includes(w.date)) return false;
  const hours = config.days[w.weekday];
  if (hours === null) return false;
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return w.minutes >= m(hours.open) && w.minutes < m(hours.close);
}

const shown = new Map<string, Intl.DateTimeFormat>();
/** An instant as the site reads it: `en-GB`, 24-hour, e.g. "04/12/2026, 09:48". */
export function formatSiteDateTime(instant: Date | string, tz: string = DEFAULT_SITE_TIME_ZONE): string {
  const at = typeof instant === "string" ? new Date(instant) : instant;
  if (Number.isNaN(at.getTime())) return "-";
  let f = shown.get(tz);
  if (!f)
    shown.set(
      tz,
      (f = new Intl.DateTimeFormat("en-GB", {
        timeZone: tz,
        day: "2-digit",
        month: "2-digit",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      })),
    );
  return f.format(at);
}

/** How an arrival at `now` stands against the booked date and window, on the site's clock. */
export type ArrivalTiming =
  { kind: "early"; daysEarly: number; windowStart: Date } | { kind: "on-time" } | { kind: "late"; windowEnd: Date };

/**
 * Early (before the window opens: another day, or the same day before the start), on time
 * (within the window) or late (after it ends, Req 4). "A booking dated a month ahead says
 * arriving now is on time" came from checking only the end; `daysEarly` counts site calendar
 * days (0: earlier the same day).
 */
export function arrivalTiming(
  booking: { deliveryDate: string; deliveryWindow: DeliveryWindow },
  now: Date,
  tz: string = DEFAULT_SITE_TIME_ZONE,
): ArrivalTiming {
  const start = siteInstant(booking.deliveryDate, booking.deliveryWindow.start, tz);
  const end = siteInstant(booking.deliveryDate, booking.deliveryWindow.end, tz);
  if (now.getTime() > end.getTime()) return { kind: "late", windowEnd: end };
  if (now.getTime() >= start.getTime()) return { kind: "on-time" };
  const days = Math.round(
    (Date.parse(`${booking.deliveryDate}T00:00:00Z`) - Date.parse(`${siteToday(now, tz)}T00:00:00Z`)) / 86_400_000,
  );
  return { kind: "early", daysEarly: Math.max(0, days), windowStart: start };
}
