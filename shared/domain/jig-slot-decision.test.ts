import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { demoBooking } from "./demo-booking";
import { BookingSchema } from "./booking";
import {
  decideHubForJig,
  decideJigHub,
  decideJigScan,
  mayLoadJigs,
  type HubReceiptFacts,
  type JigRefusalCode,
  type JigSlotView,
  type JigStationState,
  type ReceivedHub,
} from "./jig-slot-decision";
import { formatSlotCode } from "./slot-code";

const booked = demoBooking({ pallets: 1, cartonsPerPallet: 1, hubsPerCarton: 2, looseCartons: 0 }).pallets[0]!
  .cartons[0]!.hubs[0]!;
const received: ReceivedHub = { deviceId: booked.deviceId, bookingRef: "BK-1", hub: booked };
const PHASES: JigSlotView["phase"][] = ["empty", "waiting-for-hub", "flashing", "waiting-for-jig", "flashed", "failed"];

const stations: fc.Arbitrary<JigStationState> = fc
  .record({
    slots: fc.array(fc.constantFrom(...PHASES), { minLength: 16, maxLength: 16 }),
    pendingHub: fc.boolean(),
    pendingSlot: fc.option(fc.nat(7), { nil: null }),
  })
  .map(({ slots, pendingHub, pendingSlot }) => ({
    jigIds: ["JIG-A", "JIG-B"],
    slots: slots.map((phase, i) => ({
      jigId: i < 8 ? "JIG-A" : "JIG-B",
      slot: i % 8,
      phase,
      deviceId: phase === "empty" ? null : "0A-00-00-00-00-00-00-09",
    })),
    pendingHub: pendingHub ? received : null,
    pendingSlot: pendingSlot === null ? null : { jigId: "JIG-A", slot: pendingSlot },
  }));

describe("jig station decisions", () => {
  it("a slot code: loads the hub waiting, else takes a finished hub out, chooses an empty slot, or refuses a busy one", () => {
    fc.assert(
      fc.property(stations, fc.nat(1), fc.nat(7), (state, jigIndex, slot) => {
        const d = decideJigScan(state, formatSlotCode({ jigIndex, slot }));
        const view = state.slots.find((s) => s.jigId === state.jigIds[jigIndex] && s.slot === slot)!;
        if (state.pendingHub !== null)
          expect(d).toEqual({ type: "load", hub: received, target: { jigId: view.jigId, slot } });
        else if (view.phase === "flashed" || view.phase === "failed") expect(d.type).toBe("unload");
        else if (view.phase === "empty") expect(d.type).toBe("choose-slot");
        else
          expect(d).toMatchObject({
            type: "refuse",
            verdict: { tone: "error", text: expect.stringContaining("is busy") },
            clear: { hub: false, slot: false },
          });
      }),
    );
  });

  it("a hub ID is looked up; once found it loads into the chosen slot or waits for one; not received is refused by name", () => {
    fc.assert(
      fc.property(stations, (state) => {
        expect(decideJigScan(state, ` ${booked.deviceId} `)).toEqual({
          type: "look-up-hub",
          deviceId: booked.deviceId,
        });
        const found = decideJigHub(state, { ok: true, hub: received });
        expect(found.type).toBe(state.pendingSlot === null ? "choose-hub" : "load");
        expect(
          decideJigHub(state, { ok: false, reason: `hub ${booked.deviceId} has not been received at this dock` }),
        ).toEqual({
          type: "refuse",
          verdict: {
            tone: "error",
            text: `Hub ${booked.deviceId} has not been received at this dock: it cannot go on a jig. Put it aside and tell the receiver.`,
          },
          clear: { hub: true, slot: false },
        });
      }),
    );
  });

  it("anything else is refused and drops the half-made pairing; a jig that is not there is named", () => {
    const state: JigStationState = { jigIds: ["JIG-A"], slots: [], pendingHub: received, pendingSlot: null };
    expect(decideJigScan(state, "12#4")).toMatchObject({
      type: "refuse",
      clear: { hub: true, slot: true },
      verdict: {
        text: expect.stringMatching(
          /^Unreadable as a hub ID or a slot: rescan, or type the ID printed under the barcode/,
        ),
      },
    });
    expect(decideJigScan(state, "C1")).toMatchObject({
      type: "refuse",
      verdict: { text: "There is no jig C at this station." },
    });
  });

  it("a hub this dock already flashed is refused at its scan, whatever slot waits; only a supervisor is offered the override", () => {
    fc.assert(
      fc.property(stations, fc.constantFrom("technician", "supervisor"), (state, role) => {
        const d = decideJigHub(state, { ok: true, hub: received }, "00030000", role);
        expect(d).toMatchObject({
          type: "already-flashed",
          hub: received,
          flashedTo: "00030000",
          canOverride: role === "supervisor",
          verdict: { tone: "error" },
        });
        if (d.type !== "already-flashed") throw new Error("unreachable");
        expect(d.verdict.text).toContain(role === "supervisor" ? "Allow a second flash" : "only a supervisor");
      }),
    );
  });

  it("only technicians and supervisors load jigs: any scan from a receiver is refused in plain words", () => {
    expect(mayLoadJigs("technician")).toBe(true);
    expect(mayLoadJigs("supervisor")).toBe(true);
    expect(mayLoadJigs("receiver")).toBe(false);
    expect(mayLoadJigs(null)).toBe(false);
    fc.assert(
      fc.property(stations, fc.string(), (state, raw) => {
        expect(decideJigScan(state, raw, "receiver")).toMatchObject({
          type: "refuse",
          verdict: { text: expect.stringContaining("Only a technician or a supervisor") },
        });
      }),
    );
  });
});

describe("receipt state gates the jig (issue 16)", () => {
  const b = demoBooking({ pallets: 1, cartonsPerPallet: 1, hubsPerCarton: 3, looseCartons: 0 });
  // The same hubs listed on the pallet alone: a pallet-only booking gates the same way.
  const palletOnly = BookingSchema.parse({
    ...b,
    pallets: b.pallets.map((p) => ({ sscc: p.sscc, cartons: [], hubs: p.cartons.flatMap((c) => c.hubs) })),
  });
  const id = b.pallets[0]!.cartons[0]!.hubs[1]!.deviceId;
  const good = (booking = b): HubReceiptFacts => ({
    deviceId: id,
    hubState: { state: "received", bookingRef: b.bookingRef },
    lastScan: { verdict: "expected", reason: `Hub ${id} received.` },
    receipt: { status: "closed", outcome: "accepted" },
    rejectedAtClose: null,
    booking,
  });
  const code = (f: HubReceiptFacts): JigRefusalCode | "ok" => {
    const r = decideHubForJig(f);
    return r.ok ? "ok" : r.code;
  };

  it("a received hub of a receipt closed accepted, whole or in part, goes on; its booked record with it", () => {
    for (const booking of [b, palletOnly]) {
      const r = decideHubForJig(good(booking));
      expect(r.ok && r.hub.deviceId).toBe(id);
    }
    expect(code({ ...good(), receipt: { status: "closed", outcome: "partial" } })).toBe("ok");
  });

  it("a booking central blocks (no approved purchase order, PIA 6.2.2) is not worked, with central's words", () => {
    const blocked = { ...b, workBlocked: "its Work Order awaits approval against a purchase order." };
    const r = decideHubForJig(good(blocked));
    expect(r.ok ? "ok" : [r.code, r.reason]).toEqual([
      "work-blocked",
      `booking ${b.bookingRef} cannot be worked yet: its Work Order awaits approval against a purchase order`,
    ]);
    expect(code(good({ ...b, workBlocked: null }))).toBe("ok");
  });

  it("every other receipt state is refused with its reason", () => {
    const cases: Array<[HubReceiptFacts, JigRefusalCode, string]> = [
      [{ ...good(), hubState: null }, "not-received", "has not been received"],
      [
        {
          ...good(),
          hubState: { state: "refused", bookingRef: b.bookingRef },
          lastScan: { verdict: "wrong-container", reason: "listed in carton X; held for a decision." },
        },
        "held",
        "held at receipt",
      ],
      [
        {
          ...good(),
          hubState: { state: "refused", bookingRef: b.bookingRef },
          lastScan: { verdict: "not-eligible", reason: "its SMI status is Commissioned" },
        },
        "held",
        "Commissioned",
      ],
      [
        {
          ...good(),
          hubState: { state: "refused", bookingRef: b.bookingRef },
          lastScan: { verdict: "unexpected", reason: "not on any booking" },
        },
        "extra",
        "extra at receipt",
      ],
      [
        {
          ...good(),
          hubState: { state: "refused", bookingRef: b.bookingRef },
          lastScan: { verdict: "test-lab", reason: "test-lab range" },
        },
        "refused-at-receipt",
        "refused at receipt",
      ],
      [{ ...good(), receipt: { status: "open", outcome: null } }, "receipt-open", "not closed yet"],
      [{ ...good(), receipt: null }, "receipt-open", "not closed yet"],
      [
        { ...good(), receipt: { status: "closed", outcome: "rejected" } },
        "delivery-rejected",
        "was rejected at receipt",
      ],
      [
        {
          ...good(),
          receipt: { status: "closed", outcome: "partial" },
          rejectedAtClose: { code: "damaged", reason: "cracked case" },
        },
        "rejected-at-receipt",
        "cracked case",
      ],
      [{ ...good(), booking: null }, "booking-missing", "not held at this dock"],
      [{ ...good(), deviceId: "AA-BB-CC-DD-EE-FF-00-11" }, "not-listed", "not listed"],
    ];
    for (const [facts, want, words] of cases) {
      const r = decideHubForJig(facts);
      expect(r.ok ? "ok" : [r.code, r.reason]).toEqual([want, expect.stringContaining(words)]);
    }
  });

  it("only the one good combination passes (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<HubReceiptFacts["hubState"]>(
          null,
          { state: "received", bookingRef: b.bookingRef },
          { state: "refused", bookingRef: b.bookingRef },
        ),
        fc.constantFrom<HubReceiptFacts["receipt"]>(
          null,
          { status: "open", outcome: null },
          { status: "closed", outcome: "accepted" },
          { status: "closed", outcome: "partial" },
          { status: "closed", outcome: "rejected" },
        ),
        fc.boolean(),
        (hubState, receipt, rejected) => {
          const f: HubReceiptFacts = {
            ...good(),
            hubState,
            receipt,
            rejectedAtClose: rejected ? { code: "damaged", reason: "cracked" } : null,
          };
          const pass =
            hubState?.state === "received" &&
            receipt?.status === "closed" &&
            receipt.outcome !== "rejected" &&
            !rejected;
          expect(code(f) === "ok").toBe(pass);
        },
      ),
    );
  });
});
