/**
 * Whether a scanned hub may go into a slot: the checks a load makes before anything is
 * taken or written (Device ID, jig and slot, a hub already in a slot or with an interrupted
 * flash of unknown outcome, booking, SMI status, firmware, a second flash). It reads the
 * service's state through `AdmissionContext` and changes nothing; the service acts on it.
 */
import type { BookedHub } from "../../shared/domain/booking";
import { parseDeviceId } from "../../shared/domain/device-id";
import type { FirmwareStore, VerifiedImage } from "../../hardware/firmware/firmware-store";
import type { FirmwareCatalogue } from "../../hardware/firmware/manifest";
import type { FlashJournal } from "./flash-journal";
import type { SlotRun } from "./slot-run";
import { slotKey } from "./slot-run";

/** Finds a scanned hub in the bookings the dock holds. */
export type BookedHubLookup = (deviceId: string) => { hub: BookedHub; bookingRef: string } | null;

export type LoadRefusalCode =
  | "bad-device-id"
  | "unknown-jig"
  | "jig-offline"
  | "bad-slot"
  | "slot-busy"
  | "hub-busy"
  | "not-booked"
  | "not-eligible"
  | "already-flashed"
  | "no-firmware";

export interface LoadRequest {
  jigId: string;
  slot: number;
  /** The hub's Device ID as scanned (any notation parseDeviceId accepts). */
  deviceId: string;
  operatorId: string;
  /** A supervisor allows flashing a hub the history shows already at the target. */
  override?: { supervisorId: string; reason: string };
}

export interface AdmissionContext {
  jig(jigId: string): { connected: boolean; slotCount: number } | undefined;
  readonly slots: ReadonlyMap<string, SlotRun>;
  readonly journal: Pick<FlashJournal, "interrupted" | "wasFlashedTo" | "overrideFor">;
  isOwnAttempt(attemptId: string): boolean;
  lookupHub: BookedHubLookup;
  firmware: Pick<FirmwareStore, "prepare">;
  catalogue: () => FirmwareCatalogue;
}

export type Admission =
  | {
      ok: true;
      deviceId: string;
      booked: { hub: BookedHub; bookingRef: string };
      image: VerifiedImage;
      needsOverride: boolean;
    }
  /** `recover`: an interrupted flash of this hub waits for its slot to be read; asking is the cue to try again. */
  | { ok: false; code: LoadRefusalCode; reason: string; recover?: true };

export function admitLoad(ctx: AdmissionContext, req: LoadRequest): Admission {
  const parsed = parseDeviceId(req.deviceId);
  if (!parsed.ok) return refuse("bad-device-id", `not a hub Device ID: ${parsed.reason}`);
  const deviceId = parsed.deviceId;
  const jig = ctx.jig(req.jigId);
  if (!jig) return refuse("unknown-jig", `no jig ${req.jigId} is attached`);
  if (!jig.connected) return refuse("jig-offline", `jig ${req.jigId} is disconnected`);
  if (!Number.isInteger(req.slot) || req.slot < 0 || req.slot >= jig.slotCount)
    return refuse("bad-slot", `jig ${req.jigId} has no slot ${req.slot + 1}`);
  const busy = ctx.slots.get(slotKey(req.jigId, req.slot));
  if (busy)
    return refuse("slot-busy", `slot ${req.slot + 1} of ${req.jigId} holds ${busy.view.deviceId}; unload it first`);
  for (const run of ctx.slots.values()) {
    if (run.view.deviceId === deviceId)
      return refuse("hub-busy", `hub ${deviceId} is already in slot ${run.view.slot + 1} of ${run.view.jigId}`);
  }
  // A flash interrupted by a crash whose slot could not yet be read may have programmed
  // this hub already: flashing it now could program it twice, so it waits for recovery.
  const unknown = ctx.journal.interrupted().find((a) => a.deviceId === deviceId && !ctx.isOwnAttempt(a.attemptId));
  if (unknown) {
    // "hub-busy" until the bridge has a code of its own for this (shared/bridge/channels.ts JigLoadRefusalSchema).
    return {
      ...refuse(
        "hub-busy",
        `outcome of the interrupted flash unknown: re-seat the jig / read the slot first (hub ${deviceId} was being flashed to ${unknown.toVersion} in slot ${unknown.slot + 1} of ${unknown.jigId} when the host stopped)`,
      ),
      recover: true,
    };
  }
  const booked = ctx.lookupHub(deviceId);
  if (!booked) return refuse("not-booked", `hub ${deviceId} is on no booking held at this dock`);
  if (booked.hub.smiStatus !== "Pending")
    return refuse(
      "not-eligible",
      `hub ${deviceId} is ${booked.hub.smiStatus} in SMI; only Pending hubs are re-flashed`,
    );
  const prepared = ctx.firmware.prepare(ctx.catalogue(), booked.hub.deviceModel);
  if (!prepared.ok)
    return refuse("no-firmware", `no firmware can be sent for model ${booked.hub.deviceModel}: ${prepared.reason}`);
  const image = prepared.image;
  const needsOverride =
    ctx.journal.wasFlashedTo(deviceId, image.version) && !ctx.journal.overrideFor(deviceId, image.version);
  if (needsOverride && !req.override)
    return refuse(
      "already-flashed",
      `hub ${deviceId} was already flashed to ${image.version}; a supervisor must allow a second flash`,
    );
  return { ok: true, deviceId, booked, image, needsOverride };
}

function refuse(code: LoadRefusalCode, reason: string): { ok: false; code: LoadRefusalCode; reason: string } {
  return { ok: false, code, reason };
}
