import { testDockDeps } from "../test-support/dock-store";
import { describe, it, expect } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import type { Booking } from "../../../shared/domain/booking";
import { encodeBookingLabel, encodeCartonLabel, encodePalletLabel } from "../../../shared/domain/labels";
import type { VerdictClass } from "../../../shared/domain/reconcile";
import { parseDockEvent } from "../../../shared/events";
import { DockDb, rebuildHubStates } from "../db/dock-db";
import { sampleBooking } from "../test-support/sample-booking";
import type { DockDeps } from "./dock-deps";
import { createDockStore, type DockStore } from "./dock-store";
import { routeScan } from "../scanning/scan-router";
import { signInAs, TEST_PIN, testPinHash } from "../test-support/operators";
import { hashPin } from "../../../shared/domain/operator-pin";

let n = 0;
interface Rig {
  store: DockStore;
  db: DockDb;
  sounds: VerdictClass[];
  booking: Booking;
  other: Booking;
  deps: DockDeps;
}

async function rig(db?: DockDb): Promise<Rig> {
  const theDb = db ?? new DockDb(`store-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  const booking = sampleBooking("BK-1001", 1);
  const other = sampleBooking("BK-2002", 2, 1, 1, 2);
  await theDb.bookings.bulkPut(
    [booking, other].map((b) => ({ bookingRef: b.bookingRef, version: b.version, booking: b, pulledAt: 0 })),
  );
  const sounds: VerdictClass[] = [];
  let t = Date.parse("2026-11-26T09:30:00Z");
  const deps: DockDeps = testDockDeps(theDb, {
    site: { facilityId: booking.facilityId, csp: booking.csp, production: true },
    now: () => (t += 1000),
    sound: { signal: (c) => sounds.push(c) },
    clockOffsetMs: () => 250,
  });
  const store = createDockStore(deps);
  await signInAs(store, theDb, "op-7", "receiver", "Ann Dock");
  return { store, db: theDb, sounds, booking, other, deps };
}

const pallet = (b: Booking, i = 0) => (encodePalletLabel({ sscc: b.pallets[i]!.sscc }) as { scan: string }).scan;
const carton = (b: Booking, p = 0, c = 0) =>
  (encodeCartonLabel({ sscc: b.pallets[p]!.cartons[c]!.sscc }) as { scan: string }).scan;
const hub = (b: Booking, p = 0, c = 0, h = 0) => b.pallets[p]!.cartons[c]!.hubs[h]!;

async function scan(store: DockStore, raw: string): Promise<void> {
  store.getState().submitScan(raw, "wedge");
  await store.getState().settled();
}

describe("dock store: a booking central blocks is not started (issue 17, PIA 6.2.2)", () => {
  it("its booking label is answered with central's reason; no receipt, no arrival; once unblocked it opens", async () => {
    const { store, db, booking } = await rig();
    const why = "its Work Order awaits approval against a purchase order";
    await db.bookings.put({
      bookingRef: booking.bookingRef,
      version: 2,
      booking: { ...booking, workBlocked: why },
      pulledAt: 1,
    });
    await store.getState().loadBookings();
    const label = (
      encodeBookingLabel({ bookingRef: booking.bookingRef, deliveryRef: booking.deliveryRef }) as { scan: string }
    ).scan;
    await store.getState().submitBookingsScan(label);
    expect(store.getState().screen).not.toBe("receipt");
    expect(store.getState().receiptMessage).toBe(
      `Booking ${booking.bookingRef} cannot be received yet: ${why}. No arrival was recorded; ask the DCC desk, then scan the booking label again.`,
    );
    expect(await db.events.where("type").equals("booking.arrived").count()).toBe(0);
    expect(await db.receipts.count()).toBe(0);
    await db.bookings.put({
      bookingRef: booking.bookingRef,
      version: 3,
      booking: { ...booking, workBlocked: null },
      pulledAt: 2,
    });
    await store.getState().loadBookings();
    await store.getState().submitBookingsScan(label);
    expect(store.getState().receipt?.bookingRef).toBe(booking.bookingRef);
  });
});

describe("dock store: scans on the bookings list (issue 16)", () => {
  it("a pallet's plain SSCC opens its booking's receipt; a hub is answered; a scan into a closed receipt says so", async () => {
    const { store, other } = await rig();
    await store.getState().loadBookings();
    await store.getState().submitBookingsScan(hub(other).deviceId);
    expect(store.getState().bookingsNotice).toMatchObject({
      tone: "info",
      text: expect.stringContaining(other.bookingRef),
    });
    expect(store.getState().screen).not.toBe("receipt");
    await store.getState().submitBookingsScan(`]C100${other.pallets[0]!.sscc}`);
    expect(store.getState().screen).toBe("receipt");
    expect(store.getState().receipt?.bookingRef).toBe(other.bookingRef);
    expect(store.getState().receiptNote).toContain(
      `Pallet ${other.pallets[0]!.sscc} is on booking ${other.bookingRef}`,
    );
    await store.getState().closeReceipt({
      outcome: "rejected",
      rejectedHubs: [],
      rejectionReason: "wrong facility",
      packagingNotes: null,
      damageNotes: null,
    });
    await store.getState().openReceipt(other.bookingRef);
    await scan(store, pallet(other));
    expect(store.getState().receiptMessage).toContain("This receipt is closed (rejected): this scan was not recorded");
  });
});

describe("dock store: the DCC booking label at the dock (issues 16, 18)", () => {
  const label = (b: Booking) =>
    (encodeBookingLabel({ bookingRef: b.bookingRef, deliveryRef: b.deliveryRef }) as { scan: string }).scan;
  const arrivals = async (db: DockDb) => (await db.events.where("type").equals("booking.arrived").toArray()).length;

  it("on the bookings list it opens the receipt and records the arrival once; scanned again, nothing more", async () => {
    const { store, db, booking } = await rig();
    await store.getState().loadBookings();
    await store.getState().submitBookingsScan(label(booking));
    expect(store.getState().screen).toBe("receipt");
    expect(store.getState().receipt?.arrivedAt).not.toBeNull();
    expect(store.getState().receiptNote).toMatch(/arrival recorded at \d\d:\d\d \(on time\)/);
    expect(await arrivals(db)).toBe(1);
    // Its instruction ("say who unloads, then start unloading") goes once unloading starts.
    await store.getState().setUnloader("dock");
    expect(store.getState().receiptNote).not.toBeNull();
    await store.getState().startUnloading();
    expect(store.getState().receiptNote).toBeNull();
    store.getState().leaveReceipt();
    await store.getState().submitBookingsScan(label(booking));
    expect(store.getState().receiptNote).toMatch(/arrival already recorded/);
    expect(await arrivals(db)).toBe(1);
  });

  it("during another receipt it is named and records no arrival; a scan before sign-in is answered in words", async () => {
    const { store, db, booking, other } = await rig();
    await store.getState().openReceipt(booking.bookingRef);
    await scan(store, label(other));
    expect(store.getState().pendingError?.reason).toContain(`label of booking ${other.bookingRef}`);
    expect(await arrivals(db)).toBe(0);
    store.getState().acknowledge();
    await store.getState().signOut();
    routeScan(store, label(booking), "hid-pos");
    expect(store.getState().scanAnswer).toBe(
      `Sign in first, then scan. That was booking label ${booking.bookingRef}; nothing was recorded.`,
    );
    await store.getState().signIn(hub(booking).deviceId, "");
    expect(store.getState().sessionError).toMatch(/^Sign in first, then scan\. That was hub /);
    expect(await arrivals(db)).toBe(0);
  });
});

describe("dock store: receiving", () => {
  it("records arrival, unloading and the liability instant the rule derives (dock unloads: at commencement)", async () => {
    const { store, db } = await rig();
    const s = store.getState();
    await s.openReceipt("BK-1001");
    await s.recordArrival(true, "2026-11-26T11:30:00Z");
    await store.getState().setUnloader("dock");
    await store.getState().startUnloading();
    const r = store.getState().receipt!;
    expect(r.late).toBe(true);
    expect(r.liabilityAt).toBe(r.unloadingStartedAt);
    expect(r.liabilityRule).toMatch(/commencement/);
    await store.getState().completeUnloading();
    const types = (await db.events.orderBy("seq").toArray()).map((e) => e.type);
    expect(types).toEqual([
      "operator.signed-in",
      "booking.arrived",
      "unloading.started",
      "liability.transferred",
      "unloading.completed",
    ]);
    const liability = (await db.events.where("type").equals("liability.transferred").first())!.event;
    expect(parseDockEvent(liability).ok).toBe(true);
    expect(liability.clockOffsetMs).toBe(250);
  });

  it("party unloads: liability passes on completion", async () => {
    const { store } = await rig();
    await store.getState().openReceipt("BK-1001");
    await store.getState().recordArrival(false, null);
    await store.getState().setUnloader("party");
    await store.getState().startUnloading();
    expect(store.getState().receipt!.liabilityAt).toBeNull();
    await store.getState().completeUnloading();
    expect(store.getState().receipt!.liabilityAt).toBe(store.getState().receipt!.unloadingCompletedAt);
  });

  it("guides pallet -> carton -> hub, counts, and refuses a hub before a carton by name", async () => {
    const { store, booking, sounds } = await rig();
    await store.getState().openReceipt("BK-1001");
    await scan(store, hub(booking).deviceId);
    expect(store.getState().pendingError?.code).toBe("wrong-kind");
    expect(store.getState().pendingError?.reason).toMatch(/This is a hub ID/);
    store.getState().acknowledge();
    await scan(store, pallet(booking));
    expect(store.getState().next?.kind).toBe("carton");
    await scan(store, carton(booking));
    await scan(store, hub(booking).deviceId);
    const sum = store.getState().summary!;
    expect(sum.pallets).toEqual({ booked: 2, received: 1 });
    expect(sum.cartons).toEqual({ booked: 4, received: 1, unlisted: 0 });
    expect(sum.hubs.received).toBe(1);
    expect(sum.missing.hubs).toHaveLength(11);
    expect(sounds).toEqual(["error", "ok", "ok", "ok"]);
  });

  it("an error stays until acknowledged; scans meanwhile are held, then processed in order", async () => {
    const { store, booking, other, db } = await rig();
    await store.getState().openReceipt("BK-1001");
    await scan(store, pallet(booking));
    await scan(store, carton(booking));
    await scan(store, hub(other).deviceId); // a hub of another booking: error
    expect(store.getState().pendingError?.code).toBe("hub-other-booking");
    store.getState().submitScan(hub(booking, 0, 0, 1).deviceId, "wedge");
    store.getState().submitScan(hub(booking, 0, 0, 1).deviceId, "wedge");
    await store.getState().settled();
    expect(store.getState().queue).toHaveLength(2);
    expect(await db.events.where("type").equals("scan.recorded").count()).toBe(3);
    store.getState().acknowledge();
    await store.getState().settled();
    expect(store.getState().queue).toHaveLength(0);
    expect(store.getState().lastVerdict?.code).toBe("hub-duplicate");
    expect(store.getState().summary!.hubs.received).toBe(1);
    const verdicts = (await db.events.where("type").equals("scan.recorded").toArray()).map((e) =>
      e.event.type === "scan.recorded" ? e.event.payload.verdict : "",
    );
    expect(verdicts).toEqual(["expected", "expected", "other-booking", "expected", "duplicate"]);
  });

  it("a GPF ID is named as the wrong device type", async () => {
    const { store, booking } = await rig();
    await store.getState().openReceipt("BK-1001");
    await scan(store, pallet(booking));
    await scan(store, carton(booking));
    await scan(store, hub(booking, 0, 0, 2).gpfDeviceId);
    expect(store.getState().pendingError?.code).toBe("hub-wrong-device-type");
    expect(store.getState().pendingError?.reason).toMatch(/Gas Proxy Function/);
  });

  it("undo needs a reason, is an event, and restores the counts", async () => {
    const { store, booking, db } = await rig();
    await store.getState().openReceipt("BK-1001");
    await scan(store, pallet(booking));
    await scan(store, carton(booking));
    await scan(store, hub(booking).deviceId);
    expect(await store.getState().undoLast("  ")).toMatch(/reason/);
    await store.getState().undoLast("scanned the wrong hub");
    expect(store.getState().summary!.hubs.received).toBe(0);
    const undo = await db.events.where("type").equals("scan.undone").first();
    expect(undo?.event.type === "scan.undone" && undo.event.payload.reason).toBe("scanned the wrong hub");
    expect(await db.hubStates.get(hub(booking).deviceId)).toBeUndefined();
  });

  it("hub states: the rows the live scans wrote are the rows a rebuild from the log gives", async () => {
    const { store, booking, other, db } = await rig();
    await store.getState().openReceipt("BK-1001");
    await scan(store, pallet(booking));
    await scan(store, carton(booking));
    for (const raw of [
      hub(booking).deviceId,
      hub(booking, 0, 0, 1).deviceId,
      hub(booking).deviceId,
      hub(booking, 0, 0, 2).gpfDeviceId,
      hub(other).deviceId,
    ]) {
      await scan(store, raw);
      if (store.getState().pendingError !== null) store.getState().acknowledge();
    }
    await store.getState().settled();
    // The last counted scan (a hub of another booking) undone; a duplicate is no undo target and its hub stays received.
    expect(await store.getState().undoLast("set aside")).toBeNull();
    await scan(store, hub(booking).deviceId);
    const duplicate = store.getState().lastVerdict!.scanId!;
    expect(await store.getState().undoLast("scanned twice", duplicate)).toMatch(/changed nothing/);
    const live = await db.hubStates.orderBy("deviceId").toArray();
    expect(live.map((r) => [r.deviceId, r.state])).toEqual(
      [hub(booking).deviceId, hub(booking, 0, 0, 1).deviceId].sort().map((d) => [d, "received"]),
    );
    await db.transaction("rw", db.events, db.hubStates, () => rebuildHubStates(db.events, db.hubStates));
    expect(await db.hubStates.orderBy("deviceId").toArray()).toEqual(live);
  });

  it("after a reload (new store, same database) the receipt is rebuilt from the log", async () => {
    const first = await rig();
    const { booking } = first;
    await first.store.getState().openReceipt("BK-1001");
    await scan(first.store, pallet(booking));
    await scan(first.store, carton(booking));
    await scan(first.store, hub(booking).deviceId);
    await scan(first.store, hub(booking, 0, 0, 1).deviceId);
    const second = createDockStore(first.deps);
    await second.getState().restoreSession();
    expect(second.getState().operator?.operatorId).toBe("op-7");
    await second.getState().openReceipt("BK-1001");
    expect(second.getState().summary!.hubs.received).toBe(2);
    expect(second.getState().next?.kind).toBe("hub");
    await scan(second, hub(booking).deviceId);
    expect(second.getState().lastVerdict?.code).toBe("hub-duplicate");
  });

  it("an unacknowledged error and the scans held behind it survive a reload", async () => {
    const first = await rig();
    const { booking, other } = first;
    await first.store.getState().openReceipt("BK-1001");
    await scan(first.store, pallet(booking));
    await scan(first.store, carton(booking));
    await scan(first.store, hub(other).deviceId);
    first.store.getState().submitScan(hub(booking).deviceId, "wedge");
    first.store.getState().submitScan(hub(booking, 0, 0, 1).deviceId, "camera");
    await first.store.getState().settled();
    const second = createDockStore(first.deps);
    await second.getState().restoreSession();
    await second.getState().openReceipt("BK-1001");
    expect(second.getState().pendingError?.code).toBe("hub-other-booking");
    expect(second.getState().queue.map((q) => q.source)).toEqual(["wedge", "camera"]);
    expect(second.getState().recent.map((r) => r.code)).toEqual([
      "hub-other-booking",
      "carton-expected",
      "pallet-expected",
    ]);
    second.getState().acknowledge();
    await second.getState().settled();
    expect(second.getState().summary!.hubs.received).toBe(2);
  });

  it("a scan's write leaves the receipt row (and its booking) alone; the held row exists only while scans are held", async () => {
    const { store, booking, other, db } = await rig();
    await store.getState().openReceipt("BK-1001");
    const opened = await db.receipts.get("BK-1001");
    await scan(store, pallet(booking));
    await scan(store, carton(booking));
    await scan(store, hub(booking).deviceId);
    expect(await db.receipts.get("BK-1001")).toEqual(opened);
    expect(await db.hubStates.get(hub(booking).deviceId)).toMatchObject({ state: "received", bookingRef: "BK-1001" });
    expect(await db.meta.get("receipt.held")).toBeUndefined();
    await scan(store, hub(other).deviceId); // error: from now on the error and what is held behind it are stored
    store.getState().submitScan(hub(booking, 0, 0, 1).deviceId, "wedge");
    await store.getState().settled();
    expect((await db.meta.get("receipt.held"))?.value).toMatchObject({
      bookingRef: "BK-1001",
      pendingError: { code: "hub-other-booking" },
      queue: [{ source: "wedge" }],
    });
    store.getState().acknowledge();
    await store.getState().settled();
    expect(store.getState().summary!.hubs.received).toBe(2);
    expect(await db.meta.get("receipt.held")).toBeUndefined();
  });

  it("sign-in is by ID and PIN against the operators synced from central (offline too); the role is central's", async () => {
    const { store, db } = await rig();
    await store.getState().signOut();
    await db.operators.bulkPut([
      {
        operatorId: "OP-R",
        name: "Rita",
        facilityId: "FAC-CS-1",
        roles: ["receiver"],
        active: true,
        pinHash: await testPinHash(),
      },
      { operatorId: "OP-N", name: "Nopin", facilityId: "FAC-CS-1", roles: ["receiver"], active: true, pinHash: null },
    ]);
    await store.getState().signIn("OP-X", TEST_PIN);
    expect(store.getState().sessionError).toMatch(/not registered/);
    await store.getState().signIn("OP-N", TEST_PIN);
    expect(store.getState().sessionError).toMatch(/has no PIN yet/);
    await store.getState().signIn("OP-R", TEST_PIN, "supervisor");
    expect(store.getState().sessionError).toMatch(/has role receiver, not supervisor/);
    expect(await store.getState().signIn("OP-R", "")).toBe("need-pin");
    expect(await store.getState().signIn("OP-R", "0000")).toBe("refused");
    expect(store.getState().sessionError).toMatch(/Wrong PIN for OP-R\. 4 more tries/);
    expect(store.getState().operator).toBeNull();
    expect(await store.getState().signIn("OP-R", TEST_PIN)).toBe("signed-in");
    expect(store.getState().operator).toEqual({ operatorId: "OP-R", name: "Rita", role: "receiver" });
  });

  it("five wrong PINs lock the ID at this dock, across a reload; a PIN reset at the desk lifts it", async () => {
    const { store, db, deps } = await rig();
    await store.getState().signOut();
    const hash = await testPinHash();
    await db.operators.put({
      operatorId: "OP-R",
      name: "Rita",
      facilityId: "FAC-CS-1",
      roles: ["receiver"],
      active: true,
      pinHash: hash,
    });
    for (let i = 0; i < 5; i++) await store.getState().signIn("OP-R", "1111");
    expect(store.getState().sessionError).toMatch(/Too many wrong PINs for OP-R: locked for 5 minutes/);
    // A reload (a new store over the same database) remembers the lockout: even the right PIN waits.
    const reloaded = createDockStore(deps);
    expect(await reloaded.getState().signIn("OP-R", TEST_PIN)).toBe("refused");
    expect(reloaded.getState().sessionError).toMatch(/too many wrong PINs: try again in \d+ minutes/);
    expect(reloaded.getState().operator).toBeNull();
    // The DCC admin resets the PIN (a new salt reaches the dock): the count starts afresh.
    await db.operators.update("OP-R", { pinHash: await hashPin("975310", 100_000) });
    expect(await reloaded.getState().signIn("OP-R", "975310")).toBe("signed-in");
  });

  it("a dock that never pulled its operators refuses every sign-in and says why", async () => {
    const { store, db } = await rig();
    await store.getState().signOut();
    await db.meta.delete("sync.operatorsSyncedAt");
    expect(await store.getState().signIn("op-7", TEST_PIN)).toBe("refused");
    expect(store.getState().sessionError).toMatch(/has not received its operators from central yet/);
  });

  it("durable before the beep: when the write fails, no ok is sounded and nothing is counted", async () => {
    const { store, booking, db, sounds } = await rig();
    await store.getState().openReceipt("BK-1001");
    await scan(store, pallet(booking));
    db.close();
    await scan(store, carton(booking));
    expect(sounds).toEqual(["ok", "error"]);
    expect(store.getState().pendingError?.reason).toMatch(/NOT RECORDED/);
    expect(store.getState().summary!.cartons.received).toBe(0);
  });

  it("a backlog of scans is judged in order and counted once it drains, even when a write fails in the middle", async () => {
    const { store, booking, db, sounds } = await rig();
    await store.getState().openReceipt("BK-1001");
    const s = store.getState();
    // Queued all at once, as after a stall: the summary is owed until the last of them.
    s.submitScan(pallet(booking), "wedge");
    s.submitScan(carton(booking), "wedge");
    for (let h = 0; h < 2; h++) s.submitScan(hub(booking, 0, 0, h).deviceId, "wedge");
    await store.getState().settled();
    expect(sounds).toEqual(["ok", "ok", "ok", "ok"]);
    expect(store.getState().summary).toMatchObject({
      pallets: { received: 1 },
      cartons: { received: 1 },
      hubs: { received: 2 },
    });
    expect(store.getState().recent).toHaveLength(4);
    // Two more queued and the database closed under them: whatever was stored is counted, the rest is "not recorded".
    store.getState().submitScan(hub(booking, 0, 0, 2).deviceId, "wedge");
    store.getState().submitScan(carton(booking, 0, 1), "wedge");
    db.close();
    await store.getState().settled();
    expect(store.getState().pendingError?.reason).toMatch(/NOT RECORDED/);
    expect(sounds.slice(4)).toContain("error");
    const stored = sounds.slice(4).filter((c) => c === "ok").length;
    expect(store.getState().summary).toMatchObject({
      hubs: { received: 2 + Math.min(stored, 1) },
      cartons: { received: 1 + Math.max(0, stored - 1) },
    });
  });

  it("closes a receipt in part with the hubs rejected and the damage noted", async () => {
    const { store, booking, db } = await rig();
    await store.getState().openReceipt("BK-1001");
    await scan(store, pallet(booking));
    expect(
      await store.getState().closeReceipt({
        outcome: null,
        rejectedHubs: [],
        rejectionReason: null,
        packagingNotes: null,
        damageNotes: "typed before choosing",
      }),
    ).toBe("Choose an outcome: accepted whole, accepted in part, or rejected.");
    expect(await db.events.where("type").equals("receipt.closed").count()).toBe(0);
    expect(store.getState().screen).toBe("receipt");
    await store.getState().closeReceipt({
      outcome: "partial",
      rejectedHubs: [{ deviceId: hub(booking).deviceId, code: "damaged", reason: "casing cracked" }],
      rejectionReason: null,
      packagingNotes: "carton re-taped",
      damageNotes: "one hub cracked",
    });
    expect((await db.receipts.get("BK-1001"))?.status).toBe("closed");
    const closed = await db.events.where("type").equals("receipt.closed").first();
    expect(closed?.event.type === "receipt.closed" && closed.event.payload.damageNotes).toBe("one hub cracked");
    expect(store.getState().screen).toBe("bookings");
    expect(store.getState().bookingsNotice?.text).toMatch(
      /^Receipt of booking BK-1001 closed: accepted in part \(0 of \d+ hubs received, \d+ missing, 1 rejected\)\. The accepted hubs can go on the jigs/,
    );
  });

  it("a shortfall with nothing damaged closes accepted in part; a scan into the closed receipt says it is closed", async () => {
    const { store, booking, db } = await rig();
    await store.getState().openReceipt("BK-1001");
    await scan(store, pallet(booking));
    await scan(store, carton(booking));
    await scan(store, hub(booking).deviceId);
    const input = { rejectedHubs: [], rejectionReason: null, packagingNotes: null, damageNotes: null };
    expect(await store.getState().closeReceipt({ outcome: "partial", ...input })).toBeNull();
    const closed = (await db.events.where("type").equals("receipt.closed").first())?.event;
    expect(closed?.type === "receipt.closed" && closed.payload.missingHubs).toBeGreaterThan(0);
    await store.getState().openReceipt("BK-1001");
    await scan(store, hub(booking, 0, 0, 1).deviceId);
    expect(store.getState().receiptMessage).toMatch(
      /^This receipt is closed \(accepted in part\): this scan was not recorded/,
    );
  });

  it("an amendment is held for the operator and applied only when acknowledged", async () => {
    const { store, booking, db } = await rig();
    await store.getState().openReceipt("BK-1001");
    await scan(store, pallet(booking));
    const amended = { ...booking, version: 2, deliveryWindow: { start: "12:00", end: "14:00" } };
    const row = (await db.receipts.get("BK-1001"))!;
    await db.receipts.put({ ...row, amendment: amended });
    await scan(store, carton(booking)); // writing the receipt must not erase the conflict
    expect((await db.receipts.get("BK-1001"))?.amendment?.version).toBe(2);
    await store.getState().refreshReceipt();
    expect(store.getState().receipt?.amendment?.version).toBe(2);
    await store.getState().acceptAmendment();
    expect(store.getState().receipt?.booking.version).toBe(2);
    expect(store.getState().receipt?.amendment).toBeNull();
    expect(store.getState().summary!.cartons.received).toBe(1);
    const ack = await db.events.where("type").equals("amendment.acknowledged").first();
    expect(ack?.event.type === "amendment.acknowledged" && ack.event.payload.fields).toEqual(["window"]);
  });
});
