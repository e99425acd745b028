import { parseDeviceId } from "./device-id";
import { isValidSscc } from "./labels";
import type { RowProblem } from "../desk-api";

/**
 * The DCC's re-flash request template (PIA 6.2.5: "lists of Communications Hubs in a format
 * specified by DCC"): one row per hub, naming the carton it is packed in and, unless the
 * carton travels loose, the pallet. Delivery details (facility, date, window, contact) are
 * chosen in the portal, not typed into the file. Pure: central reads CSV / XLSX into rows of
 * text cells and calls `parseTemplateRows`; the same rules run wherever a file is checked.
 */

export const TEMPLATE_VERSION = "RFD-REQUEST-TEMPLATE-1";
export const TEMPLATE_COLUMNS = [
  "Pallet SSCC",
  "Carton SSCC",
  "Device ID",
  "Firmware Version",
  "Manufacturer",
  "Device Model",
] as const;
/** One request is at most 50 pallets (the request schema); 50 × 28 × 32 hubs. */
export const MAX_TEMPLATE_HUB_ROWS = 50 * 28 * 32;

/** A row of text cells; `problem` when the file reader already refused a cell of it (a formula, a date). */
export interface TemplateRow {
  line: number;
  cells: string[];
  problem?: string;
}
export interface TemplateHub {
  deviceId: string;
  firmwareVersion: string;
  manufacturer: string;
  deviceModel: string;
}
export interface TemplateCarton {
  sscc: string;
  hubs: TemplateHub[];
}
export interface TemplateContent {
  pallets: Array<{ sscc: string; cartons: TemplateCarton[] }>;
  looseCartons: TemplateCarton[];
}
export interface TemplateParse {
  problems: RowProblem[];
  /** Null when any problem was found: a file with a problem is never turned into a request. */
  content: TemplateContent | null;
  /** The line each hub was read from (for mapping central's per-hub reasons back to the file). */
  lineOfHub: Map<string, number>;
  counts: { rows: number; hubs: number; pallets: number; cartons: number };
}

/** A cell a spreadsheet would run as a formula (OWASP CSV injection: = + - @, and TAB / CR before them). */
export function isFormulaLike(cell: string): boolean {
  return /^[=+\-@\t\r]/.test(cell);
}

/** A cell made safe to export: one that a spreadsheet could run as a formula is prefixed with `'` (OWASP). */
export function neutraliseCell(cell: string): string {
  return isFormulaLike(cell) ? `'${cell}` : cell;
}

const HEX8 = /^[0-9A-F]{8}$/;
const HEX4 = /^[0-9A-F]{4}$/;

function checkSscc(raw: string, what: string): string | null {
  if (!/^\d{18}$/.test(raw)) return `${what} ${JSON.stringify(raw)} is not 18 digits`;
  if (!isValidSscc(raw)) return `${what} ${raw} has a wrong check digit`;
  return null;
}

/**
 * Reads the template's rows (the first is the header). Every problem is reported with its
 * line: the header of another template version, a formula, a malformed ID or SSCC, a missing
 * value, a hub listed twice, a carton on two pallets. Blank rows are skipped.
 */
export function parseTemplateRows(rows: readonly TemplateRow[]): TemplateParse {
  const problems: RowProblem[] = [];
  const lineOfHub = new Map<string, number>();
  const counts = { rows: 0, hubs: 0, pallets: 0, cartons: 0 };
  const none = (): TemplateParse => ({ problems, content: null, lineOfHub, counts });
  const nonBlank = rows.filter((r) => r.problem !== undefined || r.cells.some((c) => c.trim() !== ""));
  const header = nonBlank[0];
  if (header === undefined) {
    problems.push({ line: 1, reason: "the file is empty: it has no header and no hubs" });
    return none();
  }
  const names = header.cells.map((c) => c.trim().replace(/^\uFEFF/, ""));
  while (names.length > 0 && names[names.length - 1] === "") names.pop();
  const expected = TEMPLATE_COLUMNS.join(", ");
  if (
    names.length !== TEMPLATE_COLUMNS.length ||
    names.some((n, i) => n.toLowerCase() !== TEMPLATE_COLUMNS[i]?.toLowerCase())
  ) {
    problems.push({
      line: header.line,
      reason: `this is not the DCC request template (${TEMPLATE_VERSION}): its columns must be ${expected}; download the current template`,
    });
    return none();
  }
  const data = nonBlank.slice(1);
  counts.rows = data.length;
  if (data.length === 0) {
    problems.push({ line: header.line, reason: "the file lists no hubs: add one row per hub under the header" });
    return none();
  }
  if (data.length > MAX_TEMPLATE_HUB_ROWS) {
    problems.push({
      line: header.line,
      reason: `the file lists ${data.length} hubs; one request takes at most ${MAX_TEMPLATE_HUB_ROWS}`,
    });
    return none();
  }

  const palletOfCarton = new Map<string, { pallet: string; line: number }>();
  const cartons = new Map<string, TemplateCarton>();
  const pallets = new Map<string, string[]>();
  const loose: string[] = [];
  for (const row of data) {
    if (row.problem !== undefined) {
      problems.push({ line: row.line, reason: row.problem });
      continue;
    }
    const rowProblems: string[] = [];
    const extra = row.cells.slice(TEMPLATE_COLUMNS.length).filter((c) => c.trim() !== "");
    if (extra.length > 0)
      rowProblems.push(
        `it has ${TEMPLATE_COLUMNS.length + extra.length} filled cells; the template has ${TEMPLATE_COLUMNS.length} columns`,
      );
    const cell = (i: number) => (row.cells[i] ?? "").trim();
    const formula = row.cells.map((c, i) => ({ c: c.trimStart(), i })).find(({ c }) => isFormulaLike(c));
    if (formula !== undefined) {
      problems.push({
        line: row.line,
        reason: `${TEMPLATE_COLUMNS[formula.i] ?? `column ${formula.i + 1}`} starts with ${JSON.stringify(formula.c[0])}: formulas are not accepted, type the value itself`,
      });
      continue;
    }
    const palletSscc = cell(0);
    const cartonSscc = cell(1);
    if (palletSscc !== "") {
      const p = checkSscc(palletSscc, "pallet SSCC");
      if (p) rowProblems.push(p);
    }
    if (cartonSscc === "") rowProblems.push("carton SSCC is empty");
    else {
      const p = checkSscc(cartonSscc, "carton SSCC");
      if (p) rowProblems.push(p);
      else if (palletSscc === cartonSscc) rowProblems.push(`carton SSCC ${cartonSscc} is the same as its pallet's`);
    }
    const id = parseDeviceId(cell(2));
    if (cell(2) === "") rowProblems.push("device ID is empty");
    else if (!id.ok) rowProblems.push(`device ID ${JSON.stringify(cell(2))}: ${id.reason}`);
    const firmware = cell(3).toUpperCase();
    const manufacturer = cell(4).toUpperCase();
    const model = cell(5).toUpperCase();
    if (firmware === "") rowProblems.push("firmware version is empty");
    else if (!HEX8.test(firmware)) rowProblems.push(`firmware version ${JSON.stringify(cell(3))} is not 8 hex digits`);
    if (manufacturer === "") rowProblems.push("manufacturer is empty");
    else if (!HEX4.test(manufacturer)) rowProblems.push(`manufacturer ${JSON.stringify(cell(4))} is not 4 hex digits`);
    if (model === "") rowProblems.push("device model is empty");
    else if (!HEX8.test(model)) rowProblems.push(`device model ${JSON.stringify(cell(5))} is not 8 hex digits`);

    if (id.ok) {
      const first = lineOfHub.get(id.deviceId);
      if (first !== undefined) rowProblems.push(`hub ${id.deviceId} is already listed on line ${first}`);
    }
    if (rowProblems.length === 0 && cartonSscc !== "") {
      const placed = palletOfCarton.get(cartonSscc);
      if (placed !== undefined && placed.pallet !== palletSscc)
        rowProblems.push(
          `carton ${cartonSscc} is on ${placed.pallet === "" ? "no pallet" : `pallet ${placed.pallet}`} on line ${placed.line}, here on ${palletSscc === "" ? "no pallet" : `pallet ${palletSscc}`}`,
        );
      if (pallets.has(cartonSscc) || (palletSscc !== "" && cartons.has(palletSscc)))
        rowProblems.push(
          `SSCC ${pallets.has(cartonSscc) ? cartonSscc : palletSscc} is used both as a pallet and as a carton`,
        );
    }
    if (rowProblems.length > 0 || !id.ok) {
      problems.push({ line: row.line, reason: rowProblems.join("; ") });
      continue;
    }
    lineOfHub.set(id.deviceId, row.line);
    let carton = cartons.get(cartonSscc);
    if (carton === undefined) {
      carton = { sscc: cartonSscc, hubs: [] };
      cartons.set(cartonSscc, carton);
      palletOfCarton.set(cartonSscc, { pallet: palletSscc, line: row.line });
      if (palletSscc === "") loose.push(cartonSscc);
      else {
        const list = pallets.get(palletSscc) ?? [];
        list.push(cartonSscc);
        pallets.set(palletSscc, list);
      }
    }
    carton.hubs.push({ deviceId: id.deviceId, firmwareVersion: firmware, manufacturer, deviceModel: model });
  }
  counts.hubs = lineOfHub.size;
  counts.cartons = cartons.size;
  counts.pallets = pallets.size;
  if (problems.length > 0) return none();
  const byId = (sscc: string): TemplateCarton => cartons.get(sscc) ?? { sscc, hubs: [] };
  return {
    problems,
    lineOfHub,
    counts,
    content: {
      pallets: [...pallets].map(([sscc, list]) => ({ sscc, cartons: list.map(byId) })),
      looseCartons: loose.map(byId),
    },
  };
}

/** The template's header row, cells neutralised for export like any exported cell. */
export function templateHeader(): string[] {
  return TEMPLATE_COLUMNS.map(neutraliseCell);
}
