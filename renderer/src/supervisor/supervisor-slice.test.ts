import { testDockDeps } from "../test-support/dock-store";
import { describe, it, expect } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { asnJson, asnSha256, parseAsnJson } from "../../../shared/domain/asn";
import type { Booking } from "../../../shared/domain/booking";
import { encodeCartonLabel, encodePalletLabel } from "../../../shared/domain/labels";
import { manifestHubs } from "../../../shared/domain/manifest";
import { deliveryAddress, manifestLabelContents } from "../../labels/manifest-labels";
import { SmiStatusRequestSchema, type SmiHubCheck } from "../../../shared/domain/smi-before-dispatch";
import { makeEvent, parseDockEvent, type DockEvent } from "../../../shared/events";
import { DockDb, openedReceiptRow } from "../db/dock-db";
import { asnDocument } from "../db/dock-records";
import { recordEvents } from "../db/record-event";
import { sampleBooking } from "../test-support/sample-booking";
import type { DockDeps } from "../store/dock-deps";
import { createDockStore, type DockStore } from "../store/dock-store";
import { AsnBlockKeeper } from "../sync/asn-block";
import { FakeCentral } from "../sync/fake-central";
import { signInAs } from "../test-support/operators";

let n = 0;
const SHA = "a".repeat(64);
const TARGET = "00030000";

interface Rig {
  store: DockStore;
  db: DockDb;
  booking: Booking;
  sounds: string[];
  failedHub: string;
  faultId: string;
  /** The fake central's SMI answers (see deps.askCentral). */
  central: { reachable: boolean; smi: Map<string, Pick<SmiHubCheck, "update" | "smiFirmware">> };
  /** The fake central's ASN number blocks (renderer/src/sync/fake-central.ts). */
  asnCentral: FakeCentral;
}

/** A received booking (1 pallet × 2 cartons × 3 hubs), every hub flashed but one, which failed with a fault report. */
async function rig(): Promise<Rig> {
  const db = new DockDb(`supervisor-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  const booking = sampleBooking("BK-3001", 3, 1, 2, 3);
  await db.bookings.put({ bookingRef: booking.bookingRef, version: booking.version, booking, pulledAt: 0 });
  await db.receipts.put({ ...openedReceiptRow(booking, 0), status: "closed", outcome: "accepted" });
  let t = Date.parse("2026-11-26T09:30:00Z"); // a Thursday
  const sounds: string[] = [];
  const asnCentral = new FakeCentral();
  const deps: DockDeps = testDockDeps(db, {
    site: { facilityId: booking.facilityId, csp: booking.csp, production: true },
    now: () => (t += 1000),
    sound: { signal: (c) => sounds.push(c) },
    asnNumbers: new AsnBlockKeeper(db, {
      target: { baseUrl: "http://central.test", token: null, fetch: asnCentral.fetch },
    }),
    // Central's side of /sync/smi-status (central/outputs.test.ts tests the real one): every hub
    // confirmed unless the test says otherwise; unreachable when `central.reachable` is false.
    askCentral: async (path, body) => {
      if (!central.reachable) throw new TypeError("Failed to fetch");
      if (path !== "/sync/smi-status") throw new Error(`unexpected ${path}`);
      const { manifestId } = SmiStatusRequestSchema.parse(body);
      const built = (await db.events.where("type").equals("manifest.built").toArray())
        .map((r) => r.event)
        .find((e) => e.type === "manifest.built" && e.payload.manifestId === manifestId);
      if (built?.type !== "manifest.built") throw new Error("404");
      return {
        manifestId,
        serverTime: new Date(t).toISOString(),
        hubs: manifestHubs(built.payload).map((h) => ({
          deviceId: h.deviceId,
          firmwareVersion: h.firmwareVersion,
          ...(central.smi.get(h.deviceId) ?? { update: "emitted", smiFirmware: h.firmwareVersion }),
        })),
      };
    },
  });
  const central = {
    reachable: true,
    smi: new Map<string, Pick<SmiHubCheck, "update" | "smiFirmware">>(),
  };
  const ctx = () => ({ dockId: "DOCK-1", operatorId: "OP-T", now: new Date((t += 1000)) });
  const hubs = booking.pallets[0]!.cartons.flatMap((c) => c.hubs);
  const failedHub = hubs[1]!.deviceId;
  const events: DockEvent[] = [
    makeEvent(
      "receipt.closed",
      {
        bookingRef: booking.bookingRef,
        outcome: "accepted",
        rejectedHubs: [],
        rejectionReason: null,
        packagingNotes: null,
        damageNotes: null,
      },
      ctx(),
    ),
  ];
  const failed = makeEvent(
    "flash.result",
    {
      jigId: "JIG-1",
      slot: 1,
      deviceId: failedHub,
      outcome: "failed",
      fromVersion: "0002012F",
      toVersion: TARGET,
      readBackVersion: null,
      imageSha256: SHA,
      attempts: 3,
      stepTimingsMs: {},
      failure: { step: "verify", detail: "image hash mismatch" },
    },
    ctx(),
  );
  const fault = makeEvent(
    "fault.reported",
    {
      deviceId: failedHub,
      flashEventId: failed.id,
      jigId: "JIG-1",
      slot: 1,
      step: "verify",
      jigSaid: null,
      stepTimingsMs: {},
      manual: false,
      notes: "",
      disposition: "credit",
    },
    ctx(),
  );
  events.push(failed, fault);
  for (const [i, h] of hubs.entries()) {
    if (h.deviceId === failedHub) continue;
    events.push(
      makeEvent(
        "flash.result",
        {
          jigId: "JIG-1",
          slot: i % 8,
          deviceId: h.deviceId,
          outcome: "flashed",
          fromVersion: "0002012F",
          toVersion: TARGET,
          readBackVersion: TARGET,
          imageSha256: SHA,
          attempts: 1,
          stepTimingsMs: {},
          failure: null,
        },
        ctx(),
      ),
    );
  }
  await recordEvents(db, events);
  const store = createDockStore(deps);
  await signInAs(store, db, "OP-S", "supervisor", "Sam Super");
  await store.getState().openSupervisor(booking.bookingRef);
  return { store, db, booking, sounds, failedHub, faultId: fault.id, central, asnCentral };
}

const label = (r: { ok: true; scan: string } | { ok: false; reason: string }): string => {
  if (!r.ok) throw new Error(r.reason);
  return r.scan;
};

async function scan(store: DockStore, raw: string): Promise<void> {
  store.getState().submitOutboundScan(raw, "wedge");
  await store.getState().outboundSettled();
}

async function typesOf(db: DockDb): Promise<string[]> {
  return (await db.events.orderBy("seq").toArray()).map((r) => r.type);
}

describe("supervisor slice: the manifest from the event log", () => {
  it("flashed hubs go back in their cartons, the failed one is left out with its fault report, the short carton is flagged", async () => {
    const { store, db, failedHub, faultId } = await rig();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    const view = store.getState().supervisor!;
    expect(view.buildError).toBeNull();
    expect(view.manifest?.manifestId).toBe("RD-BK-3001-1");
    expect(view.manifest?.excludedHubs).toEqual([
      {
        deviceId: failedHub,
        faultEventId: faultId,
        reason: expect.stringMatching(/re-flash failed: verify: image hash mismatch/),
      },
    ]);
    expect(view.manifest?.pallets[0]?.cartons.map((c) => c.hubs.length)).toEqual([2, 3]);
    expect(view.built?.integrity.map((f) => f.kind)).toEqual(["carton-short"]);
    const built = await db.events.where("type").equals("manifest.built").toArray();
    expect(built).toHaveLength(1);
    expect(parseDockEvent(built[0]!.event).ok).toBe(true);
  });

  it("a re-delivery outside working hours is refused by name and records nothing", async () => {
    const { store, db } = await rig();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-28", window: { start: "09:00", end: "12:00" } });
    expect(store.getState().supervisor?.buildError).toMatch(/closed on saturdays/);
    expect(await db.events.where("type").equals("manifest.built").count()).toBe(0);
  });

  it("only a supervisor may build", async () => {
    const { store, db } = await rig();
    await signInAs(store, db, "OP-R", "receiver", "Rita");
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    expect(store.getState().supervisorMessage).toMatch(/Only a supervisor/);
    expect(await db.events.where("type").equals("manifest.built").count()).toBe(0);
  });
});

describe("supervisor slice: load check, ASN and dispatch", () => {
  it("dispatch is refused until the load agrees; a wrong scan stops until acknowledged; liability passes to the Party on commencement", async () => {
    const { store, db, booking, sounds } = await rig();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    await store.getState().issueAsn();
    const asn = store.getState().supervisor!.asn!;
    // The first number of the block central reserved for this dock.
    expect(asn.asnNumber).toBe("ASN-00000001");
    // The file kept for download is exactly the document whose SHA-256 the event carries.
    const stored = (await asnDocument(db, asn.asnNumber))!;
    expect(parseAsnJson(stored).ok).toBe(true);
    expect(await asnSha256(asn.document!)).toBe(asn.documentSha256);
    expect(stored).toBe(asnJson(asn.document!));
    const issued = (await db.events.where("type").equals("asn.issued").first())!.event;
    expect(asn.document!.issuedAt).toBe(issued.at);

    await store.getState().recordDispatch({ unloader: "party", carrier: "Acme", vehicleRef: "AB12 CDE" });
    expect(store.getState().supervisorMessage).toMatch(/Dispatch refused: .*3 not loaded/);
    expect(await db.events.where("type").equals("dispatch.recorded").count()).toBe(0);

    const p = booking.pallets[0]!;
    await scan(store, label(encodePalletLabel({ sscc: p.sscc, bookingRef: booking.bookingRef })));
    expect(store.getState().outboundLast?.code).toBe("expected");
    await scan(store, p.cartons[0]!.hubs[0]!.deviceId);
    expect(store.getState().outboundError?.code).toBe("wrong-kind");
    // Held behind the error, processed after the acknowledgement.
    store.getState().submitOutboundScan(label(encodeCartonLabel({ sscc: p.cartons[0]!.sscc, hubCount: 2 })), "wedge");
    await store.getState().outboundSettled();
    expect(store.getState().outboundQueue).toHaveLength(1);
    store.getState().acknowledgeOutbound();
    await store.getState().outboundSettled();
    expect(store.getState().supervisor?.loadCheck?.loadedCount).toBe(2);
    await store.getState().recordDispatch({ unloader: "party", carrier: null, vehicleRef: null });
    expect(store.getState().supervisorMessage).toMatch(/1 not loaded/);

    await scan(store, label(encodeCartonLabel({ sscc: p.cartons[1]!.sscc, hubCount: 3 })));
    expect(store.getState().supervisor?.loadCheck?.agrees).toBe(true);
    expect(sounds.slice(-4)).toEqual(["ok", "error", "ok", "ok"]);

    await store.getState().recordDispatch({ unloader: "party", carrier: "Acme", vehicleRef: "AB12 CDE" });
    const d = store.getState().supervisor!.dispatch!;
    expect(d).toMatchObject({
      asnNumber: asn.asnNumber,
      palletCount: 1,
      cartonCount: 2,
      hubCount: 5,
      unloader: "party",
    });

    await store.getState().startOutboundUnloading();
    const u = store.getState().supervisor!.unloading!;
    expect(u.liabilityAt).toBe(u.startedAt);
    expect(u.liabilityRule).toMatch(/outbound, where the Party unloads/);
    await store.getState().completeOutboundUnloading();
    expect(await typesOf(db)).toEqual(
      expect.arrayContaining([
        "outbound.scan.recorded",
        "asn.issued",
        "dispatch.recorded",
        "unloading.started",
        "liability.transferred",
        "unloading.completed",
      ]),
    );
    const liability = (await db.events.where("type").equals("liability.transferred").toArray()).map((r) => r.event);
    expect(liability).toHaveLength(1);
    for (const r of await db.events.toArray()) expect(parseDockEvent(r.event).ok).toBe(true);
  });

  it("Req 10: dispatch is refused before anything is sent while a hub's SMI update is not confirmed, or central cannot be asked", async () => {
    const { store, db, booking, central } = await rig();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    const p = booking.pallets[0]!;
    await scan(store, label(encodePalletLabel({ sscc: p.sscc })));
    await scan(store, label(encodeCartonLabel({ sscc: p.cartons[0]!.sscc })));
    await scan(store, label(encodeCartonLabel({ sscc: p.cartons[1]!.sscc })));
    await store.getState().issueAsn();
    const [a, b] = manifestHubs(store.getState().supervisor!.manifest!);
    central.smi.set(a!.deviceId, { update: "pending", smiFirmware: "0002012F" });
    central.smi.set(b!.deviceId, { update: "none", smiFirmware: "0002012F" });
    await store.getState().recordDispatch({ unloader: "party", carrier: null, vehicleRef: null });
    expect(store.getState().supervisorMessage).toMatch(
      /^Dispatch refused: the SMI must be updated before re-delivery \(MP155 Req 10\): 2 of 5 hubs are not confirmed yet/,
    );
    expect(store.getState().supervisorSmi?.check?.pending.map((x) => x.deviceId)).toEqual([a!.deviceId, b!.deviceId]);
    expect(await db.events.where("type").equals("dispatch.recorded").count()).toBe(0);

    central.smi.clear();
    central.reachable = false;
    await store.getState().recordDispatch({ unloader: "party", carrier: null, vehicleRef: null });
    expect(store.getState().supervisorMessage).toBe(
      "Dispatch refused: Central cannot be reached, so the SMI updates cannot be checked: try again when online.",
    );
    expect(await db.events.where("type").equals("dispatch.recorded").count()).toBe(0);

    central.reachable = true;
    expect((await store.getState().checkSmiUpdates())?.check?.ok).toBe(true);
    await store.getState().recordDispatch({ unloader: "party", carrier: null, vehicleRef: null });
    expect(await db.events.where("type").equals("dispatch.recorded").count()).toBe(1);
  });

  it("issue 18: a wrong pallet scanned onto the vehicle is taken off again, and the unload survives a reopen", async () => {
    const { store, db, booking } = await rig();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    const p = booking.pallets[0]!;
    const stranger = "350000000000000013";
    await scan(store, label(encodePalletLabel({ sscc: stranger })));
    expect(store.getState().outboundError?.code).toBe("not-on-manifest");
    store.getState().acknowledgeOutbound();
    await scan(store, label(encodePalletLabel({ sscc: p.sscc })));
    await scan(store, label(encodeCartonLabel({ sscc: p.cartons[0]!.sscc })));
    await scan(store, label(encodeCartonLabel({ sscc: p.cartons[1]!.sscc })));
    expect(store.getState().supervisor?.loadCheck).toMatchObject({ agrees: false, extra: [{ sscc: stranger }] });
    await store.getState().takeOffLoad("350000000000000020");
    expect(store.getState().supervisorMessage).toMatch(/nothing to take off/);
    await store.getState().takeOffLoad(stranger);
    expect(store.getState().supervisor?.loadCheck?.agrees).toBe(true);
    const unloads = (await db.events.where("type").equals("outbound.scan.recorded").toArray()).filter(
      (r) => r.event.type === "outbound.scan.recorded" && r.event.payload.action === "unload",
    );
    expect(unloads).toHaveLength(1);
    for (const r of unloads) expect(parseDockEvent(r.event).ok).toBe(true);
    store.getState().leaveSupervisor();
    await store.getState().openSupervisor(booking.bookingRef);
    expect(store.getState().supervisor?.loadCheck?.agrees).toBe(true);
    // A unit of the manifest taken off is missing again.
    await store.getState().takeOffLoad(p.cartons[1]!.sscc);
    expect(store.getState().supervisor?.loadCheck).toMatchObject({
      agrees: false,
      missing: [{ sscc: p.cartons[1]!.sscc }],
    });
  });

  it("issue 18: rebuilding after an ASN asks first, then cancels that ASN in the same write and needs a new one", async () => {
    const { store, db } = await rig();
    const delivery = { date: "2026-11-27", window: { start: "09:00", end: "12:00" } };
    await store.getState().buildRedeliveryManifest(delivery);
    await store.getState().issueAsn();
    const first = store.getState().supervisor!;
    const asnNumber = first.asn!.asnNumber;
    await store.getState().buildRedeliveryManifest(delivery);
    expect(store.getState().supervisorMessage).toMatch(/already has ASN .*Rebuilding cancels that ASN/);
    expect(await db.events.where("type").equals("manifest.built").count()).toBe(1);
    await store.getState().buildRedeliveryManifest(delivery, { cancelAsn: true });
    const second = store.getState().supervisor!;
    expect(second.manifest?.manifestId).not.toBe(first.manifest?.manifestId);
    expect(second.asn).toBeNull();
    expect(store.getState().supervisorMessage).toMatch(new RegExp(`ASN ${asnNumber} is cancelled`));
    const cancelled = (await db.events.where("type").equals("asn.cancelled").toArray()).map((r) => r.event);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]?.payload).toEqual({
      asnNumber,
      manifestId: first.manifest!.manifestId,
      replacedByManifestId: second.manifest!.manifestId,
      reason: `re-delivery ${first.manifest!.manifestId} was rebuilt as ${second.manifest!.manifestId}`,
    });
    await store.getState().issueAsn();
    expect(store.getState().supervisor?.asn?.asnNumber).not.toBe(asnNumber);
  });

  it("where our crew unloads, liability passes on completion; the load survives a reload (replayed from the log)", async () => {
    const { store, booking } = await rig();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    const p = booking.pallets[0]!;
    await scan(store, label(encodePalletLabel({ sscc: p.sscc })));
    await scan(store, label(encodeCartonLabel({ sscc: p.cartons[0]!.sscc })));
    await scan(store, label(encodeCartonLabel({ sscc: p.cartons[1]!.sscc })));
    store.getState().leaveSupervisor();
    await store.getState().openSupervisor(booking.bookingRef);
    expect(store.getState().supervisor?.loadCheck?.agrees).toBe(true);
    await store.getState().issueAsn();
    await store.getState().recordDispatch({ unloader: "dock", carrier: null, vehicleRef: null });
    await store.getState().startOutboundUnloading();
    expect(store.getState().supervisor?.unloading?.liabilityAt).toBeNull();
    await store.getState().completeOutboundUnloading();
    const u = store.getState().supervisor!.unloading!;
    expect(u.liabilityAt).toBe(u.completedAt);
  });

  it("a second delivery never reuses an ASN number, and the notice counts re-flashed and failed", async () => {
    const { store, db } = await rig();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    await store.getState().issueAsn();
    await store.getState().issueNotice();
    const notice = (await db.events.where("type").equals("notice.issued").first())!.event;
    expect(notice.type === "notice.issued" && notice.payload).toMatchObject({
      flashedCount: 5,
      failedCount: 1,
      reissue: false,
    });
    await store
      .getState()
      .buildRedeliveryManifest({ date: "2026-11-30", window: { start: "09:00", end: "12:00" } }, { cancelAsn: true });
    await store.getState().issueAsn();
    expect(store.getState().supervisor?.asn?.asnNumber).toBe("ASN-00000002");
  });

  it("offline with its block used up, the dock tells the supervisor plainly and issues nothing; once online it issues from a fresh block", async () => {
    const { store, db, asnCentral } = await rig();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    asnCentral.offline = true;
    await store.getState().issueAsn();
    expect(store.getState().supervisorMessage).toBe(
      "No ASN numbers left on this dock: central cannot be reached to reserve more. ASN numbers come only from central; reconnect this dock to central, then issue the ASN again. Nothing was issued.",
    );
    expect(await db.events.where("type").equals("asn.issued").count()).toBe(0);
    expect(store.getState().supervisor?.asn).toBeNull();
    asnCentral.offline = false;
    await store.getState().issueAsn();
    expect(store.getState().supervisor?.asn?.asnNumber).toBe("ASN-00000001");
  });
});

describe("supervisor slice: amendments", () => {
  it("a synced booking whose date changed is shown, re-checked against working hours, and acknowledging rebuilds and re-issues the notice", async () => {
    const { store, db, booking } = await rig();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    expect(store.getState().supervisor?.amendment).toBeNull();
    await db.bookings.put({
      bookingRef: booking.bookingRef,
      version: 2,
      booking: { ...booking, version: 2, deliveryDate: "2026-12-01", deliveryWindow: { start: "13:00", end: "15:00" } },
      pulledAt: 1,
    });
    await store.getState().refreshSupervisor();
    const a = store.getState().supervisor!.amendment!;
    expect(a.fields).toEqual(["date", "window"]);
    expect(a.slot.ok).toBe(true);
    await store.getState().acknowledgeRedeliveryAmendment();
    const view = store.getState().supervisor!;
    expect(view.amendment).toBeNull();
    expect(view.manifest).toMatchObject({
      manifestId: "RD-BK-3001-2",
      deliveryDate: "2026-12-01",
      deliveryWindow: { start: "13:00", end: "15:00" },
    });
    const ack = (await db.events.where("type").equals("amendment.acknowledged").first())!.event;
    expect(ack.type === "amendment.acknowledged" && ack.payload).toMatchObject({
      bookingVersion: 2,
      withinWorkingHours: true,
      manifestId: "RD-BK-3001-1",
    });
    const notice = (await db.events.where("type").equals("notice.issued").first())!.event;
    expect(notice.type === "notice.issued" && notice.payload).toMatchObject({
      manifestId: "RD-BK-3001-2",
      reissue: true,
    });
  });

  it("issue 17: the Party moves the re-delivery to another of its locations; the rebuilt manifest and its labels carry the new address", async () => {
    const { store, db, booking } = await rig();
    const depot = { id: "PARTY1-DEPOT", name: "Party 1 depot", address: "10 Meter Way, Leeds" };
    const redelivery = {
      deliveryDate: "2026-11-27",
      deliveryWindow: { start: "09:00", end: "12:00" },
      deliveryLocation: depot,
    };
    await db.bookings.put({
      bookingRef: booking.bookingRef,
      version: 1,
      booking: { ...booking, version: 1, redelivery },
      pulledAt: 1,
    });
    await store.getState().refreshSupervisor();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    expect(store.getState().supervisor?.manifest?.deliveryLocation).toEqual(depot);
    // An inbound change (the arrival slot) is not a re-delivery amendment.
    await db.bookings.put({
      bookingRef: booking.bookingRef,
      version: 2,
      booking: { ...booking, version: 2, redelivery, deliveryDate: "2026-11-20" },
      pulledAt: 2,
    });
    await store.getState().refreshSupervisor();
    expect(store.getState().supervisor?.amendment).toBeNull();
    const yard = { id: "PARTY1-YARD", name: "Party 1 yard", address: "2 Hub Lane, York" };
    await db.bookings.put({
      bookingRef: booking.bookingRef,
      version: 3,
      booking: { ...booking, version: 3, redelivery: { ...redelivery, deliveryLocation: yard } },
      pulledAt: 3,
    });
    await store.getState().refreshSupervisor();
    expect(store.getState().supervisor?.amendment?.fields).toEqual(["location"]);
    await store.getState().acknowledgeRedeliveryAmendment();
    const m = store.getState().supervisor!.manifest!;
    expect(m.deliveryLocation).toEqual(yard);
    const labels = manifestLabelContents(m, {
      from: { name: "Dock", lines: [] },
      to: deliveryAddress(m, booking.partyName),
    });
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expect(l.to.lines).toEqual(["Party 1 yard", "2 Hub Lane", "York"]);
  });

  it("an amendment outside working hours is acknowledged but builds nothing", async () => {
    const { store, db, booking } = await rig();
    await store.getState().buildRedeliveryManifest({ date: "2026-11-27", window: { start: "09:00", end: "12:00" } });
    await db.bookings.put({
      bookingRef: booking.bookingRef,
      version: 2,
      booking: { ...booking, version: 2, deliveryDate: "2026-12-25" },
      pulledAt: 1,
    });
    await store.getState().refreshSupervisor();
    expect(store.getState().supervisor?.amendment?.slot.ok).toBe(false);
    await store.getState().acknowledgeRedeliveryAmendment();
    expect(store.getState().supervisorMessage).toMatch(/outside working hours.*bank holiday/);
    expect(await db.events.where("type").equals("manifest.built").count()).toBe(1);
  });
});

describe("supervisor slice: charges", () => {
  it("a statement per Party from the site's charge rates", async () => {
    const { store } = await rig();
    await store.getState().loadCharges({ from: "2026-11-01", to: "2026-11-30" });
    const [st] = store.getState().chargesStatements;
    expect(st).toMatchObject({ partyId: "PARTY-1", counts: { reflashed: 5, notReflashable: 1 } });
    expect(st!.lines.find((l) => l.code === "explicit-charge")).toMatchObject({ quantity: 5, amountMinor: 5 * 758 });
  });
});
