import { parseDeviceId } from "./device-id";
import { mayLoadJigs } from "./jig-slot-decision";

/**
 * A technician's manual Fault Analysis Report (MP155 Req 6: "a manual report where damage
 * prevents analysis"): the hub, the damage found and notes, typed on the jig station. Two
 * steps, both pure: `readManualFaultReportForm` checks what was typed (the caller then looks
 * the hub up in the dock's log), and `decideManualFaultReport` judges it against those facts.
 * The host journals the accepted report; it reaches central as a `fault.reported` event.
 */

/** Longest damage description and notes, as the event schema allows. */
export const MAX_DAMAGE_CHARS = 500;
export const MAX_NOTES_CHARS = 2000;
/** A report with fewer words than this says nothing the Party can act on. */
export const MIN_DAMAGE_CHARS = 3;

export interface ManualFaultReportForm {
  /** The hub as scanned or typed (any notation the device-id parser accepts). */
  hub: string;
  damage: string;
  notes: string;
}

export type ManualFaultReportField = "hub" | "damage" | "notes" | "role";

export type FormReading =
  | { ok: true; deviceId: string; damage: string; notes: string }
  | { ok: false; field: ManualFaultReportField; reason: string };

/** What the dock knows of the hub, read by the caller after the form is read. */
export interface ManualFaultFacts {
  /** The receipt gate (`decideHubForJig`): only a hub received and accepted here is reported. */
  received: { ok: true; bookingRef: string } | { ok: false; reason: string };
  /** The version this dock flashed it to, or null: a flashed hub is not a fault. */
  flashedTo: string | null;
  /** A Fault Analysis Report this dock already holds for the hub (its reference), or null. */
  reportedAs: string | null;
  /** The slot the hub sits in now, if it is on a jig (the report names it). */
  slot: { jigId: string; slot: number; phase: string } | null;
}

export type ManualFaultDecision =
  | {
      ok: true;
      report: {
        deviceId: string;
        bookingRef: string;
        damage: string;
        notes: string;
        jigId: string | null;
        slot: number | null;
      };
    }
  | { ok: false; field: ManualFaultReportField; reason: string };

/** Checks what was typed: who, which hub, what damage. Changes nothing. */
export function readManualFaultReportForm(role: string | null, form: ManualFaultReportForm): FormReading {
  if (!mayLoadJigs(role))
    return {
      ok: false,
      field: "role",
      reason: "Only a technician or a supervisor can file a Fault Analysis Report. Sign in as a technician.",
    };
  if (form.hub.trim() === "")
    return { ok: false, field: "hub", reason: "Scan or type the hub's ID (printed under its barcode)." };
  const id = parseDeviceId(form.hub);
  if (!id.ok)
    return {
      ok: false,
      field: "hub",
      reason: `"${form.hub.trim().slice(0, 40)}" is not a hub ID: scan the hub again, or type the 16 characters printed under its barcode.`,
    };
  const damage = form.damage.trim();
  if (damage.length < MIN_DAMAGE_CHARS)
    return {
      ok: false,
      field: "damage",
      reason: "Say what damage you found, in a few words (e.g. cracked casing, bent pins).",
    };
  if (damage.length > MAX_DAMAGE_CHARS)
    return {
      ok: false,
      field: "damage",
      reason: `Keep the damage to ${MAX_DAMAGE_CHARS} characters; put the rest in the notes.`,
    };
  const notes = form.notes.trim();
  if (notes.length > MAX_NOTES_CHARS)
    return { ok: false, field: "notes", reason: `Keep the notes to ${MAX_NOTES_CHARS} characters.` };
  return { ok: true, deviceId: id.deviceId, damage, notes };
}

/** Whether the report may be filed for this hub, and what it says. */
export function decideManualFaultReport(
  form: Extract<FormReading, { ok: true }>,
  f: ManualFaultFacts,
): ManualFaultDecision {
  const id = form.deviceId;
  if (!f.received.ok) return { ok: false, field: "hub", reason: `No report filed: ${f.received.reason}.` };
  if (f.flashedTo !== null)
    return {
      ok: false,
      field: "hub",
      reason: `Hub ${id} was re-flashed to ${f.flashedTo} at this dock: it is not a fault. Put it with the flashed hubs.`,
    };
  if (f.reportedAs !== null)
    return {
      ok: false,
      field: "hub",
      reason: `Hub ${id} already has a Fault Analysis Report (${f.reportedAs}). One report a hub is enough.`,
    };
  if (f.slot !== null && f.slot.phase !== "failed" && f.slot.phase !== "empty")
    return {
      ok: false,
      field: "hub",
      reason: `Hub ${id} is still on a jig (${f.slot.phase}): wait until it finishes, then report it.`,
    };
  return {
    ok: true,
    report: {
      deviceId: id,
      bookingRef: f.received.bookingRef,
      damage: form.damage,
      notes: form.notes,
      jigId: f.slot?.jigId ?? null,
      slot: f.slot?.slot ?? null,
    },
  };
}
