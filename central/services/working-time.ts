import type { BusinessConfig } from "../config";

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

/** Today's date (UTC) as YYYY-MM-DD. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Why a date and window fall outside Working Hours, or null when they are inside. */
export function workingHoursProblem(cfg: BusinessConfig, date: string, window: { start: string; end: string }): string | null {
  if (Number.isNaN(Date.parse(`${date}T00:00:00Z`))) return `${date} is not a calendar date`;
  if (!cfg.workingHours.days.includes(dayOfWeek(date))) return `${date} is not a working day`;
  if (window.start >= window.end) return `window ${window.start}-${window.end} ends before it starts`;
  if (window.start < cfg.workingHours.start || window.end > cfg.workingHours.end)
    return `window ${window.start}-${window.end} is outside Working Hours ${cfg.workingHours.start}-${cfg.workingHours.end}`;
  return null;
}
