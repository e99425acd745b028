/**
 * The Advanced Shipment Notification of a re-delivery (MP155 Req 9). A new ASN for every
 * delivery, never a reused number: the Party's systems reject a duplicate. The file format is
 * ours (MP155 leaves it open); docs/asn.md describes every field.
 *
 * Hashing: the issued file is exactly `asnJson(doc)` (canonical JSON), and `asn.issued`
 * carries its SHA-256 so central can show it holds the same document. shared/ has no
 * node:crypto, so `asnSha256` uses Web Crypto (`globalThis.crypto.subtle`, present in Node 20+,
 * Electron and browsers) and is async; host and central may hash the same bytes their own way.
 */
import { z } from "zod";
import {
  BookingRefSchema,
  CartonNumberSchema,
  CspSchema,
  DeliveryLocationSchema,
  DeliveryWindowSchema,
  DeviceIdSchema,
  HexFirmwareSchema,
  IsoDateSchema,
  SsccSchema,
} from "./booking";
import { IsoInstantSchema, ManifestIdSchema, Sha256HexSchema } from "../events";
import { manifestHubs, type ManifestPayload } from "./manifest";
import { spreadsheetSafe } from "./spreadsheet-cell";

// ---------------------------------------------------------------- numbers

/**
 * `ASN-<NNNNNNNN>`: a number from a block central reserved for the dock (issue 17, the form every
 * dock issues now), or the older `ASN-<PARTY>-<YYYYMMDD>-<SEQ>` a dock once numbered from its own
 * log (party code 1-16 of A-Z 0-9, the local date of issue, a sequence of 3-4 digits from 001),
 * still valid on documents already issued.
 */
export const AsnNumberSchema = z
  .string()
  .regex(
    /^ASN-(?:\d{8,32}|[A-Z0-9]{1,16}-\d{8}-\d{3,4})$/,
    "ASN number is ASN-<NNNNNNNN> (from central) or ASN-<PARTY>-<YYYYMMDD>-<NNN>",
  );
const MAX_SEQ = 9999;

/** The party part of an ASN number: the Party id upper-cased, with everything but A-Z and 0-9 dropped, at most 16 characters. */
export function asnPartyCode(partyId: string): string {
  return partyId
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .slice(0, 16);
}

export type AsnNumberResult = { ok: true; asnNumber: string } | { ok: false; reason: string };

/**
 * The next ASN number for a Party on a date: one more than the highest sequence already issued
 * with the same party code and date (gaps are never filled, so a number is never reissued even
 * if a later one was withdrawn). Deterministic: same inputs, same number. `issuedSoFar` must be
 * every number ever issued for the Party (central's record); case is ignored.
 */
export function nextAsnNumber(issuedSoFar: Iterable<string>, partyId: string, date: string): AsnNumberResult {
  const party = asnPartyCode(partyId);
  if (party.length === 0)
    return { ok: false, reason: `party id "${partyId}" has no letters or digits to make an ASN number from` };
  if (!IsoDateSchema.safeParse(date).success) return { ok: false, reason: `date "${date}" is not YYYY-MM-DD` };
  const prefix = `ASN-${party}-${date.replaceAll("-", "")}-`;
  let max = 0;
  for (const n of issuedSoFar) {
    const u = String(n).toUpperCase();
    if (!u.startsWith(prefix)) continue;
    const seq = Number(u.slice(prefix.length));
    if (Number.isInteger(seq) && seq > max) max = seq;
  }
  if (max >= MAX_SEQ) return { ok: false, reason: `${MAX_SEQ} ASNs already issued to ${party} on ${date}` };
  return { ok: true, asnNumber: `${prefix}${String(max + 1).padStart(3, "0")}` };
}

/** Refuses an ASN number that is malformed or was issued before (the Party's systems would reject it). */
export function checkAsnNumberIsNew(
  issuedSoFar: Iterable<string>,
  asnNumber: string,
): { ok: true } | { ok: false; code: "malformed" | "reused"; reason: string } {
  if (!AsnNumberSchema.safeParse(asnNumber).success)
    return {
      ok: false,
      code: "malformed",
      reason: `"${asnNumber}" is not an ASN number (ASN-<NNNNNNNN> or ASN-<PARTY>-<YYYYMMDD>-<NNN>)`,
    };
  // Compare by value too: "ASN-X-20270101-001" and "...-0001" name the same sequence.
  const key = (n: string): string => {
    const m = /^(ASN-[A-Z0-9]+-\d{8}-)(\d+)$/.exec(n.toUpperCase());
    return m ? `${m[1]}${Number(m[2])}` : n.toUpperCase();
  };
  const wanted = key(asnNumber);
  for (const n of issuedSoFar)
    if (key(String(n)) === wanted)
      return {
        ok: false,
        code: "reused",
        reason: `ASN ${asnNumber} was already issued: every delivery needs a new ASN`,
      };
  return { ok: true };
}

// ---------------------------------------------------------------- the document

export const ASN_FORMAT = "reflash-dock-asn/1" as const;

const AsnHubSchema = z.strictObject({ deviceId: DeviceIdSchema, firmwareVersion: HexFirmwareSchema });
/** A hub going back on its pallet outside any SSCC-labelled carton, with the supplier's carton number it came in (issue 16). */
const AsnPalletHubSchema = z.strictObject({ ...AsnHubSchema.shape, cartonNumber: CartonNumberSchema.nullable() });
const AsnCartonSchema = z.strictObject({
  sscc: SsccSchema,
  hubCount: z.number().int().positive(),
  hubs: z.array(AsnHubSchema).min(1),
});

export const AsnDocumentSchema = z
  .strictObject({
    format: z.literal(ASN_FORMAT),
    asnNumber: AsnNumberSchema,
    issuedAt: IsoInstantSchema,
    manifestId: ManifestIdSchema,
    bookingRefs: z.array(BookingRefSchema).min(1),
    party: z.strictObject({ id: z.string().min(1).max(64), name: z.string().min(1).max(200) }),
    shipFrom: z.strictObject({ csp: CspSchema, facilityId: z.string().min(1).max(64) }),
    deliveryLocation: DeliveryLocationSchema,
    deliveryDate: IsoDateSchema,
    deliveryWindow: DeliveryWindowSchema,
    totals: z.strictObject({
      pallets: z.number().int().nonnegative(),
      cartons: z.number().int().nonnegative(),
      hubs: z.number().int().positive(),
    }),
    pallets: z.array(
      z
        .strictObject({
          sscc: SsccSchema,
          cartons: z.array(AsnCartonSchema),
          hubs: z.array(AsnPalletHubSchema).min(1).optional(),
        })
        .refine((p) => p.cartons.length > 0 || (p.hubs?.length ?? 0) > 0, {
          message: "a pallet carries at least one carton or hub",
        }),
    ),
    looseCartons: z.array(AsnCartonSchema),
  })
  .superRefine((d, ctx) => {
    const cartons = [...d.pallets.flatMap((p) => p.cartons), ...d.looseCartons];
    const hubs = [...cartons.flatMap((c) => c.hubs), ...d.pallets.flatMap((p) => p.hubs ?? [])];
    if (d.totals.pallets !== d.pallets.length)
      ctx.addIssue({
        code: "custom",
        path: ["totals", "pallets"],
        message: `says ${d.totals.pallets}, the document lists ${d.pallets.length}`,
      });
    if (d.totals.cartons !== cartons.length)
      ctx.addIssue({
        code: "custom",
        path: ["totals", "cartons"],
        message: `says ${d.totals.cartons}, the document lists ${cartons.length}`,
      });
    if (d.totals.hubs !== hubs.length)
      ctx.addIssue({
        code: "custom",
        path: ["totals", "hubs"],
        message: `says ${d.totals.hubs}, the document lists ${hubs.length}`,
      });
    for (const c of cartons)
      if (c.hubCount !== c.hubs.length)
        ctx.addIssue({
          code: "custom",
          path: ["hubCount"],
          message: `carton ${c.sscc} says ${c.hubCount} hubs, lists ${c.hubs.length}`,
        });
    const ids = new Set<string>();
    for (const h of hubs) {
      if (ids.has(h.deviceId))
        ctx.addIssue({ code: "custom", path: ["hubs"], message: `hub ${h.deviceId} is listed twice` });
      ids.add(h.deviceId);
    }
    const ssccs = new Set<string>();
    for (const s of [...d.pallets.map((p) => p.sscc), ...cartons.map((c) => c.sscc)]) {
      if (ssccs.has(s)) ctx.addIssue({ code: "custom", path: ["sscc"], message: `SSCC ${s} is listed twice` });
      ssccs.add(s);
    }
  });
export type AsnDocument = z.infer<typeof AsnDocumentSchema>;

export interface AsnInput {
  asnNumber: string;
  /** When the ASN is issued (ISO instant with zone). */
  issuedAt: string;
  manifest: ManifestPayload;
  partyName: string;
  shipFrom: { csp: "North" | "CentralSouth"; facilityId: string };
}

/** Builds the ASN document for a manifest, validated, or says why it cannot. */
export function buildAsnDocument(input: AsnInput): { ok: true; document: AsnDocument } | { ok: false; reason: string } {
  const m = input.manifest;
  const carton = (c: { sscc: string; hubs: Array<{ deviceId: string; firmwareVersion: string }> }) => ({
    sscc: c.sscc,
    hubCount: c.hubs.length,
    hubs: c.hubs.map((h) => ({ deviceId: h.deviceId, firmwareVersion: h.firmwareVersion })),
  });
  const pallets = m.pallets.map((p) =>
    p.hubs !== undefined && p.hubs.length > 0
      ? {
          sscc: p.sscc,
          cartons: p.cartons.map(carton),
          hubs: p.hubs.map((h) => ({
            deviceId: h.deviceId,
            firmwareVersion: h.firmwareVersion,
            cartonNumber: h.cartonNumber,
          })),
        }
      : { sscc: p.sscc, cartons: p.cartons.map(carton) },
  );
  const looseCartons = m.looseCartons.map(carton);
  const candidate = {
    format: ASN_FORMAT,
    asnNumber: input.asnNumber,
    issuedAt: input.issuedAt,
    manifestId: m.manifestId,
    bookingRefs: [...m.bookingRefs],
    party: { id: m.partyId, name: input.partyName },
    shipFrom: { csp: input.shipFrom.csp, facilityId: input.shipFrom.facilityId },
    deliveryLocation: { ...m.deliveryLocation },
    deliveryDate: m.deliveryDate,
    deliveryWindow: { ...m.deliveryWindow },
    totals: {
      pallets: pallets.length,
      cartons: pallets.reduce((n, p) => n + p.cartons.length, 0) + looseCartons.length,
      hubs: manifestHubs(m).length,
    },
    pallets,
    looseCartons,
  };
  const parsed = AsnDocumentSchema.safeParse(candidate);
  if (!parsed.success)
    return {
      ok: false,
      reason: parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(asn)"}: ${i.message}`).join("; "),
    };
  return { ok: true, document: parsed.data };
}

/** Reads an ASN file back (JSON text), validated; never throws. */
export function parseAsnJson(text: string): { ok: true; document: AsnDocument } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const parsed = AsnDocumentSchema.safeParse(raw);
  return parsed.success
    ? { ok: true, document: parsed.data }
    : {
        ok: false,
        reason: parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(asn)"}: ${i.message}`).join("; "),
      };
}

// ---------------------------------------------------------------- canonical JSON and hash

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/**
 * The ASN file's text: JSON with object keys sorted, no whitespace, UTF-8. The document holds
 * only strings, integers and arrays/objects, for which this equals RFC 8785 (JCS), so anyone
 * can re-derive the bytes (and the hash) from the parsed document.
 */
export function asnJson(doc: AsnDocument): string {
  return JSON.stringify(canonical(doc));
}

interface WebCrypto {
  subtle: { digest(algorithm: "SHA-256", data: Uint8Array): Promise<ArrayBuffer> };
}
interface TextEncoderLike {
  encode(s: string): Uint8Array;
}

/** SHA-256 (lower-case hex) of a text's UTF-8 bytes, with Web Crypto. */
export async function sha256Hex(text: string): Promise<string> {
  const g = globalThis as { crypto?: WebCrypto; TextEncoder?: new () => TextEncoderLike };
  if (!g.crypto?.subtle || !g.TextEncoder)
    throw new Error("Web Crypto (crypto.subtle) and TextEncoder are needed to hash an ASN");
  const digest = await g.crypto.subtle.digest("SHA-256", new g.TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of the ASN file as issued (its canonical JSON). */
export function asnSha256(doc: AsnDocument): Promise<string> {
  return sha256Hex(asnJson(doc));
}

/** The `asn.issued` payload for a document and the SHA-256 of its JSON file. */
export function asnIssuedPayload(
  doc: AsnDocument,
  documentSha256: string,
):
  | {
      ok: true;
      payload: { asnNumber: string; manifestId: string; partyId: string; hubCount: number; documentSha256: string };
    }
  | { ok: false; reason: string } {
  if (!Sha256HexSchema.safeParse(documentSha256).success)
    return { ok: false, reason: "document SHA-256 must be 64 lower-case hex digits" };
  return {
    ok: true,
    payload: {
      asnNumber: doc.asnNumber,
      manifestId: doc.manifestId,
      partyId: doc.party.id,
      hubCount: doc.totals.hubs,
      documentSha256,
    },
  };
}

// ---------------------------------------------------------------- CSV

/** CSV columns, in order (docs/asn.md). One row per hub. */
export const ASN_CSV_COLUMNS = [
  "asn_number",
  "issued_at",
  "manifest_id",
  "party_id",
  "booking_refs",
  "delivery_location_id",
  "delivery_date",
  "window_start",
  "window_end",
  "pallet_sscc",
  "carton_sscc",
  "device_id",
  "firmware_version",
  /** For a hub on its pallet outside any SSCC-labelled carton: the supplier's carton number it came in (issue 16). */
  "carton_number",
] as const;

/** One CSV field, quoted per RFC 4180 when it holds a comma, a double quote, CR or LF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The ASN as CSV (RFC 4180): a header row, then one row per hub, CRLF line ends, a final CRLF.
 * Pallet SSCC is empty for a loose carton. Booking refs are joined with a space. A cell a
 * spreadsheet would read as a formula is prefixed with `'` (spreadsheet-cell.ts).
 */
export function asnCsv(doc: AsnDocument): string {
  const rows: string[][] = [[...ASN_CSV_COLUMNS]];
  const common = [
    doc.asnNumber,
    doc.issuedAt,
    doc.manifestId,
    doc.party.id,
    doc.bookingRefs.join(" "),
    doc.deliveryLocation.id,
    doc.deliveryDate,
    doc.deliveryWindow.start,
    doc.deliveryWindow.end,
  ];
  for (const p of doc.pallets) {
    for (const c of p.cartons)
      for (const h of c.hubs) rows.push([...common, p.sscc, c.sscc, h.deviceId, h.firmwareVersion, ""]);
    // On the pallet alone: no carton SSCC; the supplier's carton number it came in, if any.
    for (const h of p.hubs ?? [])
      rows.push([...common, p.sscc, "", h.deviceId, h.firmwareVersion, h.cartonNumber ?? ""]);
  }
  for (const c of doc.looseCartons)
    for (const h of c.hubs) rows.push([...common, "", c.sscc, h.deviceId, h.firmwareVersion, ""]);
  // Header aside, every cell is neutralised before quoting: a dock-supplied value beginning with `=` must not reach the Party as a formula.
  return rows.map((r, i) => r.map((v) => csvField(i === 0 ? v : spreadsheetSafe(v))).join(",")).join("\r\n") + "\r\n";
}
