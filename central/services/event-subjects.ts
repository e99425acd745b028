import type { DockEvent } from "../../shared/events";
import { manifestHubs } from "../../shared/domain/manifest";

/** The dock a push comes from, as its token proves. */
export interface DockIdentity {
  dockId: string;
  facilityId: string;
}

/** The booking an event is about, when it names one. */
export function bookingOf(e: DockEvent): string | null {
  const p = e.payload as { bookingRef?: unknown };
  return typeof p.bookingRef === "string" ? p.bookingRef : null;
}

/** The hub an event is about, when it names one. */
export function deviceOf(e: DockEvent): string | null {
  const p = e.payload as { deviceId?: unknown };
  return typeof p.deviceId === "string" ? p.deviceId : null;
}

/**
 * The hubs an event is about without naming their booking (jig work, faults, a manifest's
 * hubs). Central places each by the booking it is on, so another site cannot report on them.
 * Scans and receipts are left out: they name their booking, which is checked, and the hubs
 * a receipt meets may rightly be anyone's (an unexpected hub is a real fact at the dock).
 */
export function hubsPlacedBy(e: DockEvent): string[] {
  switch (e.type) {
    case "slot.loaded":
    case "slot.unloaded":
    case "flash.result":
    case "fault.reported":
      return [e.payload.deviceId];
    case "manifest.built": {
      const p = e.payload;
      return [...new Set([...manifestHubs(p).map((h) => h.deviceId), ...p.excludedHubs.map((h) => h.deviceId)])];
    }
    default:
      return [];
  }
}

/** The bookings an event names: its one `bookingRef`, or a manifest's `bookingRefs`. */
export function bookingsOf(e: DockEvent): string[] {
  if (e.type === "manifest.built") return [...new Set(e.payload.bookingRefs)];
  const ref = bookingOf(e);
  return ref === null ? [] : [ref];
}
