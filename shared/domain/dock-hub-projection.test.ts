import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { makeEvent, SCAN_VERDICT_CODES, type DockEvent, type ScanVerdictCode } from "../events";
import { hubStateOfVerdict, nextHubRow, projectHubs } from "./dock-hub-projection";

const ctx = { dockId: "DOCK-1", operatorId: "op-1" };
const HUBS = ["0A-01-00-00-00-00-00-01", "0A-01-00-00-00-00-00-02", "0A-01-00-00-00-00-00-03"];

function scan(deviceId: string, verdict: ScanVerdictCode, bookingRef: string): DockEvent {
  return makeEvent(
    "scan.recorded",
    {
      bookingRef,
      source: "wedge",
      raw: deviceId,
      kind: "hub",
      verdict,
      palletSscc: null,
      cartonSscc: null,
      deviceId,
      sscc: null,
      otherBookingRef: null,
      reason: verdict,
    },
    ctx,
  );
}
const undo = (of: DockEvent): DockEvent =>
  makeEvent("scan.undone", { bookingRef: "BK-1001", scanEventId: of.id, reason: "undo" }, ctx);

/** A log of hub scans with any verdict, some followed by the undo of an earlier scan. */
const logs = fc
  .array(
    fc.record({
      hub: fc.constantFrom(...HUBS),
      verdict: fc.constantFrom(...SCAN_VERDICT_CODES),
      booking: fc.constantFrom("BK-1001", "BK-2002"),
      undoBack: fc.option(fc.nat(5), { nil: null }),
    }),
    { maxLength: 30 },
  )
  .map((steps) => {
    const log: DockEvent[] = [];
    const scans: DockEvent[] = [];
    for (const s of steps) {
      const e = scan(s.hub, s.verdict, s.booking);
      log.push(e);
      scans.push(e);
      const target = s.undoBack === null ? undefined : scans[scans.length - 1 - s.undoBack];
      if (target !== undefined) log.push(undo(target));
    }
    return log;
  });

describe("the dock's hub-state projection", () => {
  it("a hub's state is that of the newest live scan that sets one (undone scans do not count)", () => {
    fc.assert(
      fc.property(logs, (log) => {
        const undone = new Set(log.flatMap((e) => (e.type === "scan.undone" ? [e.payload.scanEventId] : [])));
        const rows = projectHubs(log);
        for (const deviceId of HUBS) {
          const setters = log.filter(
            (e) =>
              e.type === "scan.recorded" &&
              e.payload.deviceId === deviceId &&
              !undone.has(e.id) &&
              hubStateOfVerdict(e.payload.verdict) !== null,
          );
          const newest = setters.at(-1);
          if (newest === undefined || newest.type !== "scan.recorded") expect(rows.get(deviceId)).toBeUndefined();
          else
            expect(rows.get(deviceId)).toMatchObject({
              state: hubStateOfVerdict(newest.payload.verdict),
              bookingRef: newest.payload.bookingRef,
              lastEventId: newest.id,
            });
        }
      }),
    );
  });

  it("a scan that sets no state (duplicate, wrong kind, GPF ID), and its undo, change no row", () => {
    fc.assert(
      fc.property(
        logs,
        fc.constantFrom(...HUBS),
        fc.constantFrom<ScanVerdictCode>("duplicate", "wrong-kind", "wrong-device-type", "unreadable"),
        (log, hub, verdict) => {
          const before = projectHubs(log);
          const s = scan(hub, verdict, "BK-1001");
          expect(projectHubs([...log, s])).toEqual(before);
          expect(projectHubs([...log, s, undo(s)])).toEqual(before);
        },
      ),
    );
  });

  it("a scan undone at once leaves every row as it was", () => {
    fc.assert(
      fc.property(logs, fc.constantFrom(...HUBS), fc.constantFrom(...SCAN_VERDICT_CODES), (log, hub, verdict) => {
        const s = scan(hub, verdict, "BK-2002");
        expect(projectHubs([...log, s, undo(s)])).toEqual(projectHubs(log));
      }),
    );
  });

  it("events that are not hub scans or undos, and scans of another hub, do not move a hub", () => {
    const signIn = makeEvent("operator.signed-in", { role: "receiver", operatorName: "Ann" }, ctx);
    expect(nextHubRow(undefined, HUBS[0]!, signIn)).toBeUndefined();
    expect(nextHubRow(undefined, HUBS[0]!, scan(HUBS[1]!, "expected", "BK-1001"))).toBeUndefined();
  });
});
