/**
 * The HID-POS "Scanned Data" input report we parse (usage page 0x8C, Bar Code Scanner).
 * The HID Point of Sale Usage Tables define the usages; the byte layout below is the one
 * Honeywell and Zebra scanners use in HID-POS mode for 64-byte reports, and the one our
 * simulator emits (docs/jig-protocol.md, "HID-POS scanner"):
 *
 *   byte   field
 *   0      report ID, 0x02 (Scanned Data Report)
 *   1      n: count of decoded-data bytes in this report (0-56)
 *   2-4    AIM symbology identifier without its ']' (e.g. "C1"), zero-filled if unknown
 *   5-60   decoded data, n bytes used, rest zero
 *   61-62  reserved (vendor symbology code)
 *   63     flags: bit 0 = more reports follow for this read (data continues)
 *
 * Vendors differ in details, so the layout is a value a site can change.
 */

export interface HidPosLayout {
  reportId: number;
  reportLength: number;
  lengthOffset: number;
  symbologyOffset: number;
  dataOffset: number;
  dataCapacity: number;
  flagsOffset: number;
  continuationBit: number;
}

export const HID_POS_USAGE_PAGE = 0x8c;
export const DEFAULT_HID_POS_LAYOUT: HidPosLayout = {
  reportId: 0x02,
  reportLength: 64,
  lengthOffset: 1,
  symbologyOffset: 2,
  dataOffset: 5,
  dataCapacity: 56,
  flagsOffset: 63,
  continuationBit: 0x01,
};

/** One report's content. */
export interface ScannedDataReport {
  /** AIM identifier like "]C1", or null when the scanner sent none. */
  symbology: string | null;
  data: Uint8Array;
  continues: boolean;
}

export type ReportParseResult =
  { ok: true; report: ScannedDataReport } | { ok: false; reason: string } | { ok: "ignored" };

/** Parses one input report; other report IDs are ignored, malformed ones rejected with a reason. Never throws. */
export function parseScannedDataReport(
  bytes: Uint8Array,
  layout: HidPosLayout = DEFAULT_HID_POS_LAYOUT,
): ReportParseResult {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return { ok: false, reason: "empty report" };
  if (bytes[0] !== layout.reportId) return { ok: "ignored" };
  if (bytes.length < layout.reportLength)
    return { ok: false, reason: `report is ${bytes.length} bytes, expected ${layout.reportLength}` };
  const n = bytes[layout.lengthOffset] ?? 0;
  if (n > layout.dataCapacity) return { ok: false, reason: `data count ${n} exceeds ${layout.dataCapacity}` };
  const sym = bytes.subarray(layout.symbologyOffset, layout.symbologyOffset + 3);
  let symbology: string | null = null;
  if (sym[0] !== 0) {
    const text = String.fromCharCode(...sym);
    if (!/^[A-Za-z][0-9A-Za-z]$/.test(text.slice(0, 2)) || (sym[2] !== 0 && sym[2] !== 0x20))
      return { ok: false, reason: "symbology identifier is not an AIM code" };
    symbology = `]${text.slice(0, 2)}`;
  }
  const data = bytes.slice(layout.dataOffset, layout.dataOffset + n);
  const continues = ((bytes[layout.flagsOffset] ?? 0) & layout.continuationBit) !== 0;
  return { ok: true, report: { symbology, data, continues } };
}

/** Builds the reports a scanner sends for one read (the simulator's side). */
export function buildScannedDataReports(
  data: Uint8Array,
  symbology: string | null,
  layout: HidPosLayout = DEFAULT_HID_POS_LAYOUT,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  const sym = symbology ? symbology.replace(/^\]/, "") : "";
  for (let off = 0; off === 0 || off < data.length; off += layout.dataCapacity) {
    const part = data.subarray(off, off + layout.dataCapacity);
    const r = new Uint8Array(layout.reportLength);
    r[0] = layout.reportId;
    r[layout.lengthOffset] = part.length;
    for (let i = 0; i < Math.min(sym.length, 2); i++) r[layout.symbologyOffset + i] = sym.charCodeAt(i);
    r.set(part, layout.dataOffset);
    if (off + layout.dataCapacity < data.length) r[layout.flagsOffset] = layout.continuationBit;
    out.push(r);
  }
  return out;
}
