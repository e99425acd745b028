// The process's own zone is elsewhere: what is shown must come from the site's zone only.
process.env.TZ = "America/Los_Angeles";

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { showDate, showDateTime, showTime, showWindow } from "./display-time";

describe("dates and times on the dock's screens (en-GB, 24-hour, site clock)", () => {
  it("a booked date is day/month/year with its weekday, never ISO or US order", () => {
    expect(showDate("2026-12-04")).toBe("Fri 04/12/2026");
    expect(showWindow("2026-12-04", { start: "09:00", end: "12:00" })).toBe("Fri 04/12/2026 09:00-12:00");
    expect(showDate("not a date")).toBe("not a date");
  });

  it("an instant at 00:30 BST is the next day, 24-hour, whatever the PC's zone", () => {
    expect(showDateTime("2026-06-30T23:30:00Z", "Europe/London")).toBe("01/07/2026, 00:30");
    expect(showTime("2026-06-30T23:30:00Z", "Europe/London")).toBe("00:30");
    expect(showTime("2026-12-04T15:05:00Z", "Europe/London")).toBe("15:05");
    expect(showDateTime(null)).toBe("-");
    expect(showDateTime("garbage")).toBe("-");
  });

  it("every date shown round-trips to the calendar date it came from (property)", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("1990-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10);
        const [, dd, mm, yyyy] = /^\w{3} (\d{2})\/(\d{2})\/(\d{4})$/.exec(showDate(iso)) ?? [];
        expect(`${yyyy}-${mm}-${dd}`).toBe(iso);
      }),
    );
  });
});
