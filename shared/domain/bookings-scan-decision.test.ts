import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideBookingsScan } from "./bookings-scan-decision";
import { demoBooking } from "./demo-booking";
import { encodeBookingLabel, encodePalletLabel } from "./labels";
import { parseScan } from "./scan-parser";

const a = demoBooking({ seed: 3, index: 0, pallets: 2, cartonsPerPallet: 2, hubsPerCarton: 2, looseCartons: 1 });
const b = demoBooking({ seed: 3, index: 1, pallets: 1, cartonsPerPallet: 1, hubsPerCarton: 2, looseCartons: 0 });
const bookings = [a, b];
const scan = (r: { ok: true; scan: string } | { ok: false; reason: string }) => {
  if (!r.ok) throw new Error(r.reason);
  return parseScan(r.scan);
};

describe("a scan on the bookings list", () => {
  it("the DCC booking label opens its booking; another delivery's ref or an unknown booking is named", () => {
    expect(
      decideBookingsScan(
        scan(encodeBookingLabel({ bookingRef: a.bookingRef, deliveryRef: a.deliveryRef })),
        bookings,
        {},
      ),
    ).toEqual({ type: "open", bookingRef: a.bookingRef, note: null });
    expect(
      decideBookingsScan(
        scan(encodeBookingLabel({ bookingRef: a.bookingRef, deliveryRef: "DR-0000-0000" })),
        bookings,
        {},
      ),
    ).toMatchObject({ type: "answer", text: expect.stringContaining("DR-0000-0000") });
    expect(
      decideBookingsScan(scan(encodeBookingLabel({ bookingRef: "BK-NOPE", deliveryRef: "DR-NOPE" })), bookings, {}),
    ).toMatchObject({ type: "answer", text: expect.stringContaining("not known") });
  });

  it("any pallet's SSCC, plain or ours, opens the booking it is on (property); a closed receipt says so", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bookings.flatMap((bk) => bk.pallets.map((p) => [bk.bookingRef, p.sscc] as const))),
        fc.boolean(),
        ([ref, sscc], plain) => {
          const s = plain ? parseScan(`]C100${sscc}`) : scan(encodePalletLabel({ sscc }));
          expect(decideBookingsScan(s, bookings, {})).toMatchObject({ type: "open", bookingRef: ref });
        },
      ),
    );
    const closed = decideBookingsScan(parseScan(`00${a.pallets[0]!.sscc}`), bookings, {
      [a.bookingRef]: { status: "closed", outcome: "partial" },
    });
    expect(closed).toMatchObject({ type: "open", note: expect.stringContaining("closed (partial)") });
  });

  it("everything else gets an answer in words", () => {
    const hub = a.pallets[0]!.cartons[0]!.hubs[0]!.deviceId;
    expect(decideBookingsScan(parseScan(hub), bookings, {})).toMatchObject({
      type: "answer",
      text: expect.stringContaining(a.bookingRef),
    });
    expect(decideBookingsScan(parseScan("CTN-0001X"), bookings, {})).toMatchObject({
      type: "answer",
      text: expect.stringContaining("supplier"),
    });
    expect(decideBookingsScan(parseScan("00050123456789012347"), bookings, {})).toMatchObject({
      type: "answer",
      text: expect.stringContaining("check digit"),
    });
    expect(decideBookingsScan(parseScan("00050123456789012348"), bookings, {})).toMatchObject({
      type: "answer",
      text: expect.stringContaining("on no booking"),
    });
  });
});
