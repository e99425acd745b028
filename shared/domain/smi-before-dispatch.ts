import { z } from "zod";
import { DeviceIdSchema, HexFirmwareSchema } from "./booking";

/**
 * MP155 Req 10: the SMI is updated with each re-flashed hub's new firmware version **prior to
 * re-delivery**. One rule for the dock (refuses before sending, shows the list) and central
 * (refuses the dispatch event whatever the dock decided): a manifest may be dispatched only when
 * every hub on it has its SMI update sent (a CSPM-N3, or a row of an uploaded SSMI file) and the
 * SMI mirror shows the version the hub was re-flashed to.
 */

/** Central's latest SMI update of a hub: none yet, waiting to be sent, sent as CSPM-N3, or applied by an SSMI upload. */
export const SmiUpdateStateSchema = z.enum(["none", "pending", "emitted", "uploaded"]);
export type SmiUpdateState = z.infer<typeof SmiUpdateStateSchema>;

/** One manifest hub as central knows it: the version it goes back with, its latest SMI update and what the SMI shows. */
export const SmiHubCheckSchema = z.strictObject({
  deviceId: DeviceIdSchema,
  /** The firmware version the manifest ships it with (what the jig read back). */
  firmwareVersion: HexFirmwareSchema,
  update: SmiUpdateStateSchema,
  /** The firmware version the SMI mirror holds for the hub, null when the hub is not in the mirror. */
  smiFirmware: z.string().max(16).nullable(),
});
export type SmiHubCheck = z.infer<typeof SmiHubCheckSchema>;

/** Whether the SMI is confirmed to hold the version this hub goes back with. */
export function smiConfirmed(h: SmiHubCheck): boolean {
  return (h.update === "emitted" || h.update === "uploaded") && h.smiFirmware === h.firmwareVersion;
}

/** A hub's SMI update state in plain words (for the supervisor's list and the refusal). */
export function smiStateWords(h: SmiHubCheck): string {
  switch (h.update) {
    case "none":
      return "no SMI update at central yet (its re-flash result has not reached central)";
    case "pending":
      return "SMI update not sent yet: send it as CSPM-N3 or in an SSMI file";
    case "emitted":
    case "uploaded": {
      const how = h.update === "emitted" ? "sent as CSPM-N3" : "in an uploaded SSMI file";
      if (h.smiFirmware === h.firmwareVersion) return `${how}; the SMI shows ${h.firmwareVersion}: confirmed`;
      return `${how}, but the SMI shows ${h.smiFirmware ?? "no record of the hub"}, not ${h.firmwareVersion}`;
    }
  }
}

export interface SmiDispatchCheck {
  /** True when every hub's update is confirmed (and there is at least one hub). */
  ok: boolean;
  confirmed: number;
  /** Hubs whose update is not confirmed, with why, in manifest order. */
  pending: Array<{ deviceId: string; why: string }>;
  /** The refusal in plain words, or null when dispatch may go. */
  refusal: string | null;
}

/** How many hubs a refusal names before "and N more" (the supervisor's list shows them all). */
export const SMI_REFUSAL_NAMES = 5;

/**
 * Decides whether a manifest may be dispatched as far as the SMI goes. `hubs` are the manifest's
 * hubs and `checks` central's answer; a manifest hub central gave no answer for counts as having
 * no update (never as confirmed).
 */
export function smiDispatchCheck(
  hubs: ReadonlyArray<{ deviceId: string; firmwareVersion: string }>,
  checks: readonly SmiHubCheck[],
): SmiDispatchCheck {
  const byId = new Map(checks.map((c) => [c.deviceId, c]));
  const pending: SmiDispatchCheck["pending"] = [];
  let confirmed = 0;
  for (const h of hubs) {
    const c: SmiHubCheck = byId.get(h.deviceId) ?? { ...h, update: "none", smiFirmware: null };
    const own: SmiHubCheck = { ...c, firmwareVersion: h.firmwareVersion };
    if (smiConfirmed(own)) confirmed++;
    else pending.push({ deviceId: h.deviceId, why: smiStateWords(own) });
  }
  if (hubs.length === 0)
    return { ok: false, confirmed: 0, pending, refusal: "the manifest has no hub, so there is nothing to dispatch" };
  if (pending.length === 0) return { ok: true, confirmed, pending, refusal: null };
  const named = pending
    .slice(0, SMI_REFUSAL_NAMES)
    .map((p) => `${p.deviceId} (${p.why})`)
    .join("; ");
  const more = pending.length > SMI_REFUSAL_NAMES ? `; and ${pending.length - SMI_REFUSAL_NAMES} more` : "";
  return {
    ok: false,
    confirmed,
    pending,
    refusal: `the SMI must be updated before re-delivery (MP155 Req 10): ${pending.length} of ${hubs.length} hubs are not confirmed yet: ${named}${more}`,
  };
}

/** POST /sync/smi-status: the dock asks central for the SMI state of one manifest's hubs. */
export const SmiStatusRequestSchema = z.strictObject({
  manifestId: z.string().regex(/^[A-Z0-9-]{4,32}$/, "manifest id is 4-32 of A-Z, 0-9, -"),
});
export const SmiStatusResponseSchema = z.strictObject({
  manifestId: z.string(),
  hubs: z.array(SmiHubCheckSchema),
  serverTime: z.string(),
});
export type SmiStatusResponse = z.infer<typeof SmiStatusResponseSchema>;
