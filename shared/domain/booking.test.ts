import { describe, expect, it } from "vitest";
import { BookingSchema, DEFAULT_PACKING_LIMITS, bookingHubCount, packingBreaches, type Booking } from "./booking";

const hub = (n: number) => ({
  deviceId: `88-73-84-57-00-2F-${n
    .toString(16)
    .padStart(4, "0")
    .toUpperCase()
    .replace(/(..)(..)/, "$1-$2")}`,
  gpfDeviceId: `88-73-84-57-00-30-${n
    .toString(16)
    .padStart(4, "0")
    .toUpperCase()
    .replace(/(..)(..)/, "$1-$2")}`,
  manufacturer: "AB01",
  deviceModel: "010A030B",
  firmwareVersion: "0002012F",
  smiStatus: "Pending" as const,
  assignedParty: "SUPPLIER-A",
  cspRegion: "Central" as const,
});

function booking(hubsPerCarton: number, cartons: number): Booking {
  let n = 0;
  return BookingSchema.parse({
    bookingRef: "BK-0001",
    deliveryRef: "DR-0001",
    workOrderId: "WO-1",
    partyId: "SUPPLIER-A",
    partyName: "Supplier A",
    csp: "CentralSouth",
    facilityId: "CS-3PL-1",
    deliveryLocation: { id: "LOC-1", name: "Dock 1", address: "1 Dock Road" },
    deliveryDate: "2026-12-01",
    deliveryWindow: { start: "08:00", end: "12:00" },
    status: "authorised",
    version: 0,
    pallets: [
      {
        sscc: "350123450000000017",
        cartons: Array.from({ length: cartons }, (_, c) => ({
          sscc: `3501234500000${String(c).padStart(4, "0")}0`,
          hubs: Array.from({ length: hubsPerCarton }, () => hub(n++)),
        })),
      },
    ],
    looseCartons: [],
  });
}

describe("booking", () => {
  it("counts hubs across pallets and cartons", () => {
    expect(bookingHubCount(booking(32, 28))).toBe(896);
  });
  it("reports cartons and pallets over the configured limits", () => {
    expect(packingBreaches(booking(32, 28), DEFAULT_PACKING_LIMITS)).toEqual([]);
    const breaches = packingBreaches(booking(33, 29), DEFAULT_PACKING_LIMITS);
    expect(breaches.filter((b) => b.kind === "pallet-over-limit")).toHaveLength(1);
    expect(breaches.filter((b) => b.kind === "carton-over-limit")).toHaveLength(29);
  });
  it("refuses unknown fields and malformed IDs", () => {
    const good = booking(1, 1);
    expect(BookingSchema.safeParse({ ...good, extra: 1 }).success).toBe(false);
    expect(BookingSchema.safeParse({ ...good, bookingRef: "bk 1; drop table" }).success).toBe(false);
  });
});
