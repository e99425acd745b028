import type { ScanVerdictCode } from "../events";
import { bookingHubs, type BookedHub, type Booking } from "./booking";
import { parseScan } from "./scan-parser";
import { formatSlotCode, parseSlotCode } from "./slot-code";

/**
 * The jig station's decisions for the technician's scans: a hub and the slot it goes into,
 * in either order. A scan either chooses (a slot or a hub, waiting for the other), loads (both
 * known), takes a finished slot's hub out, asks the caller to look the hub up in the dock's
 * hub states (it may go on a jig only once received), or is refused by name. The host then
 * does the load or unload; only once it agrees are `slot.loaded` / `slot.unloaded` recorded.
 */

export interface JigSlotView {
  jigId: string;
  slot: number;
  phase: "empty" | "waiting-for-hub" | "flashing" | "waiting-for-jig" | "flashed" | "failed";
  deviceId: string | null;
}

export interface SlotTarget {
  jigId: string;
  slot: number;
}

/** A hub this dock received, with its booked record (it travels with the load: the host holds no bookings). */
export interface ReceivedHub {
  deviceId: string;
  bookingRef: string;
  hub: BookedHub;
}

export interface JigStationState {
  /** The jigs in id order: jig A is the first. */
  jigIds: readonly string[];
  slots: readonly JigSlotView[];
  pendingHub: ReceivedHub | null;
  pendingSlot: SlotTarget | null;
}

/** What the station shows: the tone and the words. */
export interface JigVerdict {
  tone: "ok" | "info" | "error";
  text: string;
}

export type JigScanDecision =
  | { type: "load"; hub: ReceivedHub; target: SlotTarget }
  | { type: "unload"; target: SlotTarget }
  | { type: "choose-slot"; target: SlotTarget; verdict: JigVerdict }
  | { type: "choose-hub"; hub: ReceivedHub; verdict: JigVerdict }
  /** The caller reads whether this hub was received, then calls `decideJigHub`. */
  | { type: "look-up-hub"; deviceId: string }
  /** A hub this dock flashed already: refused; a supervisor may allow one more flash with a reason. */
  | { type: "already-flashed"; hub: ReceivedHub; flashedTo: string; verdict: JigVerdict; canOverride: boolean }
  /** `clear`: which half-made pairing the refusal drops. */
  | { type: "refuse"; verdict: JigVerdict; clear: { hub: boolean; slot: boolean } };

const FINISHED = new Set<JigSlotView["phase"]>(["flashed", "failed"]);

/** Who may load jigs: technicians and supervisors (central refuses flash results from anyone else). */
export function mayLoadJigs(role: string | null): boolean {
  return role === "technician" || role === "supervisor";
}

/** One scan or typed code at the station. */
export function decideJigScan(
  state: JigStationState,
  raw: string,
  role: string | null = "technician",
): JigScanDecision {
  if (!mayLoadJigs(role))
    return refuse(
      "Only a technician or a supervisor can load jigs. Sign out, then sign in as a technician.",
      true,
      true,
    );
  const text = raw.trim();
  const code = parseSlotCode(text);
  if (code !== null) {
    const jigId = state.jigIds[code.jigIndex];
    if (jigId === undefined)
      return refuse(`There is no jig ${formatSlotCode(code).slice(0, 1)} at this station.`, false, false);
    const target = { jigId, slot: code.slot };
    if (state.pendingHub !== null) return { type: "load", hub: state.pendingHub, target };
    const view = state.slots.find((s) => s.jigId === jigId && s.slot === code.slot);
    // Scanning a finished slot again is how a technician confirms taking its hub out.
    if (view !== undefined && FINISHED.has(view.phase)) return { type: "unload", target };
    if (view !== undefined && view.phase !== "empty")
      return refuse(
        `${formatSlotCode(code)} is busy (${view.phase}${view.deviceId ? `, ${view.deviceId}` : ""}).`,
        false,
        false,
      );
    return {
      type: "choose-slot",
      target,
      verdict: { tone: "info", text: `Slot ${formatSlotCode(code)} chosen: scan the hub that goes in it.` },
    };
  }
  const parsed = parseScan(text);
  if (parsed.kind !== "hub")
    return refuse(
      parsed.kind === "unreadable"
        ? "Unreadable as a hub ID or a slot: rescan, or type the ID printed under the barcode (or the slot, e.g. A1)."
        : `This is a ${parsed.kind} label: scan a hub ID or a slot (e.g. A1).`,
      true,
      true,
    );
  return { type: "look-up-hub", deviceId: parsed.deviceId };
}

/**
 * The hub scanned, once looked up: refused when not received here or already flashed at
 * this dock (`flashedTo`: the version its last good flash reached, null if none), else
 * loaded into the chosen slot or waiting for one.
 */
export function decideJigHub(
  state: JigStationState,
  found: { ok: true; hub: ReceivedHub } | { ok: false; reason: string },
  flashedTo: string | null = null,
  role: string | null = "technician",
): JigScanDecision {
  if (!found.ok)
    return refuse(
      `${capitalise(found.reason)}: it cannot go on a jig. Put it aside and tell the receiver.`,
      true,
      false,
    );
  const hub = found.hub;
  if (flashedTo !== null) {
    const canOverride = role === "supervisor";
    const next = canOverride
      ? "To flash it again, give a reason below and press Allow a second flash."
      : "Put it aside for a supervisor: only a supervisor can allow a second flash, on this screen.";
    return {
      type: "already-flashed",
      hub,
      flashedTo,
      canOverride,
      verdict: { tone: "error", text: `Hub ${hub.deviceId} was already flashed to ${flashedTo} at this dock. ${next}` },
    };
  }
  if (state.pendingSlot !== null) return { type: "load", hub, target: state.pendingSlot };
  return {
    type: "choose-hub",
    hub,
    verdict: {
      tone: "info",
      text: `Hub ${hub.deviceId} (booking ${hub.bookingRef}): scan the slot it goes into, or type it (e.g. A1) and press Enter.`,
    },
  };
}

/** What the dock knows of a hub at receipt, gathered by the caller (renderer/src/jig/received-hub.ts). */
export interface HubReceiptFacts {
  deviceId: string;
  /** The hub-state projection's row: null when no scan here named it. */
  hubState: { state: "received" | "refused"; bookingRef: string } | null;
  /** The event-log verdict and words of the scan that set that state. */
  lastScan: { verdict: ScanVerdictCode; reason: string } | null;
  /** The receipt of that booking at this dock. */
  receipt: { status: "open" | "closed"; outcome: "accepted" | "partial" | "rejected" | null } | null;
  /** The hub's line in the receipt's close, when it closed rejecting it. */
  rejectedAtClose: { code: string; reason: string } | null;
  /** The booking the receipt worked on. */
  booking: Booking | null;
}

/** Why a hub may not go on a jig, as a fact. */
export type JigRefusalCode =
  | "not-received"
  | "held"
  | "extra"
  | "refused-at-receipt"
  | "receipt-open"
  | "delivery-rejected"
  | "rejected-at-receipt"
  | "booking-missing"
  | "not-listed"
  | "work-blocked";

/**
 * Receipt state gates the jig (MP155 Req 5 before Req 6): a hub goes on a jig only once its
 * scan received it, its receipt is closed accepted (whole or in part), and the close did not
 * reject it. A held, extra or refused hub, an open receipt, and a rejected delivery are
 * refused with that reason; none of them is flashed, so none is on a manifest or charged.
 */
export function decideHubForJig(
  f: HubReceiptFacts,
): { ok: true; hub: BookedHub; bookingRef: string } | { ok: false; code: JigRefusalCode; reason: string } {
  const id = f.deviceId;
  const no = (code: JigRefusalCode, reason: string) => ({ ok: false as const, code, reason });
  if (f.hubState === null) return no("not-received", `hub ${id} has not been received at this dock`);
  const ref = f.hubState.bookingRef;
  if (f.hubState.state !== "received") {
    const v = f.lastScan?.verdict;
    const words = f.lastScan ? ` (${f.lastScan.reason.replace(/[.\s]+$/, "")})` : "";
    if (v === "wrong-container" || v === "not-eligible")
      return no("held", `hub ${id} is held at receipt for a decision on booking ${ref}${words}`);
    if (v === "unexpected" || v === "other-booking")
      return no("extra", `hub ${id} is extra at receipt of booking ${ref}, not accepted${words}`);
    return no("refused-at-receipt", `hub ${id} was refused at receipt (booking ${ref})${words}`);
  }
  if (f.receipt === null || f.receipt.status !== "closed")
    return no(
      "receipt-open",
      `the receipt of booking ${ref} is not closed yet: close it (accepted) before hub ${id} goes on a jig`,
    );
  if (f.receipt.outcome === "rejected")
    return no("delivery-rejected", `booking ${ref} was rejected at receipt, so hub ${id} is not re-flashed`);
  if (f.rejectedAtClose !== null)
    return no(
      "rejected-at-receipt",
      `hub ${id} was rejected at receipt of booking ${ref} (${f.rejectedAtClose.code}: ${f.rejectedAtClose.reason})`,
    );
  if (f.booking === null) return no("booking-missing", `booking ${ref} of hub ${id} is not held at this dock`);
  const listed = bookingHubs(f.booking).find((h) => h.hub.deviceId === id);
  if (listed === undefined) return no("not-listed", `hub ${id} is not listed on booking ${ref}`);
  // PIA 6.2.2: no work before the Work Order is approved against a purchase order (central says why).
  if (f.booking.workBlocked)
    return no("work-blocked", `booking ${ref} cannot be worked yet: ${f.booking.workBlocked.replace(/[.\s]+$/, "")}`);
  return { ok: true, hub: listed.hub, bookingRef: ref };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function refuse(text: string, hub: boolean, slot: boolean): JigScanDecision {
  return { type: "refuse", verdict: { tone: "error", text }, clear: { hub, slot } };
}
