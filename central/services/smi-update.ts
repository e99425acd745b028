import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../db/schema";
import { CspRegionSchema, DeviceIdSchema, DeviceModelSchema, HexFirmwareSchema, SmiStatusSchema } from "../../shared/domain/booking";
import { appendAudit } from "./audit";

/**
 * Req 10, the SMI update after a re-flash, both ways the PIA describes (6.2.3 / 6.3.3).
 * Option A: a CSPM-N3 pre-notification per hub with every parameter mandatory. Option B: an
 * SSMI upload file of hub IDs and new firmware versions, validated row by row (Pending only).
 * The CSPM-N3 field list is not public; this is ours, modelled on the DUIS inventory record.
 */
export const CspmN3Schema = z.strictObject({
  messageType: z.literal("CSPM-N3"),
  messageId: z.string().min(1),
  deviceId: DeviceIdSchema,
  deviceType: z.literal("CHF"),
  deviceManufacturer: z.string().regex(/^[0-9A-F]{4}$/),
  deviceModel: DeviceModelSchema,
  deviceFirmwareVersion: HexFirmwareSchema,
  previousFirmwareVersion: HexFirmwareSchema,
  gpfDeviceId: DeviceIdSchema,
  deviceStatus: SmiStatusSchema,
  cspRegion: CspRegionSchema,
  assignedParty: z.string().min(1),
  bookingRef: z.string().min(1),
  effectiveAt: z.iso.datetime(),
});
export type CspmN3 = z.infer<typeof CspmN3Schema>;

export interface Refusal { deviceId: string; reason: string }

/** Pending SMI updates joined with what the SMI mirror holds for each hub. */
async function pendingUpdates(db: Kysely<Database>) {
  return db
    .selectFrom("smi_updates")
    .leftJoin("inventory", "inventory.device_id", "smi_updates.device_id")
    .select([
      "smi_updates.id", "smi_updates.device_id", "smi_updates.booking_ref", "smi_updates.new_firmware", "smi_updates.created_at",
      "inventory.device_type", "inventory.manufacturer", "inventory.device_model", "inventory.firmware_version", "inventory.gpf_device_id",
      "inventory.smi_status", "inventory.csp_region", "inventory.assigned_party",
    ])
    .where("smi_updates.status", "=", "pending")
    .orderBy("smi_updates.id")
    .execute();
}

/**
 * Option A: emits a CSPM-N3 per pending hub, marks it emitted and updates the mirror's firmware.
 * A message with any field missing or malformed is refused (the hub stays pending) with the reason.
 */
export async function emitCspmN3(db: Kysely<Database>, now = new Date()): Promise<{ messages: CspmN3[]; refused: Refusal[] }> {
  return db.transaction().execute(async (trx) => {
    const messages: CspmN3[] = [];
    const refused: Refusal[] = [];
    for (const u of await pendingUpdates(trx)) {
      const candidate = {
        messageType: "CSPM-N3", messageId: `N3-${u.id}`, deviceId: u.device_id, deviceType: u.device_type ?? undefined,
        deviceManufacturer: u.manufacturer ?? undefined, deviceModel: u.device_model ?? undefined, deviceFirmwareVersion: u.new_firmware,
        previousFirmwareVersion: u.firmware_version ?? undefined, gpfDeviceId: u.gpf_device_id ?? undefined, deviceStatus: u.smi_status ?? undefined,
        cspRegion: u.csp_region ?? undefined, assignedParty: u.assigned_party ?? undefined, bookingRef: u.booking_ref ?? undefined, effectiveAt: now.toISOString(),
      };
      const missing = Object.entries(candidate).filter(([, v]) => v === undefined || v === "").map(([k]) => k);
      if (missing.length > 0) {
        refused.push({ deviceId: u.device_id, reason: `CSPM-N3 not emitted, every field is mandatory; missing: ${missing.join(", ")}` });
        continue;
      }
      const parsed = CspmN3Schema.safeParse(candidate);
      if (!parsed.success) {
        refused.push({ deviceId: u.device_id, reason: `CSPM-N3 not emitted, malformed: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` });
        continue;
      }
      messages.push(parsed.data);
      await trx.updateTable("smi_updates").set({ status: "emitted" }).where("id", "=", u.id).execute();
      await trx.updateTable("inventory").set({ firmware_version: u.new_firmware, updated_at: sql<string>`now()` }).where("device_id", "=", u.device_id).execute();
    }
    await appendAudit(trx, messages.map((m) => ({ deviceId: m.deviceId, actor: "central", dockId: null, action: "smi.cspm-n3-emitted", detail: { messageId: m.messageId, firmware: m.deviceFirmwareVersion } })));
    return { messages, refused };
  });
}

const SSMI_HEADER = "DeviceID,FirmwareVersion";

/** Option B: the SSMI upload file for every pending update (CSV, header then one hub a row). */
export async function buildSsmiFile(db: Kysely<Database>): Promise<string> {
  const rows = await pendingUpdates(db);
  return [SSMI_HEADER, ...rows.map((r) => `${r.device_id},${r.new_firmware}`)].join("\n") + "\n";
}

export interface BadRow { line: number; text: string; reason: string }

/**
 * Option B: validates an SSMI upload file (every row: format, known hub, Pending, firmware in
 * the production catalogue for its model) and, only when no row is bad, applies it.
 */
export async function uploadSsmiFile(db: Kysely<Database>, file: string): Promise<{ applied: number; badRows: BadRow[] }> {
  return db.transaction().execute(async (trx) => {
    const lines = file.replace(/\r\n?/g, "\n").split("\n");
    const badRows: BadRow[] = [];
    const rows: Array<{ line: number; deviceId: string; firmware: string }> = [];
    const seen = new Set<string>();
    lines.forEach((text, i) => {
      const line = i + 1;
      if (text.trim() === "") return;
      if (i === 0) { if (text.trim() !== SSMI_HEADER) badRows.push({ line, text, reason: `the first row must be the header "${SSMI_HEADER}"` }); return; }
      const cells = text.split(",").map((c) => c.trim());
      if (cells.length !== 2) return void badRows.push({ line, text, reason: `expected 2 columns, got ${cells.length}` });
      const [deviceId = "", firmware = ""] = cells;
      if (!DeviceIdSchema.safeParse(deviceId).success) return void badRows.push({ line, text, reason: `"${deviceId}" is not a device ID (HH-HH-HH-HH-HH-HH-HH-HH)` });
      if (!HexFirmwareSchema.safeParse(firmware).success) return void badRows.push({ line, text, reason: `"${firmware}" is not a firmware version (8 hex digits)` });
      if (seen.has(deviceId)) return void badRows.push({ line, text, reason: `${deviceId} is listed twice` });
      seen.add(deviceId);
      rows.push({ line, deviceId, firmware });
    });
    if (lines.every((l, i) => i === 0 || l.trim() === "")) badRows.push({ line: 1, text: lines[0] ?? "", reason: "the file lists no hubs" });
    const inv = new Map<string, { smi_status: string; device_model: string }>();
    const fw = new Set<string>();
    for (let i = 0; i < rows.length; i += 5000) {
      const chunk = rows.slice(i, i + 5000);
      for (const r of await trx.selectFrom("inventory").select(["device_id", "smi_status", "device_model"]).where("device_id", "in", chunk.map((c) => c.deviceId)).execute()) inv.set(r.device_id, r);
    }
    for (const f of await trx.selectFrom("firmware").select(["device_model", "version"]).where("status", "=", "production").execute()) fw.add(`${f.device_model}/${f.version}`);
    for (const r of rows) {
      const h = inv.get(r.deviceId);
      if (!h) badRows.push({ line: r.line, text: `${r.deviceId},${r.firmware}`, reason: `${r.deviceId} is not in the Smart Metering Inventory` });
      else if (h.smi_status !== "Pending") badRows.push({ line: r.line, text: `${r.deviceId},${r.firmware}`, reason: `${r.deviceId} is ${h.smi_status}; only Pending hubs may be updated` });
      else if (!fw.has(`${h.device_model}/${r.firmware}`)) badRows.push({ line: r.line, text: `${r.deviceId},${r.firmware}`, reason: `${r.firmware} is not a production firmware version for model ${h.device_model}` });
    }
    badRows.sort((a, b) => a.line - b.line);
    if (badRows.length > 0) return { applied: 0, badRows };
    for (const r of rows) {
      await trx.updateTable("inventory").set({ firmware_version: r.firmware, updated_at: sql<string>`now()` }).where("device_id", "=", r.deviceId).execute();
      await trx.updateTable("smi_updates").set({ status: "uploaded" }).where("device_id", "=", r.deviceId).where("status", "=", "pending").execute();
    }
    await appendAudit(trx, rows.map((r) => ({ deviceId: r.deviceId, actor: "central", dockId: null, action: "smi.ssmi-uploaded", detail: { firmware: r.firmware, line: r.line } })));
    return { applied: rows.length, badRows: [] };
  });
}
