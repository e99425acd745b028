import { testDockStore } from "../test-support/dock-store";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { createTestBridge, type TestBridge } from "../../bridge/test-bridge";
import { DockDb, openedReceiptRow, type EventRow } from "../db/dock-db";
import { DockLog } from "../db/dock-log";
import { recordEvents } from "../db/record-event";
import type { DockStore } from "../store/dock-store";
import { sampleBooking } from "../test-support/sample-booking";
import { drainJournal, journalEntryToEvent } from "./journal-drain";
import { FlashResultPayload } from "../../../shared/events";
import { signInAs } from "../test-support/operators";

// The jig station's slice: the host journal's results become events exactly once, acked only after they are committed.

let n = 0;
const booking = sampleBooking("BK-1001", 1);
const hub = booking.pallets[0]!.cartons[0]!.hubs[0]!;
const other = booking.pallets[0]!.cartons[0]!.hubs[1]!;

function flashResult(deviceId: string, outcome: "flashed" | "failed" = "flashed") {
  return {
    jigId: "JIG-A",
    slot: 0,
    deviceId,
    outcome,
    fromVersion: "0002012F",
    toVersion: "00030000",
    readBackVersion: outcome === "flashed" ? "00030000" : null,
    imageSha256: "ab".repeat(32),
    attempts: 1,
    stepTimingsMs: { verify: 3 },
    failure: outcome === "flashed" ? null : { step: "verify", detail: "hash mismatch" },
  };
}

async function rig(opts: { signIn?: boolean } = {}): Promise<{ store: DockStore; db: DockDb; bridge: TestBridge }> {
  const db = new DockDb(`jig-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  const bridge = createTestBridge();
  const store = testDockStore(db, { site: { facilityId: booking.facilityId, csp: booking.csp, production: false } });
  if (opts.signIn !== false) await signInAs(store, db, "tech-1", "technician", "Tess Tech");
  return { store, db, bridge };
}

const ctx = { dockId: "DOCK-1", operatorFor: () => "tech-1", clockOffsetMs: () => null };
const logOf = (db: DockDb) =>
  new DockLog({ db, dockId: "DOCK-1", now: Date.now, clockOffsetMs: () => null, onRecorded: () => undefined });

async function flashEvents(db: DockDb) {
  return (await db.events.where("type").anyOf(["flash.result", "fault.reported"]).toArray()).map((r) => r.id).sort();
}

describe("journal drain", () => {
  it("stores every result as an event with the journal id, in the outbox, then acks; a second drain changes nothing", async () => {
    const { db, bridge } = await rig();
    const a = bridge.seedJournal("flash.result", flashResult(hub.deviceId));
    const b = bridge.seedJournal("flash.result", flashResult(other.deviceId, "failed"));
    const first = await drainJournal(bridge, logOf(db), ctx);
    expect(first).toEqual({ stored: 2, acked: 2, problems: [] });
    expect(await flashEvents(db)).toEqual([a.id, b.id].sort());
    expect((await db.outbox.bulkGet([a.id, b.id])).every((r) => r !== undefined)).toBe(true);
    expect((await bridge.invoke("journal.pending", {})).total).toBe(0);
    expect(await drainJournal(bridge, logOf(db), ctx)).toEqual({ stored: 0, acked: 0, problems: [] });
  });

  it("is idempotent when the renderer died after the commit but before the ack: nothing stored twice, acked again", async () => {
    const { db, bridge } = await rig();
    const a = bridge.seedJournal("flash.result", flashResult(hub.deviceId));
    const b = bridge.seedJournal("flash.result", flashResult(other.deviceId));
    // The first run committed `a` and died before acking.
    const eventA = journalEntryToEvent(a, ctx);
    if (!eventA.ok) throw new Error(eventA.reason);
    await recordEvents(db, [eventA.event]);
    expect(await drainJournal(bridge, logOf(db), ctx)).toEqual({ stored: 1, acked: 2, problems: [] });
    expect(await flashEvents(db)).toEqual([a.id, b.id].sort());
    expect(await db.outbox.count()).toBe(3); // the sign-in + a + b, each once
    expect((await bridge.invoke("journal.pending", {})).total).toBe(0);
  });

  it("acks only after the Dexie commit: the ack sees the events stored, and a failed commit acks nothing", async () => {
    const { db, bridge } = await rig();
    const a = bridge.seedJournal("flash.result", flashResult(hub.deviceId));
    const ackSaw: string[][] = [];
    const ack = bridge.handlers["journal.ack"];
    bridge.handlers["journal.ack"] = async (args) => {
      ackSaw.push((await db.events.where("id").anyOf(args.ids).toArray()).map((r) => r.id));
      return ack(args);
    };
    await drainJournal(bridge, logOf(db), ctx);
    expect(ackSaw).toEqual([[a.id]]);

    const b = bridge.seedJournal("flash.result", flashResult(other.deviceId));
    db.close({ disableAutoOpen: true });
    await expect(drainJournal(bridge, logOf(db), ctx)).rejects.toThrow();
    expect(ackSaw).toHaveLength(1);
    expect((await bridge.invoke("journal.pending", {})).entries.map((e) => e.id)).toEqual([b.id]);
  });

  it("leaves an entry that is not a valid event pending, with the reason, and stores the rest", async () => {
    const { db, bridge } = await rig();
    const bad = bridge.seedJournal("flash.result", { ...flashResult(hub.deviceId), readBackVersion: "00000001" });
    const good = bridge.seedJournal("fault.reported", {
      deviceId: other.deviceId,
      flashEventId: null,
      jigId: "JIG-A",
      slot: 1,
      step: "verify",
      jigSaid: null,
      stepTimingsMs: {},
      manual: false,
      notes: "verify mismatch",
      disposition: "scrap",
    });
    const r = await drainJournal(bridge, logOf(db), ctx);
    expect(r.stored).toBe(1);
    expect(r.problems[0]).toContain("readBackVersion");
    expect((await bridge.invoke("journal.pending", {})).entries.map((e) => e.id)).toEqual([bad.id]);
    expect(await flashEvents(db)).toEqual([good.id]);
  });
});

describe("jig slice", () => {
  it("drains at start-up only once someone signs in, and counts the day's results", async () => {
    const { store, db, bridge } = await rig({ signIn: false });
    bridge.seedJournal("flash.result", flashResult(hub.deviceId));
    bridge.seedJournal("flash.result", flashResult(other.deviceId, "failed"));
    await store.getState().attachJigBridge(bridge);
    expect(store.getState().jigDrainProblems[0]).toContain("waits for an operator");
    expect((await bridge.invoke("journal.pending", {})).total).toBe(2);
    await signInAs(store, db, "tech-1", "technician", "Tess Tech");
    await store.getState().drainJigJournal();
    expect((await bridge.invoke("journal.pending", {})).total).toBe(0);
    expect(store.getState().jigToday).toMatchObject({ flashed: 1, failed: 1 });
    const stamped = await db.events.where("type").equals("flash.result").toArray();
    expect(stamped.map((r) => r.event.operatorId)).toEqual(["tech-1", "tech-1"]);
  });

  it("loads a received hub into the scanned slot with its booked record, and refuses a hub not received", async () => {
    const { store, db, bridge } = await rig();
    const view = (slot: number) => ({
      jigId: "JIG-A",
      slot,
      phase: "empty" as const,
      deviceId: null,
      step: null,
      percent: 0,
      attempt: 0,
      startedAt: null,
      etaMs: null,
      reason: null,
      manualReportRequired: false,
    });
    bridge.handlers["jig.slots"] = async () => ({ slots: Array.from({ length: 8 }, (_, i) => view(i)) });
    bridge.handlers["jig.load"] = async ({ deviceId }) => ({
      ok: true,
      deviceId: deviceId.toUpperCase(),
      toVersion: "00030000",
    });
    await db.receipts.put(openedReceiptRow(booking, 0));
    await db.hubStates.put({
      deviceId: hub.deviceId,
      bookingRef: booking.bookingRef,
      state: "received",
      lastEventId: "x",
      marks: [{ eventId: "x", bookingRef: booking.bookingRef, state: "received" }],
    });
    await store.getState().attachJigBridge(bridge);

    await store.getState().submitJigScan(other.deviceId, "wedge");
    expect(store.getState().jigNotice).toMatchObject({
      tone: "error",
      text: expect.stringContaining("has not been received"),
    });
    expect(bridge.calls.some((c) => c.channel === "jig.load")).toBe(false);
    expect(store.getState().jigRefusal?.reason).toContain("has not been received");
    await store.getState().acknowledgeJigRefusal();

    // Received, but its receipt is still open: refused with that reason (issue 16).
    await store.getState().submitJigScan(hub.deviceId, "hid-pos");
    expect(store.getState().jigRefusal?.reason).toContain(`receipt of booking ${booking.bookingRef} is not closed yet`);
    await db.receipts.update(booking.bookingRef, { status: "closed", outcome: "accepted" });

    // The refusal blocks until acknowledged: a scan meanwhile is held, then taken in order.
    await store.getState().submitJigScan(hub.deviceId, "hid-pos");
    expect(store.getState().jigHeld).toBe(1);
    expect(store.getState().jigPendingHub).toBeNull();
    await store.getState().acknowledgeJigRefusal();
    expect(store.getState().jigRefusal).toBeNull();
    expect(store.getState().jigPendingHub?.deviceId).toBe(hub.deviceId);
    await store.getState().submitJigScan("a4", "wedge");
    const load = bridge.calls.find((c) => c.channel === "jig.load");
    expect(load?.args).toMatchObject({
      jigId: "JIG-A",
      slot: 3,
      deviceId: hub.deviceId,
      operatorId: "tech-1",
      booked: { hub, bookingRef: booking.bookingRef },
    });
    expect(store.getState().jigNotice).toMatchObject({ tone: "ok" });
    expect(await db.events.where("type").equals("slot.loaded").count()).toBe(1);
    // A slot on a jig that is not there is refused by name.
    await store.getState().submitJigScan("H1", "wedge");
    expect(store.getState().jigNotice?.text).toContain("no jig H");
    await store.getState().acknowledgeJigRefusal();
    // Once flash.result says the hub reached a version here, its next scan is refused at the hub, before any slot.
    // Only the fields lastFlashedTo reads are real here; the row is otherwise a stored slot.loaded event's.
    const loaded = (await db.events.where("type").equals("slot.loaded").first())!;
    const flashed = {
      ...loaded.event,
      id: "flash-1",
      type: "flash.result",
      payload: { deviceId: hub.deviceId, outcome: "flashed", toVersion: "00030000" },
    } as unknown as EventRow["event"];
    await db.events.add({ id: "flash-1", type: "flash.result", bookingRef: null, at: loaded.at, event: flashed });
    await store.getState().submitJigScan(hub.deviceId, "wedge");
    expect(store.getState().jigRefusal?.reason).toContain("already flashed to 00030000");
    expect(store.getState().jigOverride).toMatchObject({ flashedTo: "00030000", canOverride: false });
    expect(await store.getState().allowSecondFlash("field return, customer asked")).toContain("Only a supervisor");
  });
});

describe("manual Fault Analysis Report and the supervisor's override (issues 17, 18)", () => {
  async function withReceivedHub(role: "technician" | "supervisor" = "technician") {
    const r = await rig({ signIn: false });
    await signInAs(r.store, r.db, role === "technician" ? "tech-1" : "sup-1", role, "Someone");
    await r.db.receipts.put({ ...openedReceiptRow(booking, 0), status: "closed", outcome: "accepted" });
    await r.db.hubStates.put({
      deviceId: hub.deviceId,
      bookingRef: booking.bookingRef,
      state: "received",
      lastEventId: "x",
      marks: [{ eventId: "x", bookingRef: booking.bookingRef, state: "received" }],
    });
    await r.store.getState().attachJigBridge(r.bridge);
    return r;
  }

  it("files through jig.fault-report, stores the manual fault.reported event (damage, notes, who filed) and says the reference", async () => {
    const { store, db, bridge } = await withReceivedHub();
    store.getState().openManualFaultReport();
    // A scan while the form is open names the hub instead of going to a jig.
    await store.getState().submitJigScan(` ${hub.deviceId.toLowerCase()} `, "hid-pos");
    expect(store.getState().jigFaultForm?.hub).toBe(hub.deviceId.toLowerCase());
    expect(bridge.calls.some((c) => c.channel === "jig.load")).toBe(false);
    const problem = await store.getState().fileManualFaultReport({
      hub: hub.deviceId.toLowerCase(),
      damage: " cracked casing ",
      notes: "fell off the pallet",
    });
    expect(problem).toBeNull();
    const call = bridge.calls.find((c) => c.channel === "jig.fault-report");
    expect(call?.args).toEqual({
      deviceId: hub.deviceId,
      damage: "cracked casing",
      notes: "fell off the pallet",
      operatorId: "tech-1",
      jigId: null,
      slot: null,
    });
    const rows = await db.events.where("type").equals("fault.reported").toArray();
    expect(rows).toHaveLength(1);
    const e = rows[0]!.event;
    expect(e).toMatchObject({
      operatorId: "tech-1",
      payload: { deviceId: hub.deviceId, manual: true, damage: "cracked casing", notes: "fell off the pallet" },
    });
    expect(await db.outbox.get(e.id)).toBeDefined();
    expect(store.getState().jigFaultForm).toBeNull();
    expect(store.getState().jigNotice?.text).toContain(`Fault Analysis Report ${e.id} filed for ${hub.deviceId}`);
    expect(store.getState().jigToday.faults.map((f) => f.damage)).toEqual(["cracked casing"]);

    // A second report of the same hub is refused by name, and nothing more reaches the host.
    store.getState().openManualFaultReport();
    const again = await store.getState().fileManualFaultReport({ hub: hub.deviceId, damage: "dent", notes: "" });
    expect(again).toMatchObject({
      field: "hub",
      reason: expect.stringContaining(`already has a Fault Analysis Report (${e.id})`),
    });
    expect(bridge.calls.filter((c) => c.channel === "jig.fault-report")).toHaveLength(1);
    expect(store.getState().jigFaultForm).not.toBeNull();
  });

  it("refuses a hub not received here and a blank damage field, naming the field; nothing reaches the host", async () => {
    const { store, bridge } = await withReceivedHub();
    store.getState().openManualFaultReport();
    expect(
      await store.getState().fileManualFaultReport({ hub: other.deviceId, damage: "cracked", notes: "" }),
    ).toMatchObject({
      field: "hub",
      reason: expect.stringContaining("has not been received"),
    });
    expect(await store.getState().fileManualFaultReport({ hub: hub.deviceId, damage: " ", notes: "" })).toMatchObject({
      field: "damage",
    });
    expect(bridge.calls.some((c) => c.channel === "jig.fault-report")).toBe(false);
  });

  it("a supervisor's override is recorded as a flash.override event before the second load, and passed with it", async () => {
    const { store, db, bridge } = await withReceivedHub("supervisor");
    await logOf(db).record([
      logOf(db).event("flash.result", FlashResultPayload.parse(flashResult(hub.deviceId)), "tech-1"),
    ]);
    bridge.handlers["jig.slots"] = async () => ({
      slots: [
        {
          jigId: "JIG-A",
          slot: 1,
          phase: "empty",
          deviceId: null,
          step: null,
          percent: 0,
          attempt: 0,
          startedAt: null,
          etaMs: null,
          reason: null,
          manualReportRequired: false,
        },
      ],
    });
    bridge.handlers["jig.load"] = async ({ deviceId }) => ({ ok: true, deviceId, toVersion: "00030000" });
    await store.getState().refreshJigSlots();
    await store.getState().submitJigScan(hub.deviceId, "wedge");
    expect(store.getState().jigOverride).toMatchObject({ canOverride: true, flashedTo: "00030000" });
    expect(await store.getState().allowSecondFlash("ok")).toContain("at least 5 characters");
    expect(await db.events.where("type").equals("flash.override").count()).toBe(0);
    expect(await store.getState().allowSecondFlash("casing replaced, flash again")).toBeNull();
    const [ov] = await db.events.where("type").equals("flash.override").toArray();
    expect(ov?.event).toMatchObject({
      operatorId: "sup-1",
      payload: {
        deviceId: hub.deviceId,
        bookingRef: booking.bookingRef,
        flashedTo: "00030000",
        reason: "casing replaced, flash again",
      },
    });
    await store.getState().submitJigScan("A2", "wedge");
    expect(bridge.calls.find((c) => c.channel === "jig.load")?.args).toMatchObject({
      deviceId: hub.deviceId,
      override: { supervisorId: "sup-1", reason: "casing replaced, flash again" },
    });
    // "loaded into A2" is stale once A2 has finished: the notice clears, the slot tells the rest.
    expect(store.getState().jigNotice?.text).toContain(`${hub.deviceId} loaded into A2`);
    bridge.emit("jig.slot", {
      jigId: "JIG-A",
      slot: 1,
      phase: "flashed",
      deviceId: hub.deviceId,
      step: null,
      percent: 100,
      attempt: 1,
      startedAt: null,
      etaMs: null,
      reason: null,
      manualReportRequired: false,
    });
    expect(store.getState().jigNotice).toBeNull();
  });
});
