import { describe, it, expect } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { DockDb } from "./dock-db";
import { DockLog } from "./dock-log";
import { draftEvent, InvalidEventError } from "../../../shared/events";

// The one place the dock records: stamps, one transaction, then sync is told.

function rig(name: string) {
  const db = new DockDb(name, { indexedDB: new IDBFactory(), IDBKeyRange });
  const told: Array<number | undefined> = [];
  let t = Date.parse("2027-01-04T09:00:00Z");
  const log = new DockLog({
    db,
    dockId: "DOCK-7",
    now: () => (t += 1000),
    clockOffsetMs: () => -120,
    onRecorded: (n) => told.push(n),
  });
  return { db, log, told };
}

describe("DockLog", () => {
  it("stamps events with the dock, the operator, the clock and its offset", () => {
    const { log } = rig("log-stamp");
    const e = log.event("operator.signed-in", { role: "receiver", operatorName: "Ann" }, "OP-1");
    expect(e).toMatchObject({
      dockId: "DOCK-7",
      operatorId: "OP-1",
      at: "2027-01-04T09:00:01.000Z",
      clockOffsetMs: -120,
    });
    expect(log.event("operator.signed-out", {}, "OP-1", { atMs: Date.parse("2027-01-05T00:00:00Z") }).at).toBe(
      "2027-01-05T00:00:00.000Z",
    );
  });

  it("tells sync only after the commit, with how many; 'later' leaves it to the caller; nothing to record writes nothing", async () => {
    const { db, log, told } = rig("log-notify");
    const a = log.event("operator.signed-in", { role: "receiver", operatorName: "Ann" }, "OP-1");
    const b = log.event("operator.signed-out", {}, "OP-1");
    await log.record([a, b]);
    expect(told).toEqual([2]);
    expect((await db.outbox.orderBy("seq").toArray()).map((o) => o.id)).toEqual([a.id, b.id]);
    await log.record(
      [log.event("operator.signed-in", { role: "receiver", operatorName: "Ann" }, "OP-1")],
      {},
      { notify: "later" },
    );
    expect(told).toEqual([2]);
    await log.record([]);
    expect(told).toEqual([2]);
    expect(await db.events.count()).toBe(3);
    db.close();
  });

  it("a failed write tells sync nothing", async () => {
    const { db, log, told } = rig("log-fail");
    const a = log.event("operator.signed-in", { role: "receiver", operatorName: "Ann" }, "OP-1");
    await log.record([a]);
    await expect(log.record([a])).rejects.toThrow();
    expect(told).toEqual([1]);
    db.close();
  });

  it("recordFresh leaves out what the log holds and tells sync of the new ones only", async () => {
    const { db, log, told } = rig("log-fresh");
    const a = log.event("operator.signed-in", { role: "receiver", operatorName: "Ann" }, "OP-1");
    const b = log.event("operator.signed-out", {}, "OP-1");
    await log.record([a]);
    expect(await log.recordFresh([a, b])).toBe(1);
    expect(await log.recordFresh([a, b])).toBe(0);
    expect(told).toEqual([1, 1]);
    expect(await db.outbox.count()).toBe(2);
    db.close();
  });

  it("an event built unchecked that breaks its schema aborts the whole write: nothing stored, nothing told, a plain error", async () => {
    const { db, log, told } = rig("log-draft");
    const stamp = { dockId: "DOCK-7", operatorId: "OP-1", now: new Date("2027-01-04T09:00:00Z"), clockOffsetMs: null };
    const hubScan = (deviceId: string, reason: string) =>
      draftEvent(
        "scan.recorded",
        {
          bookingRef: "BK-001-0000",
          source: "wedge",
          raw: deviceId,
          kind: "hub",
          verdict: "expected",
          palletSscc: null,
          cartonSscc: null,
          deviceId,
          sscc: null,
          otherBookingRef: null,
          reason,
        },
        stamp,
      );
    const good = hubScan("00-1B-C5-0C-00-00-00-01", "Expected hub.");
    // An empty reason breaks the schema (min 1): the event, its outbox row and its hub's row all go.
    const bad = hubScan("00-1B-C5-0C-00-00-00-02", "");
    await expect(log.record([good, bad])).rejects.toBeInstanceOf(InvalidEventError);
    expect(await db.events.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.hubStates.count()).toBe(0);
    expect(told).toEqual([]);
    // The valid one alone is stored as built.
    await log.record([good]);
    expect((await db.events.toArray()).map((r) => r.event)).toEqual([good]);
    expect(await db.hubStates.count()).toBe(1);
    db.close();
  });
});
