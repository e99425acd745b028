import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { makeEvent, type DockEvent } from "../../shared/events";
import { DEFAULT_BUSINESS_CONFIG } from "../config";
import { flashEvent, faultEvent } from "../demo-events";
import {
  admitEvent,
  admitRecorder,
  purchaseOrderBlock,
  admitShape,
  instantProblem,
  isCalendarDate,
  MAX_TEXT_CHARS,
  unstorableText,
  unstorableTextIn,
  type AdmissionFacts,
  type AsnFact,
  type ManifestFact,
  type ReceivedFact,
} from "./admission";
import type { SmiHubCheck } from "../../shared/domain/smi-before-dispatch";

const DOCK = { dockId: "DOCK-N1", facilityId: "N-DOCK-1" };
const SUP = { dockId: "DOCK-N1", operatorId: "OP-N-SUP" };
const HUB = "0A-01-00-00-00-00-00-01";
const REF = "BK-TEST-1";
/** A booking whose Work Order awaits its purchase order (PIA 6.2.2), and a hub on it. */
const PO_REF = "BK-PO-1";
const PO_HUB = "0A-01-00-00-00-00-00-02";
const PO_WHY = purchaseOrderBlock({ id: "WO-PO-1", csp: "CentralSouth", purchaseOrder: null }, ["CentralSouth"]) ?? "";
const NOW = Date.parse("2026-12-04T10:00:00.000Z");
const WINDOW = DEFAULT_BUSINESS_CONFIG.eventWindow;

function facts(
  over: Partial<{
    received: Map<string, ReceivedFact>;
    manifests: Map<string, ManifestFact | null>;
    asns: Map<string, AsnFact | null>;
    hubModels: Map<string, string | null>;
    catalogue: Set<string>;
    dispatchSmi: Map<string, SmiHubCheck[]>;
    asnBlocks: Map<string, string>;
  }> = {},
): AdmissionFacts {
  return {
    dock: DOCK,
    nowMs: NOW,
    business: DEFAULT_BUSINESS_CONFIG,
    operators: new Map([["OP-N-SUP", { roles: ["supervisor"], active: true }]]),
    bookings: new Map([
      [REF, { facilityId: "N-DOCK-1", partyId: "SUPPLIER-A", workBlocked: null }],
      ["BK-CS-1", { facilityId: "CS-3PL-1", partyId: "SUPPLIER-A", workBlocked: null }],
      [PO_REF, { facilityId: "N-DOCK-1", partyId: "SUPPLIER-A", workBlocked: PO_WHY }],
    ]),
    hubPlaces: new Map([
      [HUB, { bookingRef: REF, facilityId: "N-DOCK-1", partyId: "SUPPLIER-A", workBlocked: null }],
      [PO_HUB, { bookingRef: PO_REF, facilityId: "N-DOCK-1", partyId: "SUPPLIER-A", workBlocked: PO_WHY }],
    ]),
    manifests: over.manifests ?? new Map(),
    asns: over.asns ?? new Map(),
    // ASN numbers come from central only (issue 17): ASN-1000 is in this dock's block.
    asnBlocks: over.asnBlocks ?? new Map([["ASN-1000", DOCK.dockId]]),
    received: over.received ?? new Map([[HUB, { bookingRef: REF, rejected: false }]]),
    hubModels: over.hubModels ?? new Map([[HUB, "010A030B"]]),
    catalogue: over.catalogue ?? new Set(["010A030B/00030000", "010A030B/0002012F"]),
    dispatchSmi: over.dispatchSmi ?? new Map(),
  };
}

const at = (ms: number) => ({ ...SUP, now: new Date(ms) });
const facility = fc.stringMatching(/^[A-Z]{1,3}-[A-Z0-9]{1,6}$/);

describe("text central can store", () => {
  it("property: text without NUL or lone surrogates, within the limit, is storable; one NUL anywhere makes it not", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }).filter((s) => !s.includes("\u0000")),
        fc.nat(300),
        (s, k) => {
          expect(unstorableText(s)).toBeNull();
          const i = Math.min(k, s.length);
          expect(unstorableText(`${s.slice(0, i)}\u0000${s.slice(i)}`)).toMatch(/NUL/);
        },
      ),
    );
  });

  it("property: a lone surrogate is refused wherever it stands; a surrogate pair is a character", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), fc.integer({ min: 0xd800, max: 0xdfff }), (s, unit) => {
        expect(unstorableText(`${s}${String.fromCharCode(unit)}`)).toMatch(/lone UTF-16 surrogate/);
      }),
    );
    expect(unstorableText("meter 🔌 ok")).toBeNull();
    expect(unstorableText("x".repeat(MAX_TEXT_CHARS + 1))).toMatch(/characters long/);
  });

  it("property: the shape check finds exactly the events with text central cannot store, from their JSON first", () => {
    const base = makeEvent("operator.signed-in", { role: "receiver", operatorName: "Rita" }, SUP);
    fc.assert(
      fc.property(
        fc.string({
          maxLength: 40,
          unit: fc.constantFrom("a", "\u0000", "\ud800", "\udc00", "\\", "u", "0", "é", "🔌"),
        }),
        (name) => {
          const e = {
            ...base,
            at: new Date(NOW).toISOString(),
            payload: { ...base.payload, operatorName: `x${name}` },
          } as DockEvent;
          const verdict = admitShape(e, JSON.stringify(e), NOW, WINDOW);
          expect(verdict.ok).toBe(unstorableText(`x${name}`) === null);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("names the path of the first bad text, keys included", () => {
    expect(unstorableTextIn({ payload: { notes: ["ok", "b\u0000d"] } })).toMatch(/^payload\.notes\.1 holds a NUL/);
    expect(unstorableTextIn({ payload: { ["k\u0000"]: 1 } })).toMatch(/a key at payload holds a NUL/);
    expect(unstorableTextIn({ a: 1, b: null, c: [true] })).toBeNull();
  });
});

describe("calendar dates", () => {
  it("property: agrees with the calendar for every YYYY-MM-DD of years 1900-2200", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2200 }),
        fc.integer({ min: 0, max: 14 }),
        fc.integer({ min: 0, max: 33 }),
        (y, m, d) => {
          const text = `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
          const real = m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
          expect(isCalendarDate(text)).toBe(real);
        },
      ),
    );
    expect(isCalendarDate("2026-02-30")).toBe(false);
    expect(isCalendarDate("2028-02-29")).toBe(true);
  });
});

describe("instants", () => {
  it("property: inside the window (after the dock's measured offset) is believed; outside is refused", () => {
    const pastMs = WINDOW.pastDays * 86_400_000;
    const futureMs = WINDOW.futureMinutes * 60_000;
    const maxOffset = WINDOW.maxClockOffsetMinutes * 60_000;
    fc.assert(
      fc.property(
        fc.integer({ min: -pastMs, max: futureMs }),
        fc.integer({ min: -maxOffset, max: maxOffset }),
        (delta, offset) => {
          const e = { at: new Date(NOW + delta - offset).toISOString(), clockOffsetMs: offset };
          expect(instantProblem(e, NOW, WINDOW)).toBeNull();
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: futureMs + 1, max: 1e12 }), fc.integer({ min: -1e12, max: -pastMs - 1 })),
        (delta) => {
          expect(
            instantProblem({ at: new Date(NOW + delta).toISOString(), clockOffsetMs: null }, NOW, WINDOW),
          ).not.toBeNull();
        },
      ),
    );
    expect(instantProblem({ at: new Date(NOW).toISOString(), clockOffsetMs: maxOffset + 1 }, NOW, WINDOW)).toMatch(
      /clock offset/,
    );
  });

  it("a flash dated 9999 or 1970 is refused before anything else is looked at", () => {
    for (const iso of ["9999-12-31T00:00:00.000Z", "1970-01-01T00:00:00.000Z"]) {
      const e = flashEvent(at(Date.parse(iso)), HUB, true);
      const verdict = admitShape(e, JSON.stringify(e), NOW, WINDOW);
      expect(verdict).toMatchObject({ ok: false, code: "instant-out-of-window" });
    }
  });
});

describe("who may record it", () => {
  it("the token's dock, an active operator of its facility with the role the type needs", () => {
    const e = flashEvent(SUP, HUB, true);
    expect(admitRecorder(e, DOCK, { roles: ["technician"], active: true })).toEqual({ ok: true });
    expect(admitRecorder(e, DOCK, { roles: ["receiver"], active: true })).toMatchObject({ ok: false, code: "role" });
    expect(admitRecorder(e, DOCK, { roles: ["technician"], active: false })).toMatchObject({
      ok: false,
      code: "operator-inactive",
    });
    expect(admitRecorder(e, DOCK, undefined)).toMatchObject({ ok: false, code: "unknown-operator" });
    expect(admitRecorder(e, { ...DOCK, dockId: "DOCK-X" }, { roles: ["supervisor"], active: true })).toMatchObject({
      ok: false,
      code: "wrong-dock",
    });
  });
});

describe("flash results and fault reports", () => {
  it("only for a hub received and accepted here, to a version catalogued for its model", () => {
    expect(admitEvent(flashEvent(SUP, HUB, true), facts())).toEqual({ ok: true });
    expect(admitEvent(flashEvent(SUP, HUB, true), facts({ received: new Map() }))).toMatchObject({
      ok: false,
      code: "not-received",
    });
    expect(
      admitEvent(
        flashEvent(SUP, HUB, true),
        facts({ received: new Map([[HUB, { bookingRef: REF, rejected: true }]]) }),
      ),
    ).toMatchObject({ ok: false, code: "rejected-at-receipt" });
    expect(admitEvent(flashEvent(SUP, HUB, true), facts({ hubModels: new Map() }))).toMatchObject({
      ok: false,
      code: "unknown-hub",
    });
    expect(admitEvent(faultEvent(SUP, HUB, null), facts({ received: new Map() }))).toMatchObject({
      ok: false,
      code: "not-received",
    });
  });

  it("property: a version is accepted exactly when the catalogue lists it for the hub's model", () => {
    const hex = fc.stringMatching(/^[0-9A-F]{8}$/);
    fc.assert(
      fc.property(hex, fc.array(hex, { maxLength: 5 }), (to, listed) => {
        const catalogue = new Set(listed.map((v) => `010A030B/${v}`));
        const verdict = admitEvent(flashEvent(SUP, HUB, true, "0002012F", to), facts({ catalogue }));
        expect(verdict.ok).toBe(listed.includes(to));
      }),
    );
  });
});

describe("manifests and what follows them", () => {
  const manifestOf = (manifestId: string, partyId = "SUPPLIER-A", bookingRefs = [REF]) =>
    makeEvent(
      "manifest.built",
      {
        manifestId,
        partyId,
        bookingRefs,
        deliveryLocation: { id: "DEPOT", name: "Depot", address: "10 Meter Way" },
        deliveryDate: "2027-02-01",
        deliveryWindow: { start: "10:00", end: "12:00" },
        pallets: [],
        looseCartons: [{ sscc: "005012345000000019", hubs: [{ deviceId: HUB, firmwareVersion: "00030000" }] }],
        excludedHubs: [],
      },
      SUP,
    );
  const outbound = (manifestId: string): DockEvent[] => [
    makeEvent(
      "asn.issued",
      { asnNumber: "ASN-1000", manifestId, partyId: "SUPPLIER-A", hubCount: 1, documentSha256: "a".repeat(64) },
      SUP,
    ),
    makeEvent(
      "notice.issued",
      {
        manifestId,
        flashedCount: 1,
        failedCount: 0,
        deliveryDate: "2027-02-01",
        deliveryWindow: { start: "10:00", end: "12:00" },
        deliveryLocationId: "DEPOT",
        reissue: false,
      },
      SUP,
    ),
    makeEvent(
      "dispatch.recorded",
      {
        manifestId,
        asnNumber: "ASN-1000",
        unloader: "party",
        carrier: null,
        vehicleRef: null,
        palletCount: 0,
        cartonCount: 1,
        hubCount: 1,
      },
      SUP,
    ),
  ];

  it("a manifest id already built is never overwritten, whoever built it", () => {
    fc.assert(
      fc.property(facility, fc.constantFrom("SUPPLIER-A", "SUPPLIER-B"), (f, party) => {
        const verdict = admitEvent(
          manifestOf("MF-1"),
          facts({ manifests: new Map([["MF-1", { facilityId: f, partyId: party, bookingRefs: [REF] }]]) }),
        );
        expect(verdict).toMatchObject({ ok: false, code: "manifest-reused" });
      }),
    );
    expect(admitEvent(manifestOf("MF-1"), facts())).toEqual({ ok: true });
    expect(admitEvent(manifestOf("MF-1", "SUPPLIER-B"), facts())).toMatchObject({ ok: false, code: "other-party" });
    expect(admitEvent(manifestOf("MF-1", "SUPPLIER-A", ["BK-CS-1"]), facts())).toMatchObject({
      ok: false,
      code: "foreign-booking",
    });
  });

  it("property: an ASN, a notice or a dispatch of another facility's manifest is refused; of an unknown one too", () => {
    fc.assert(
      fc.property(
        facility.filter((f) => f !== DOCK.facilityId),
        (f) => {
          const manifests = new Map([["MF-9", { facilityId: f, partyId: "SUPPLIER-A", bookingRefs: [] }]]);
          const asns = new Map([
            [
              "ASN-1000",
              { manifestId: "MF-9", partyId: "SUPPLIER-A", status: "issued" as const, reservedByFacility: null },
            ],
          ]);
          const [asn, notice, dispatch] = outbound("MF-9");
          expect(admitEvent(notice!, facts({ manifests, asns }))).toMatchObject({
            ok: false,
            code: "foreign-manifest",
          });
          expect(admitEvent(dispatch!, facts({ manifests, asns }))).toMatchObject({
            ok: false,
            code: "foreign-manifest",
          });
          expect(admitEvent(asn!, facts({ manifests }))).toMatchObject({ ok: false, code: "foreign-manifest" });
        },
      ),
    );
    for (const e of outbound("MF-UNKNOWN"))
      expect(admitEvent(e, facts())).toMatchObject({ ok: false, code: "unknown-manifest" });
  });

  it("Req 10: a dispatch is refused until every hub's SMI update is sent and the SMI shows its version, whatever the dock says", () => {
    const manifests = new Map([["MF-1", { facilityId: DOCK.facilityId, partyId: "SUPPLIER-A", bookingRefs: [REF] }]]);
    const asns = new Map([
      ["ASN-1000", { manifestId: "MF-1", partyId: "SUPPLIER-A", status: "issued" as const, reservedByFacility: null }],
    ]);
    const [, , dispatch] = outbound("MF-1");
    const hub = { deviceId: HUB, firmwareVersion: "00030000" };
    const judge = (checks: SmiHubCheck[] | undefined) =>
      admitEvent(
        dispatch!,
        facts({ manifests, asns, dispatchSmi: new Map(checks === undefined ? [] : [["MF-1", checks]]) }),
      );
    expect(judge(undefined)).toMatchObject({ ok: false, code: "smi-not-updated" });
    expect(judge([{ ...hub, update: "pending", smiFirmware: "0002012F" }])).toMatchObject({
      ok: false,
      code: "smi-not-updated",
      reason: expect.stringContaining(`${HUB} (SMI update not sent yet`),
    });
    expect(judge([{ ...hub, update: "none", smiFirmware: null }])).toMatchObject({
      ok: false,
      code: "smi-not-updated",
    });
    expect(judge([{ ...hub, update: "emitted", smiFirmware: "00030000" }])).toEqual({ ok: true });
    expect(judge([{ ...hub, update: "uploaded", smiFirmware: "00030000" }])).toEqual({ ok: true });
  });

  it("an ASN number is issued once, and a reserved one only for the manifest and Party it was reserved for", () => {
    const manifests = new Map([["MF-1", { facilityId: DOCK.facilityId, partyId: "SUPPLIER-A", bookingRefs: [REF] }]]);
    const [asn] = outbound("MF-1");
    const with_ = (a: AsnFact | null) => admitEvent(asn!, facts({ manifests, asns: new Map([["ASN-1000", a]]) }));
    expect(with_(null)).toEqual({ ok: true });
    // Not in this dock's block: refused, and the reason says where numbers come from.
    expect(admitEvent(asn!, facts({ manifests, asnBlocks: new Map() }))).toMatchObject({
      ok: false,
      code: "asn-not-reserved",
    });
    expect(admitEvent(asn!, facts({ manifests, asnBlocks: new Map([["ASN-1000", "DOCK-OTHER"]]) }))).toMatchObject({
      ok: false,
      code: "asn-reserved-elsewhere",
    });
    expect(
      with_({ manifestId: "MF-1", partyId: "SUPPLIER-A", status: "reserved", reservedByFacility: DOCK.facilityId }),
    ).toEqual({ ok: true });
    expect(
      with_({ manifestId: "MF-2", partyId: "SUPPLIER-A", status: "reserved", reservedByFacility: DOCK.facilityId }),
    ).toMatchObject({ ok: false, code: "asn-reserved-elsewhere" });
    expect(
      with_({ manifestId: "MF-1", partyId: "SUPPLIER-A", status: "reserved", reservedByFacility: "CS-3PL-1" }),
    ).toMatchObject({ ok: false, code: "asn-reserved-elsewhere" });
    expect(
      with_({ manifestId: "MF-1", partyId: "SUPPLIER-A", status: "unverified", reservedByFacility: null }),
    ).toMatchObject({ ok: false, code: "asn-reused" });
  });
});

describe("purchase order gate (PIA 6.2.2)", () => {
  it("the rule: only a CSP configured to need one, and only while the Work Order has no purchase order", () => {
    expect(PO_WHY).toBe(
      "its Work Order WO-PO-1 is not yet approved against a purchase order, which CSP Central & South needs before work starts",
    );
    expect(
      purchaseOrderBlock({ id: "WO-1", csp: "CentralSouth", purchaseOrder: "PO-77" }, ["CentralSouth"]),
    ).toBeNull();
    expect(purchaseOrderBlock({ id: "WO-1", csp: "North", purchaseOrder: null }, ["CentralSouth"])).toBeNull();
    expect(purchaseOrderBlock({ id: "WO-1", csp: "North", purchaseOrder: null }, [])).toBeNull();
  });

  it("refuses unloading, receiving scans, loading a jig and flashing for a blocked booking, with the reason; arrival and other bookings pass", () => {
    const f = facts({
      received: new Map([
        [HUB, { bookingRef: REF, rejected: false }],
        [PO_HUB, { bookingRef: PO_REF, rejected: false }],
      ]),
      hubModels: new Map([
        [HUB, "010A030B"],
        [PO_HUB, "010A030B"],
      ]),
    });
    const scan = (ref: string, deviceId: string) =>
      makeEvent(
        "scan.recorded",
        {
          bookingRef: ref,
          source: "wedge",
          raw: deviceId,
          kind: "hub",
          verdict: "expected",
          palletSscc: null,
          cartonSscc: null,
          deviceId,
          sscc: null,
          otherBookingRef: null,
          reason: "listed",
        },
        SUP,
      );
    const blocked: DockEvent[] = [
      makeEvent("unloading.started", { direction: "inbound", bookingRef: PO_REF, unloader: "party" }, SUP),
      scan(PO_REF, PO_HUB),
      makeEvent("slot.loaded", { jigId: "JIG-N-1", slot: 0, deviceId: PO_HUB }, SUP),
      flashEvent(SUP, PO_HUB, true),
    ];
    for (const e of blocked) {
      const verdict = admitEvent(e, f);
      expect(verdict).toMatchObject({ ok: false, code: "purchase-order-missing" });
      expect(!verdict.ok && verdict.reason).toContain(`booking ${PO_REF} cannot be worked yet: ${PO_WHY}`);
    }
    expect(
      admitEvent(makeEvent("booking.arrived", { bookingRef: PO_REF, late: false, reportedEta: null }, SUP), f),
    ).toEqual({ ok: true });
    expect(admitEvent(scan(REF, HUB), f)).toEqual({ ok: true });
    expect(admitEvent(flashEvent(SUP, HUB, true), f)).toEqual({ ok: true });
  });
});
