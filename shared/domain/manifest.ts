/**
 * The re-delivery manifest (MP155 Req 7 and 9): which hubs go back, in which cartons and on
 * which pallets, to whom, where and when. Pure: the caller gathers each hub's final result
 * (from the jig's flash results and the fault reports) and the bookings they came on.
 *
 * Rules held here, each refused or flagged by name rather than silently repaired:
 * - only hubs re-flashed and read back at the target version of their Device Model go back;
 * - back to the same Party that sent them: bookings of two Parties never mix, and a
 *   hub assigned to another Party stops the build;
 * - in their original cartons and pallets (the booking's packing); a carton going back with
 *   fewer hubs than it came with is flagged (carton integrity), never hidden; an empty carton
 *   or pallet stays behind and is flagged too;
 * - failed hubs are left out and listed with their fault report ids;
 * - the delivery location is the one the Party requested; the date and window are checked
 *   against working hours (configuration).
 */
import type { z } from "zod";
import {
  bookingHubs,
  HexFirmwareSchema,
  palletHubs,
  redeliveryLocation,
  type BookedCarton,
  type Booking,
  type DeliveryLocation,
  type DeliveryWindow,
} from "./booking";
import { isUuidV7 } from "./ids";
import { checkDeliverySlot, type SlotProblem, type WorkingHoursConfig } from "./working-hours";
import { ManifestBuiltPayload, ManifestIdSchema, formatIssues } from "../events";

export type ManifestPayload = z.output<typeof ManifestBuiltPayload>;
type ManifestCarton = ManifestPayload["looseCartons"][number];
type PalletHub = NonNullable<ManifestPayload["pallets"][number]["hubs"]>[number];

/** The final result of one booked hub, as the supervisor's projection knows it. */
export type HubResult =
  | { deviceId: string; outcome: "flashed"; firmwareVersion: string }
  | { deviceId: string; outcome: "failed"; faultEventId: string | null; detail?: string }
  | { deviceId: string; outcome: "not-received" }
  | { deviceId: string; outcome: "rejected"; reason: string };

export interface ManifestInput {
  manifestId: string;
  /** The bookings whose hubs go back on this delivery; one Party only. */
  bookings: readonly Booking[];
  /** One result per hub; results for hubs on other bookings are ignored (and counted). */
  results: readonly HubResult[];
  /** The latest production firmware per Device Model (8 hex digits each). */
  targetVersionByModel: Readonly<Record<string, string>>;
  /** The re-delivery date and window (Req 7); the location is the Party's requested one. */
  deliveryDate: string;
  deliveryWindow: DeliveryWindow;
  workingHours: WorkingHoursConfig;
  /** The dock's local date, for the past and notice checks; omit to skip them. */
  today?: string;
  /**
   * For hubs the booking lists on a pallet alone: the carton label they were scanned in on
   * arrival (an SSCC, or an original supplier's carton number), so they go back in the same
   * carton and pallet (issue 16). Hubs absent here go back loose on their pallet.
   */
  arrivedIn?: ReadonlyMap<string, { cartonSscc: string | null; cartonNumber: string | null }>;
}

/** Why a booked hub is not going back. */
export type ExclusionCode =
  "failed" | "wrong-version" | "no-target-version" | "not-received" | "rejected" | "no-result";

export interface ExcludedHub {
  deviceId: string;
  code: ExclusionCode;
  faultEventId: string | null;
  reason: string;
  bookingRef: string;
  /** Null for a hub the booking lists on its pallet alone. */
  cartonSscc: string | null;
  palletSscc: string | null;
}

/** A carton or pallet that goes back short, or stays behind empty. */
export interface IntegrityFlag {
  kind: "carton-short" | "carton-empty" | "pallet-short" | "pallet-empty" | "pallet-hubs-short";
  sscc: string;
  /** The pallet a carton sits on; null for a loose carton and for pallets. */
  palletSscc: string | null;
  /** Hubs (for a carton) or cartons (for a pallet) it came with. */
  booked: number;
  /** Hubs or cartons going back in it. */
  returning: number;
  /** For a carton: the hubs not going back. For a pallet: the cartons (pallet-hubs-short: the hubs listed on it) not going back. */
  missing: string[];
  message: string;
}

export type ManifestErrorCode =
  | "invalid-input"
  | "no-bookings"
  | "mixed-parties"
  | "mixed-locations"
  | "foreign-hub"
  | "duplicate-result"
  | "duplicate-hub"
  | "outside-working-hours"
  | "nothing-to-deliver";

export interface ManifestError {
  ok: false;
  code: ManifestErrorCode;
  message: string;
  /** For outside-working-hours: each problem of the slot. */
  slotProblems?: SlotProblem[];
}

export interface ManifestOk {
  ok: true;
  /** Exactly the `manifest.built` payload (validated against its schema). */
  payload: ManifestPayload;
  /** Every hub left out, with its code (the payload carries the reason text). */
  excluded: ExcludedHub[];
  integrity: IntegrityFlag[];
  counts: { pallets: number; cartons: number; hubs: number; failed: number; excluded: number };
  /** Results given for hubs that are on none of these bookings (ignored). */
  unrelatedResults: number;
}

export type ManifestResult = ManifestOk | ManifestError;

function fail(code: ManifestErrorCode, message: string, slotProblems?: SlotProblem[]): ManifestError {
  return slotProblems ? { ok: false, code, message, slotProblems } : { ok: false, code, message };
}

function sameLocation(a: DeliveryLocation, b: DeliveryLocation): boolean {
  return a.id === b.id && a.name === b.name && a.address === b.address;
}

/** Builds the re-delivery manifest from bookings and per-hub results, or says exactly why it cannot. */
export function buildManifest(input: ManifestInput): ManifestResult {
  if (!ManifestIdSchema.safeParse(input.manifestId).success)
    return fail("invalid-input", `manifest id "${String(input.manifestId)}" is not 4-32 of A-Z, 0-9, -`);
  const bookings = input.bookings;
  const first = bookings[0];
  if (first === undefined) return fail("no-bookings", "a manifest re-delivers the hubs of at least one booking");

  const parties = [...new Set(bookings.map((b) => b.partyId))];
  if (parties.length > 1)
    return fail(
      "mixed-parties",
      `hubs go back to the Party that sent them (A-001): these bookings belong to ${parties.join(", ")}`,
    );
  const party = first.partyId;
  const refs = bookings.map((b) => b.bookingRef);
  const dupRef = refs.find((r, i) => refs.indexOf(r) !== i);
  if (dupRef !== undefined) return fail("invalid-input", `booking ${dupRef} is listed twice`);
  // Hubs go back to the booking's re-delivery location (Req 1, 7), not the CSP's own dock.
  const goesTo = redeliveryLocation(first);
  const otherPlace = bookings.find((b) => !sameLocation(redeliveryLocation(b), goesTo));
  if (otherPlace)
    return fail(
      "mixed-locations",
      `bookings ${first.bookingRef} and ${otherPlace.bookingRef} ask for different re-delivery locations (${goesTo.id}, ${redeliveryLocation(otherPlace).id}): one manifest per location`,
    );

  // Index the booked hubs first, so a foreign hub or a hub booked twice stops the build.
  const bookedAt = new Map<string, { booking: Booking; cartonSscc: string | null; palletSscc: string | null }>();
  for (const booking of bookings) {
    for (const { hub, cartonSscc, palletSscc } of bookingHubs(booking)) {
      if (hub.assignedParty !== party)
        return fail(
          "foreign-hub",
          `hub ${hub.deviceId} on booking ${booking.bookingRef} is assigned to ${hub.assignedParty}, not ${party}: it cannot go back to ${party} (A-001)`,
        );
      if (bookedAt.has(hub.deviceId))
        return fail("duplicate-hub", `hub ${hub.deviceId} is listed twice on the bookings`);
      bookedAt.set(hub.deviceId, { booking, cartonSscc, palletSscc });
    }
  }

  const resultOf = new Map<string, HubResult>();
  let unrelated = 0;
  for (const r of input.results) {
    if (!bookedAt.has(r.deviceId)) {
      unrelated++;
      continue;
    }
    if (resultOf.has(r.deviceId))
      return fail("duplicate-result", `two results for hub ${r.deviceId}: pass only its final result`);
    if (r.outcome === "failed" && r.faultEventId !== null && !isUuidV7(r.faultEventId))
      return fail(
        "invalid-input",
        `fault report id "${r.faultEventId}" of hub ${r.deviceId} is not an event id (UUIDv7)`,
      );
    resultOf.set(r.deviceId, r);
  }

  const slot = checkDeliverySlot(input.deliveryDate, input.deliveryWindow, input.workingHours, input.today);
  if (!slot.ok)
    return fail(
      "outside-working-hours",
      `re-delivery ${String(input.deliveryDate)} ${String(input.deliveryWindow?.start)}-${String(input.deliveryWindow?.end)}: ${slot.problems.map((p) => p.message).join("; ")}`,
      slot.problems,
    );

  const excluded: ExcludedHub[] = [];
  const integrity: IntegrityFlag[] = [];
  const goesBack = (
    bookingRef: string,
    cartonSscc: string | null,
    palletSscc: string | null,
    deviceId: string,
    model: string,
  ): string | null => {
    const r = resultOf.get(deviceId);
    const out = (code: ExclusionCode, reason: string, faultEventId: string | null = null): null => {
      excluded.push({ deviceId, code, faultEventId, reason, bookingRef, cartonSscc, palletSscc });
      return null;
    };
    if (r === undefined) return out("no-result", "no re-flash result yet");
    switch (r.outcome) {
      case "failed": {
        const detail = r.detail ? `: ${r.detail}` : "";
        return out(
          "failed",
          `re-flash failed${detail}${r.faultEventId ? "" : " (no fault report yet)"}`.slice(0, 500),
          r.faultEventId,
        );
      }
      case "not-received":
        return out("not-received", "never received at the dock");
      case "rejected":
        return out("rejected", `rejected at receipt: ${r.reason}`.slice(0, 500));
      case "flashed": {
        const target = input.targetVersionByModel[model];
        if (target === undefined)
          return out("no-target-version", `no target firmware version is known for Device Model ${model}`);
        if (!HexFirmwareSchema.safeParse(r.firmwareVersion).success || r.firmwareVersion !== target)
          return out(
            "wrong-version",
            `reads back firmware ${r.firmwareVersion}, the target for model ${model} is ${target}`,
          );
        return r.firmwareVersion;
      }
    }
  };

  /** Whether none of these hubs ever arrived (so nothing of their carton or pallet is at the dock). */
  const neverArrived = (deviceIds: readonly string[]) =>
    deviceIds.length > 0 && deviceIds.every((d) => resultOf.get(d)?.outcome === "not-received");

  const cartonBack = (booking: Booking, carton: BookedCarton, palletSscc: string | null): ManifestCarton | null => {
    const hubs: ManifestCarton["hubs"] = [];
    const missing: string[] = [];
    for (const hub of carton.hubs) {
      const version = goesBack(booking.bookingRef, carton.sscc, palletSscc, hub.deviceId, hub.deviceModel);
      if (version === null) missing.push(hub.deviceId);
      else hubs.push({ deviceId: hub.deviceId, firmwareVersion: version });
    }
    if (hubs.length === 0) {
      integrity.push({
        kind: "carton-empty",
        sscc: carton.sscc,
        palletSscc,
        booked: carton.hubs.length,
        returning: 0,
        missing,
        message: neverArrived(missing)
          ? `carton ${carton.sscc} never arrived (none of its ${carton.hubs.length} hubs was received): nothing of it goes back`
          : `carton ${carton.sscc} has no hub going back (${carton.hubs.length} booked): it stays at the dock`,
      });
      return null;
    }
    if (missing.length > 0)
      integrity.push({
        kind: "carton-short",
        sscc: carton.sscc,
        palletSscc,
        booked: carton.hubs.length,
        returning: hubs.length,
        missing,
        message: `carton ${carton.sscc} goes back with ${hubs.length} of the ${carton.hubs.length} hubs it came with`,
      });
    return { sscc: carton.sscc, hubs };
  };

  const pallets: ManifestPayload["pallets"] = [];
  const looseCartons: ManifestCarton[] = [];
  for (const booking of bookings) {
    for (const pallet of booking.pallets) {
      const cartons: ManifestCarton[] = [];
      const missing: string[] = [];
      const missingHubIds: string[] = [];
      for (const carton of pallet.cartons) {
        const back = cartonBack(booking, carton, pallet.sscc);
        if (back) cartons.push(back);
        else {
          missing.push(carton.sscc);
          missingHubIds.push(...carton.hubs.map((h) => h.deviceId));
        }
      }
      // Hubs listed on the pallet alone: back into the carton they arrived in (an SSCC seen on
      // arrival), else loose on the pallet with the supplier's carton number they came in.
      const listed = palletHubs(pallet);
      const onPallet: PalletHub[] = [];
      const shortOnPallet: string[] = [];
      for (const hub of listed) {
        const version = goesBack(booking.bookingRef, null, pallet.sscc, hub.deviceId, hub.deviceModel);
        if (version === null) {
          shortOnPallet.push(hub.deviceId);
          continue;
        }
        const seen = input.arrivedIn?.get(hub.deviceId);
        const sscc = seen?.cartonSscc ?? null;
        if (sscc === null) {
          onPallet.push({ deviceId: hub.deviceId, firmwareVersion: version, cartonNumber: seen?.cartonNumber ?? null });
          continue;
        }
        const into = cartons.find((c) => c.sscc === sscc);
        if (into) into.hubs.push({ deviceId: hub.deviceId, firmwareVersion: version });
        else cartons.push({ sscc, hubs: [{ deviceId: hub.deviceId, firmwareVersion: version }] });
      }
      if (cartons.length === 0 && onPallet.length === 0) {
        const all = [...missingHubIds, ...shortOnPallet];
        integrity.push({
          kind: "pallet-empty",
          sscc: pallet.sscc,
          palletSscc: null,
          booked: pallet.cartons.length,
          returning: 0,
          missing,
          message: neverArrived(all)
            ? `pallet ${pallet.sscc} never arrived (none of its ${all.length} hubs was received): nothing of it goes back`
            : `pallet ${pallet.sscc} has no hub going back: it stays at the dock`,
        });
        continue;
      }
      if (shortOnPallet.length > 0)
        integrity.push({
          kind: "pallet-hubs-short",
          sscc: pallet.sscc,
          palletSscc: null,
          booked: listed.length,
          returning: listed.length - shortOnPallet.length,
          missing: shortOnPallet,
          message: `pallet ${pallet.sscc} goes back with ${listed.length - shortOnPallet.length} of the ${listed.length} hubs listed on it`,
        });
      if (missing.length > 0)
        integrity.push({
          kind: "pallet-short",
          sscc: pallet.sscc,
          palletSscc: null,
          booked: pallet.cartons.length,
          returning: pallet.cartons.length - missing.length,
          missing,
          message: `pallet ${pallet.sscc} goes back with ${pallet.cartons.length - missing.length} of its ${pallet.cartons.length} cartons`,
        });
      pallets.push(
        onPallet.length > 0 ? { sscc: pallet.sscc, cartons, hubs: onPallet } : { sscc: pallet.sscc, cartons },
      );
    }
    for (const carton of booking.looseCartons) {
      const back = cartonBack(booking, carton, null);
      if (back) looseCartons.push(back);
    }
  }

  const hubCount =
    pallets.reduce((n, p) => n + p.cartons.reduce((m, c) => m + c.hubs.length, 0) + (p.hubs?.length ?? 0), 0) +
    looseCartons.reduce((n, c) => n + c.hubs.length, 0);
  if (hubCount === 0)
    return fail(
      "nothing-to-deliver",
      `no hub of ${refs.join(", ")} has been re-flashed to its target version: there is nothing to re-deliver`,
    );

  const candidate: ManifestPayload = {
    manifestId: input.manifestId,
    partyId: party,
    bookingRefs: refs,
    deliveryLocation: goesTo,
    deliveryDate: input.deliveryDate,
    deliveryWindow: { start: input.deliveryWindow.start, end: input.deliveryWindow.end },
    pallets,
    looseCartons,
    excludedHubs: excluded.map((e) => ({ deviceId: e.deviceId, faultEventId: e.faultEventId, reason: e.reason })),
  };
  const parsed = ManifestBuiltPayload.safeParse(candidate);
  if (!parsed.success) return fail("invalid-input", formatIssues(parsed.error));
  return {
    ok: true,
    payload: parsed.data,
    excluded,
    integrity,
    counts: {
      pallets: pallets.length,
      cartons: pallets.reduce((n, p) => n + p.cartons.length, 0) + looseCartons.length,
      hubs: hubCount,
      failed: excluded.filter((e) => e.code === "failed").length,
      excluded: excluded.length,
    },
    unrelatedResults: unrelated,
  };
}

/** A hub on a manifest with what it travels in: its carton's SSCC, or (on the pallet alone) the supplier carton number it came in. */
export interface ManifestHubPlace {
  deviceId: string;
  firmwareVersion: string;
  /** Null for a hub that goes back on its pallet outside any SSCC-labelled carton. */
  cartonSscc: string | null;
  /** The original supplier's carton number such a hub arrived in, else null. */
  cartonNumber: string | null;
  palletSscc: string | null;
}

/** Every hub on a manifest, in manifest order, with the carton and pallet it travels in. */
export function manifestHubs(m: ManifestPayload): ManifestHubPlace[] {
  const out: ManifestHubPlace[] = [];
  const hub = (h: { deviceId: string; firmwareVersion: string }) => ({
    deviceId: h.deviceId,
    firmwareVersion: h.firmwareVersion,
  });
  for (const p of m.pallets) {
    for (const c of p.cartons)
      for (const h of c.hubs) out.push({ ...hub(h), cartonSscc: c.sscc, cartonNumber: null, palletSscc: p.sscc });
    for (const h of p.hubs ?? [])
      out.push({ ...hub(h), cartonSscc: null, cartonNumber: h.cartonNumber, palletSscc: p.sscc });
  }
  for (const c of m.looseCartons)
    for (const h of c.hubs) out.push({ ...hub(h), cartonSscc: c.sscc, cartonNumber: null, palletSscc: null });
  return out;
}

/** Pallet, carton and hub counts of a manifest (what dispatch.recorded carries). */
export function manifestCounts(m: ManifestPayload): { palletCount: number; cartonCount: number; hubCount: number } {
  return {
    palletCount: m.pallets.length,
    cartonCount: m.pallets.reduce((n, p) => n + p.cartons.length, 0) + m.looseCartons.length,
    hubCount: manifestHubs(m).length,
  };
}

/** The re-delivery notice of Req 7: numbers and GUIDs re-flashed and failed, date, window, location. */
export interface RedeliveryNotice {
  /** Exactly the `notice.issued` payload. */
  payload: {
    manifestId: string;
    flashedCount: number;
    failedCount: number;
    deliveryDate: string;
    deliveryWindow: DeliveryWindow;
    deliveryLocationId: string;
    reissue: boolean;
  };
  flashedDeviceIds: string[];
  failed: Array<{ deviceId: string; faultEventId: string | null; reason: string }>;
  deliveryLocation: DeliveryLocation;
}

/**
 * The notice for a built manifest. "Failed" means failed re-flash (Req 6/7); hubs left out for
 * other reasons (never received, rejected at receipt, no result yet) are not counted as failed.
 */
export function redeliveryNotice(built: ManifestOk, reissue: boolean): RedeliveryNotice {
  const m = built.payload;
  const failed = built.excluded.filter((e) => e.code === "failed");
  const flashedDeviceIds = manifestHubs(m).map((h) => h.deviceId);
  return {
    payload: {
      manifestId: m.manifestId,
      flashedCount: flashedDeviceIds.length,
      failedCount: failed.length,
      deliveryDate: m.deliveryDate,
      deliveryWindow: m.deliveryWindow,
      deliveryLocationId: m.deliveryLocation.id,
      reissue,
    },
    flashedDeviceIds,
    failed: failed.map((e) => ({ deviceId: e.deviceId, faultEventId: e.faultEventId, reason: e.reason })),
    deliveryLocation: m.deliveryLocation,
  };
}

/**
 * A manifest id for a booking: `RD-<bookingRef>-<n>`, n one more than the highest already used
 * for that booking (a manifest rebuilt after an amendment gets a new id, the old one is kept).
 */
export function nextManifestId(bookingRef: string, existing: Iterable<string>): string {
  const prefix = `RD-${bookingRef}-`;
  let max = 0;
  for (const id of existing) {
    if (!id.startsWith(prefix)) continue;
    const n = Number(id.slice(prefix.length));
    if (Number.isInteger(n) && n > max) max = n;
  }
  return `${prefix}${max + 1}`;
}

/** A Party's amendment of a re-delivery (Req 8), as synced down; absent fields are unchanged. */
export interface RedeliveryAmendment {
  bookingRef: string;
  /** The booking version that carries the amendment (BookingSchema.version). */
  bookingVersion: number;
  deliveryDate?: string;
  deliveryWindow?: DeliveryWindow;
  deliveryLocation?: DeliveryLocation;
  note?: string | null;
}

export interface AmendmentReview {
  /** What actually changed against the manifest. */
  fields: Array<"date" | "window" | "location">;
  /** The slot after the amendment, re-checked against working hours. */
  slot: ReturnType<typeof checkDeliverySlot>;
  /** The delivery the manifest must be rebuilt with (and the notice re-issued for). */
  delivery: { date: string; window: DeliveryWindow; location: DeliveryLocation };
  /** The `amendment.acknowledged` payload for when the supervisor has seen it. */
  acknowledged: {
    bookingRef: string;
    manifestId: string | null;
    bookingVersion: number;
    fields: Array<"date" | "window" | "location" | "hubs" | "other">;
    deliveryDate: string | null;
    windowStart: string | null;
    windowEnd: string | null;
    withinWorkingHours: boolean | null;
    note: string | null;
  };
}

/**
 * Reviews a Party's amendment against a built manifest: which of date, window and location
 * changed, and whether the new slot is within working hours. The caller rebuilds the manifest
 * with `delivery` (a new manifest id) and re-issues the notice with `reissue: true`.
 */
export function reviewAmendment(
  manifest: ManifestPayload,
  amendment: RedeliveryAmendment,
  workingHours: WorkingHoursConfig,
  today?: string,
): AmendmentReview {
  const date = amendment.deliveryDate ?? manifest.deliveryDate;
  const window = amendment.deliveryWindow ?? manifest.deliveryWindow;
  const location = amendment.deliveryLocation ?? manifest.deliveryLocation;
  const fields: AmendmentReview["fields"] = [];
  if (date !== manifest.deliveryDate) fields.push("date");
  if (window.start !== manifest.deliveryWindow.start || window.end !== manifest.deliveryWindow.end)
    fields.push("window");
  if (!sameLocation(location, manifest.deliveryLocation)) fields.push("location");
  const slot = checkDeliverySlot(date, window, workingHours, today);
  return {
    fields,
    slot,
    delivery: { date, window: { start: window.start, end: window.end }, location },
    acknowledged: {
      bookingRef: amendment.bookingRef,
      manifestId: manifest.manifestId,
      bookingVersion: amendment.bookingVersion,
      fields: fields.length > 0 ? fields : ["other"],
      deliveryDate: date,
      windowStart: window.start,
      windowEnd: window.end,
      withinWorkingHours: slot.ok,
      note:
        amendment.note ??
        (slot.ok
          ? null
          : slot.problems
              .map((p) => p.message)
              .join("; ")
              .slice(0, 2000)),
    },
  };
}
