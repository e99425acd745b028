import { testDockStore } from "../test-support/dock-store";
import { describe, expect, it, vi } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { encodeCartonLabel, encodePalletLabel } from "../../../shared/domain/labels";
import type { VerdictClass } from "../../../shared/domain/reconcile";
import { sampleBooking } from "../test-support/sample-booking";
import { DockDb } from "./dock-db";
import { isStorageFull, scanNotStoredReason } from "./storage-error";
import { signInAs } from "../test-support/operators";
import { InvalidEventError } from "../../../shared/events";

/** Issue 21: disk full at the dock. The write every scan waits for fails with QuotaExceededError. */
describe("disk full at the dock", () => {
  it("scanning stops with a plain message, and no scan is confirmed that was not stored", async () => {
    const idb = new IDBFactory();
    const db = new DockDb("storage-full", { indexedDB: idb, IDBKeyRange });
    const booking = sampleBooking("BK-1001", 1);
    await db.bookings.put({ bookingRef: booking.bookingRef, version: booking.version, booking, pulledAt: 0 });
    const sounds: VerdictClass[] = [];
    let t = Date.parse("2026-11-26T09:30:00Z");
    const store = testDockStore(db, {
      site: { facilityId: booking.facilityId, csp: booking.csp, production: true },
      now: () => (t += 1000),
      sound: { signal: (c) => sounds.push(c) },
    });
    await signInAs(store, db, "op-7", "receiver", "Ann Dock");
    await store.getState().openReceipt(booking.bookingRef);
    const scan = async (raw: string) => {
      store.getState().submitScan(raw, "wedge");
      await store.getState().settled();
    };
    const p = booking.pallets[0]!;
    await scan((encodePalletLabel({ sscc: p.sscc }) as { scan: string }).scan);
    expect(sounds).toEqual(["ok"]);
    const before = await db.events.count();

    // The disk fills: IndexedDB refuses every add, as a browser over its quota does.
    const conn = db.backendDB();
    const realTransaction = conn.transaction.bind(conn);
    conn.transaction = ((stores: string | string[], mode?: IDBTransactionMode) => {
      const tx = realTransaction(stores, mode);
      const realStore = tx.objectStore.bind(tx);
      tx.objectStore = (name: string) => {
        const s = realStore(name);
        s.add = () => {
          throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        };
        return s;
      };
      return tx;
    }) as typeof conn.transaction;

    const cartonScan = (encodeCartonLabel({ sscc: p.cartons[0]!.sscc }) as { scan: string }).scan;
    await scan(cartonScan);
    // Held behind the error: not judged, not confirmed.
    store.getState().submitScan(p.cartons[0]!.hubs[0]!.deviceId, "wedge");
    await store.getState().settled();
    expect(sounds).toEqual(["ok", "error"]);
    const shown = store.getState().pendingError;
    expect(shown?.reason).toBe(
      "NOT RECORDED - this computer's storage is full, so the dock cannot store scans. Scanning is stopped: ask your supervisor or IT to free disk space, then scan this item again. Scans already confirmed are safe.",
    );
    expect(shown?.scanId).toBeNull();
    expect(store.getState().queue).toHaveLength(1);
    expect(store.getState().summary!.cartons.received).toBe(0);
    expect(await db.events.count()).toBe(before);
    expect(await db.outbox.count()).toBe(before);
  });

  it("tells a full disk from other failures, also when wrapped", () => {
    const full = new DOMException("quota", "QuotaExceededError");
    expect(isStorageFull(full)).toBe(true);
    expect(isStorageFull({ name: "AbortError", inner: full })).toBe(true);
    expect(isStorageFull(new DOMException("closed", "InvalidStateError"))).toBe(false);
    expect(isStorageFull(null)).toBe(false);
    expect(scanNotStoredReason(new Error("database closed"))).toBe(
      "NOT RECORDED - scan it again. The dock could not store this scan (database closed).",
    );
    // A record the dock built against its own rules: plain words, no event type or field path.
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const invalid = scanNotStoredReason(new InvalidEventError("scan.recorded", "payload.reason: too small"));
    expect(logged).toHaveBeenCalledTimes(1); // the details go to the console, for support
    logged.mockRestore();
    expect(invalid).toMatch(/^NOT RECORDED - the dock could not make a valid record of this scan/);
    expect(invalid).not.toMatch(/scan\.recorded|payload|reason:/);
  });
});
