import { describe, it, expect } from "vitest";
import { sampleBooking } from "../test-support/sample-booking";
import { isLate } from "./receiving-rules";

describe("receiving rules", () => {
  it("late means after the end of the booked window, on the dock's clock", () => {
    const b = sampleBooking(); // 2026-11-26, 09:00-11:00
    expect(isLate(b, new Date(2026, 10, 26, 10, 59))).toBe(false);
    expect(isLate(b, new Date(2026, 10, 26, 11, 1))).toBe(true);
  });
});
