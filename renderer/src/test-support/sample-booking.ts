import type { BookedHub, Booking } from "../../../shared/domain/booking";

/**
 * Small, valid bookings for unit tests and the offline demo: deterministic hub IDs so a
 * test can name "hub 3 of carton 2" without a lookup table.
 */

/** GS1 mod-10 check digit of the first 17 digits of an SSCC. */
export function ssccCheckDigit(body17: string): number {
  let sum = 0;
  for (let i = 0; i < body17.length; i++) {
    const d = Number(body17[body17.length - 1 - i]);
    sum += d * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** A valid 18-digit SSCC from a serial number (extension digit 0, a fixed company prefix). */
export function sscc(serial: number): string {
  const body = `0501234${String(serial).padStart(10, "0")}`;
  return body + String(ssccCheckDigit(body));
}

/** A canonical hub Device ID from a number: `0A-1B-00-00-00-00-xx-xx` style. */
export function hubId(prefix: number, n: number): string {
  const hex = (prefix.toString(16).padStart(4, "0") + n.toString(16).padStart(12, "0")).toUpperCase();
  return hex.match(/../g)!.join("-");
}

function hub(deviceId: string, gpfDeviceId: string): BookedHub {
  return {
    deviceId,
    gpfDeviceId,
    manufacturer: "AB01",
    deviceModel: "010A030B",
    firmwareVersion: "0002012F",
    smiStatus: "Pending",
    assignedParty: "PARTY-1",
    cspRegion: "Central",
  };
}

/** A booking of `pallets` pallets of `cartons` cartons of `hubs` hubs, ids seeded by `seed`. */
export function sampleBooking(bookingRef = "BK-1001", seed = 1, pallets = 2, cartons = 2, hubs = 3): Booking {
  let n = 0;
  let s = seed * 1000;
  return {
    bookingRef,
    deliveryRef: `DR-${bookingRef.slice(3)}`,
    workOrderId: `WO-${bookingRef}`,
    partyId: "PARTY-1",
    partyName: "Example Energy Ltd",
    csp: "CentralSouth",
    facilityId: "FAC-CS-1",
    deliveryLocation: { id: "LOC-1", name: "Central & South dock", address: "Unit 1, Example Park" },
    deliveryDate: "2026-11-26",
    deliveryWindow: { start: "09:00", end: "11:00" },
    status: "authorised",
    version: 1,
    pallets: Array.from({ length: pallets }, () => ({
      sscc: sscc(++s),
      cartons: Array.from({ length: cartons }, () => ({
        sscc: sscc(++s),
        hubs: Array.from({ length: hubs }, () => {
          n++;
          return hub(hubId(0x0a00 + seed, n), hubId(0x0b00 + seed, n));
        }),
      })),
    })),
    looseCartons: [],
  };
}
