import type { DockEvent } from "../../shared/events";

/** The dock a push comes from, as its token proves. */
export interface DockIdentity { dockId: string; facilityId: string }

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
