import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ASN_CSV_COLUMNS,
  asnCsv,
  asnIssuedPayload,
  asnJson,
  asnPartyCode,
  asnSha256,
  buildAsnDocument,
  checkAsnNumberIsNew,
  csvField,
  nextAsnNumber,
  parseAsnJson,
  type AsnDocument,
} from "./asn";
import { bookingCartons } from "./booking";
import { demoBooking } from "./demo-booking";
import { buildManifest, manifestHubs, type ManifestPayload } from "./manifest";
import { EXAMPLE_WORKING_HOURS } from "./working-hours";
import { AsnIssuedPayload } from "../events";

const booking = demoBooking({
  pallets: 1,
  cartonsPerPallet: 2,
  hubsPerCarton: 3,
  looseCartons: 1,
  partyId: "SUPPLIER-A",
});
function manifest(): ManifestPayload {
  const r = buildManifest({
    manifestId: "RD-ASN-1",
    bookings: [booking],
    results: bookingCartons(booking)
      .flatMap(({ carton }) => carton.hubs)
      .map((h) => ({ deviceId: h.deviceId, outcome: "flashed" as const, firmwareVersion: "00020200" })),
    targetVersionByModel: { "010A030B": "00020200" },
    deliveryDate: "2027-02-02",
    deliveryWindow: { start: "09:00", end: "12:00" },
    workingHours: EXAMPLE_WORKING_HOURS,
  });
  if (!r.ok) throw new Error(r.message);
  return r.payload;
}
function doc(asnNumber = "ASN-SUPPLIERA-20270202-001", partyName = booking.partyName): AsnDocument {
  const r = buildAsnDocument({
    asnNumber,
    issuedAt: "2027-02-01T15:00:00.000Z",
    manifest: manifest(),
    partyName,
    shipFrom: { csp: booking.csp, facilityId: booking.facilityId },
  });
  if (!r.ok) throw new Error(r.reason);
  return r.document;
}

/** A strict RFC 4180 reader for the test (CRLF rows, quoted fields with doubled quotes). */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i] ?? "";
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      i++;
      continue;
    }
    if (ch === ",") {
      row.push(field);
      field = "";
      i++;
      continue;
    }
    if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
      continue;
    }
    field += ch;
    i++;
  }
  if (field !== "" || row.length > 0) throw new Error("CSV does not end with CRLF");
  return rows;
}

describe("ASN numbers", () => {
  it("format ASN-<PARTY>-<YYYYMMDD>-<NNN>, sequence after the highest issued", () => {
    expect(nextAsnNumber([], "Supplier-A", "2027-02-02")).toEqual({
      ok: true,
      asnNumber: "ASN-SUPPLIERA-20270202-001",
    });
    expect(
      nextAsnNumber(
        [
          "ASN-SUPPLIERA-20270202-001",
          "asn-suppliera-20270202-007",
          "ASN-SUPPLIERA-20270203-050",
          "ASN-MAPC-20270202-020",
        ],
        "SUPPLIER-A",
        "2027-02-02",
      ),
    ).toEqual({ ok: true, asnNumber: "ASN-SUPPLIERA-20270202-008" });
    expect(nextAsnNumber(["ASN-SUPPLIERA-20270202-999"], "SUPPLIER-A", "2027-02-02")).toEqual({
      ok: true,
      asnNumber: "ASN-SUPPLIERA-20270202-1000",
    });
    expect(nextAsnNumber(["ASN-SUPPLIERA-20270202-9999"], "SUPPLIER-A", "2027-02-02").ok).toBe(false);
    expect(nextAsnNumber([], "---", "2027-02-02").ok).toBe(false);
    expect(nextAsnNumber([], "A", "2027/02/02").ok).toBe(false);
    expect(asnPartyCode("meter asset provider c (north)")).toBe("METERASSETPROVID");
  });

  it("refuses a number already issued (also written with another case or padding) and a malformed one", () => {
    const issued = ["ASN-SUPPLIERA-20270202-001"];
    expect(checkAsnNumberIsNew(issued, "ASN-SUPPLIERA-20270202-002")).toEqual({ ok: true });
    expect(checkAsnNumberIsNew(issued, "ASN-SUPPLIERA-20270202-001")).toMatchObject({ ok: false, code: "reused" });
    expect(checkAsnNumberIsNew(["asn-suppliera-20270202-0001"], "ASN-SUPPLIERA-20270202-001")).toMatchObject({
      ok: false,
      code: "reused",
    });
    expect(checkAsnNumberIsNew(issued, "ASN 1")).toMatchObject({ ok: false, code: "malformed" });
  });

  it("property: issuing with nextAsnNumber, one after another, never repeats and always passes the check", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("SUPPLIER-A", "MAP-C"), fc.constantFrom("2027-02-02", "2027-02-03")), {
          maxLength: 40,
        }),
        (steps) => {
          const issued: string[] = [];
          for (const [party, date] of steps) {
            const n = nextAsnNumber(issued, party, date);
            expect(n.ok).toBe(true);
            if (!n.ok) return;
            expect(checkAsnNumberIsNew(issued, n.asnNumber)).toEqual({ ok: true });
            expect(AsnIssuedPayload.shape.asnNumber.safeParse(n.asnNumber).success).toBe(true);
            issued.push(n.asnNumber);
          }
          expect(new Set(issued).size).toBe(issued.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("the ASN document", () => {
  it("lists every manifest hub once, with totals that add up", () => {
    const d = doc();
    expect(d.totals).toEqual({ pallets: 1, cartons: 3, hubs: 9 });
    const ids = [...d.pallets.flatMap((p) => p.cartons), ...d.looseCartons].flatMap((c) =>
      c.hubs.map((h) => h.deviceId),
    );
    expect(ids).toEqual(manifestHubs(manifest()).map((h) => h.deviceId));
    expect(d.party).toEqual({ id: "SUPPLIER-A", name: booking.partyName });
  });

  it("refuses a bad ASN number or a manifest that breaks the schema", () => {
    const r = buildAsnDocument({
      asnNumber: "ASN-1",
      issuedAt: "2027-02-01T15:00:00.000Z",
      manifest: manifest(),
      partyName: "X",
      shipFrom: { csp: "North", facilityId: "N-DOCK-1" },
    });
    expect(r.ok).toBe(false);
    const m = manifest();
    const twice = { ...m, looseCartons: [...m.looseCartons, ...m.looseCartons] };
    const r2 = buildAsnDocument({
      asnNumber: "ASN-X-20270202-001",
      issuedAt: "2027-02-01T15:00:00.000Z",
      manifest: twice,
      partyName: "X",
      shipFrom: { csp: "North", facilityId: "N-DOCK-1" },
    });
    expect(!r2.ok && r2.reason).toMatch(/listed twice/);
  });

  it("JSON is canonical: reading it back and writing it again gives the same bytes and hash", async () => {
    const d = doc();
    const text = asnJson(d);
    expect(text).toBe(JSON.stringify(JSON.parse(text))); // no formatting whitespace
    expect(Object.keys(JSON.parse(text) as object)).toEqual(Object.keys(JSON.parse(text) as object).sort());
    const back = parseAsnJson(text);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(asnJson(back.document)).toBe(text);
    const sha = await asnSha256(d);
    expect(sha).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
    const p = asnIssuedPayload(d, sha);
    expect(p.ok && AsnIssuedPayload.safeParse(p.payload).success).toBe(true);
    expect(p.ok && p.payload).toMatchObject({
      asnNumber: d.asnNumber,
      manifestId: "RD-ASN-1",
      partyId: "SUPPLIER-A",
      hubCount: 9,
    });
    expect(asnIssuedPayload(d, "ABC").ok).toBe(false);
    expect(parseAsnJson("{").ok).toBe(false);
    expect(parseAsnJson(JSON.stringify({ ...d, totals: { ...d.totals, hubs: 8 } })).ok).toBe(false);
  });

  it("a different ASN number gives a different hash (a re-issue is a new document)", async () => {
    expect(await asnSha256(doc("ASN-SUPPLIERA-20270202-001"))).not.toBe(
      await asnSha256(doc("ASN-SUPPLIERA-20270202-002")),
    );
  });

  it("CSV: RFC 4180, a header then one row per hub with pallet/carton SSCC, GUID and new firmware", () => {
    const d = doc("ASN-SUPPLIERA-20270202-001", 'Supplier "A", Energy');
    const text = asnCsv(d);
    expect(text.endsWith("\r\n")).toBe(true);
    const rows = readCsv(text);
    expect(rows[0]).toEqual([...ASN_CSV_COLUMNS]);
    expect(rows.length).toBe(1 + 9);
    const col = (name: (typeof ASN_CSV_COLUMNS)[number]) => ASN_CSV_COLUMNS.indexOf(name);
    const hubs = manifestHubs(manifest());
    rows.slice(1).forEach((r, i) => {
      expect(r.length).toBe(ASN_CSV_COLUMNS.length);
      expect(r[col("device_id")]).toBe(hubs[i]?.deviceId);
      expect(r[col("carton_sscc")]).toBe(hubs[i]?.cartonSscc);
      expect(r[col("pallet_sscc")]).toBe(hubs[i]?.palletSscc ?? "");
      expect(r[col("firmware_version")]).toBe("00020200");
      expect(r[col("asn_number")]).toBe(d.asnNumber);
    });
  });

  it("CSV: a dock-supplied value beginning with = + - @ reaches the Party as text, never a formula", () => {
    const d = doc("ASN-SUPPLIERA-20270202-001");
    const hostile = {
      ...d,
      party: { ...d.party, id: '=HYPERLINK("http://evil.example","x")' },
      deliveryLocation: { ...d.deliveryLocation, id: "@SUM(1)" },
    };
    const rows = readCsv(asnCsv(hostile));
    for (const r of rows.slice(1)) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(rows[1]?.[ASN_CSV_COLUMNS.indexOf("party_id")]).toBe(`'${hostile.party.id}`);
  });

  it("property: csvField round-trips any text through an RFC 4180 reader", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom("a", ",", '"', "\r", "\n", " ", "é") }), {
          minLength: 1,
          maxLength: 5,
        }),
        (fields) => {
          const line = fields.map(csvField).join(",") + "\r\n";
          expect(readCsv(line)).toEqual([fields]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("ASN for hubs listed on a pallet alone (issue 16)", () => {
  it("carries them on their pallet with the supplier's carton number; totals and the CSV agree", () => {
    const hubs = booking.pallets[0]!.cartons.flatMap((c) => c.hubs);
    const palletOnly = {
      ...booking,
      pallets: [{ sscc: booking.pallets[0]!.sscc, cartons: [], hubs }],
      looseCartons: [],
    };
    const built = buildManifest({
      manifestId: "RD-ASN-2",
      bookings: [palletOnly],
      results: hubs.map((h) => ({ deviceId: h.deviceId, outcome: "flashed" as const, firmwareVersion: "00020200" })),
      targetVersionByModel: { "010A030B": "00020200" },
      deliveryDate: "2027-02-02",
      deliveryWindow: { start: "09:00", end: "12:00" },
      workingHours: EXAMPLE_WORKING_HOURS,
      arrivedIn: new Map([[hubs[0]!.deviceId, { cartonSscc: null, cartonNumber: "SUP-CTN-0001" }]]),
    });
    if (!built.ok) throw new Error(built.message);
    const r = buildAsnDocument({
      asnNumber: "ASN-SUPPLIERA-20270202-009",
      issuedAt: "2027-02-01T15:00:00.000Z",
      manifest: built.payload,
      partyName: booking.partyName,
      shipFrom: { csp: booking.csp, facilityId: booking.facilityId },
    });
    if (!r.ok) throw new Error(r.reason);
    expect(r.document.totals).toEqual({ pallets: 1, cartons: 0, hubs: hubs.length });
    expect(r.document.pallets[0]?.hubs?.[0]).toEqual({
      deviceId: hubs[0]!.deviceId,
      firmwareVersion: "00020200",
      cartonNumber: "SUP-CTN-0001",
    });
    expect(parseAsnJson(asnJson(r.document))).toEqual({ ok: true, document: r.document });
    const rows = readCsv(asnCsv(r.document));
    const col = (name: string) => rows[0]!.indexOf(name);
    expect(rows).toHaveLength(1 + hubs.length);
    expect(rows[1]![col("carton_number")]).toBe("SUP-CTN-0001");
    expect(rows[1]![col("carton_sscc")]).toBe("");
    expect(rows[1]![col("pallet_sscc")]).toBe(booking.pallets[0]!.sscc);
  });
});
