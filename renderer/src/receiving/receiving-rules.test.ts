import { describe, it, expect } from "vitest";
import { sampleBooking } from "../test-support/sample-booking";
import { amendedFields, isLate, substantiveChanges } from "./receiving-rules";

describe("receiving rules", () => {
  it("late means after the end of the booked window, on the dock's clock", () => {
    const b = sampleBooking(); // 2026-11-26, 09:00-11:00
    expect(isLate(b, new Date(2026, 10, 26, 10, 59))).toBe(false);
    expect(isLate(b, new Date(2026, 10, 26, 11, 1))).toBe(true);
  });

  it("a status move is not an amendment; a new window, a hub change or a cancellation is", () => {
    const b = sampleBooking();
    expect(substantiveChanges(b, { ...b, version: 5, status: "receiving" })).toEqual([]);
    expect(substantiveChanges(b, { ...b, deliveryWindow: { start: "13:00", end: "15:00" } })).toEqual(["window"]);
    expect(substantiveChanges(b, { ...b, pallets: b.pallets.slice(1) })).toEqual(["hubs"]);
    expect(substantiveChanges(b, { ...b, status: "cancelled" })).toEqual(["other"]);
    expect(amendedFields(b, { ...b, version: 2 })).toEqual(["other"]);
  });
});
