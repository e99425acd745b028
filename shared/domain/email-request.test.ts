import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseEmailDetails } from "./email-request";

const body = [
  "Hello DCC,",
  "",
  "Facility: FAC-N1",
  "Arrival location: LOC-N1-GOODS-IN",
  "Arrival date: 2026-12-10",
  "Arrival window: 08:00-10:00",
  "Re-delivery location: PL-A-DEPOT",
  "Re-delivery date: 2026-12-15",
  "Re-delivery window: 10:00 - 12:00",
  "Contact name: Sam Jones",
  "Contact phone: 0161 496 0000",
  "",
  "Thanks",
].join("\r\n");

describe("parseEmailDetails", () => {
  it("reads the details a message gives, the sender standing for the contact email", () => {
    const r = parseEmailDetails(body, "sam@party.example");
    expect(r).toEqual({
      ok: true,
      details: {
        facilityId: "FAC-N1",
        deliveryLocationId: "LOC-N1-GOODS-IN",
        deliveryDate: "2026-12-10",
        deliveryWindow: { start: "08:00", end: "10:00" },
        redelivery: {
          locationId: "PL-A-DEPOT",
          deliveryDate: "2026-12-15",
          deliveryWindow: { start: "10:00", end: "12:00" },
        },
        contact: { name: "Sam Jones", email: "sam@party.example", phone: "0161 496 0000" },
      },
    });
  });

  it("names every missing detail, and ignores quoted lines and the signature", () => {
    const quoted = body
      .split("\r\n")
      .map((l) => (/^(Facility|Contact phone)/.test(l) ? `> ${l}` : l))
      .join("\n");
    const r = parseEmailDetails(`${quoted}\n-- \nFacility: FAC-N1\n`, "a@b.example");
    expect(r).toEqual({ ok: false, problems: ["the message does not say: Facility, Contact phone"] });
  });

  it("names a detail given twice differently and a malformed window or date", () => {
    const r = parseEmailDetails(
      `${body}\nFacility: FAC-N2\n`.replace("10:00 - 12:00", "ten till noon").replace("2026-12-10", "10/12/2026"),
      "a@b.example",
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([`"Facility" is given twice, as "FAC-N1" and "FAC-N2"; give it once`]);
    const r2 = parseEmailDetails(
      body.replace("10:00 - 12:00", "ten till noon").replace("2026-12-10", "10/12/2026"),
      "a@b.example",
    );
    expect(r2).toEqual({
      ok: false,
      problems: [
        `"Arrival date": date must be yyyy-mm-dd`,
        `"Re-delivery window" must be a time window such as 08:00-10:00`,
      ],
    });
  });

  it("any order, letter case and spacing of the names, among other lines, reads the same (property)", () => {
    const lines = body.split("\r\n").filter((l) => l.includes(":"));
    const ref = parseEmailDetails(body, "sam@party.example");
    fc.assert(
      fc.property(
        fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
        fc.array(
          fc.string().filter((s) => !s.includes(":") && !s.includes("\n") && !s.includes("\r") && s !== "-- "),
          {
            maxLength: 5,
          },
        ),
        fc.boolean(),
        (order, noise, upper) => {
          const text = [...noise, ...order.map((l) => (upper ? l.replace(/^[^:]+/, (k) => k.toUpperCase()) : l))].join(
            "\n",
          );
          expect(parseEmailDetails(text, "sam@party.example")).toEqual(ref);
        },
      ),
    );
  });

  it("never throws, whatever the text (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const r = parseEmailDetails(text, "x@y.example");
        expect(typeof r.ok).toBe("boolean");
      }),
    );
  });
});
