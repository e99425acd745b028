import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../db/schema";
import {
  CspRegionSchema,
  DeviceIdSchema,
  DeviceModelSchema,
  HexFirmwareSchema,
  SmiStatusSchema,
} from "../../shared/domain/booking";
import { spreadsheetSafe } from "../../shared/domain/spreadsheet-cell";
import type { SmiHubCheck } from "../../shared/domain/smi-before-dispatch";
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

export interface Refusal {
  deviceId: string;
  reason: string;
}

/** Each hub's facility, by its latest booking: where central's SMI audit rows belong. */
async function facilitiesOfHubs(db: Kysely<Database>, deviceIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (deviceIds.length === 0) return out;
  const rows = await db
    .selectFrom("booking_hubs")
    .innerJoin("bookings", "bookings.booking_ref", "booking_hubs.booking_ref")
    .select(["booking_hubs.device_id", "bookings.facility_id"])
    .where(sql<boolean>`booking_hubs.device_id = any(${[...deviceIds]}::text[])`)
    .orderBy("bookings.created_at")
    .execute();
  for (const r of rows) out.set(r.device_id, r.facility_id);
  return out;
}

/** Pending SMI updates joined with what the SMI mirror holds for each hub. */
async function pendingUpdates(db: Kysely<Database>) {
  return db
    .selectFrom("smi_updates")
    .leftJoin("inventory", "inventory.device_id", "smi_updates.device_id")
    .select([
      "smi_updates.id",
      "smi_updates.device_id",
      "smi_updates.booking_ref",
      "smi_updates.new_firmware",
      "smi_updates.created_at",
      "inventory.device_type",
      "inventory.manufacturer",
      "inventory.device_model",
      "inventory.firmware_version",
      "inventory.gpf_device_id",
      "inventory.smi_status",
      "inventory.csp_region",
      "inventory.assigned_party",
    ])
    .where("smi_updates.status", "=", "pending")
    .orderBy("smi_updates.id")
    .execute();
}

/**
 * Option A: emits a CSPM-N3 per pending hub, marks it emitted and updates the mirror's firmware.
 * A message with any field missing or malformed is refused (the hub stays pending) with the reason.
 */
export async function emitCspmN3(
  db: Kysely<Database>,
  now = new Date(),
): Promise<{ messages: CspmN3[]; refused: Refusal[] }> {
  return db.transaction().execute(async (trx) => {
    const messages: CspmN3[] = [];
    const refused: Refusal[] = [];
    const catalogue = new Set(
      (await trx.selectFrom("firmware").select(["device_model", "version"]).execute()).map(
        (f) => `${f.device_model}/${f.version}`,
      ),
    );
    for (const u of await pendingUpdates(trx)) {
      const candidate = {
        messageType: "CSPM-N3",
        messageId: `N3-${u.id}`,
        deviceId: u.device_id,
        deviceType: u.device_type ?? undefined,
        deviceManufacturer: u.manufacturer ?? undefined,
        deviceModel: u.device_model ?? undefined,
        deviceFirmwareVersion: u.new_firmware,
        previousFirmwareVersion: u.firmware_version ?? undefined,
        gpfDeviceId: u.gpf_device_id ?? undefined,
        deviceStatus: u.smi_status ?? undefined,
        cspRegion: u.csp_region ?? undefined,
        assignedParty: u.assigned_party ?? undefined,
        bookingRef: u.booking_ref ?? undefined,
        effectiveAt: now.toISOString(),
      };
      const missing = Object.entries(candidate)
        .filter(([, v]) => v === undefined || v === "")
        .map(([k]) => k);
      if (missing.length > 0) {
        refused.push({
          deviceId: u.device_id,
          reason: `CSPM-N3 not emitted, every field is mandatory; missing: ${missing.join(", ")}`,
        });
        continue;
      }
      if (!catalogue.has(`${u.device_model}/${u.new_firmware}`)) {
        refused.push({
          deviceId: u.device_id,
          reason: `CSPM-N3 not emitted: firmware ${u.new_firmware} is not in the catalogue for model ${u.device_model}`,
        });
        continue;
      }
      const parsed = CspmN3Schema.safeParse(candidate);
      if (!parsed.success) {
        refused.push({
          deviceId: u.device_id,
          reason: `CSPM-N3 not emitted, malformed: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
        });
        continue;
      }
      messages.push(parsed.data);
      await trx.updateTable("smi_updates").set({ status: "emitted" }).where("id", "=", u.id).execute();
      await trx
        .updateTable("inventory")
        .set({ firmware_version: u.new_firmware, updated_at: sql<string>`now()` })
        .where("device_id", "=", u.device_id)
        .execute();
    }
    const facilityOf = await facilitiesOfHubs(
      trx,
      messages.map((m) => m.deviceId),
    );
    await appendAudit(
      trx,
      messages.map((m) => ({
        deviceId: m.deviceId,
        actor: "central",
        dockId: null,
        facilityId: facilityOf.get(m.deviceId) ?? null,
        action: "smi.cspm-n3-emitted",
        detail: { messageId: m.messageId, firmware: m.deviceFirmwareVersion },
      })),
    );
    return { messages, refused };
  });
}

const SSMI_HEADER = "DeviceID,FirmwareVersion";

/** What the SMI mirror and the catalogue say of a hub an SSMI row names. */
interface SsmiFacts {
  inventory: ReadonlyMap<string, { smi_status: string; device_model: string }>;
  production: ReadonlySet<string>;
}

/** Why the SSMI upload refuses a well-formed row (unknown hub, not Pending, firmware not production for its model), or null. */
function ssmiRowProblem(deviceId: string, firmware: string, f: SsmiFacts): string | null {
  const h = f.inventory.get(deviceId);
  if (!h) return `${deviceId} is not in the Smart Metering Inventory`;
  if (h.smi_status !== "Pending") return `${deviceId} is ${h.smi_status}; only Pending hubs may be updated`;
  if (!f.production.has(`${h.device_model}/${firmware}`))
    return `${firmware} is not a production firmware version for model ${h.device_model}`;
  return null;
}

async function productionFirmware(db: Kysely<Database>): Promise<Set<string>> {
  return new Set(
    (
      await db.selectFrom("firmware").select(["device_model", "version"]).where("status", "=", "production").execute()
    ).map((f) => `${f.device_model}/${f.version}`),
  );
}

/**
 * Option B: the SSMI upload file for the pending updates the upload would accept (CSV, header
 * then one hub a row), and the ones held back with the reason: one bad row would make the SMI
 * refuse the whole file, so it never goes in. Every cell is neutralised for spreadsheets.
 */
export async function buildSsmiFile(db: Kysely<Database>): Promise<{ file: string; held: Refusal[] }> {
  const rows = await pendingUpdates(db);
  const inventory = new Map<string, { smi_status: string; device_model: string }>();
  for (const r of rows)
    if (r.smi_status !== null && r.device_model !== null)
      inventory.set(r.device_id, { smi_status: r.smi_status, device_model: r.device_model });
  const facts = { inventory, production: await productionFirmware(db) };
  const lines: string[] = [SSMI_HEADER];
  const held: Refusal[] = [];
  for (const r of rows) {
    const ok = DeviceIdSchema.safeParse(r.device_id).success && HexFirmwareSchema.safeParse(r.new_firmware).success;
    const problem = ok
      ? ssmiRowProblem(r.device_id, r.new_firmware, facts)
      : `${r.device_id},${r.new_firmware} is not a device ID and firmware version`;
    if (problem !== null) held.push({ deviceId: r.device_id, reason: `not in the SSMI file: ${problem}` });
    else lines.push(`${spreadsheetSafe(r.device_id)},${spreadsheetSafe(r.new_firmware)}`);
  }
  return { file: lines.join("\n") + "\n", held };
}

export interface BadRow {
  line: number;
  text: string;
  reason: string;
}

/**
 * Option B: validates an SSMI upload file (every row: format, known hub, Pending, firmware in
 * the production catalogue for its model) and, only when no row is bad, applies it.
 */
export async function uploadSsmiFile(
  db: Kysely<Database>,
  file: string,
): Promise<{ applied: number; badRows: BadRow[] }> {
  return db.transaction().execute(async (trx) => {
    const lines = file.replace(/\r\n?/g, "\n").split("\n");
    const badRows: BadRow[] = [];
    const rows: Array<{ line: number; deviceId: string; firmware: string }> = [];
    const seen = new Set<string>();
    lines.forEach((text, i) => {
      const line = i + 1;
      if (text.trim() === "") return;
      if (i === 0) {
        if (text.trim() !== SSMI_HEADER)
          badRows.push({ line, text, reason: `the first row must be the header "${SSMI_HEADER}"` });
        return;
      }
      const cells = text.split(",").map((c) => c.trim());
      if (cells.length !== 2)
        return void badRows.push({ line, text, reason: `expected 2 columns, got ${cells.length}` });
      const [deviceId = "", firmware = ""] = cells;
      if (!DeviceIdSchema.safeParse(deviceId).success)
        return void badRows.push({ line, text, reason: `"${deviceId}" is not a device ID (HH-HH-HH-HH-HH-HH-HH-HH)` });
      if (!HexFirmwareSchema.safeParse(firmware).success)
        return void badRows.push({ line, text, reason: `"${firmware}" is not a firmware version (8 hex digits)` });
      if (seen.has(deviceId)) return void badRows.push({ line, text, reason: `${deviceId} is listed twice` });
      seen.add(deviceId);
      rows.push({ line, deviceId, firmware });
    });
    if (lines.every((l, i) => i === 0 || l.trim() === ""))
      badRows.push({ line: 1, text: lines[0] ?? "", reason: "the file lists no hubs" });
    const inv = new Map<string, { smi_status: string; device_model: string }>();
    for (let i = 0; i < rows.length; i += 5000) {
      const chunk = rows.slice(i, i + 5000);
      for (const r of await trx
        .selectFrom("inventory")
        .select(["device_id", "smi_status", "device_model"])
        .where(
          "device_id",
          "in",
          chunk.map((c) => c.deviceId),
        )
        .execute())
        inv.set(r.device_id, r);
    }
    const facts = { inventory: inv, production: await productionFirmware(trx) };
    for (const r of rows) {
      const problem = ssmiRowProblem(r.deviceId, r.firmware, facts);
      if (problem !== null) badRows.push({ line: r.line, text: `${r.deviceId},${r.firmware}`, reason: problem });
    }
    badRows.sort((a, b) => a.line - b.line);
    if (badRows.length > 0) return { applied: 0, badRows };
    for (const r of rows) {
      await trx
        .updateTable("inventory")
        .set({ firmware_version: r.firmware, updated_at: sql<string>`now()` })
        .where("device_id", "=", r.deviceId)
        .execute();
      await trx
        .updateTable("smi_updates")
        .set({ status: "uploaded" })
        .where("device_id", "=", r.deviceId)
        .where("status", "=", "pending")
        .execute();
    }
    const facilityOf = await facilitiesOfHubs(
      trx,
      rows.map((r) => r.deviceId),
    );
    await appendAudit(
      trx,
      rows.map((r) => ({
        deviceId: r.deviceId,
        actor: "central",
        dockId: null,
        facilityId: facilityOf.get(r.deviceId) ?? null,
        action: "smi.ssmi-uploaded",
        detail: { firmware: r.firmware, line: r.line },
      })),
    );
    return { applied: rows.length, badRows: [] };
  });
}

/**
 * Req 10 before dispatch: for each hub (with the version it goes back with), its latest SMI
 * update (superseded ones aside) and the firmware the SMI mirror holds. A hub with no update at
 * central is "none". One query each for the updates and the mirror, chunked for long manifests.
 */
export async function smiChecksOf(
  db: Kysely<Database>,
  hubs: ReadonlyArray<{ deviceId: string; firmwareVersion: string }>,
): Promise<SmiHubCheck[]> {
  const update = new Map<string, SmiHubCheck["update"]>();
  const mirror = new Map<string, string>();
  for (let i = 0; i < hubs.length; i += 5000) {
    const ids = hubs.slice(i, i + 5000).map((h) => h.deviceId);
    const latest = await sql<{ device_id: string; status: string }>`
      select distinct on (device_id) device_id, status from smi_updates
      where device_id = any(${ids}::text[]) and status <> 'superseded'
      order by device_id, id desc`.execute(db);
    for (const r of latest.rows)
      if (r.status === "pending" || r.status === "emitted" || r.status === "uploaded")
        update.set(r.device_id, r.status);
    for (const r of await db
      .selectFrom("inventory")
      .select(["device_id", "firmware_version"])
      .where(sql<boolean>`device_id = any(${ids}::text[])`)
      .execute())
      mirror.set(r.device_id, r.firmware_version);
  }
  return hubs.map((h) => ({
    deviceId: h.deviceId,
    firmwareVersion: h.firmwareVersion,
    update: update.get(h.deviceId) ?? "none",
    smiFirmware: mirror.get(h.deviceId) ?? null,
  }));
}
