import { describe, expect, it, vi } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { DockDb } from "../db/dock-db";
import { sampleBooking } from "../test-support/sample-booking";
import { FakeCentral } from "./fake-central";
import { SyncClient } from "./sync-client";
import { PokeStream } from "./poke-stream";

let n = 0;
const freshDb = () => new DockDb(`poke-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
/** Long enough that no poll runs within a test: only a poke can cause a round after the first. */
const NEVER = 3_600_000;

describe("pokes from central", () => {
  it("a poke makes the dock pull the amended booking at once, with no poll due", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    central.putBooking(sampleBooking("BK-1001"));
    const sync = new SyncClient(db, {
      baseUrl: "http://central.test",
      token: "t".repeat(32),
      fetch: central.fetch,
      intervalMs: NEVER,
      kickDelayMs: NEVER,
      pokePath: "/sync/poke",
    });
    sync.start();
    try {
      await vi.waitFor(async () => expect((await db.bookings.get("BK-1001"))?.version).toBe(1));
      await vi.waitFor(() => expect(central.pokeConnections).toBe(1));
      central.putBooking({ ...sampleBooking("BK-1001"), version: 2, deliveryWindow: { start: "13:00", end: "15:00" } });
      central.poke();
      await vi.waitFor(async () => expect((await db.bookings.get("BK-1001"))?.version).toBe(2));
    } finally {
      sync.stop();
    }
  });

  it("without a poke the amendment waits for the poll (the poke is what made it early)", async () => {
    const db = freshDb();
    const central = new FakeCentral();
    central.putBooking(sampleBooking("BK-1001"));
    let rounds = 0;
    const sync = new SyncClient(db, {
      baseUrl: "http://central.test",
      token: null,
      fetch: (input, init) => {
        if (String(input).endsWith("/sync/pull")) rounds++;
        return central.fetch(input, init);
      },
      intervalMs: NEVER,
      kickDelayMs: NEVER,
      pokePath: "/sync/poke",
    });
    sync.start();
    try {
      await vi.waitFor(async () => expect((await db.bookings.get("BK-1001"))?.version).toBe(1));
      await vi.waitFor(() => expect(central.pokeConnections).toBe(1));
      const before = rounds;
      central.putBooking({ ...sampleBooking("BK-1001"), version: 2 });
      // A second, unrelated round trip through the same fetch: the stream is open and idle.
      await sync.refreshCounts();
      expect(rounds).toBe(before);
      expect((await db.bookings.get("BK-1001"))?.version).toBe(1);
    } finally {
      sync.stop();
    }
  });

  it("opens the stream again after central ends it, sending the token in the header, never the URL", async () => {
    const central = new FakeCentral();
    const seen: Array<{ url: string; auth: string | null }> = [];
    let pokes = 0;
    const stream = new PokeStream({
      target: {
        baseUrl: "http://central.test",
        token: "secret-token-secret-token",
        fetch: (input, init) => {
          seen.push({ url: String(input), auth: new Headers(init?.headers).get("authorization") });
          return central.fetch(input, init);
        },
      },
      path: "/sync/poke",
      onPoke: () => pokes++,
      baseDelayMs: 1,
      maxDelayMs: 5,
      random: () => 0.5,
    });
    stream.start();
    try {
      await vi.waitFor(() => expect(central.pokeConnections).toBe(1));
      central.endPokeStreams();
      await vi.waitFor(() => expect(central.pokeConnections).toBe(2));
      central.poke();
      await vi.waitFor(() => expect(pokes).toBe(1));
      for (const s of seen) {
        expect(s.url).toBe("http://central.test/sync/poke");
        expect(s.auth).toBe("Bearer secret-token-secret-token");
      }
    } finally {
      stream.stop();
    }
  });

  it("backs off while central refuses the stream, and stops trying when stopped", async () => {
    const central = new FakeCentral();
    central.failNext = 3;
    const stream = new PokeStream({
      target: { baseUrl: "http://central.test", token: null, fetch: central.fetch },
      path: "/sync/poke",
      onPoke: () => undefined,
      baseDelayMs: 1,
      maxDelayMs: 5,
      random: () => 0,
    });
    stream.start();
    await vi.waitFor(() => expect(central.pokeConnections).toBe(1));
    expect(central.failNext).toBe(0);
    stream.stop();
    const opened = central.pokeConnections;
    central.endPokeStreams();
    await new Promise((r) => setTimeout(r, 30));
    expect(central.pokeConnections).toBe(opened);
  });
});
