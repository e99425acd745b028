import { z } from "zod";
import { ClockTimeSchema, IsoDateSchema, type DeliveryWindow } from "./booking";

/**
 * Working hours of the re-delivery side (MP155 Req 7: "delivery date and window within
 * Working Hours"). MP155 does not publish them, so they are configuration: per weekday an
 * opening and closing time (or closed), a list of bank holidays, and a minimum notice.
 * Dates and clock times are the dock's local calendar (as bookings carry them); no time zone
 * arithmetic is needed because a window never crosses midnight.
 */

export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const minutes = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

export const OpeningHoursSchema = z
  .strictObject({ open: ClockTimeSchema, close: ClockTimeSchema })
  .refine((h) => minutes(h.open) < minutes(h.close), {
    message: "opening time must be before closing time",
    path: ["close"],
  });
export type OpeningHours = z.infer<typeof OpeningHoursSchema>;

export const WorkingHoursConfigSchema = z.strictObject({
  /** Opening hours per weekday; null means closed that day. */
  days: z.strictObject({
    monday: OpeningHoursSchema.nullable(),
    tuesday: OpeningHoursSchema.nullable(),
    wednesday: OpeningHoursSchema.nullable(),
    thursday: OpeningHoursSchema.nullable(),
    friday: OpeningHoursSchema.nullable(),
    saturday: OpeningHoursSchema.nullable(),
    sunday: OpeningHoursSchema.nullable(),
  }),
  /** Closed all day on these dates, whatever the weekday says. */
  bankHolidays: z.array(IsoDateSchema.refine(isCalendarDate, "not a calendar date")),
  /** Whole days between "today" and the earliest date a delivery may be booked (0 = today allowed). */
  minNoticeDays: z.number().int().min(0).max(365),
});
export type WorkingHoursConfig = z.infer<typeof WorkingHoursConfigSchema>;

/**
 * An example configuration, not a rule: Monday-Friday 08:00-17:00, England and Wales bank
 * holidays of 2026 and 2027 (gov.uk), one day's notice. Each site sets its own; tests pass
 * it in explicitly.
 */
export const EXAMPLE_WORKING_HOURS: WorkingHoursConfig = {
  days: {
    monday: { open: "08:00", close: "17:00" },
    tuesday: { open: "08:00", close: "17:00" },
    wednesday: { open: "08:00", close: "17:00" },
    thursday: { open: "08:00", close: "17:00" },
    friday: { open: "08:00", close: "17:00" },
    saturday: null,
    sunday: null,
  },
  bankHolidays: [
    "2026-01-01",
    "2026-04-03",
    "2026-04-06",
    "2026-05-04",
    "2026-05-25",
    "2026-08-31",
    "2026-12-25",
    "2026-12-28",
    "2027-01-01",
    "2027-03-26",
    "2027-03-29",
    "2027-05-03",
    "2027-05-31",
    "2027-08-30",
    "2027-12-27",
    "2027-12-28",
  ],
  minNoticeDays: 1,
};

export type SlotProblemCode =
  | "invalid-config"
  | "invalid-date"
  | "invalid-window"
  | "closed-day"
  | "bank-holiday"
  | "starts-before-opening"
  | "ends-after-closing"
  | "in-the-past"
  | "too-little-notice";

export interface SlotProblem {
  code: SlotProblemCode;
  message: string;
}

export type SlotCheck = { ok: true; weekday: Weekday; hours: OpeningHours } | { ok: false; problems: SlotProblem[] };

/** True for a YYYY-MM-DD string that names a real day of the Gregorian calendar. */
export function isCalendarDate(date: string): boolean {
  if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Weekday of a calendar date (computed in UTC, so the host's zone cannot shift it). */
export function weekdayOf(date: string): Weekday | null {
  if (!isCalendarDate(date)) return null;
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()] ?? null;
}

function dayNumber(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

/**
 * Checks a delivery date and window against working hours; lists every problem, not just the
 * first, so the supervisor fixes them all at once. `today` (the dock's local date) enables the
 * past-date and notice checks.
 */
export function checkDeliverySlot(
  date: string,
  window: DeliveryWindow,
  config: WorkingHoursConfig,
  today?: string,
): SlotCheck {
  const cfg = WorkingHoursConfigSchema.safeParse(config);
  if (!cfg.success)
    return {
      ok: false,
      problems: [
        {
          code: "invalid-config",
          message: `working hours configuration is invalid: ${cfg.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
        },
      ],
    };
  const problems: SlotProblem[] = [];
  const weekday = weekdayOf(date);
  if (weekday === null)
    problems.push({
      code: "invalid-date",
      message: `delivery date "${String(date)}" is not a calendar date (YYYY-MM-DD)`,
    });

  const start = ClockTimeSchema.safeParse(window?.start);
  const end = ClockTimeSchema.safeParse(window?.end);
  let windowOk = start.success && end.success;
  if (!windowOk)
    problems.push({
      code: "invalid-window",
      message: `delivery window "${String(window?.start)}-${String(window?.end)}" is not HH:MM-HH:MM`,
    });
  else if (minutes(window.start) >= minutes(window.end)) {
    problems.push({
      code: "invalid-window",
      message: `delivery window ${window.start}-${window.end} ends before it starts`,
    });
    windowOk = false;
  }

  let hours: OpeningHours | null = null;
  if (weekday !== null) {
    if (cfg.data.bankHolidays.includes(date))
      problems.push({ code: "bank-holiday", message: `${date} is a bank holiday` });
    hours = cfg.data.days[weekday];
    if (hours === null) problems.push({ code: "closed-day", message: `the site is closed on ${weekday}s (${date})` });
    else if (windowOk) {
      if (minutes(window.start) < minutes(hours.open))
        problems.push({
          code: "starts-before-opening",
          message: `window starts at ${window.start}, before opening at ${hours.open} on ${weekday}`,
        });
      if (minutes(window.end) > minutes(hours.close))
        problems.push({
          code: "ends-after-closing",
          message: `window ends at ${window.end}, after closing at ${hours.close} on ${weekday}`,
        });
    }
    if (today !== undefined) {
      if (!isCalendarDate(today))
        problems.push({ code: "invalid-date", message: `today's date "${today}" is not a calendar date` });
      else {
        const ahead = dayNumber(date) - dayNumber(today);
        if (ahead < 0) problems.push({ code: "in-the-past", message: `${date} is before today (${today})` });
        else if (ahead < cfg.data.minNoticeDays)
          problems.push({
            code: "too-little-notice",
            message: `${date} is ${ahead} day(s) ahead; at least ${cfg.data.minNoticeDays} day(s) notice is needed`,
          });
      }
    }
  }
  if (problems.length > 0 || weekday === null || hours === null) return { ok: false, problems };
  return { ok: true, weekday, hours };
}

/** The problems of a slot check in one line, for a screen or an event note. */
export function describeSlotProblems(check: SlotCheck): string {
  return check.ok ? "within working hours" : check.problems.map((p) => p.message).join("; ");
}
