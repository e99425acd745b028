import { makeEvent, type DockEvent, type EventOf } from "../shared/events";
import type { Booking } from "../shared/domain/booking";
import { asnSha256, buildAsnDocument } from "../shared/domain/asn";
import { hubsOf, scanEvent } from "./demo-events";

const HOUR = 3_600_000;
const RECV = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
const TECH = { dockId: "DOCK-N1", operatorId: "OP-N-TECH" };
const SUP = { dockId: "DOCK-N1", operatorId: "OP-N-SUP" };

function flash(deviceId: string, slot: number, ok: boolean, now: Date): EventOf<"flash.result"> {
  return makeEvent(
    "flash.result",
    {
      jigId: "JIG-N-1",
      slot,
      deviceId,
      outcome: ok ? "flashed" : "failed",
      fromVersion: "0002012F",
      toVersion: "00030000",
      readBackVersion: ok ? "00030000" : null,
      imageSha256: "a".repeat(64),
      attempts: 1,
      stepTimingsMs: { unlock: 120 },
      failure: ok ? null : { step: "verify", detail: "image verify mismatch at block 12" },
    },
    { ...TECH, now },
  );
}

/**
 * A few days of the demo dock's work for the service report (tests and the desk e2e), as batches
 * to push in order, starting at `day0` (a UTC midnight):
 * - hour 9: the demo booking arrives; 162 hubs scanned, 2 rejected at receipt (hour 10);
 * - days 1 and 2: 160 flashes on JIG-N-1, 20 per slot (0-7): slot 3 fails 12 of 20, every other
 *   slot 1 of 20 (on day 1); 80 attempts a day; a Fault Analysis Report for each of slot 3's failures;
 * - hour 58: 40 re-flashed hubs built into manifest MF-REPORT-1;
 * - `shipment(asnNumber)`, hour 58.5-59: its ASN issued and the delivery dispatched (turnaround 50
 *   hours each). Central admits it only with an ASN number it reserved for DOCK-N1 and once the
 *   manifest's SMI updates are sent (Req 10), so the caller does both between `work` and `shipment`.
 */
export async function serviceReportDemoBatches(
  b: Booking,
  partyName: string,
  day0: Date,
): Promise<{ work: DockEvent[][]; shipment: (asnNumber: string) => Promise<DockEvent[]> }> {
  const at = (hours: number) => new Date(day0.getTime() + hours * HOUR);
  const hubs = hubsOf(b).slice(0, 162);
  const ids = hubs.map((h) => h.hub.deviceId);
  const receipt: DockEvent[] = [
    makeEvent("booking.arrived", { bookingRef: b.bookingRef, late: false, reportedEta: null }, { ...RECV, now: at(9) }),
    ...hubs.map((h) => scanEvent({ ...RECV, now: at(9.5) }, b.bookingRef, h)),
    makeEvent(
      "receipt.closed",
      {
        bookingRef: b.bookingRef,
        outcome: "partial",
        rejectedHubs: [
          { deviceId: ids[160] ?? "", code: "damaged", reason: "carton crushed" },
          { deviceId: ids[161] ?? "", code: "damaged", reason: "seal broken" },
        ],
        rejectionReason: null,
        packagingNotes: null,
        damageNotes: "one carton crushed",
      },
      { ...RECV, now: at(10) },
    ),
  ];
  const flashes: Array<EventOf<"flash.result">> = [];
  for (let i = 0; i < 160; i++) {
    const slot = i % 8;
    const n = Math.floor(i / 8);
    const failed = slot === 3 ? n < 12 : n === 0;
    flashes.push(flash(ids[i] ?? "", slot, !failed, at(n < 10 ? 33 + n * 0.1 : 49 + n * 0.1)));
  }
  const faults = flashes
    .filter((e) => e.payload.outcome === "failed" && e.payload.slot === 3)
    .map((e) =>
      makeEvent(
        "fault.reported",
        {
          deviceId: e.payload.deviceId,
          flashEventId: e.id,
          jigId: "JIG-N-1",
          slot: 3,
          step: "verify",
          jigSaid: "E42 verify mismatch",
          stepTimingsMs: {},
          manual: false,
          notes: "",
          disposition: "credit",
        },
        { ...TECH, now: at(60) },
      ),
    );
  const out = flashes
    .filter((e) => e.payload.outcome === "flashed")
    .slice(0, 40)
    .map((e) => e.payload.deviceId);
  const firstCarton = b.pallets[0]?.cartons[0]?.sscc ?? b.looseCartons[0]?.sscc ?? "";
  const manifest = makeEvent(
    "manifest.built",
    {
      manifestId: "MF-REPORT-1",
      partyId: b.partyId,
      bookingRefs: [b.bookingRef],
      deliveryLocation: { id: `${b.partyId}-DEPOT`, name: "Depot", address: "10 Meter Way, Leeds" },
      deliveryDate: at(72).toISOString().slice(0, 10),
      deliveryWindow: { start: "10:00", end: "12:00" },
      pallets: [],
      looseCartons: [{ sscc: firstCarton, hubs: out.map((deviceId) => ({ deviceId, firmwareVersion: "00030000" })) }],
      excludedHubs: [],
    },
    { ...SUP, now: at(58) },
  );
  const shipment = async (asnNumber: string): Promise<DockEvent[]> => {
    const built = buildAsnDocument({
      asnNumber,
      issuedAt: at(58.5).toISOString(),
      manifest: manifest.payload,
      partyName,
      shipFrom: { csp: "North", facilityId: "N-DOCK-1" },
    });
    if (!built.ok) throw new Error(built.reason);
    return [
      makeEvent(
        "asn.issued",
        {
          asnNumber,
          manifestId: "MF-REPORT-1",
          partyId: b.partyId,
          hubCount: out.length,
          documentSha256: await asnSha256(built.document),
        },
        { ...SUP, now: at(58.5) },
      ),
      makeEvent(
        "dispatch.recorded",
        {
          manifestId: "MF-REPORT-1",
          asnNumber,
          unloader: "party",
          carrier: "Acme Haulage",
          vehicleRef: "AB12CDE",
          palletCount: 0,
          cartonCount: 1,
          hubCount: out.length,
        },
        { ...SUP, now: at(59) },
      ),
    ];
  };
  return { work: [receipt, flashes, faults, [manifest]], shipment };
}
