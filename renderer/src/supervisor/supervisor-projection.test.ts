import { describe, expect, it } from "vitest";
import { bookingCartons, type Booking } from "../../../shared/domain/booking";
import { makeEvent, type DockEvent } from "../../../shared/events";
import { sampleBooking } from "../test-support/sample-booking";
import { addHubOwners, chargeableHubs, chargeOutcomes, type HubOwner } from "./supervisor-projection";

/** The charged hubs of `bookings` fed one at a time, as the supervisor's charges screen does. */
function charged(bookings: Booking[], log: DockEvent[]) {
  const outcomes = chargeOutcomes(log);
  const owners = new Map<string, HubOwner>();
  for (const b of bookings) addHubOwners(owners, b, outcomes);
  return chargeableHubs(owners, outcomes);
}

const TECH = { dockId: "DOCK-1", operatorId: "OP-TECH" };
const booking = sampleBooking("BK-1001", 1, 1, 1, 4);
const [a, b, c, d] = bookingCartons(booking)[0]!.carton.hubs.map((h) => h.deviceId) as [string, string, string, string];

function flashed(deviceId: string): DockEvent {
  return makeEvent(
    "flash.result",
    {
      jigId: "JIG-A",
      slot: 0,
      deviceId,
      outcome: "flashed",
      fromVersion: "0002012F",
      toVersion: "00030000",
      readBackVersion: "00030000",
      imageSha256: "a".repeat(64),
      attempts: 1,
      stepTimingsMs: {},
      failure: null,
    },
    TECH,
  );
}
function failed(deviceId: string, detail: string): DockEvent {
  return makeEvent(
    "flash.result",
    {
      jigId: "JIG-A",
      slot: 1,
      deviceId,
      outcome: "failed",
      fromVersion: "0002012F",
      toVersion: "00030000",
      readBackVersion: null,
      imageSha256: "a".repeat(64),
      attempts: 1,
      stepTimingsMs: {},
      failure: { step: "unlock", detail },
    },
    TECH,
  );
}
function fault(deviceId: string, flash: DockEvent): DockEvent {
  return makeEvent(
    "fault.reported",
    {
      deviceId,
      flashEventId: flash.id,
      jigId: "JIG-A",
      slot: 1,
      step: "verify",
      jigSaid: "verify mismatch",
      stepTimingsMs: {},
      manual: false,
      notes: "",
      disposition: "credit",
    },
    TECH,
  );
}

describe("charged hubs", () => {
  it("charges re-flashed hubs, credits hubs with a fault report, and charges nothing for a failure that was not the hub's", () => {
    const cFail = failed(c, "image hash mismatch after write");
    const dFail = failed(d, "timeout");
    const log = [
      flashed(a),
      // The target was withdrawn before the hub was touched: no fault report, nothing to charge.
      failed(b, "target changed before attempt 2, the hub was not touched"),
      cFail,
      fault(c, cFail),
      // A failure, then a good flash on retry: re-flashed.
      dFail,
      flashed(d),
    ];
    const byHub = new Map(charged([booking], log).map((h) => [h.deviceId, h.outcome]));
    expect(Object.fromEntries(byHub)).toEqual({ [a]: "reflashed", [c]: "not-reflashable", [d]: "reflashed" });
  });

  it("ignores hubs that are on no cached booking", () => {
    const stranger = "0A-01-00-00-00-00-FF-FF";
    expect(charged([booking], [flashed(stranger)])).toEqual([]);
  });

  it("carries each hub's HAN variant from the booking (from the SMI record), so the charges are priced; unknown stays null", () => {
    const withVariants = structuredClone(booking);
    const hubs = bookingCartons(withVariants)[0]!.carton.hubs;
    hubs[0]!.hanVariant = "dual-band";
    hubs[2]!.hanVariant = "single-band";
    const cFail = failed(c, "image hash mismatch after write");
    const variants = new Map(
      charged([withVariants], [flashed(a), flashed(b), cFail, fault(c, cFail)]).map((h) => [h.deviceId, h.hanVariant]),
    );
    expect(Object.fromEntries(variants)).toEqual({ [a]: "dual-band", [b]: null, [c]: "single-band" });
  });

  it("keeps only the charged hubs' owners, and a hub two cached bookings list goes to the later one fed", () => {
    const other = { ...structuredClone(booking), bookingRef: "BK-OTHER", partyId: "P-OTHER", partyName: "Other Party" };
    const outcomes = chargeOutcomes([flashed(a)]);
    const owners = new Map<string, HubOwner>();
    addHubOwners(owners, booking, outcomes);
    addHubOwners(owners, other, outcomes);
    expect([...owners.keys()]).toEqual([a]);
    expect(chargeableHubs(owners, outcomes)).toEqual([
      expect.objectContaining({ deviceId: a, bookingRef: "BK-OTHER", partyId: "P-OTHER" }),
    ]);
  });
});
