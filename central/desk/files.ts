import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import yauzl from "yauzl";
import { MAX_UPLOAD_BYTES, type Upload } from "../../shared/desk-api";
import {
  neutraliseCell,
  TEMPLATE_COLUMNS,
  TEMPLATE_VERSION,
  type TemplateRow,
} from "../../shared/domain/request-template";

/**
 * Reading uploaded spreadsheets and writing exported ones. CSV goes through csv-parse /
 * csv-stringify, XLSX through exceljs; an XLSX is a zip, so its entries are inflated once
 * under limits (yauzl, which also checks each entry inflates to the size it declares) before
 * exceljs sees it: a zip bomb is refused having cost at most those limits.
 */

export type Rows = { ok: true; rows: TemplateRow[] } | { ok: false; reason: string };

/** Zip limits for an uploaded XLSX: a real template of 44,800 hubs inflates to a few MiB. */
export const ZIP_LIMITS = { maxEntries: 200, maxTotalBytes: 40 * 1024 * 1024, maxRatio: 200 };

export function decodeUpload(u: Upload): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(u.contentBase64))
    return { ok: false, reason: "the upload is damaged (its content is not base64); choose the file again" };
  const bytes = Buffer.from(u.contentBase64, "base64");
  if (bytes.length === 0) return { ok: false, reason: `${u.fileName} is empty` };
  if (bytes.length > MAX_UPLOAD_BYTES)
    return {
      ok: false,
      reason: `${u.fileName} is ${(bytes.length / 1024 / 1024).toFixed(1)} MiB; the desk takes files of at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`,
    };
  return { ok: true, bytes };
}

export function kindOf(fileName: string, bytes: Buffer): "csv" | "xlsx" | null {
  const zip = bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50;
  if (/\.xlsx$/i.test(fileName)) return "xlsx";
  if (/\.(csv|txt)$/i.test(fileName)) return zip ? null : "csv";
  return zip ? "xlsx" : null;
}

/** CSV as spreadsheet tools export it (UTF-8 with or without BOM, quoted fields, CRLF or LF) into rows of text cells with their row numbers. */
export function readCsv(bytes: Buffer): Rows {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'the file is not UTF-8 text: save it as "CSV UTF-8"' };
  }
  if (text.includes("\u0000")) return { ok: false, reason: "the file holds binary data, not CSV text" };
  try {
    // Each record's number is the row a spreadsheet shows for it (blank lines count, as they do there): the same as
    // the line number unless a quoted cell spans lines. csv-parse's own line count is not used: it counts a CRLF
    // inside quotes twice.
    const records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: false,
      trim: false,
    }) as string[][];
    return { ok: true, rows: records.map((cells, i) => ({ line: i + 1, cells })) };
  } catch (e) {
    return { ok: false, reason: `the CSV cannot be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Inflates every entry once, counting real bytes, within ZIP_LIMITS; the reason when the zip is refused. */
export function inspectZip(bytes: Buffer, limits = ZIP_LIMITS): Promise<string | null> {
  return new Promise((resolve) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) return resolve("the file is not a valid XLSX workbook (it is not a readable zip archive)");
      let entries = 0;
      let total = 0;
      let settled = false;
      const done = (reason: string | null) => {
        if (settled) return;
        settled = true;
        zip.close();
        resolve(reason);
      };
      zip.on("error", () => done("the XLSX workbook is damaged (its zip structure cannot be read)"));
      zip.on("end", () => done(null));
      zip.on("entry", (entry: yauzl.Entry) => {
        entries += 1;
        if (entries > limits.maxEntries)
          return done(`the workbook holds more than ${limits.maxEntries} parts; a request template has a handful`);
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes)
          return done(
            `the workbook would inflate to more than ${limits.maxTotalBytes / 1024 / 1024} MiB (a zip bomb?); it was not opened`,
          );
        if (
          entry.compressedSize > 0 &&
          entry.uncompressedSize / entry.compressedSize > limits.maxRatio &&
          entry.uncompressedSize > 1024 * 1024
        )
          return done(
            `part ${entry.fileName} inflates ${Math.round(entry.uncompressedSize / entry.compressedSize)} times its size (a zip bomb?); it was not opened`,
          );
        if (/\/$/.test(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream)
            return done(`part ${entry.fileName} of the workbook cannot be read${e ? `: ${e.message}` : ""}`);
          stream.on("data", () => undefined);
          stream.on("error", (se: Error) =>
            done(
              // yauzl's validateEntrySizes: the part inflates to other than its header declares (a lying zip bomb).
              /too (many|few) bytes in the stream/.test(se.message)
                ? `part ${entry.fileName} of the workbook is damaged: it inflates to more or less than it declares (a zip bomb?); it was not opened`
                : `part ${entry.fileName} of the workbook is damaged (its compressed data cannot be read)`,
            ),
          );
          stream.on("end", () => zip.readEntry());
        });
      });
      zip.readEntry();
    });
  });
}

function cellText(cell: ExcelJS.Cell): { text: string } | { problem: string } {
  const v = cell.value;
  switch (cell.type) {
    case ExcelJS.ValueType.Null:
    case ExcelJS.ValueType.Merge:
      return { text: "" };
    case ExcelJS.ValueType.String:
    case ExcelJS.ValueType.SharedString:
      return { text: typeof v === "string" ? v : String(cell.text) };
    case ExcelJS.ValueType.RichText:
      return { text: cell.text };
    case ExcelJS.ValueType.Number: {
      const n = v as number;
      if (Number.isInteger(n) && Math.abs(n) < 1e15) return { text: String(n) };
      return {
        problem: `cell ${cell.address} holds the number ${n}, which a spreadsheet cannot keep digit for digit: format the column as text and type it again`,
      };
    }
    case ExcelJS.ValueType.Formula:
      return { problem: `cell ${cell.address} holds a formula: formulas are not accepted, type the value itself` };
    case ExcelJS.ValueType.Date:
      return { problem: `cell ${cell.address} holds a date, not text` };
    case ExcelJS.ValueType.Boolean:
      return { text: v ? "TRUE" : "FALSE" };
    case ExcelJS.ValueType.Error:
      return { problem: `cell ${cell.address} holds a spreadsheet error` };
    default:
      return { text: cell.text };
  }
}

/** An XLSX workbook's hub sheet ("Hubs", else the first) as rows of text cells, with the row numbers a person sees. */
export async function readXlsx(bytes: Buffer): Promise<Rows> {
  const refused = await inspectZip(bytes);
  if (refused !== null) return { ok: false, reason: refused };
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    return {
      ok: false,
      reason: "the file is not a readable XLSX workbook; save it from your spreadsheet as Excel Workbook (.xlsx)",
    };
  }
  const about = wb.getWorksheet("About");
  const version = about?.getCell("B1").text;
  if (about && version !== TEMPLATE_VERSION)
    return {
      ok: false,
      reason: `this workbook is template version ${JSON.stringify(version ?? "")}, not ${TEMPLATE_VERSION}: download the current template`,
    };
  const sheet = wb.getWorksheet("Hubs") ?? wb.worksheets[0];
  if (!sheet) return { ok: false, reason: "the workbook has no sheet" };
  const rows: TemplateRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    let bad: string | null = null;
    const width = Math.max(row.cellCount, TEMPLATE_COLUMNS.length);
    for (let i = 1; i <= width; i++) {
      const t = cellText(row.getCell(i));
      if ("problem" in t) {
        bad ??= t.problem;
        cells.push("");
      } else cells.push(t.text);
    }
    rows.push(bad === null ? { line: rowNumber, cells } : { line: rowNumber, cells, problem: bad });
  });
  return { ok: true, rows };
}

/** Rows of a file, CSV or XLSX by its name and bytes. */
export async function readRows(fileName: string, bytes: Buffer): Promise<Rows> {
  const kind = kindOf(fileName, bytes);
  if (kind === null) return { ok: false, reason: `${fileName} is neither a CSV nor an XLSX file` };
  return kind === "csv" ? readCsv(bytes) : readXlsx(bytes);
}

// ------------------------------------------------------------ exports
/** CSV for spreadsheets: UTF-8 BOM, CRLF, every cell neutralised (a leading = + - @ cannot run). */
export function toCsv(rows: readonly string[][]): string {
  return (
    "\uFEFF" +
    stringify(
      rows.map((r) => r.map(neutraliseCell)),
      { record_delimiter: "\r\n", quoted_match: /[",\r\n]/ },
    )
  );
}

/** The request template as an XLSX workbook: the Hubs sheet (text-formatted columns) and an About sheet naming its version. */
export async function templateXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "DCC Re-Flash desk";
  const hubs = wb.addWorksheet("Hubs");
  hubs.columns = TEMPLATE_COLUMNS.map((header) => ({
    header: neutraliseCell(header),
    width: header === "Device ID" ? 26 : 22,
    style: { numFmt: "@" },
  }));
  hubs.getRow(1).font = { bold: true };
  hubs.views = [{ state: "frozen", ySplit: 1 }];
  const about = wb.addWorksheet("About");
  const lines = [
    ["Template", TEMPLATE_VERSION],
    [
      "How to fill it",
      "One row per Communications Hub on the Hubs sheet. Leave Pallet SSCC empty for a carton sent loose.",
    ],
    ["Device ID", "16 hex digits, e.g. 00-1A-2B-3C-4D-5E-6F-70"],
    ["SSCC", "18 digits with a valid GS1 check digit"],
    ["Firmware Version, Device Model", "8 hex digits as in the Smart Metering Inventory"],
    ["Manufacturer", "4 hex digits"],
    ["Formulas", "Not accepted: type the values"],
  ];
  for (const l of lines) about.addRow(l.map(neutraliseCell));
  about.getColumn(1).width = 32;
  about.getColumn(2).width = 90;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
