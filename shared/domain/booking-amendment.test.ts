import { describe, it, expect } from "vitest";
import { demoBooking } from "./demo-booking";
import { amendedFields, substantiveChanges } from "./booking-amendment";

const sampleBooking = () => demoBooking({ pallets: 2, cartonsPerPallet: 1, hubsPerCarton: 2, looseCartons: 0 });

describe("what a booking amendment changed", () => {
  it("a status move is not an amendment; a new window, a hub change or a cancellation is", () => {
    const b = sampleBooking();
    expect(substantiveChanges(b, { ...b, version: 5, status: "receiving" })).toEqual([]);
    expect(substantiveChanges(b, { ...b, deliveryWindow: { start: "13:00", end: "15:00" } })).toEqual(["window"]);
    expect(substantiveChanges(b, { ...b, pallets: b.pallets.slice(1) })).toEqual(["hubs"]);
    expect(substantiveChanges(b, { ...b, status: "cancelled" })).toEqual(["other"]);
    expect(amendedFields(b, { ...b, version: 2 })).toEqual(["other"]);
  });
});
