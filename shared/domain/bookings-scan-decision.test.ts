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
    ).toMatchObject({ type: "open", bookingRef: a.bookingRef, recordArrival: true });
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

describe("the booking label records the arrival on the site's clock (issue 18)", () => {
  const label = scan(encodeBookingLabel({ bookingRef: a.bookingRef, deliveryRef: a.deliveryRef }));
  const at = (iso: string) => ({ now: new Date(iso), timeZone: "Europe/London" });
  const booked = { ...a, deliveryDate: "2027-01-04", deliveryWindow: { start: "09:00", end: "12:00" } };

  it("a month ahead is recorded and said to be EARLY, never on time", () => {
    const d = decideBookingsScan(label, [booked], {}, at("2026-12-04T10:00:00Z"));
    expect(d).toMatchObject({ type: "open", recordArrival: true, note: expect.stringContaining("EARLY") });
    expect(d.type === "open" && d.note).toContain("Mon 04/01/2027 09:00-12:00, 31 days ahead");
  });

  it("late is opened without recording: the carrier's ETA is typed first", () => {
    const d = decideBookingsScan(label, [booked], {}, at("2027-01-04T12:30:00Z"));
    expect(d).toMatchObject({ type: "open", recordArrival: false, note: expect.stringContaining("LATE") });
  });

  it("recorded already, or a closed receipt: nothing more is recorded", () => {
    const arrived = { [a.bookingRef]: { status: "open" as const, outcome: null, arrivedAt: "2027-01-04T09:10:00Z" } };
    expect(decideBookingsScan(label, [booked], arrived, at("2027-01-04T10:00:00Z"))).toMatchObject({
      recordArrival: false,
      note: expect.stringContaining("already recorded 04/01/2027, 09:10"),
    });
    const closed = { [a.bookingRef]: { status: "closed" as const, outcome: "accepted" as const, arrivedAt: null } };
    expect(decideBookingsScan(label, [booked], closed, at("2027-01-04T10:00:00Z"))).toMatchObject({
      recordArrival: false,
      note: expect.stringContaining("is closed"),
    });
  });

  it("an unreadable code is answered in plain words with the next step", () => {
    expect(decideBookingsScan(parseScan("X0-11-22-33-44-55-66-77"), bookings, {})).toEqual({
      type: "answer",
      tone: "error",
      text: "Unreadable: rescan, or type the ID printed under the barcode.",
    });
  });
});
