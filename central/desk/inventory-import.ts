import type { Kysely } from "kysely";
import { CspRegionSchema, DeviceModelSchema, HexFirmwareSchema, SmiStatusSchema } from "../../shared/domain/booking";
import { parseDeviceId } from "../../shared/domain/device-id";
import type { InventoryImportResult, RowProblem } from "../../shared/desk-api";
import type { DeskDatabase } from "./schema";
import { readCsv } from "./files";

/**
 * The SMI inventory import (DCC desk): a CSV of Smart Metering Inventory records into
 * central's SMI mirror. Every bad row is reported with its line and reason and then nothing
 * is applied; a good file adds new hubs, updates changed ones and leaves identical ones
 * untouched, so importing the same file twice changes nothing the second time.
 */

export const INVENTORY_COLUMNS = [
  "DeviceID",
  "GPFDeviceID",
  "DeviceType",
  "Manufacturer",
  "DeviceModel",
  "FirmwareVersion",
  "SMIStatus",
  "AssignedParty",
  "CSPRegion",
] as const;
type Column = (typeof INVENTORY_COLUMNS)[number];
const DEVICE_TYPES = ["CHF", "GPF", "ESME", "GSME", "PPMID", "HCALCS", "IHD"];

/** Header names compared without case, spaces, underscores or hyphens ("Device ID", "device_id" and "DeviceID" are one). */
const norm = (s: string) =>
  s
    .replace(/^\uFEFF/, "")
    .replace(/[\s_-]/g, "")
    .toLowerCase();

interface InventoryRecord {
  device_id: string;
  gpf_device_id: string;
  device_type: string;
  manufacturer: string;
  device_model: string;
  firmware_version: string;
  smi_status: string;
  assigned_party: string;
  csp_region: string;
  /** Only when the file has a HANVariant column (optional, issue 17): a file without one leaves it as it was. */
  han_variant?: "single-band" | "dual-band" | null;
}

/** DUIS writes "Single Band" / "Dual Band"; an empty cell is "not known". */
function hanVariantOf(cell: string): { ok: true; value: "single-band" | "dual-band" | null } | { ok: false } {
  const n = norm(cell);
  if (n === "") return { ok: true, value: null };
  if (n === "singleband") return { ok: true, value: "single-band" };
  if (n === "dualband") return { ok: true, value: "dual-band" };
  return { ok: false };
}

export function parseInventoryCsv(
  bytes: Buffer,
  knownParties: ReadonlySet<string>,
): { records: InventoryRecord[]; badRows: RowProblem[] } {
  const read = readCsv(bytes);
  if (!read.ok) return { records: [], badRows: [{ line: 1, reason: read.reason }] };
  const rows = read.rows.filter((r) => r.cells.some((c) => c.trim() !== ""));
  const header = rows[0];
  if (!header) return { records: [], badRows: [{ line: 1, reason: "the file is empty" }] };
  const index = new Map(header.cells.map((c, i) => [norm(c), i]));
  const missing = INVENTORY_COLUMNS.filter((c) => !index.has(norm(c)));
  if (missing.length > 0)
    return {
      records: [],
      badRows: [
        {
          line: header.line,
          reason: `the header lacks column(s) ${missing.join(", ")}; an SMI inventory export has ${INVENTORY_COLUMNS.join(", ")}`,
        },
      ],
    };
  if (rows.length === 1)
    return { records: [], badRows: [{ line: header.line, reason: "the file has a header but no records" }] };
  const badRows: RowProblem[] = [];
  const records: InventoryRecord[] = [];
  const firstLine = new Map<string, number>();
  for (const row of rows.slice(1)) {
    const get = (c: Column) => (row.cells[index.get(norm(c)) ?? -1] ?? "").trim();
    const why: string[] = [];
    const id = parseDeviceId(get("DeviceID"));
    const gpf = parseDeviceId(get("GPFDeviceID"));
    if (!id.ok) why.push(`DeviceID ${JSON.stringify(get("DeviceID"))}: ${id.reason}`);
    if (!gpf.ok) why.push(`GPFDeviceID ${JSON.stringify(get("GPFDeviceID"))}: ${gpf.reason}`);
    const type = get("DeviceType").toUpperCase();
    if (!DEVICE_TYPES.includes(type))
      why.push(`DeviceType ${JSON.stringify(get("DeviceType"))} is not one of ${DEVICE_TYPES.join(", ")}`);
    const manufacturer = get("Manufacturer").toUpperCase();
    if (!/^[0-9A-F]{4}$/.test(manufacturer))
      why.push(`Manufacturer ${JSON.stringify(get("Manufacturer"))} is not 4 hex digits`);
    const model = get("DeviceModel").toUpperCase();
    if (!DeviceModelSchema.safeParse(model).success)
      why.push(`DeviceModel ${JSON.stringify(get("DeviceModel"))} is not 8 hex digits`);
    const firmware = get("FirmwareVersion").toUpperCase();
    if (!HexFirmwareSchema.safeParse(firmware).success)
      why.push(`FirmwareVersion ${JSON.stringify(get("FirmwareVersion"))} is not 8 hex digits`);
    const status = SmiStatusSchema.safeParse(get("SMIStatus"));
    if (!status.success)
      why.push(
        `SMIStatus ${JSON.stringify(get("SMIStatus"))} is not an SMI status (${SmiStatusSchema.options.join(", ")})`,
      );
    const party = get("AssignedParty");
    if (!knownParties.has(party))
      why.push(
        `AssignedParty ${JSON.stringify(party)} is not a Party known to the desk (add it on the Parties page first)`,
      );
    const hanColumn = index.get(norm("HANVariant"));
    const hanCell = hanColumn === undefined ? null : (row.cells[hanColumn] ?? "").trim();
    const han = hanCell === null ? null : hanVariantOf(hanCell);
    if (han !== null && !han.ok) why.push(`HANVariant ${JSON.stringify(hanCell)} is not Single Band or Dual Band`);
    const region = CspRegionSchema.safeParse(get("CSPRegion"));
    if (!region.success) why.push(`CSPRegion ${JSON.stringify(get("CSPRegion"))} is not North, Central or South`);
    if (id.ok) {
      const first = firstLine.get(id.deviceId);
      if (first !== undefined) why.push(`device ${id.deviceId} is already on line ${first}`);
      else firstLine.set(id.deviceId, row.line);
    }
    if (why.length > 0 || !id.ok || !gpf.ok || !status.success || !region.success) {
      badRows.push({ line: row.line, reason: why.join("; ") });
      continue;
    }
    records.push({
      device_id: id.deviceId,
      gpf_device_id: gpf.deviceId,
      device_type: type,
      manufacturer,
      device_model: model,
      firmware_version: firmware,
      smi_status: status.data,
      assigned_party: party,
      csp_region: region.data,
      ...(han?.ok === true ? { han_variant: han.value } : {}),
    });
  }
  return { records, badRows };
}

export async function importInventory(db: Kysely<DeskDatabase>, bytes: Buffer): Promise<InventoryImportResult> {
  const parties = new Set((await db.selectFrom("parties").select("id").execute()).map((p) => p.id));
  const { records, badRows } = parseInventoryCsv(bytes, parties);
  const result: InventoryImportResult = {
    rows: records.length + badRows.length,
    added: 0,
    updated: 0,
    unchanged: 0,
    badRows,
  };
  if (badRows.length > 0) return result;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < records.length; i += 2000) {
      const chunk = records.slice(i, i + 2000);
      const existing = new Map(
        (
          await trx
            .selectFrom("inventory")
            .selectAll()
            .where(
              "device_id",
              "in",
              chunk.map((r) => r.device_id),
            )
            .execute()
        ).map((r) => [r.device_id, r]),
      );
      const added = chunk.filter((r) => !existing.has(r.device_id));
      const changed = chunk.filter((r) => {
        const e = existing.get(r.device_id);
        return e !== undefined && (Object.keys(r) as Array<keyof InventoryRecord>).some((k) => e[k] !== r[k]);
      });
      if (added.length > 0) await trx.insertInto("inventory").values(added).execute();
      for (const r of changed)
        await trx
          .updateTable("inventory")
          .set({ ...r, updated_at: new Date().toISOString() })
          .where("device_id", "=", r.device_id)
          .execute();
      result.added += added.length;
      result.updated += changed.length;
      result.unchanged += chunk.length - added.length - changed.length;
    }
  });
  return result;
}
