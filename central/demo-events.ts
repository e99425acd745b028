import { makeEvent, type DockEvent } from "../shared/events";
import type { BookedHub, Booking } from "../shared/domain/booking";

/** Realistic dock events for tests and benchmarks, built with shared/events' makeEvent (so always valid). */

export interface Who {
  dockId: string;
  operatorId: string;
  now?: Date;
}

/** Every hub of a booking with the pallet and carton it sits in. */
export function hubsOf(b: Booking): Array<{ hub: BookedHub; palletSscc: string | null; cartonSscc: string }> {
  const out: Array<{ hub: BookedHub; palletSscc: string | null; cartonSscc: string }> = [];
  for (const p of b.pallets)
    for (const c of p.cartons) for (const hub of c.hubs) out.push({ hub, palletSscc: p.sscc, cartonSscc: c.sscc });
  for (const c of b.looseCartons) for (const hub of c.hubs) out.push({ hub, palletSscc: null, cartonSscc: c.sscc });
  return out;
}

/** A hub scanned at receipt, as expected. */
export function scanEvent(
  who: Who,
  bookingRef: string,
  h: { hub: BookedHub; palletSscc: string | null; cartonSscc: string },
  verdict: "expected" | "duplicate" | "unexpected" = "expected",
): DockEvent {
  return makeEvent(
    "scan.recorded",
    {
      bookingRef,
      source: "wedge",
      raw: h.hub.deviceId,
      kind: "hub",
      verdict,
      palletSscc: h.palletSscc,
      cartonSscc: h.cartonSscc,
      deviceId: h.hub.deviceId,
      sscc: null,
      otherBookingRef: null,
      reason: verdict === "expected" ? "listed on this booking" : verdict,
    },
    who,
  );
}

/** A flash result for a hub, flashed or failed. */
export function flashEvent(
  who: Who,
  deviceId: string,
  ok: boolean,
  fromVersion = "0002012F",
  toVersion = "00030000",
): DockEvent {
  return makeEvent(
    "flash.result",
    {
      jigId: "JIG-N-1",
      slot: 0,
      deviceId,
      outcome: ok ? "flashed" : "failed",
      fromVersion,
      toVersion,
      readBackVersion: ok ? toVersion : null,
      imageSha256: "a".repeat(64),
      attempts: 1,
      stepTimingsMs: { unlock: 120 },
      failure: ok ? null : { step: "verify", detail: "image verify mismatch at block 12" },
    },
    who,
  );
}

/** A Fault Analysis Report for a failed hub. */
export function faultEvent(who: Who, deviceId: string, flashEventId: string | null, manual = false): DockEvent {
  return makeEvent(
    "fault.reported",
    {
      deviceId,
      flashEventId,
      jigId: manual ? null : "JIG-N-1",
      slot: manual ? null : 0,
      step: manual ? null : "verify",
      jigSaid: manual ? null : "E42 verify mismatch",
      stepTimingsMs: {},
      manual,
      notes: manual ? "casing cracked, cannot analyse" : "",
      disposition: manual ? "scrap" : "credit",
    },
    who,
  );
}
