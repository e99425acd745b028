import { describe, expect, it } from "vitest";
import { makeEvent, type DockEvent } from "../../shared/events";
import { demoBooking } from "../../shared/domain/demo-booking";
import { faultEvent, flashEvent, hubsOf, scanEvent } from "../demo-events";
import { bookingsOf, hubsPlacedBy } from "./event-subjects";
import { keysNamedBy } from "./admission-facts";

const SUP = { dockId: "DOCK-N1", operatorId: "OP-N-SUP" };

describe("keysNamedBy (the look-ups a batch needs, read before its events are parsed)", () => {
  const b = demoBooking();
  const hubs = hubsOf(b);
  const ids = hubs.map((h) => h.hub.deviceId);
  const events: DockEvent[] = [
    scanEvent(SUP, b.bookingRef, hubs[0]!),
    flashEvent(SUP, ids[1]!, true),
    faultEvent(SUP, ids[2]!, null),
    makeEvent("slot.loaded", { jigId: "JIG-N-1", slot: 3, deviceId: ids[3]! }, SUP),
    makeEvent(
      "manifest.built",
      {
        manifestId: "MF-TEST-1",
        partyId: b.partyId,
        bookingRefs: [b.bookingRef, "BK-OTHER-1", b.bookingRef],
        deliveryLocation: { id: "DEPOT", name: "Depot", address: "10 Meter Way, Leeds" },
        deliveryDate: "2027-02-01",
        deliveryWindow: { start: "10:00", end: "12:00" },
        pallets: [
          {
            sscc: b.pallets[0]!.sscc,
            cartons: [
              {
                sscc: b.pallets[0]!.cartons[0]!.sscc,
                hubs: ids.slice(4, 6).map((deviceId) => ({ deviceId, firmwareVersion: "00030000" })),
              },
            ],
          },
        ],
        looseCartons: [
          { sscc: b.pallets[0]!.cartons[1]!.sscc, hubs: [{ deviceId: ids[6]!, firmwareVersion: "00030000" }] },
        ],
        excludedHubs: [{ deviceId: ids[7]!, faultEventId: null, reason: "verify failed" }],
      },
      SUP,
    ),
    makeEvent(
      "asn.issued",
      {
        asnNumber: "ASN-TEST-0001",
        manifestId: "MF-TEST-1",
        partyId: b.partyId,
        hubCount: 3,
        documentSha256: "a".repeat(64),
      },
      SUP,
    ),
    makeEvent(
      "label.printed",
      {
        labelKind: "booking",
        barcode: "x",
        sscc: null,
        bookingRef: "BK-LABEL-1",
        manifestId: null,
        output: "pdf",
        copies: 1,
      },
      SUP,
    ),
  ];

  it("names every booking, hub and ASN number the parsed events are checked against", () => {
    // As they arrive: JSON, not the objects the dock built.
    const keys = keysNamedBy(JSON.parse(JSON.stringify(events)) as unknown[]);
    for (const e of events) {
      for (const r of bookingsOf(e)) expect(keys.refs).toContain(r);
      for (const d of hubsPlacedBy(e)) expect(keys.hubs).toContain(d);
      if (e.type === "asn.issued") expect(keys.asns).toContain(e.payload.asnNumber);
    }
    expect(new Set(keys.refs).size).toBe(keys.refs.length);
  });

  it("skips what cannot be a key (a NUL would fail the look-up's query) and never walks into hostile values", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const keys = keysNamedBy([
      null,
      "text",
      [],
      { type: "scan.recorded", payload: "no" },
      { type: "scan.recorded", payload: { bookingRef: "B".repeat(21) } },
      { type: "scan.recorded", payload: { bookingRef: "BK-1\u0000", manifestId: "MF\u0000" } },
      { type: "flash.result", payload: { deviceId: "0A-01-00-00-00-00-00-0\u0000" } },
      { type: "asn.issued", payload: { asnNumber: "asn-lower-case" } },
      { type: "flash.result", payload: { deviceId: deep } },
      {
        type: "manifest.built",
        payload: { bookingRefs: "BK-1", pallets: [deep], looseCartons: { hubs: [] }, excludedHubs: [null, 5] },
      },
    ]);
    expect(keys).toEqual({ refs: [], hubs: [], asns: [], manifests: [], workedHubs: [], dispatches: [] });
  });
});
