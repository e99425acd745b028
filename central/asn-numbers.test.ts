import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeEvent, type DockEvent } from "../shared/events";
import { AsnBlockResponseSchema, PushResponseSchema } from "../shared/sync";
import { DEFAULT_BUSINESS_CONFIG } from "./config";
import { loadBooking } from "./services/bookings";
import { hubsOf } from "./demo-events";
import { openTestWorld, testBackends, type TestWorld } from "./test-support";

/** Issue 17: ASN numbers come from central only, in blocks a dock reserves ahead. */
describe.each(testBackends())("ASN numbers from central only on %s", (backend) => {
  let w: TestWorld;
  const N_SUP = { dockId: "DOCK-N1", operatorId: "OP-N-SUP" };
  beforeAll(async () => {
    w = await openTestWorld(backend, { business: { ...DEFAULT_BUSINESS_CONFIG, asnNumbersFromCentralOnly: true } });
  });
  afterAll(async () => w?.close());

  const reserve = async (dockId: "DOCK-N1" | "DOCK-CS1", count: number) => {
    const r = await w.call("POST", "/sync/asn-numbers", {
      token: w.tokens.docks[dockId]!,
      body: { count },
      headers: { "x-operator-id": dockId === "DOCK-N1" ? "OP-N-SUP" : "OP-CS-SUP" },
    });
    expect(r.status, r.text).toBe(201);
    return AsnBlockResponseSchema.parse(r.json).asnNumbers;
  };
  const push = async (events: DockEvent[]) =>
    PushResponseSchema.parse(
      (await w.call("POST", "/sync/push", { token: w.tokens.docks["DOCK-N1"]!, body: { events } })).json,
    );

  it("two docks, and a wiped dock reserving again, never get the same number; a block needs a supervisor and a sane size", async () => {
    const n1 = await reserve("DOCK-N1", 20);
    const cs = await reserve("DOCK-CS1", 20);
    // DOCK-N1 reinstalled: its local store is empty, it reserves as if for the first time.
    const n1Again = await reserve("DOCK-N1", 20);
    const all = [...n1, ...cs, ...n1Again];
    expect(all).toHaveLength(60);
    expect(new Set(all).size).toBe(60);
    const stored = await w.database.db.selectFrom("asn_blocks").select(["asn_number", "dock_id"]).execute();
    expect(
      stored
        .filter((r) => r.dock_id === "DOCK-CS1")
        .map((r) => r.asn_number)
        .sort(),
    ).toEqual([...cs].sort());
    expect(
      (
        await w.call("POST", "/sync/asn-numbers", {
          token: w.tokens.docks["DOCK-N1"]!,
          body: { count: 5 },
          headers: { "x-operator-id": "OP-N-RECV" },
        })
      ).status,
    ).toBe(403);
    for (const count of [0, 101, 1.5])
      expect(
        (
          await w.call("POST", "/sync/asn-numbers", {
            token: w.tokens.docks["DOCK-N1"]!,
            body: { count },
            headers: { "x-operator-id": "OP-N-SUP" },
          })
        ).status,
      ).toBe(400);
  });

  it("refuses an asn.issued whose number central did not reserve for that dock; accepts one from the dock's own block", async () => {
    const mine = await reserve("DOCK-N1", 2);
    const theirs = await reserve("DOCK-CS1", 1);
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const hubs = hubsOf(b).slice(0, 2);
    const manifest = makeEvent(
      "manifest.built",
      {
        manifestId: "MF-ASN-1",
        partyId: b.partyId,
        bookingRefs: [b.bookingRef],
        deliveryLocation: { id: "SUPPLIER-A-DEPOT", name: "Depot", address: "10 Meter Way, Leeds" },
        deliveryDate: "2027-02-01",
        deliveryWindow: { start: "10:00", end: "12:00" },
        pallets: [],
        looseCartons: [
          {
            sscc: hubs[0]!.cartonSscc,
            hubs: hubs.map((h) => ({ deviceId: h.hub.deviceId, firmwareVersion: "00030000" })),
          },
        ],
        excludedHubs: [],
      },
      N_SUP,
    );
    const asn = (asnNumber: string) =>
      makeEvent(
        "asn.issued",
        { asnNumber, manifestId: "MF-ASN-1", partyId: b.partyId, hubCount: 2, documentSha256: "d".repeat(64) },
        N_SUP,
      );
    const r = await push([manifest, asn("ASN-SUPPLIERA-20270128-001"), asn(theirs[0]!), asn(mine[0]!), asn(mine[0]!)]);
    expect(r.results.map((x) => x.status)).toEqual(["accepted", "rejected", "rejected", "accepted", "rejected"]);
    expect(r.results[4]).toMatchObject({ reason: expect.stringMatching(/already issued/) });
    expect(r.results[1]).toMatchObject({
      reason: expect.stringMatching(
        /ASN ASN-SUPPLIERA-20270128-001 was not reserved by central for dock DOCK-N1; ASN numbers come from central only/,
      ),
    });
    expect(r.results[2]).toMatchObject({
      reason: expect.stringMatching(
        new RegExp(`ASN ${theirs[0]} was reserved by central for dock DOCK-CS1, not this dock \\(DOCK-N1\\)`),
      ),
    });
    // The same number issued again (another event) is a reused ASN.
    const again = await push([asn(mine[0]!)]);
    expect(again.results[0]).toMatchObject({ status: "rejected", reason: expect.stringMatching(/already issued/) });
  });
});
