import { describe, it, expect } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import Dexie from "dexie";
import { DockDb, SCHEMA_V3 } from "./dock-db";
import { CLOCK_OFFSET, readMeta, SYNC_CURSOR } from "./dock-meta";
import {
  amendmentsOf,
  asnDocument,
  firmwareCatalogue,
  knownOperators,
  manifestBasis,
  mergeFirmware,
} from "./dock-records";

// v4 moves the lists and prefixed keys of the `meta` drawer into typed tables.

const operator = {
  operatorId: "OP-R",
  name: "Rita",
  facilityId: "FAC-CS-1",
  roles: ["receiver" as const],
  active: true,
};
const firmware = {
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
const amendment = (v: number) => ({
  bookingRef: "BK-1001",
  bookingVersion: v,
  deliveryDate: "2027-02-01",
  deliveryWindow: { start: "10:00", end: "12:00" },
  deliveryLocation: location,
});
const basis = {
  bookingVersion: 3,
  deliveryDate: "2027-02-01",
  deliveryWindow: { start: "09:00", end: "12:00" },
  deliveryLocation: location,
};

describe("dock records (Dexie v4)", () => {
  it("upgrading from v3 moves operators, firmware, amendments, manifest bases and ASN documents out of meta; settings stay", async () => {
    const indexedDB = new IDBFactory();
    const old = new Dexie("records-upgrade", { indexedDB, IDBKeyRange });
    old.version(3).stores(SCHEMA_V3);
    await old.table("meta").bulkPut([
      { key: "sync.operators", value: [operator] },
      { key: "sync.firmware", value: [firmware] },
      { key: "sync.redeliveryAmendments", value: [amendment(3), amendment(2)] },
      { key: "supervisor.basis.RD-BK-1001-1", value: basis },
      { key: "supervisor.asn.ASN-1", value: '{"asnNumber":"ASN-1"}' },
      // Not what a basis is: left in meta rather than moved half-read.
      { key: "supervisor.basis.RD-BROKEN", value: { bookingVersion: "three" } },
      { key: "sync.cursor", value: "42" },
      { key: "sync.clockOffsetMs", value: 250 },
    ]);
    old.close();

    const db = new DockDb("records-upgrade", { indexedDB, IDBKeyRange });
    await db.open();
    // An operator cached before PINs existed reads as one without a PIN (it cannot sign in until the next pull).
    expect(await knownOperators(db)).toEqual([{ ...operator, pinHash: null }]);
    expect(await firmwareCatalogue(db)).toEqual([firmware]);
    expect((await amendmentsOf(db, "BK-1001")).map((a) => a.bookingVersion)).toEqual([2, 3]);
    expect(await manifestBasis(db, "RD-BK-1001-1")).toEqual({ manifestId: "RD-BK-1001-1", ...basis });
    expect(await asnDocument(db, "ASN-1")).toBe('{"asnNumber":"ASN-1"}');
    expect(await manifestBasis(db, "RD-BROKEN")).toBeUndefined();
    expect((await db.meta.toCollection().primaryKeys()).sort()).toEqual([
      "supervisor.basis.RD-BROKEN",
      "sync.clockOffsetMs",
      "sync.cursor",
    ]);
    expect(await readMeta(db, SYNC_CURSOR)).toBe("42");
    expect(await readMeta(db, CLOCK_OFFSET)).toBe(250);
    db.close();
  });

  it("a pulled page replaces the entry with its key and adds the rest", async () => {
    const db = new DockDb("records-merge", { indexedDB: new IDBFactory(), IDBKeyRange });
    await mergeFirmware(db, [firmware, { ...firmware, version: "00030001" }]);
    await mergeFirmware(db, [{ ...firmware, status: "withdrawn" }]);
    expect((await firmwareCatalogue(db)).map((f) => [f.version, f.status])).toEqual([
      ["00030000", "withdrawn"],
      ["00030001", "production"],
    ]);
    db.close();
  });
});
