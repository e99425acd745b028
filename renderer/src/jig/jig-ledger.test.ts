import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { makeEvent, type DockEvent } from "../../../shared/events";
import { DockDb } from "../db/dock-db";
import { recordEvents } from "../db/record-event";
import { JigLedger } from "./jig-ledger";

/**
 * The ledger against the questions asked of the whole log, as the station asked them before:
 * after any interleaving of recorded events and questions, every answer is the same.
 */
let n = 0;
const devices = ["0A-01-00-00-00-00-00-01", "0A-01-00-00-00-00-00-02", "0A-01-00-00-00-00-00-03"];
const T0 = Date.parse("2027-01-04T08:00:00Z");

function event(kind: "flashed" | "failed" | "fault" | "scan", device: string, minute: number): DockEvent {
  const ctx = { dockId: "DOCK-1", operatorId: "tech-1", now: new Date(T0 + minute * 60_000) };
  if (kind === "fault")
    return makeEvent(
      "fault.reported",
      {
        deviceId: device,
        flashEventId: null,
        jigId: "JIG-A",
        slot: 0,
        step: "verify",
        jigSaid: "hash mismatch",
        stepTimingsMs: { verify: 3 },
        manual: false,
        notes: "",
        disposition: "credit",
      },
      ctx,
    );
  if (kind === "scan")
    return makeEvent(
      "scan.recorded",
      {
        bookingRef: "BK-1001",
        source: "wedge",
        raw: device,
        kind: "hub",
        verdict: "expected",
        palletSscc: null,
        cartonSscc: null,
        deviceId: device,
        sscc: null,
        otherBookingRef: null,
        reason: "expected",
      },
      ctx,
    );
  return makeEvent(
    "flash.result",
    {
      jigId: "JIG-A",
      slot: 0,
      deviceId: device,
      outcome: kind,
      fromVersion: "0002012F",
      toVersion: `0003${String(minute % 10_000).padStart(4, "0")}`,
      readBackVersion: kind === "flashed" ? `0003${String(minute % 10_000).padStart(4, "0")}` : null,
      imageSha256: "ab".repeat(32),
      attempts: 1,
      stepTimingsMs: { verify: 3 },
      failure: kind === "flashed" ? null : { step: "verify", detail: "hash mismatch" },
    },
    ctx,
  );
}

/** The answers read from the whole log, as jig-slice.ts computed them before the ledger. */
async function fromTheLog(db: DockDb, device: string, since: number) {
  const results = await db.events.where("type").equals("flash.result").toArray();
  let best: { at: string; version: string } | null = null;
  let flashed = 0;
  let failed = 0;
  for (const { event } of results) {
    if (event.type !== "flash.result") continue;
    if (Date.parse(event.at) >= since) {
      if (event.payload.outcome === "flashed") flashed++;
      else failed++;
    }
    if (event.payload.deviceId !== device || event.payload.outcome !== "flashed") continue;
    if (best === null || event.at > best.at) best = { at: event.at, version: event.payload.toVersion };
  }
  const faults = (await db.events.where("type").equals("fault.reported").toArray()).map((r) => r.event);
  const first = faults.find((e) => e.type === "fault.reported" && e.payload.deviceId === device);
  const today = faults
    .filter((e) => Date.parse(e.at) >= since)
    .map((e) => e.id)
    .sort();
  return { lastFlashedTo: best?.version ?? null, reportedAs: first?.id ?? null, flashed, failed, today };
}

describe("the jig station's ledger of flash results and fault reports", () => {
  it("answers as a reading of the whole log would, after any interleaving of recordings and questions", async () => {
    const step = fc.oneof(
      fc.record({
        record: fc.array(
          fc.tuple(
            fc.constantFrom("flashed" as const, "failed" as const, "fault" as const, "scan" as const),
            fc.constantFrom(...devices),
            fc.integer({ min: 0, max: 20 }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
      }),
      fc.record({ ask: fc.constantFrom(...devices), sinceMinute: fc.integer({ min: 0, max: 20 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const db = new DockDb(`ledger-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
        const ledger = new JigLedger(db);
        for (const s of steps) {
          if ("record" in s) {
            await recordEvents(
              db,
              s.record.map(([kind, device, minute]) => event(kind, device, minute)),
            );
            continue;
          }
          const since = T0 + s.sinceMinute * 60_000;
          const expected = await fromTheLog(db, s.ask, since);
          const today = await ledger.since(since);
          expect({
            lastFlashedTo: await ledger.lastFlashedTo(s.ask),
            reportedAs: await ledger.reportedAs(s.ask),
            flashed: today.flashed,
            failed: today.failed,
            today: today.faults.map((f) => f.eventId).sort(),
          }).toEqual(expected);
          // Newest report first, as the station lists them.
          const ats = today.faults.map((f) => f.at);
          expect(ats).toEqual([...ats].sort().reverse());
        }
        db.close();
      }),
      { numRuns: 60 },
    );
  });

  it("questions asked at once share one read and agree", async () => {
    const db = new DockDb(`ledger-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    const ledger = new JigLedger(db);
    await recordEvents(db, [event("flashed", devices[0]!, 1), event("fault", devices[1]!, 2)]);
    const answers = await Promise.all([
      ledger.lastFlashedTo(devices[0]!),
      ledger.reportedAs(devices[1]!),
      ledger.since(0).then((t) => t.flashed),
    ]);
    expect(answers[0]).toBe("00030001");
    expect(answers[1]).toEqual(expect.any(String));
    expect(answers[2]).toBe(1);
  });
});
