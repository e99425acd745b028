import { describe, it, expect } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { DockDb } from "./dock-db";
import { DockLog } from "./dock-log";

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
});
