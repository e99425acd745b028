import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { makeEvent, type DockEvent } from "../../../shared/events";
import { bookingListRow, DockDb, openedReceiptRow } from "../db/dock-db";
import { recordEvent } from "../db/record-event";
import { sampleBooking } from "../test-support/sample-booking";
import { FakeCentral } from "./fake-central";
import { amendmentsOf, firmwareCatalogue } from "../db/dock-records";
import { backoffDelay, retryDelay, SyncClient } from "./sync-client";
import { retryAfterMs } from "./central-request";
import { OPERATORS_SYNCED_AT, readMeta } from "../db/dock-meta";

const ctx = { dockId: "DOCK-1", operatorId: "op-1" };
let n = 0;
function freshDb(): DockDb {
  return new DockDb(`sync-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
}
function scan(i: number): DockEvent {
  const deviceId = `0A-01-00-00-00-00-00-${i.toString(16).padStart(2, "0").toUpperCase()}`;
  return makeEvent(
    "scan.recorded",
    {
      bookingRef: "BK-1001",
      source: "wedge",
      raw: deviceId,
      kind: "hub",
      verdict: "expected",
      palletSscc: null,
      cartonSscc: null,
      deviceId,
      sscc: null,
      otherBookingRef: null,
      reason: "expected",
    },
    ctx,
  );
}
function client(
  db: DockDb,
  central: FakeCentral,
  extra: Partial<ConstructorParameters<typeof SyncClient>[1]> = {},
): SyncClient {
  return new SyncClient(db, { baseUrl: "http://central.test", token: null, fetch: central.fetch, ...extra });
}

describe("SyncClient against FakeCentral", () => {
  it("keeps a Party's re-delivery amendments and the firmware catalogue central pulls down, merged across pages", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    const entry = {
      deviceModel: "010A030B",
      version: "00030000",
      status: "production" as const,
      sha256: "a".repeat(64),
      sizeBytes: 1024,
      signature: "c2ln",
      keyId: "k1",
      releasedAt: "2026-11-01T00:00:00.000Z",
    };
    const location = { id: "SUPPLIER-A-DEPOT", name: "Depot", address: "10 Meter Way, Leeds" };
    central.putFirmware(entry);
    central.putAmendment({
      bookingRef: "BK-1001",
      bookingVersion: 2,
      deliveryDate: "2027-02-01",
      deliveryWindow: { start: "10:00", end: "12:00" },
      deliveryLocation: location,
    });
    central.putAmendment({
      bookingRef: "BK-1001",
      bookingVersion: 3,
      deliveryDate: "2027-02-03",
      deliveryWindow: { start: "13:00", end: "15:00" },
      deliveryLocation: location,
    });
    const sync = client(db, central);
    await sync.syncOnce();
    const amendments = await amendmentsOf(db, "BK-1001");
    expect(amendments.map((a) => a.bookingVersion)).toEqual([2, 3]);
    expect(await firmwareCatalogue(db)).toEqual([entry]);
    // A withdrawal arrives as the same entry changed: it replaces the old one, nothing doubles.
    central.putFirmware({ ...entry, status: "withdrawn" });
    await sync.syncOnce();
    expect(await firmwareCatalogue(db)).toEqual([{ ...entry, status: "withdrawn" }]);
    expect((await amendmentsOf(db, "BK-1001")).length).toBe(2);
  });

  it("the first pull applied marks the dock as having its operators (sign-in can check PINs), once", async () => {
    const db = freshDb();
    let told = 0;
    const sync = client(db, new FakeCentral(), { onOperatorsStored: () => told++ });
    expect(await readMeta(db, OPERATORS_SYNCED_AT)).toBeUndefined();
    const failing = client(db, new FakeCentral(), {
      fetch: () => Promise.reject(new TypeError("network down")),
    });
    await expect(failing.syncOnce()).rejects.toThrow();
    expect(await readMeta(db, OPERATORS_SYNCED_AT)).toBeUndefined();
    await sync.syncOnce();
    expect(await readMeta(db, OPERATORS_SYNCED_AT)).toEqual(expect.any(Number));
    await sync.syncOnce();
    expect(told).toBe(1);
  });

  it("tells central its outbox with each push and pull (count and oldest recorded), for central's /metrics", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    const seen: Array<[string, string | null]> = [];
    const fetch: typeof central.fetch = (input, init) => {
      seen.push([String(input).replace("http://central.test", ""), new Headers(init?.headers).get("x-dock-outbox")]);
      return central.fetch(input, init);
    };
    for (let i = 0; i < 3; i++) await recordEvent(db, scan(i));
    const oldest = (await db.outbox.orderBy("seq").first())!.enqueuedAt;
    await client(db, central, { fetch }).syncOnce();
    expect(seen).toEqual([
      ["/sync/push", `3;${oldest}`],
      ["/sync/pull", "0;-"],
    ]);
  });

  it("pushes the outbox in batches and empties it; a second round sends nothing", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    for (let i = 0; i < 5; i++) await recordEvent(db, scan(i));
    const sync = client(db, central, { batchSize: 2 });
    await sync.syncOnce();
    expect(central.events.size).toBe(5);
    expect(central.pushes).toEqual([2, 2, 1]);
    expect(await db.outbox.count()).toBe(0);
    await sync.syncOnce();
    expect(central.pushes).toHaveLength(3);
    expect(sync.getHealth()).toMatchObject({ online: true, unsent: 0, lastError: null });
  });

  it("offline: keeps the outbox, reports offline with the oldest unsent event, then catches up exactly once", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    central.offline = true;
    await recordEvent(db, scan(1));
    await recordEvent(db, scan(2));
    const sync = client(db, central);
    await expect(sync.syncOnce()).rejects.toThrow(/Failed to fetch/);
    const h = sync.getHealth();
    expect(h.online).toBe(false);
    expect(h.unsent).toBe(2);
    expect(h.oldestUnsentAt).not.toBeNull();
    expect((await db.outbox.toArray()).every((r) => r.attempts === 1)).toBe(true);
    central.offline = false;
    await sync.syncOnce();
    expect(central.events.size).toBe(2);
    expect(await db.outbox.count()).toBe(0);
  });

  it("a lost answer makes the retry a duplicate, never a second copy", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    const e = scan(7);
    await recordEvent(db, e);
    central.events.set(e.id, e); // central stored it, but the dock never heard back
    await client(db, central).syncOnce();
    expect(central.events.size).toBe(1);
    expect(await db.outbox.count()).toBe(0);
  });

  it("quarantines a refused event with its reason and pushes the rest", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    const bad = scan(3);
    central.refuse = (ev) => ((ev as { id: string }).id === bad.id ? "hub belongs to a cancelled booking" : null);
    await recordEvent(db, scan(1));
    await recordEvent(db, bad);
    await recordEvent(db, scan(4));
    const sync = client(db, central);
    await sync.syncOnce();
    expect(central.events.size).toBe(2);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.quarantine.get(bad.id)).toMatchObject({ reason: "hub belongs to a cancelled booking" });
    expect(sync.getHealth().quarantined).toBe(1);
    expect(sync.getHealth().quarantine[0]).toMatchObject({ id: bad.id, reason: "hub belongs to a cancelled booking" });
  });

  it("a whole-batch 400 is split until the poisoned event stands alone", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    const bad = scan(9);
    central.refuseBatchWith = (ev) => ((ev as { id: string }).id === bad.id ? "payload.raw: too long" : null);
    for (const e of [scan(1), scan(2), bad, scan(4), scan(5)]) await recordEvent(db, e);
    await client(db, central, { batchSize: 4 }).syncOnce();
    expect(central.events.size).toBe(4);
    expect((await db.quarantine.toArray()).map((q) => q.id)).toEqual([bad.id]);
    expect(await db.outbox.count()).toBe(0);
  });

  it("pulls bookings by cursor across pages", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    for (let i = 1; i <= 5; i++) central.putBooking(sampleBooking(`BK-100${i}`, i, 1, 1, 1));
    const sync = client(db, central);
    await sync.syncOnce();
    expect((await db.bookings.toArray()).map((b) => b.bookingRef).sort()).toEqual([
      "BK-1001",
      "BK-1002",
      "BK-1003",
      "BK-1004",
      "BK-1005",
    ]);
    expect((await db.meta.get("sync.cursor"))?.value).toBe("5");
  });

  it("stores each pulled booking's list row (summary and hub columns) with it, and replaces it when central amends the booking", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    const v1 = sampleBooking("BK-1001", 1, 1, 2, 2);
    central.putBooking(v1);
    const sync = client(db, central);
    await sync.syncOnce();
    expect(await db.bookingList.toArray()).toEqual([bookingListRow(v1)]);
    const v2 = { ...sampleBooking("BK-1001", 1, 2, 1, 3), version: v1.version + 1 };
    central.putBooking(v2);
    await sync.syncOnce();
    expect(await db.bookingList.toArray()).toEqual([bookingListRow(v2)]);
    expect((await db.bookingList.get("BK-1001"))?.hubs).toBe(6);
  });

  it("an amendment to a booking with an open receipt is held as a conflict, not applied", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    const v1 = sampleBooking("BK-1001");
    await db.receipts.put(openedReceiptRow(v1, 0));
    central.putBooking({ ...v1, version: 2, deliveryWindow: { start: "13:00", end: "15:00" } });
    const sync = client(db, central);
    await sync.syncOnce();
    const r = await db.receipts.get("BK-1001");
    expect(r?.booking.version).toBe(1);
    expect(r?.amendment?.version).toBe(2);
    expect(sync.getHealth().conflicts).toEqual(["BK-1001"]);
  });

  it("central's own status move (version bump, nothing amended) is not a conflict", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    const v1 = sampleBooking("BK-1001");
    await db.receipts.put(openedReceiptRow(v1, 0));
    central.putBooking({ ...v1, version: 3, status: "receiving" });
    const sync = client(db, central);
    await sync.syncOnce();
    expect((await db.receipts.get("BK-1001"))?.amendment).toBeNull();
    expect(sync.getHealth().conflicts).toEqual([]);
    expect((await db.bookings.get("BK-1001"))?.version).toBe(3);
  });

  it("a round that pulls nothing new writes nothing: no cursor, no clock offset that has not moved, no last success within the interval", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    central.putBooking(sampleBooking("BK-1001", 1));
    let stored = 0;
    const sync = client(db, central, { onBookingsStored: () => stored++ });
    await sync.syncOnce();
    expect(stored).toBe(1);
    const cursor = (await db.meta.get("sync.cursor"))?.value;
    const writes: string[] = [];
    db.meta.hook("creating", (key) => void writes.push(String(key)));
    db.meta.hook("updating", (_mods, key) => void writes.push(String(key)));
    for (let i = 0; i < 3; i++) await sync.syncOnce();
    expect(writes).toEqual([]);
    expect(stored).toBe(1);
    // Something new: stored, and the cursor moves.
    central.putBooking(sampleBooking("BK-2002", 2));
    await sync.syncOnce();
    expect(stored).toBe(2);
    expect(writes).toContain("sync.cursor");
    expect((await db.meta.get("sync.cursor"))?.value).not.toBe(cursor);
    expect(await db.bookings.count()).toBe(2);
  });

  it("counts recorded events as unsent at once, without reading the outbox, and a round puts the exact figures back", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    central.offline = true;
    const reported: number[] = [];
    const sync = client(db, central, { onHealth: (h) => reported.push(h.unsent) });
    for (let i = 0; i < 3; i++) {
      await recordEvent(db, scan(i));
      sync.recorded(1);
    }
    expect(reported).toEqual([1, 2, 3]);
    expect(sync.getHealth().oldestUnsentAt).not.toBeNull();
    central.offline = false;
    await sync.syncOnce();
    expect(sync.getHealth()).toMatchObject({ unsent: 0, oldestUnsentAt: null });
    expect(central.events.size).toBe(3);
  });

  it("measures the clock offset from server time and flags drift beyond the limit", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    central.skewMs = 90_000;
    const sync = client(db, central, { driftLimitMs: 5000 });
    await sync.syncOnce();
    const h = sync.getHealth();
    expect(Math.abs((h.clockOffsetMs ?? 0) - 90_000)).toBeLessThan(1000);
    expect(h.driftFlagged).toBe(true);
  });

  it("an HTTP 503 counts as a failure and keeps the events for the next try", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    central.failNext = 1;
    await recordEvent(db, scan(1));
    const sync = client(db, central);
    await expect(sync.syncOnce()).rejects.toThrow(/503/);
    expect(sync.getHealth()).toMatchObject({ consecutiveFailures: 1, online: true });
    await sync.syncOnce();
    expect(central.events.size).toBe(1);
  });
});

describe("SyncClient against a central that fails on one event", () => {
  it.each([500, 413, 422])(
    "a batch answered %i is halved until the failing event stands alone; it is quarantined with the answer, the rest flows",
    async (status) => {
      const db = freshDb();
      const central = new FakeCentral();
      const events = Array.from({ length: 13 }, (_, i) => scan(i));
      const bad = events[9]!;
      central.refuseBatchWith = (ev) =>
        (ev as { id: string }).id === bad.id ? "central failed to handle the request" : null;
      central.refuseBatchStatus = status;
      for (const e of events) await recordEvent(db, e);
      const sync = client(db, central, { batchSize: 8 });
      await sync.syncOnce();
      expect(central.events.size).toBe(12);
      expect(central.events.has(bad.id)).toBe(false);
      expect(await db.outbox.count()).toBe(0);
      const q = await db.quarantine.get(bad.id);
      expect(q?.reason).toBe(
        `central answered ${status} to this event alone: internal: central failed to handle the request`,
      );
      // On the health panel: the event, and why.
      expect(sync.getHealth()).toMatchObject({ quarantined: 1, lastError: null, consecutiveFailures: 0 });
      expect(sync.getHealth().quarantine[0]).toMatchObject({
        id: bad.id,
        what: expect.stringMatching(/^scan\.recorded at /),
        reason: expect.stringMatching(new RegExp(`${status} to this event alone`)),
      });
      // Bisection costs about log2 of the batch per poisoned event, not one request per event.
      expect(central.pushes.length).toBeLessThanOrEqual(8);
    },
  );

  it.each([401, 403, 429, 502, 503, 504])(
    "an answer %i says nothing about the events: retried with backoff, nothing quarantined",
    async (status) => {
      const db = freshDb();
      const central = new FakeCentral();
      central.failNext = 1;
      central.failStatus = status;
      for (let i = 0; i < 3; i++) await recordEvent(db, scan(i));
      const sync = client(db, central);
      await expect(sync.syncOnce()).rejects.toThrow(new RegExp(String(status)));
      expect(await db.quarantine.count()).toBe(0);
      expect(await db.outbox.count()).toBe(3);
      expect(sync.getHealth().consecutiveFailures).toBe(1);
      await sync.syncOnce();
      expect(central.events.size).toBe(3);
    },
  );

  it("a 429's Retry-After is kept with the failure, and the retry waits at least that long", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    central.failNext = 1;
    central.failStatus = 429;
    central.failRetryAfter = 30;
    await recordEvent(db, scan(1));
    await expect(client(db, central).syncOnce()).rejects.toMatchObject({ status: 429, retryAfterMs: 30_000 });
    expect(retryAfterMs("7")).toBe(7000);
    expect(retryAfterMs("soon")).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs("999999999")).toBe(15 * 60_000);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.option(fc.integer({ min: 0, max: 900_000 })),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, after, r) => {
          const d = retryDelay(attempt, after, 1000, 60_000, () => r);
          expect(d).toBeGreaterThanOrEqual(after ?? 0);
          expect(d).toBeGreaterThanOrEqual(backoffDelay(attempt, 1000, 60_000, () => r));
          if (after === null) expect(d).toBe(backoffDelay(attempt, 1000, 60_000, () => r));
        },
      ),
    );
  });

  it("property: whichever events fail, every other event reaches central once and exactly the failing ones are quarantined", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.nat(39), { maxLength: 4 }),
        async (n, batchSize, poisonIdx) => {
          const db = freshDb();
          const central = new FakeCentral();
          const events = Array.from({ length: n }, (_, i) => scan(i));
          const poisoned = new Set(poisonIdx.filter((i) => i < n).map((i) => events[i]!.id));
          central.refuseBatchWith = (ev) => (poisoned.has((ev as { id: string }).id) ? "boom" : null);
          central.refuseBatchStatus = 500;
          for (const e of events) await recordEvent(db, e);
          await client(db, central, { batchSize }).syncOnce();
          expect([...central.events.keys()].sort()).toEqual(
            events
              .filter((e) => !poisoned.has(e.id))
              .map((e) => e.id)
              .sort(),
          );
          expect((await db.quarantine.toArray()).map((q) => q.id).sort()).toEqual([...poisoned].sort());
          expect(await db.outbox.count()).toBe(0);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("SyncClient background loop", () => {
  it("kicks coalesce: never two rounds at once, every kicked event delivered exactly once", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    let open = 0;
    let maxOpen = 0;
    let requests = 0;
    // Every request takes a few ms, so kicks arrive while a round is under way.
    const slowFetch: typeof fetch = async (input, init) => {
      open++;
      requests++;
      maxOpen = Math.max(maxOpen, open);
      try {
        await new Promise((r) => setTimeout(r, 5));
        return await central.fetch(input, init);
      } finally {
        open--;
      }
    };
    const sync = client(db, central, { fetch: slowFetch, kickDelayMs: 10, intervalMs: 60_000 });
    sync.start();
    for (let i = 0; i < 12; i++) {
      await recordEvent(db, scan(i));
      sync.recorded(1);
      await new Promise((r) => setTimeout(r, 2));
    }
    for (let i = 0; i < 200 && ((await db.outbox.count()) > 0 || central.events.size < 12); i++)
      await new Promise((r) => setTimeout(r, 10));
    sync.stop();
    expect(central.events.size).toBe(12);
    expect(await db.outbox.count()).toBe(0);
    expect(maxOpen).toBe(1);
    // Nothing pushed twice by overlapping rounds, and the kicks shared rounds.
    expect(central.pushes.reduce((a, b) => a + b, 0)).toBe(12);
    expect(requests).toBeGreaterThan(0);
  });
});

describe("SyncClient while central fails", () => {
  it("new events wait for the backoff's retry instead of a failed round per kick", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    central.offline = true;
    let requests = 0;
    const counted: typeof fetch = (input, init) => {
      requests++;
      return central.fetch(input, init);
    };
    const sync = client(db, central, { fetch: counted, kickDelayMs: 1, baseDelayMs: 60_000, maxDelayMs: 60_000 });
    sync.start();
    for (let i = 0; i < 100 && sync.getHealth().consecutiveFailures === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(sync.getHealth().consecutiveFailures).toBe(1);
    for (let i = 0; i < 5; i++) {
      await recordEvent(db, scan(i));
      sync.recorded(1);
      await new Promise((r) => setTimeout(r, 5));
    }
    sync.stop();
    expect(requests).toBe(1);
    expect(sync.getHealth().unsent).toBe(5);
  });
});

describe("backoffDelay", () => {
  it("property: grows with attempts, never exceeds the cap, never drops below half the step", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const d = backoffDelay(attempt, 1000, 60_000, () => r);
        const step = Math.min(60_000, 1000 * 2 ** (attempt - 1));
        expect(d).toBeGreaterThanOrEqual(Math.floor(step / 2));
        expect(d).toBeLessThanOrEqual(step);
      }),
      { numRuns: 300 },
    );
  });
});
