import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createParser } from "eventsource-parser";
import { createApp } from "./app";
import { DEMO_FACILITY } from "../shared/domain/demo-booking";
import { amendBooking } from "./services/bookings";
import { recordChange } from "./services/changes";
import { openTestWorld, testBackends, type TestWorld } from "./test-support";

/** One open GET /sync/poke stream, read as what the dock sees: poke events and keep-alive comments, in order. */
interface PokeStream {
  /** Resolves with the next item ("poke" or "comment"), reading the stream as needed. */
  next(): Promise<"poke" | "comment">;
  close(): Promise<void>;
}

async function openPokes(app: ReturnType<typeof createApp>, token: string): Promise<PokeStream> {
  const ac = new AbortController();
  const res = await app.request("/sync/poke", { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const reader = res.body!.getReader();
  const queue: Array<"poke" | "comment"> = [];
  const parser = createParser({
    onEvent: (e) => queue.push(e.event === "poke" ? "poke" : "comment"),
    onComment: () => queue.push("comment"),
  });
  const decoder = new TextDecoder();
  return {
    async next() {
      while (queue.length === 0) {
        const { value, done } = await reader.read();
        if (done) throw new Error("the poke stream ended");
        parser.feed(decoder.decode(value, { stream: true }));
      }
      return queue.shift()!;
    },
    async close() {
      ac.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}

describe.each(testBackends())("change pokes on %s", (backend) => {
  let w: TestWorld;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    w = await openTestWorld(backend);
    // The test world's app, with a keep-alive comment every few ms: each comment shows the
    // stream's loop went round without a poke pending (see "none for another facility").
    app = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      pokes: { heartbeatMs: 10, sweepMs: 60_000, wakeDelayMs: 0 },
    });
  });
  afterAll(async () => w?.close());

  it("refuses a caller without a dock's token", async () => {
    expect((await app.request("/sync/poke")).status).toBe(401);
    const party = Object.values(w.tokens.parties)[0]!;
    const r = await app.request("/sync/poke", { headers: { authorization: `Bearer ${party}` } });
    expect(r.status).toBe(403);
  });

  it("pokes on opening, then the booking's facility's docks on an amendment, and no other facility's", async () => {
    const north = await openPokes(app, w.tokens.docks["DOCK-N1"]!);
    const south = await openPokes(app, w.tokens.docks["DOCK-CS1"]!);
    try {
      // On opening: pull what changed while not listening.
      expect(await north.next()).toBe("poke");
      expect(await south.next()).toBe("poke");
      // Both streams are subscribed once they have sent a keep-alive after the opening poke.
      expect(await north.next()).toBe("comment");
      expect(await south.next()).toBe("comment");

      await w.database.db
        .transaction()
        .execute((trx) => amendBooking(trx, w.bookingRef, { deliveryWindow: { start: "13:00", end: "15:00" } }));
      let item = await north.next();
      while (item === "comment") item = await north.next();
      expect(item).toBe("poke");
      // The hub pokes every subscriber of a change in one go, before the north stream's poke is
      // written: had the south dock been poked, its next item would be that poke, not a keep-alive.
      for (let i = 0; i < 3; i++) expect(await south.next()).toBe("comment");

      // A change for the south facility reaches the south dock.
      await recordChange(w.database.db, "booking", "BK-SOUTH-TEST", DEMO_FACILITY.CentralSouth);
      item = await south.next();
      while (item === "comment") item = await south.next();
      expect(item).toBe("poke");
    } finally {
      await north.close();
      await south.close();
    }
  });
});
