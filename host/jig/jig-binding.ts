import type { BookedHub } from "../../shared/domain/booking";
import { parseDeviceId } from "../../shared/domain/device-id";
import type { BookedHubLookup, JigService } from "./jig-service";

/**
 * What the host needs to put the jig service (host/jig/) on the bridge. The bookings live
 * in the renderer's database, so the renderer sends the booked record of each hub it
 * loads (`jig.load`), and the jig service looks hubs up in this registry; it keeps every
 * hub it was told about, so a restart's recovery can still find a hub loaded earlier in
 * this run.
 */

export interface BookedHubRegistry {
  /** Give this to the JigService as its `lookupHub`. */
  lookup: BookedHubLookup;
  remember(hub: BookedHub, bookingRef: string): void;
}

export interface JigBinding {
  service: JigService;
  bookedHubs: BookedHubRegistry;
  /** Simulated hardware only: plays the technician's hands (./jig-station-setup.ts). */
  simulator?: SlotSimulator;
}

/** What a person does at a simulated jig: seat the hub before it is loaded, take it out once unloaded. */
export interface SlotSimulator {
  /** Seats `hub` in the slot; false when it was not (slot occupied, no such jig). */
  seat(jigId: string, slot: number, hub: BookedHub): boolean;
  remove(jigId: string, slot: number): void;
}

/** An in-memory registry of the booked hubs the renderer has loaded. */
export function createBookedHubRegistry(): BookedHubRegistry {
  const hubs = new Map<string, { hub: BookedHub; bookingRef: string }>();
  return {
    lookup(deviceId) {
      const parsed = parseDeviceId(deviceId);
      return parsed.ok ? (hubs.get(parsed.deviceId) ?? null) : null;
    },
    remember(hub, bookingRef) {
      hubs.set(hub.deviceId, { hub, bookingRef });
    },
  };
}
