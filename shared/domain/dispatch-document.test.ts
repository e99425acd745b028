import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { bookingHubs, DispatchDocumentSchema, type Booking, type DispatchDocument } from "./booking";
import { demoBooking } from "./demo-booking";
import {
  checkDispatchDocument,
  DISPATCH_COLUMNS,
  dispatchedPallet,
  dispatchedPalletOfHub,
  parseDispatchRows,
} from "./dispatch-document";
import type { TemplateRow } from "./request-template";
import { decideBookingsScan } from "./bookings-scan-decision";
import { parseScan } from "./scan-parser";

const booking: Booking = demoBooking({ pallets: 2, cartonsPerPallet: 2, hubsPerCarton: 3, looseCartons: 1 });
const now = new Date("2027-01-01T12:00:00Z");

/** The document a Party would send for this booking: every pallet, every hub on it. */
function fullDocument(b: Booking): DispatchDocument {
  return {
    sentAt: "2027-01-01T08:30:00+00:00",
    partySignifier: "SUP-A-DISPATCH-77",
    pallets: b.pallets.map((p, i) => ({
      sscc: p.sscc,
      palletId: `PAL-${i + 1}`,
      deviceIds: bookingHubs(b)
        .filter((h) => h.palletSscc === p.sscc)
        .map((h) => h.hub.deviceId),
    })),
  };
}
const rowsOf = (doc: DispatchDocument): TemplateRow[] => [
  { line: 1, cells: [...DISPATCH_COLUMNS] },
  ...doc.pallets
    .flatMap((p) => p.deviceIds.map((d) => [p.sscc, p.palletId, d]))
    .map((cells, i) => ({ line: i + 2, cells })),
];

describe("dispatch document", () => {
  it("a complete document for the booking passes, with each pallet's counts", () => {
    const doc = fullDocument(booking);
    expect(DispatchDocumentSchema.safeParse(doc).success).toBe(true);
    expect(checkDispatchDocument(doc, booking, now)).toEqual({
      problems: [],
      pallets: [
        { sscc: booking.pallets[0]?.sscc, palletId: "PAL-1", hubs: 6, booked: 6 },
        { sscc: booking.pallets[1]?.sscc, palletId: "PAL-2", hubs: 6, booked: 6 },
      ],
      notListed: 0,
    });
  });

  it("names a pallet not on the booking, a hub on another pallet, in a loose carton, on no booking, twice, and a time in the future", () => {
    const doc = fullDocument(booking);
    const [p1, p2] = doc.pallets;
    if (!p1 || !p2) throw new Error("two pallets");
    const moved = p2.deviceIds[0] ?? "";
    const loose = booking.looseCartons[0]?.hubs[0]?.deviceId ?? "";
    const bad: DispatchDocument = {
      ...doc,
      sentAt: "2027-01-02T08:00:00Z",
      pallets: [
        { ...p1, deviceIds: [...p1.deviceIds, moved, loose, "00-11-22-33-44-55-66-77", p1.deviceIds[0] ?? ""] },
        { ...p2, sscc: "000000000000000000", deviceIds: p2.deviceIds.slice(1) },
      ],
    };
    const r = checkDispatchDocument(bad, booking, now);
    expect(r.problems).toEqual([
      "the sent date and time 2027-01-02T08:00:00Z is in the future",
      `hub ${moved} is booked on pallet ${p2.sscc}, not on pallet ${p1.sscc}`,
      `hub ${loose} is booked in a loose carton, not on pallet ${p1.sscc}`,
      `hub 00-11-22-33-44-55-66-77 is not on booking ${booking.bookingRef}`,
      `hub ${p1.deviceIds[0]} is listed twice (on pallets ${p1.sscc} and ${p1.sscc})`,
      `pallet 000000000000000000 is not a pallet of booking ${booking.bookingRef} (its pallets: ${booking.pallets.map((p) => p.sscc).join(", ")})`,
    ]);
    expect(r.notListed).toBe(6);
    expect(checkDispatchDocument(doc, { ...booking, status: "arrived" }, now).problems).toEqual([
      `booking ${booking.bookingRef} is arrived: a dispatch document is sent before the delivery arrives`,
    ]);
  });

  it("reads the file a complete document writes back to the same pallets, in any row order (property)", () => {
    const doc = fullDocument(booking);
    const rows = rowsOf(doc);
    const [header, ...data] = rows;
    fc.assert(
      fc.property(fc.shuffledSubarray(data, { minLength: data.length, maxLength: data.length }), (order) => {
        const r = parseDispatchRows([header as TemplateRow, ...order.map((row, i) => ({ ...row, line: i + 2 }))]);
        expect(r.problems).toEqual([]);
        const bySscc = (ps: typeof doc.pallets) =>
          Object.fromEntries(ps.map((p) => [p.sscc, { id: p.palletId, hubs: [...p.deviceIds].sort() }]));
        expect(bySscc(r.pallets ?? [])).toEqual(bySscc(doc.pallets));
      }),
    );
  });

  it("breaking any one row of the file flags that row and reads no pallets (property)", () => {
    const rows = rowsOf(fullDocument(booking));
    const breaks = [
      (c: string[]) => [c[0]?.slice(0, 17) ?? "", c[1] ?? "", c[2] ?? ""],
      (c: string[]) => [c[0] ?? "", "", c[2] ?? ""],
      (c: string[]) => [c[0] ?? "", c[1] ?? "", "00-11-22"],
      (c: string[]) => [c[0] ?? "", c[1] ?? "", `=HYPERLINK("x")`],
      (c: string[]) => [c[0] ?? "", c[1] ?? "", c[2] ?? "", "extra"],
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: rows.length - 1 }),
        fc.integer({ min: 0, max: breaks.length - 1 }),
        (i, b) => {
          const broken = rows.map((r, j) => (j === i ? { ...r, cells: (breaks[b] ?? ((c) => c))(r.cells) } : r));
          const r = parseDispatchRows(broken);
          expect(r.pallets).toBeNull();
          expect(r.problems.map((p) => p.line)).toEqual([i + 1]);
        },
      ),
    );
  });

  it("refuses another layout, an empty file, a hub twice and one pallet under two IDs", () => {
    expect(parseDispatchRows([])).toEqual({ problems: [{ line: 1, reason: "the file is empty" }], pallets: null });
    expect(parseDispatchRows([{ line: 1, cells: ["Pallet", "Device"] }]).problems[0]?.reason).toMatch(
      /the header must be Pallet SSCC, Pallet ID, Device ID/,
    );
    const rows = rowsOf(fullDocument(booking));
    const twice = [...rows, { line: rows.length + 1, cells: [...(rows[1]?.cells ?? [])] }];
    expect(parseDispatchRows(twice).problems).toEqual([
      { line: rows.length + 1, reason: `hub ${rows[1]?.cells[2]} is listed twice (first on row 2)` },
    ]);
    const renamed = rows.map((r, i) => (i === 2 ? { ...r, cells: [r.cells[0] ?? "", "OTHER", r.cells[2] ?? ""] } : r));
    expect(parseDispatchRows(renamed).problems[0]?.reason).toMatch(/is called "PAL-1" on row 2 and "OTHER" here/);
  });

  it("the dock looks a pallet and a hub up in the booking's dispatch document", () => {
    const doc = fullDocument(booking);
    const withDoc: Booking = { ...booking, dispatch: doc };
    const p2 = booking.pallets[1]?.sscc ?? "";
    expect(dispatchedPallet(withDoc, p2)?.palletId).toBe("PAL-2");
    expect(dispatchedPalletOfHub(withDoc, doc.pallets[1]?.deviceIds[2] ?? "")?.sscc).toBe(p2);
    expect(dispatchedPallet(booking, p2)).toBeUndefined();
  });

  it("a pallet or hub scanned on the dock's bookings list names the Party's pallet from the dispatch document", () => {
    const doc = fullDocument(booking);
    const withDoc: Booking = { ...booking, dispatch: doc };
    const p2 = doc.pallets[1];
    if (!p2) throw new Error("two pallets");
    expect(decideBookingsScan(parseScan(`00${p2.sscc}`), [withDoc], {})).toEqual({
      type: "open",
      recordArrival: false,
      bookingRef: booking.bookingRef,
      note: `Pallet ${p2.sscc} is on booking ${booking.bookingRef}: its receipt is open. Scan the pallet again to start on it. The Party's dispatch document SUP-A-DISPATCH-77 calls it PAL-2, with 6 hubs on it.`,
    });
    const hub = p2.deviceIds[0] ?? "";
    expect(decideBookingsScan(parseScan(hub), [withDoc], {})).toMatchObject({
      type: "answer",
      text: expect.stringContaining(`It was sent on pallet ${p2.sscc} (the Party's PAL-2).`),
    });
    // Without a dispatch document, the answer is as before.
    expect(decideBookingsScan(parseScan(`00${p2.sscc}`), [booking], {})).toMatchObject({
      note: expect.not.stringContaining("dispatch document"),
    });
  });
});
